"""Schemathesis against the OpenAPI document, and the bad inputs of issue 21 finding 5 (NaN,
Infinity, lone surrogates, invalid UTF-8, NUL, an oversize body) sent to every operation: no
input makes the service answer 5xx, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from kontrolltarn.model import Hospital
from kontrolltarn.service import create_app
from kontrolltarn.service.guard import DEFAULT_MAX_BODY, EVENT_FEED_MAX_BODY
from kontrolltarn.service.routers.imports import MAX_BYTES as IMPORT_MAX_BYTES

from ..store.databases import postgres_url
from .conftest import make_runtime, password

#: examples per operation: a few in the suite; a deeper run for a measurement sets
#: KONTROLLTARN_FUZZ_EXAMPLES (e.g. 100), derandomised like every property test
EXAMPLES = int(os.environ.get("KONTROLLTARN_FUZZ_EXAMPLES", "4"))
#: the live stream never ends by design (it shares its permission check with the board)
ENDLESS = {"/api/board/stream"}
#: JSON bodies no endpoint may take: (what, raw body)
BAD_BODIES = [
    ("NaN", b'{"version": NaN, "why": "x", "events": [NaN]}'),
    ("Infinity", b'{"version": Infinity, "weeks": -Infinity}'),
    ("a number too large", b'{"version": 1e999}'),
    ("a lone surrogate", b'{"why": "\\ud800", "username": "\\udfff", "password": "x"}'),
    ("invalid UTF-8", b'{"why": "\xff\xfe\xc0\x80"}'),
    ("NUL", b'{"why": "a\\u0000", "username": "a\\u0000", "password": "\\u0000"}'),
    ("NUL in a key", b'{"\\u0000": 1}'),
]
#: path and query values no endpoint may take (percent-encoded): NUL, a surrogate in UTF-8,
#: bytes that are not UTF-8, an overlong NUL
BAD_PARAMETERS = ["a%00b", "%ED%A0%80", "%FF%FE", "%C0%80"]


def _app(runtime: Any) -> Iterator[FastAPI]:
    """The app with a client and a coordinator's token; schemathesis runs its lifespan (once:
    on PostgreSQL a second one would listen for notices twice)."""
    app = create_app(runtime, background=False)
    app.state.fuzz_client = client = TestClient(app)
    app.state.fuzz_token = client.post("/api/auth/login", json={
        "username": "coordinator", "password": password("coordinator")}).json()["token"]
    yield app
    client.close()
    runtime.store.close()


@pytest.fixture(scope="module", params=["sqlite",
                                        pytest.param("postgresql", marks=pytest.mark.postgres)])
def fuzz_app(request: pytest.FixtureRequest, small_hospital: Hospital,
             tmp_path_factory: pytest.TempPathFactory, template_folder: Path) -> Iterator[FastAPI]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3"
        yield from _app(make_runtime(small_hospital, f"sqlite:///{path}", template_folder))
        return
    with postgres_url() as url:
        yield from _app(make_runtime(small_hospital, url))


def _operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path template, operation) for every operation of the OpenAPI document."""
    return [(method.upper(), path, operation)
            for path, item in app.openapi()["paths"].items() if path not in ENDLESS
            for method, operation in item.items()]


def test_no_input_gives_a_server_error(fuzz_app: FastAPI) -> None:
    """Every operation of the OpenAPI document, fuzzed by schemathesis as a coordinator (who may
    reach the most code), and anonymously."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    headers = {"Authorization": f"Bearer {fuzz_app.state.fuzz_token}"}
    failures: list[tuple[str, str, int, str]] = []
    operations = 0
    calls = [0]
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in ENDLESS:
            continue
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            # logging out would end the shared token's session: that one runs anonymously
            for auth in (headers, {}) if case.path != "/api/auth/logout" else ({},):
                response = case.call(headers=auth)
                calls[0] += 1
                if response.status_code >= 500:
                    failures.append((case.method, case.formatted_path, response.status_code,
                                     response.text[:200]))

        fuzz()
    assert operations >= 20
    print(json.dumps({"case": "schemathesis", "operations": operations,
                      "examples_per_operation": EXAMPLES, "calls": calls[0],
                      "server_errors": len(failures)}))
    assert failures == []


def test_the_bad_inputs_of_issue_21_give_no_server_error_anywhere(fuzz_app: FastAPI) -> None:
    """Issue 21 finding 5 (and 10's oversize body): each bad body to every operation (GETs
    too: a body is read whatever the method), each bad value in every path and query parameter,
    as a coordinator and anonymously. Each is answered 4xx; the guard answers before any
    router runs, so the answer is 422 (413 for the oversize body) for everyone."""
    coordinator = {"Authorization": f"Bearer {fuzz_app.state.fuzz_token}"}
    problems: list[tuple[str, str, str, int]] = []
    sent = 0
    client: TestClient = fuzz_app.state.fuzz_client
    for method, template, operation in _operations(fuzz_app):
        harmless = re.sub(r"\{[^}]+\}", "x", template)
        limit = {"/api/import": IMPORT_MAX_BYTES,
                 "/api/events": EVENT_FEED_MAX_BODY}.get(template, DEFAULT_MAX_BODY)
        requests: list[tuple[str, str, bytes | None, int]] = [
            (what, harmless, body, 422) for what, body in BAD_BODIES]
        requests.append(("oversize", harmless, b'{"why": "' + b"x" * limit + b'"}', 413))
        for name in re.findall(r"\{([^}]+)\}", template):
            requests += [(f"path {name}={bad}", template.replace(f"{{{name}}}", bad), None,
                          422) for bad in BAD_PARAMETERS]
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                requests += [(f"query {parameter['name']}={bad}",
                              f"{harmless}?{parameter['name']}={bad}", None, 422)
                             for bad in BAD_PARAMETERS]
        for what, path, body, expected in requests:
            for auth in (coordinator, {}):
                client.cookies.clear()
                reply = client.request(method, path, content=body, headers={
                    **auth, "Content-Type": "application/json"})
                sent += 1
                if reply.status_code != expected:
                    problems.append((method, template, what, reply.status_code))
    assert sent > 500
    assert problems == []
