"""Sessions end on the server, secrets and modes are explicit, demo users live only in demo mode
and logins are throttled (issue 21 findings 1, 7, 8 and 9), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from kontrolltarn.model import Hospital
from kontrolltarn.service import InsecureSettings, Runtime, Settings, create_app
from kontrolltarn.store import Actor, Store
from kontrolltarn.store.logins import USER_LIMIT
from kontrolltarn.store.sessions import CACHE_S

from ..store.databases import postgres_url
from .conftest import make_runtime, password, run_server

#: the constant every checkout of ce65d84 signed development tokens with
OLD_PUBLIC_SECRET = "development-only-secret-do-not-use"


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(rt, background=False)) as c:
        yield c


def _login(client: TestClient, user: str, secret: str | None = None) -> str:
    reply = client.post("/api/auth/login", json={"username": user,
                                                 "password": secret or password(user)})
    assert reply.status_code == 200, reply.text
    return str(reply.json()["token"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _forge(secret: str, claims: dict[str, object]) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    body = b64(json.dumps(claims).encode())
    return f"{body}.{b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())}"


def test_a_start_without_a_mode_is_production_and_refuses_the_old_public_secret(
        client: TestClient, rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 21 finding 1: with no environment variables the service ran as development and
    accepted a coordinator token signed with the public constant. Now no mode means production,
    which refuses to start without a secret; development signs with a random secret."""
    monkeypatch.delenv("KONTROLLTARN_ENV", raising=False)
    monkeypatch.delenv("KONTROLLTARN_SECRET_KEY", raising=False)
    with pytest.raises(InsecureSettings, match="KONTROLLTARN_SECRET_KEY"):
        Settings.from_env()
    monkeypatch.setenv("KONTROLLTARN_ENV", "development")
    rt.settings = Settings.from_env()
    assert rt.settings.environment == "development" and rt.settings.secret_key != OLD_PUBLIC_SECRET
    leader = _login(client, "leader")
    live_session = json.loads(base64.urlsafe_b64decode(leader.split(".")[0] + "==="))["s"]
    client.cookies.clear()
    for claims in ({"u": "coordinator", "r": "coordinator", "c": None,
                    "exp": time.time() + 3600},
                   {"u": "coordinator", "r": "coordinator", "c": None, "s": live_session,
                    "exp": time.time() + 3600}):
        forged = _forge(OLD_PUBLIC_SECRET, claims)
        assert client.get("/api/audit", headers=_bearer(forged)).status_code == 401
    assert client.get("/api/audit", headers=_bearer(leader)).status_code == 200


def test_logout_ends_the_session_for_bearer_and_cookie(client: TestClient, rt: Runtime) -> None:
    """Issue 21 finding 7: after logout the old bearer token and the old cookie still worked
    (12 h). Now both are refused at once."""
    token = _login(client, "coordinator")
    cookie = client.cookies.get("kt_session")
    assert cookie == token
    assert client.get("/api/board", headers=_bearer(token)).status_code == 200
    assert client.post("/api/auth/logout", headers=_bearer(token)).status_code == 200
    client.cookies.clear()
    assert client.get("/api/board", headers=_bearer(token)).status_code == 401
    client.cookies.set("kt_session", cookie)
    assert client.get("/api/board").status_code == 401
    assert client.get("/api/auth/me").status_code == 401
    assert [e.actor for e in rt.store.audit.recent(5) if e.action == "logout"] == ["coordinator"]


def test_password_and_role_changes_end_the_users_sessions(client: TestClient,
                                                           rt: Runtime) -> None:
    """Issue 21 finding 7: a password change or a role change ends the sessions at once."""
    token = _login(client, "surgeon")
    client.cookies.clear()
    assert client.get("/api/suggestions", headers=_bearer(token)).status_code == 200
    rt.store.users.set_password("surgeon", "a-new-surgeon-password", by=Actor("cli:it", "cli"))
    assert client.get("/api/suggestions", headers=_bearer(token)).status_code == 401
    token = _login(client, "surgeon", "a-new-surgeon-password")
    client.cookies.clear()
    assert client.get("/api/suggestions", headers=_bearer(token)).status_code == 200
    rt.store.users.set_role("surgeon", "leader", by=Actor("cli:it", "cli"))
    assert client.get("/api/suggestions", headers=_bearer(token)).status_code == 401
    changes = [(e.action, e.resource_id) for e in rt.store.audit.recent(20) if e.actor == "cli:it"]
    assert changes == [("user.role", "surgeon"), ("user.password", "surgeon")]


def test_a_patient_session_ends_at_logout(client: TestClient, rt: Runtime) -> None:
    """Issue 21 finding 7: patient link tokens (24 h) end at logout too."""
    case_id = rt.store.plans.day(rt.day)[0].case_id
    coordinator = _login(client, "coordinator")
    link = client.post(f"/api/cases/{case_id}/patient-link", json={},
                       headers=_bearer(coordinator)).json()
    client.cookies.clear()
    patient = client.post("/api/patient/session", json={"token": link["token"]}).json()["token"]
    client.cookies.clear()
    assert client.get("/api/patient/me", headers=_bearer(patient)).status_code == 200
    client.post("/api/auth/logout", headers=_bearer(patient))
    assert client.get("/api/patient/me", headers=_bearer(patient)).status_code == 401


