"""The database goes away under a running service and comes back (issue 21 finding 11).

A real `kontrolltarn serve` process on its own PostgreSQL schema, reached through a real TCP
proxy that the test cuts (open connections reset, new ones refused) and restores. Before: the
health check said "ok", the board served stale data silently, every other request was a bare
500 with a traceback, and the service did not recover."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import make_url, text

from kontrolltarn.formats.native import save_hospital
from kontrolltarn.model import Hospital
from kontrolltarn.store import make_engine

from ..logscan import server_log_path
from ..store.databases import postgres_url
from .tcp_proxy import TcpProxy
from .test_crash_and_concurrency import ServerProcess

pytestmark = pytest.mark.postgres

#: the must-show: normal service within this many seconds of the database's return
RECOVERY_S = 10.0


@pytest.fixture(scope="module")
def proxied_server(small_hospital: Hospital, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[tuple[ServerProcess, TcpProxy, str]]:
    """(server, proxy, direct URL): the server reaches its database only through the proxy.
    Each test restores the proxy before it ends."""
    tmp_path = tmp_path_factory.mktemp("database-loss")
    hospital_file = tmp_path / "hospital.json"
    save_hospital(small_hospital, hospital_file)
    with postgres_url() as url:
        direct = make_url(url)
        proxy = TcpProxy((direct.host or "127.0.0.1", direct.port or 5432))
        proxied = direct.set(port=proxy.port).render_as_string(hide_password=False)
        server = ServerProcess(proxied, hospital_file, log=server_log_path("database-loss"))
        try:
            server.start()
            yield server, proxy, url
        finally:
            proxy.restore()  # so the server can stop cleanly and the schema be dropped
            server.stop()
            proxy.close()


def _login(server: ServerProcess, user: str) -> dict[str, str]:
    reply = httpx.post(server.base + "/api/auth/login", timeout=10,
                       json={"username": user, "password": f"{user}-demo-2026"})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def _events(rooms: list[str], tag: str, n: int = 5) -> dict[str, Any]:
    start = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    return {"events": [{"id": f"{tag}-{i}", "kind": "room_ready", "room_id": rooms[i % len(rooms)],
                        "at": (start + timedelta(seconds=i)).isoformat()} for i in range(n)]}


def _heartbeat(server: ServerProcess, headers: dict[str, str], timeout: float = 8.0
               ) -> dict[str, Any]:
    """The next heartbeat of the board's live stream."""
    with httpx.stream("GET", server.base + "/api/board/stream", headers=headers,
                      timeout=timeout) as stream:
        kind = None
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind == "heartbeat":
                return dict(json.loads(line.removeprefix("data: ")))
    raise AssertionError("no heartbeat")


def _while_away(server: ServerProcess, coordinator: dict[str, str], feed: dict[str, str],
                rooms: list[str], day: str, entry: dict[str, Any]) -> None:
    """What clients get while the database is away."""
    health = httpx.get(server.base + "/api/health", timeout=15)
    assert health.status_code == 503, health.text
    assert health.json()["status"] == "degraded" and health.json()["database"] == "unavailable"
    assert health.headers["Retry-After"].isdigit()
    # writes answer 503 (not 500), with Retry-After and a short message
    for reply in (
            httpx.post(server.base + "/api/events", json=_events(rooms, "away"), headers=feed,
                       timeout=15),
            httpx.patch(f"{server.base}/api/cases/{entry['case_id']}", headers=coordinator,
                        timeout=15, json={"version": entry["version"], "start_min": 495,
                                          "why": "while the database is away"})):
        assert reply.status_code == 503, reply.text
        assert reply.headers["Retry-After"].isdigit()
        assert reply.json()["detail"].startswith("database unavailable")
    # reads do not pretend: stored data is 503; the board (live state in memory) says so
    programs = httpx.get(f"{server.base}/api/programs/{day}", headers=coordinator, timeout=15)
    assert programs.status_code == 503
    board = httpx.get(server.base + "/api/board", headers=coordinator, timeout=15)
    assert board.status_code == 503 or \
        board.json()["freshness"]["database"] == "unavailable", board.text
    assert _heartbeat(server, coordinator)["database"] == "unavailable"


