"""Malformed and oversize input is a 4xx naming the place, never a 500, on SQLite and PostgreSQL;
nothing changes; no error echoes a password or a large value; no log line holds a secret
(issue 21 findings 5, 6 and 10; service/guard.py and service/redaction.py)."""

from __future__ import annotations

import io
import json
import logging
import socket
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kontrolltarn.formats.importer import export_bytes
from kontrolltarn.model import Hospital, ModelError
from kontrolltarn.service import Runtime, create_app
from kontrolltarn.service.guard import DEFAULT_MAX_BODY
from kontrolltarn.service.redaction import redact

from ..store.databases import postgres_url
from .conftest import auth_headers, make_runtime, password, run_server
from .test_import_and_models import _one_new_referral

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=DATABASES)
def served(request: pytest.FixtureRequest, small_hospital: Hospital, tmp_path: Path,
           template_folder: Path) -> Iterator[tuple[TestClient, Runtime]]:
    """A client of the app on SQLite and on PostgreSQL (whose text cannot hold NUL)."""
    if request.param == "sqlite":
        runtime = make_runtime(small_hospital, f"sqlite:///{tmp_path / 'bad.sqlite3'}",
                               template_folder)
        with TestClient(create_app(runtime, background=False)) as client:
            yield client, runtime
        runtime.store.close()
        return
    with postgres_url() as url:
        runtime = make_runtime(small_hospital, url)
        with TestClient(create_app(runtime, background=False)) as client:
            yield client, runtime
        runtime.store.close()


def _post(client: TestClient, method: str, path: str, raw: bytes,
          headers: dict[str, str]) -> Any:
    return client.request(method, path, content=raw,
                          headers={**headers, "Content-Type": "application/json"})


#: (what, raw JSON body of a case change, the place the error must name)
BAD_BODIES = [
    ("NaN", b'{"version": 1, "start_min": NaN}', ["body", "start_min"]),
    ("Infinity", b'{"version": 1, "planned_min": Infinity}', ["body", "planned_min"]),
    ("-Infinity", b'{"version": -Infinity, "position": 1}', ["body", "version"]),
    ("a number too large for a float", b'{"version": 1e999, "position": 1}', ["body", "version"]),
    ("a lone surrogate", b'{"version": 1, "position": 1, "why": "x\\ud800"}', ["body", "why"]),
    ("NUL", b'{"version": 1, "position": 1, "why": "a\\u0000b"}', ["body", "why"]),
    ("NUL in a key", b'{"version": 1, "position": 1, "a\\u0000": 1}', ["body"]),
    ("invalid UTF-8", b'{"version": 1, "position": 1, "why": "\xff\xfe"}', ["body"]),
    ("deep nesting", b'{"why": ' + b"[" * 5000 + b"]" * 5000 + b"}", ["body"]),
]


