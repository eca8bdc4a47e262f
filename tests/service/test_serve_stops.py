"""`kontrolltarn serve` stops promptly with a board connected (issue 19 finding 9): a wall
display never closes its live stream, and the server used to wait for it for ever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from kontrolltarn.formats.native import save_hospital
from kontrolltarn.model import Hospital
from kontrolltarn.service import redaction

from ..logscan import server_log_path
from .conftest import DEMO_ENV, free_port

# this process logs the login replies (httpcore at debug level) as a service process would:
# redacted, as the run's log scan requires (tests/logscan.py)
redaction.install()

#: the promise: stopped this long after Ctrl-C or SIGTERM
STOP_WITHIN_S = 2.0


def _start(hospital_file: Path, url: str, port: int) -> subprocess.Popen[bytes]:
    base = f"http://127.0.0.1:{port}"
    with server_log_path("serve-stops").open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kontrolltarn.cli.main", "serve", "--port", str(port),
             "--database-url", url, "--hospital", str(hospital_file), "--demo-users",
             "--no-predict", "--plan-time-limit", "2"],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **DEMO_ENV})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("serve did not start")


def _headers(base: str, user: str) -> dict[str, str]:
    reply = httpx.post(base + "/api/auth/login", timeout=10,
                       json={"username": user, "password": f"{user}-demo-2026"})
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def test_serve_stops_within_two_seconds_of_sigint_or_sigterm_with_a_board_streaming(
        small_hospital: Hospital, tmp_path: Path) -> None:
    """Issue 19 finding 9: with a board's live stream open, Ctrl-C (SIGINT) and SIGTERM each
    stop `serve` within 2 s, and the events it acknowledged before are in the store at the
    next start."""
    hospital_file = tmp_path / "hospital.json"
    save_hospital(small_hospital, hospital_file)
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    room = small_hospital.rooms[0].id
    start = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    acknowledged = 0
    for round_, sig in enumerate((signal.SIGINT, signal.SIGTERM)):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = _start(hospital_file, url, port)
        try:
            assert httpx.get(base + "/api/health", timeout=5).json()["events"] == acknowledged
            board = _headers(base, "koordinator")
            with httpx.Client(timeout=10) as client, client.stream(
                    "GET", base + "/api/board/stream", headers=board) as stream:
                lines = stream.iter_lines()
                assert next(lines) == "event: hello"
                events = [{"id": f"stop-{round_}-{i}", "kind": "room_ready", "room_id": room,
                           "at": (start + timedelta(minutes=round_ * 60 + i)).isoformat()}
                          for i in range(20)]
                reply = httpx.post(base + "/api/events", json={"events": events}, timeout=10,
                                   headers=_headers(base, "feed"))
                assert reply.status_code == 200, reply.text
                acknowledged += len(events)
                next(lines)  # the stream is live (a heartbeat or the rooms just changed)
                asked = time.monotonic()
                proc.send_signal(sig)
                proc.wait(30)
                took = time.monotonic() - asked
            assert took < STOP_WITHIN_S, f"{sig.name}: stopped after {took:.1f} s"
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    port = free_port()
    proc = _start(hospital_file, url, port)
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/api/health",
                         timeout=5).json()["events"] == acknowledged
    finally:
        proc.terminate()
        proc.wait(10)
