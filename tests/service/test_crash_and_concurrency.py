"""The production store for real: PostgreSQL, a server process killed with SIGKILL mid-stream,
and two coordinators editing one case at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from kontrolltarn.formats.native import save_hospital
from kontrolltarn.model import Hospital
from kontrolltarn.store import make_engine

from ..logscan import server_log_path
from ..store.databases import postgres_url
from .conftest import DEMO_ENV, free_port

pytestmark = pytest.mark.postgres


class ServerProcess:
    """`kontrolltarn serve` as a subprocess; its output goes to ``log``, by default a new file
    in the run's log folder (tests/logscan.py)."""

    def __init__(self, url: str, hospital_file: Path, log: Path | None = None) -> None:
        self.url, self.port, self.hospital_file = url, free_port(), hospital_file
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = log or server_log_path("serve")

    def start(self) -> None:
        # stdout and stderr into the log, which the end of the run scans for secrets
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "kontrolltarn.cli.main", "serve", "--port", str(self.port),
                 "--database-url", self.url, "--hospital", str(self.hospital_file), "--demo-users"],
                stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, **DEMO_ENV})
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture(scope="module")
def server(small_hospital: Hospital, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[ServerProcess]:
    # the hospital is written once, so neither start of the server generates it again
    hospital_file = tmp_path_factory.mktemp("crash") / "hospital.json"
    save_hospital(small_hospital, hospital_file)
    with postgres_url() as url:
        process = ServerProcess(url, hospital_file)
        process.start()
        try:
            yield process
        finally:
            process.stop()


def _token(server: ServerProcess, user: str) -> str:
    reply = httpx.post(server.base + "/api/auth/login",
                       json={"username": user, "password": f"{user}-demo-2026"}, timeout=10)
    return str(reply.json()["token"])


def test_two_coordinators_editing_one_case_cannot_lose_an_update(server: ServerProcess) -> None:
    headers = {"Authorization": f"Bearer {_token(server, 'koordinator')}"}
    day = httpx.get(server.base + "/api/health", timeout=5).json()["day"]
    entry = httpx.get(f"{server.base}/api/programs/{day}", headers=headers,
                      timeout=10).json()["entries"][0]
    case, version = entry["case_id"], entry["version"]
    replies: dict[str, httpx.Response] = {}
    barrier = threading.Barrier(2)

    def edit(who: str, minute: int) -> None:
        barrier.wait()
        replies[who] = httpx.patch(f"{server.base}/api/cases/{case}", headers=headers, timeout=10,
                                   json={"version": version, "start_min": minute, "why": who})

    threads = [threading.Thread(target=edit, args=(w, m)) for w, m in (("a", 490), ("b", 500))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in replies.values())
    assert codes == [200, 409]
    winner = next(w for w, r in replies.items() if r.status_code == 200)
    loser = next(r for r in replies.values() if r.status_code == 409).json()["detail"]
    assert loser["current_version"] == version + 1
    view = httpx.get(f"{server.base}/api/cases/{case}", headers=headers, timeout=10).json()
    assert view["plan"]["version"] == version + 1
    whys = [c["why"] for c in view["changes"]]  # first: scheduled by the published program
    assert whys[0].endswith(": initial program") and whys[1:] == [winner]
    # the loser reloads, sees the winner's change, and can apply its own on top
    again = httpx.patch(f"{server.base}/api/cases/{case}", headers=headers, timeout=10,
                        json={"version": version + 1, "position": 2, "why": "after reload"})
    assert again.status_code == 200


def test_sigkill_during_an_event_stream_loses_and_duplicates_nothing(
        server: ServerProcess) -> None:
    token = _token(server, "feed")
    headers = {"Authorization": f"Bearer {token}"}
    rooms = [s["room_id"] for s in httpx.get(
        server.base + "/api/sessions", timeout=10,
        headers={"Authorization": f"Bearer {_token(server, 'koordinator')}"}).json()["sessions"]]
    start = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    events = [{"id": f"crash-{i}", "kind": "room_ready", "room_id": rooms[i % len(rooms)],
               "at": (start + timedelta(seconds=i)).isoformat()} for i in range(600)]
    batches = [events[i:i + 25] for i in range(0, len(events), 25)]
    acknowledged: list[int] = []

    def send() -> None:  # at-least-once: resend a batch until it is acknowledged
        for n, batch in enumerate(batches):
            while True:
                try:
                    reply = httpx.post(server.base + "/api/events", json={"events": batch},
                                       headers=headers, timeout=5)
                    if reply.status_code == 200:
                        acknowledged.append(n)
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)

    sender = threading.Thread(target=send)
    sender.start()
    while len(acknowledged) < len(batches) // 3:
        time.sleep(0.01)
    server.kill()  # mid-stream, no chance to flush anything
    killed_after = len(acknowledged)
    server.start()
    sender.join(180)
    assert not sender.is_alive()
    assert 0 < killed_after < len(batches)

    engine = make_engine(server.url)
    with engine.connect() as conn:
        rows = conn.execute(text("select count(*), count(distinct id) from events")).one()
        ids = set(conn.execute(text("select id from events")).scalars())
    engine.dispose()
    assert rows[0] == rows[1] == len(events)
    assert ids == {e["id"] for e in events}
    # the live state was rebuilt from the store and then kept up
    health = httpx.get(server.base + "/api/health", timeout=5).json()
    assert health["events"] == len(events)