@pytest.mark.parametrize(("what", "raw", "place"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_a_bad_json_body_is_a_422_naming_the_place_and_changes_nothing(
        served: tuple[TestClient, Runtime], what: str, raw: bytes, place: list[Any]) -> None:
    """Issue 21 finding 5: each of these was a 500 (NUL only on PostgreSQL, where the change
    was half made before the database refused it)."""
    client, rt = served
    plan = rt.store.plans.day(rt.day)[0]
    headers = auth_headers(client, "coordinator")
    audited = len(rt.store.audit.recent(1000))
    reply = _post(client, "PATCH", f"/api/cases/{plan.case_id}", raw, headers)
    assert reply.status_code == 422, (what, reply.text)
    detail = reply.json()["detail"][0]
    assert detail["loc"] == place and detail["msg"], (what, detail)
    assert rt.store.plans.day(rt.day)[0] == plan
    assert len(rt.store.audit.recent(1000)) == audited


def test_a_bad_value_deep_in_an_event_batch_is_named_by_its_json_path(
        served: tuple[TestClient, Runtime]) -> None:
    """Issue 21 finding 5: the error names the event and its field (a NUL in the free-text
    source was stored on SQLite and a 500 on PostgreSQL); no event of the batch is stored."""
    client, rt = served
    plan = rt.store.plans.day(rt.day)[0]
    event = {"id": "bad-1", "kind": "called", "at": f"{rt.day}T07:00:00+01:00",
             "case_id": plan.case_id, "room_id": plan.room_id}
    body = {"events": [event, {**event, "id": "bad-2", "source": "feed\u0000"}]}
    reply = _post(client, "POST", "/api/events", json.dumps(body).encode(),
                  auth_headers(client, "feed"))
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "events", 1, "source"]
    assert rt.store.events.count() == 0


@pytest.mark.parametrize(("path", "place"), [
    ("/api/cases/a%00b", ["path", "case_id"]),
    ("/api/referrals/%ED%A0%80", ["path", "referral_id"]),   # a surrogate, UTF-8 encoded
    ("/api/cases/%FF", ["path", "case_id"]),                 # not UTF-8
    ("/api/audit?resource_id=a%00", ["query", "resource_id"]),
    ("/api/referrals?specialty=%C0%80", ["query", "specialty"]),  # an overlong NUL
])
def test_nul_or_invalid_utf8_in_the_path_or_query_is_a_422_naming_the_parameter(
        served: tuple[TestClient, Runtime], path: str, place: list[str]) -> None:
    """Issue 21 finding 5: on PostgreSQL a NUL in a path or query parameter was a 500."""
    client, _ = served
    reply = client.get(path, headers=auth_headers(client, "coordinator"))
    assert reply.status_code == 422, reply.text
    assert reply.json()["detail"][0]["loc"] == place


def test_an_import_named_with_nul_is_refused_and_changes_nothing(
        served: tuple[TestClient, Runtime]) -> None:
    """Issue 21 finding 6: on PostgreSQL such an import answered 500 (its audit row could not
    be stored)."""
    client, rt = served
    revision, audited = rt.store.hospital.revision(), len(rt.store.audit.recent(1000))
    reply = client.post("/api/import?name=bundle%00.json", content=json.dumps(
        _one_new_referral(rt)), headers={**auth_headers(client, "coordinator"),
                                         "Content-Type": "application/fhir+json"})
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["query", "name"]
    assert rt.store.hospital.revision() == revision
    assert "RNEW1" not in rt.hospital.referral_by_id
    assert len(rt.store.audit.recent(1000)) == audited + 1  # the login only


def test_an_import_file_with_nan_or_nul_is_a_422_naming_its_place(
        served: tuple[TestClient, Runtime]) -> None:
    """Issue 21 findings 5 and 6: a FHIR file sent as octet-stream with NaN in it was a 500
    (the error echoed the NaN, which JSON cannot carry); a CSV file whose hospital name holds a
    NUL was a 500 on PostgreSQL. Both are 422 now, and nothing of them is stored."""
    client, rt = served
    headers = {**auth_headers(client, "coordinator"), "Content-Type": "application/octet-stream"}
    revision = rt.store.hospital.revision()
    bundle = json.dumps(_one_new_referral(rt)).replace('"gender"', '"x": NaN, "gender"', 1)
    reply = client.post("/api/import?name=bundle.json", content=bundle, headers=headers)
    assert reply.status_code == 422, reply.text
    assert reply.json()["detail"][0]["field"] == "entry.0.resource.x"
    files = zipfile.ZipFile(io.BytesIO(export_bytes(rt.hospital, "csv")))
    upload = io.BytesIO()
    with zipfile.ZipFile(upload, "w") as out:
        for name in files.namelist():
            data = files.read(name)
            out.writestr(name, data.replace(b"\nname,", b"\nname,N\x00", 1)
                         if name.endswith("hospital.csv") else data)
    reply = client.post("/api/import?name=hospital.zip", content=upload.getvalue(),
                        headers=headers)
    if rt.store.engine.dialect.name == "postgresql":
        assert reply.status_code == 422, reply.text
        assert "cannot store" in reply.json()["detail"][0]["reason"]
        assert rt.store.hospital.revision() == revision
    else:  # SQLite stores a NUL
        assert reply.status_code == 200, reply.text


@pytest.mark.postgres
def test_an_import_whose_audit_entry_fails_stores_nothing_of_it(
        small_hospital: Hospital) -> None:
    """Issue 21 finding 6: the import and its audit entry are one transaction; when the audit
    entry cannot be stored (PostgreSQL refuses a NUL in text), nothing of the import is, and
    the refusal is the file's (a ModelError, a 422 through the API), not a database error."""
    with postgres_url() as url:
        rt = make_runtime(small_hospital, url)
        revision, audited = rt.store.hospital.revision(), len(rt.store.audit.recent(1000))
        versions = len(rt.store.programs.recent())
        with pytest.raises(ModelError, match="cannot store"):
            rt.store.import_hospital(rt.store.hospital.load(), "coordinator", "coordinator", "x\x00.json")
        assert rt.store.hospital.revision() == revision
        assert len(rt.store.audit.recent(1000)) == audited
        assert len(rt.store.programs.recent()) == versions
        rt.store.close()


def test_validation_errors_echo_no_password_and_no_large_value(
        served: tuple[TestClient, Runtime]) -> None:
    """Issue 21 finding 10: a login body's 422 echoed the whole body, password included."""
    client, rt = served
    secret = password("coordinator")
    for body in ({"username": "coordinator", "password": secret, "extra": 1},
                 {"password": secret},
                 {"username": "u" * 5000, "password": secret},
                 {"username": "coordinator", "password": secret * 20}):
        reply = client.post("/api/auth/login", json=body)
        assert reply.status_code == 422, body
        assert secret not in reply.text and len(reply.text) < 1000, reply.text
        assert all(e["loc"] and e["msg"] for e in reply.json()["detail"])
    # a non-secret value is still named, cut short
    plan = rt.store.plans.day(rt.day)[0]
    reply = client.patch(f"/api/cases/{plan.case_id}", headers=auth_headers(client, "coordinator"),
                         json={"version": 1, "position": 1, "why": "w" * 3000})
    detail = reply.json()["detail"][0]
    assert reply.status_code == 422 and detail["loc"] == ["body", "why"]
    assert detail["input"].startswith("www") and len(detail["input"]) < 100


def test_a_body_over_the_limit_is_a_413(served: tuple[TestClient, Runtime]) -> None:
    """Issue 21 finding 10: an anonymous 50 MB login body was read, parsed and echoed."""
    client, _ = served
    big = {"username": "x" * (DEFAULT_MAX_BODY + 1), "password": "y"}
    reply = client.post("/api/auth/login", json=big)
    assert reply.status_code == 413 and "larger than" in reply.json()["detail"]
    assert len(reply.text) < 200
    # the guard's own answers carry the same security headers as every other answer
    assert reply.headers["content-security-policy"].startswith("default-src 'self'")
    assert reply.headers["referrer-policy"] == "no-referrer"
    # the import keeps its own, larger limit: 2 MiB reach its reader (a 422 for a bad file)
    reply = client.post("/api/import?name=big.json", content=b"[" + b" " * (2 << 20) + b"]",
                        headers={**auth_headers(client, "coordinator"),
                                 "Content-Type": "application/octet-stream"})
    assert reply.status_code == 422


def _raw_request(base: str, head: str, body: bytes = b"") -> tuple[str, float]:
    """Send a request's head (and a little body) on a socket and read the answer's status line,
    without sending the rest of what the head announced; returns it and the seconds taken."""
    host, port = base.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(head.encode() + b"\r\n" + body)
        answer = conn.recv(4096).decode("latin-1")
    return answer.split("\r\n", 1)[0], time.monotonic() - started


def test_a_413_comes_before_the_body_is_read(sqlite_runtime: Runtime) -> None:
    """Issue 21 finding 10: the service answers a declared 50 MB body (and a chunked one that
    passes the limit) at once, without waiting for or holding it."""
    for server in run_server(sqlite_runtime):
        declared = ("POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
                    "Content-Type: application/json\r\nContent-Length: 52428800\r\n")
        status, took = _raw_request(server.url, declared, b'{"username": "')
        assert status.split()[1] == "413" and took < 5
        chunk = b"x" * (DEFAULT_MAX_BODY // 2)
        chunked = ("POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
                   "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n")
        body = b"".join(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(3))
        status, _ = _raw_request(server.url, chunked, body)
        assert status.split()[1] == "413"
        declared_import = ("POST /api/import?name=x.json HTTP/1.1\r\nHost: x\r\n"
                           "Content-Type: application/octet-stream\r\n"
                           "Content-Length: 52428800\r\n")
        status, _ = _raw_request(server.url, declared_import)
        assert status.split()[1] == "413"


def test_log_records_are_redacted_when_made(caplog: pytest.LogCaptureFixture,
                                            sqlite_runtime: Runtime) -> None:
    """Issue 21 finding 5: tracebacks wrote a password and a fødselsnummer to the server log.
    Every record made in a process running the service is redacted, its traceback too."""
    create_app(sqlite_runtime, background=False)  # installs the redaction
    log = logging.getLogger("kontrolltarn.test")
    token = "eyJ1IjogImNvb3JkaW5hdG9yIn0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWc"
    with caplog.at_level(logging.DEBUG):
        log.info("patient %s, header Bearer %s", "01017012345", token)
        try:
            raise ValueError(f"bad body {{'username': 'x', 'password': 'hunter2'}} {token}")
        except ValueError:
            log.exception("request failed for 01017012345")
    text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    for secret in ("01017012345", token, "hunter2"):
        assert secret not in text
    assert "[redacted" in text and "ValueError" in text
    assert redact("case HEN000016 at 2026-11-30 10:00, 1234567890 bytes") == (
        "case HEN000016 at 2026-11-30 10:00, 1234567890 bytes")


@pytest.mark.postgres
def test_a_failed_statement_carries_no_values_into_its_message() -> None:
    """Issue 21 finding 5: a failed statement's message (which a traceback writes to the log)
    listed its parameters: that is how a password and a fødselsnummer reached the server log.
    Engines are made with ``hide_parameters``."""
    from sqlalchemy.exc import DataError

    from kontrolltarn.store import Store

    with postgres_url() as url:
        store = Store.open(url)
        try:
            with pytest.raises(DataError) as failed:
                store.audit.record("coordinator", "coordinator", "test", "patient",
                                   "01017012345\x00", detail={"password": "hunter2"})
            assert "01017012345" not in str(failed.value) and "hunter2" not in str(failed.value)
            assert "parameters hidden" in str(failed.value)
        finally:
            store.close()