def _stored_ids(url: str, prefix: str) -> set[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        ids = set(conn.execute(text("select id from events where id like :p"),
                               {"p": f"{prefix}%"}).scalars())
    engine.dispose()
    return ids


def test_503_while_the_database_is_away_and_normal_service_within_10_s_of_its_return(
        proxied_server: tuple[ServerProcess, TcpProxy, str]) -> None:
    server, proxy, direct_url = proxied_server
    coordinator, feed = _login(server, "koordinator"), _login(server, "feed")
    health = httpx.get(server.base + "/api/health", timeout=5)
    assert health.status_code == 200
    assert health.json()["status"] == "ok" and health.json()["database"] == "ok"
    day = health.json()["day"]
    rooms = [s["room_id"] for s in httpx.get(server.base + "/api/sessions", headers=coordinator,
                                             timeout=10).json()["sessions"]]
    entry = httpx.get(f"{server.base}/api/programs/{day}", headers=coordinator,
                      timeout=10).json()["entries"][0]
    assert httpx.post(server.base + "/api/events", json=_events(rooms, "before"), headers=feed,
                      timeout=10).status_code == 200

    proxy.cut()
    try:
        _while_away(server, coordinator, feed, rooms, day, entry)
    finally:
        proxy.restore()
    back = time.monotonic()
    recovered: dict[str, Any] = {}
    while time.monotonic() - back < RECOVERY_S and len(recovered) < 3:
        try:
            if "health" not in recovered:
                reply = httpx.get(server.base + "/api/health", timeout=5)
                if reply.status_code == 200 and reply.json()["database"] == "ok":
                    recovered["health"] = time.monotonic() - back
            if "events" not in recovered:
                reply = httpx.post(server.base + "/api/events", json=_events(rooms, "after"),
                                   headers=feed, timeout=5)
                if reply.status_code == 200:
                    recovered["events"] = time.monotonic() - back
            if "board" not in recovered:
                reply = httpx.get(server.base + "/api/board", headers=coordinator, timeout=5)
                if reply.status_code == 200 and reply.json()["freshness"]["database"] == "ok":
                    recovered["board"] = time.monotonic() - back
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    assert set(recovered) == {"health", "events", "board"}, recovered
    assert max(recovered.values()) <= RECOVERY_S
    # the measured figure, for the closing note (`pytest -s`); polled every 0.2 s
    print(json.dumps({"case": "database-loss", "recovered_after_s":
                      {k: round(v, 2) for k, v in recovered.items()}}))

    # nothing of the refused write was stored; everything before and after was, once
    assert _stored_ids(direct_url, "away") == set()
    assert len(_stored_ids(direct_url, "before")) == len(_stored_ids(direct_url, "after")) == 5
    health = httpx.get(server.base + "/api/health", timeout=5).json()
    assert health["status"] == "ok" and health["events"] >= 10
    board = httpx.get(server.base + "/api/board", headers=coordinator, timeout=10).json()
    assert board["freshness"]["database"] == "ok" and board["freshness"]["age_s"] < 60
    # the log says what happened in single lines: no traceback, no SQL, no request data
    log = (server.log or Path()).read_text()
    assert "database unavailable" in log and "database available again" in log
    assert "Traceback" not in log and "[SQL:" not in log and "while the database" not in log


def test_the_board_in_the_browser_says_the_database_is_away(
        proxied_server: tuple[ServerProcess, TcpProxy, str], page: Any) -> None:
    """What a coordinator sees: a red banner while the database is away, gone when it is back."""
    server, proxy, _ = proxied_server
    page.goto(server.base + "/")
    page.fill("#login-form input[name=username]", "koordinator")
    page.fill("#login-form input[name=password]", "koordinator-demo-2026")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    away = "() => document.querySelector('#freshness').dataset.quiet === 'database'"
    try:
        proxy.cut()
        page.wait_for_function(away, timeout=8_000)
        assert page.locator("#quiet-banner").is_visible()
        assert "Databasen svarer ikke" in page.locator("#quiet-banner").inner_text()
    finally:
        proxy.restore()
    page.wait_for_function(away.replace("===", "!=="), timeout=int(RECOVERY_S * 1000))