@pytest.mark.postgres
def test_a_logout_in_one_process_is_refused_by_the_other_within_seconds(
        small_hospital: Hospital) -> None:
    """Issue 21 finding 7, two service processes on one PostgreSQL (one secret, as in
    production): a session ended on the first is refused by the second within ``CACHE_S``."""
    secret = secrets.token_hex(32)
    with postgres_url() as url:
        first = make_runtime(small_hospital, url, secret_key=secret)  # type: ignore[arg-type]
        second = Runtime(Settings(secret_key=secret), small_hospital, Store.open(url))
        try:
            with TestClient(create_app(first, background=False)) as one, \
                    TestClient(create_app(second, background=False)) as two:
                token = _login(one, "leader")
                one.cookies.clear()
                assert two.get("/api/board", headers=_bearer(token)).status_code == 200
                one.post("/api/auth/logout", headers=_bearer(token))
                ended = time.monotonic()
                while two.get("/api/board", headers=_bearer(token)).status_code == 200:
                    assert time.monotonic() - ended < CACHE_S + 2, "still accepted"
                    time.sleep(0.1)
                assert two.get("/api/board", headers=_bearer(token)).status_code == 401
        finally:
            second.store.close()
            first.store.close()


def test_demo_users_are_disabled_on_a_start_outside_demo_mode(rt: Runtime) -> None:
    """Issue 21 finding 8: demo accounts made in development still logged in after a restart
    in production. Now demo users are marked; a start outside demo mode disables them (audited)
    and ends their sessions; their login is refused and audited."""
    rt.store.users.add("koordinator", "koordinator-demo-2026", "coordinator", demo=True)
    demo = Runtime(Settings(environment="demo"), None, rt.store)
    with TestClient(create_app(demo, background=False)) as client:
        token = _login(client, "koordinator", "koordinator-demo-2026")
    production = Runtime(Settings(environment="production", secret_key=demo.settings.secret_key),
                         None, rt.store)
    with TestClient(create_app(production, background=False)) as client:
        client.cookies.clear()
        assert client.get("/api/board", headers=_bearer(token)).status_code == 401
        refused = client.post("/api/auth/login", json={"username": "koordinator",
                                                       "password": "koordinator-demo-2026"})
        assert refused.status_code == 401
        assert _login(client, "coordinator")  # ordinary users are untouched
    audit = rt.store.audit.recent(20)
    disabled = [e for e in audit if e.action == "user.disable"]
    assert [(e.actor, e.resource_id) for e in disabled] == [("system:serve", "koordinator")]
    failed = [e for e in audit if e.action == "login.failed"]
    assert [(e.actor, e.role, e.detail["reason"]) for e in failed] == [
        ("koordinator", "anonymous", "disabled")]


def test_wrong_passwords_lock_the_user_with_429_and_every_failure_is_audited(
        client: TestClient, rt: Runtime) -> None:
    """Issue 21 finding 9: 340 wrong passwords were tried with no 429, no lockout and no audit
    row. Now the fifth failure within 15 minutes locks the username for 15 minutes (429 with
    Retry-After, even for the right password); each failure and the lockout are audited with
    the username tried, never the password."""
    guesses = [f"guess-{n}-secret" for n in range(USER_LIMIT)]
    for guess in guesses:
        reply = client.post("/api/auth/login", json={"username": "coordinator", "password": guess})
        assert reply.status_code == 401
    locked = client.post("/api/auth/login", json={"username": "coordinator",
                                                  "password": password("coordinator")})
    assert locked.status_code == 429
    assert 800 < int(locked.headers["Retry-After"]) <= 900
    assert _login(client, "leader")  # another user from the same address still logs in
    audit = [e for e in rt.store.audit.recent(50) if e.actor == "coordinator"]
    actions = [e.action for e in reversed(audit)]
    assert actions == ["login.failed"] * USER_LIMIT + ["login.locked", "login.refused"]
    assert {e.role for e in audit} == {"anonymous"}
    rows = json.dumps([e.detail for e in audit])
    assert not any(guess in rows for guess in guesses)
    assert password("coordinator") not in rows


def test_many_usernames_tried_from_one_address_lock_that_address(rt: Runtime) -> None:
    """Issue 21 finding 9: one machine trying many usernames is locked by its address; other
    addresses still log in."""
    app = create_app(rt, background=False)
    with TestClient(app, client=("192.0.2.7", 5000)) as attacker:
        for n in range(20):
            assert attacker.post("/api/auth/login", json={
                "username": f"user-{n}", "password": "password1"}).status_code == 401
        reply = attacker.post("/api/auth/login", json={"username": "coordinator",
                                                        "password": password("coordinator")})
        assert reply.status_code == 429 and "Retry-After" in reply.headers
    with TestClient(app, client=("192.0.2.8", 5000)) as nurse:
        assert _login(nurse, "coordinator")
    locks = [e for e in rt.store.audit.recent(60) if e.action == "login.locked"]
    assert [e.detail["scope"] for e in locks] == ["address"]
    assert locks[0].detail["address"] == "192.0.2.7"


def test_the_boards_live_stream_ends_after_logout(small_hospital: Hospital, tmp_path: Path,
                                                  template_folder: Path) -> None:
    """Issue 21 finding 7: an open live stream of the board does not outlive its session."""
    runtime = make_runtime(small_hospital, f"sqlite:///{tmp_path / 'stream.sqlite3'}",
                           template_folder)
    server = run_server(runtime)
    live = next(server)
    try:
        token = httpx.post(live.url + "/api/auth/login", timeout=10, json={
            "username": "leader", "password": password("leader")}).json()["token"]
        lines: list[str] = []
        ended = None
        with httpx.stream("GET", live.url + "/api/board/stream", headers=_bearer(token),
                          timeout=20) as reply:
            for line in reply.iter_lines():  # heartbeats every second: ends only if closed
                lines.append(line)
                if line == "event: hello":
                    httpx.post(live.url + "/api/auth/logout", headers=_bearer(token), timeout=10)
                    ended = time.monotonic()
                assert ended is None or time.monotonic() - ended < CACHE_S + 3, "still open"
        assert ended is not None and "event: heartbeat" in lines
    finally:
        next(server, None)
