"""Control-tower service benchmark.

1. Load: a generator on loopback posts milestone events (batches of 50) at a fixed offered rate
   into the service on PostgreSQL while a board client listens on the live stream; reports the
   rate sustained and the latency from posting an event to the board update carrying it.
2. Board: server-side time to build the whole board (every room of a 97-room, 87-session day).

PostgreSQL: KONTROLLTARN_DATABASE_URL, else 127.0.0.1:5432 database 'test' (a scratch schema).
Usage: python benchmarks/service.py [--quick]
"""

from __future__ import annotations

import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from kontrolltarn.formats.native import save_hospital
from kontrolltarn.model import Program
from kontrolltarn.service import Runtime, Settings
from kontrolltarn.simulate.replay import play_day
from kontrolltarn.store import Store
from kontrolltarn.synth import SCALES, generate
from kontrolltarn.synth.truth import Truth

BENCH = "service"


def emit(case: str, metric: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"bench": BENCH, "case": case, "metric": metric, "value": round(value, 4),
                      "unit": unit, **extra}), flush=True)


def scratch_schema() -> tuple[str, str]:
    admin = os.environ.get("KONTROLLTARN_DATABASE_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    admin = admin.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"kt_bench_{uuid.uuid4().hex[:8]}"
    with create_engine(admin).begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in admin else "?"
    return admin, f"{admin}{sep}options=-csearch_path%3D{schema}"


def drop_schema(admin: str, url: str) -> None:
    schema = url.rsplit("%3D", 1)[1]
    with create_engine(admin).begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class BoardListener(threading.Thread):
    """A board client on the live stream: records when each event id reached the board."""

    def __init__(self, base: str, token: str) -> None:
        super().__init__(daemon=True)
        self.base, self.token = base, token
        self.seen: dict[str, float] = {}
        self.ready = threading.Event()
        self.stop = False

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.stream("GET", self.base + "/api/board/stream", headers=headers,
                          timeout=None) as response:
            kind = None
            for line in response.iter_lines():
                if self.stop:
                    return
                if line.startswith("event: "):
                    kind = line[7:]
                    self.ready.set()
                elif line.startswith("data: ") and kind == "rooms":
                    now = time.perf_counter()
                    for ident in json.loads(line[6:])["event_ids"]:
                        self.seen.setdefault(ident, now)


class BoardPoller(threading.Thread):
    """A browser reloading the whole board every half second during the load (GET /api/board,
    round trip on loopback: an upper bound of the server-side time)."""

    def __init__(self, base: str, token: str) -> None:
        super().__init__(daemon=True)
        self.base, self.token = base, token
        self.times: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(timeout=30) as client:
            while not self.stop.wait(0.5):
                t0 = time.perf_counter()
                client.get(self.base + "/api/board", headers=headers).raise_for_status()
                self.times.append(time.perf_counter() - t0)


def cpu_seconds(pid: int | None) -> float:
    """User + system processor seconds of a process so far (Linux /proc)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(base: str, events: list[dict], rate: float, seconds: float, token: str,
         listener: BoardListener, label: str, board_token: str | None = None,
         server_pid: int | None = None) -> None:
    batch_size = 50
    total = int(rate * seconds)
    sent: dict[str, float] = {}
    headers = {"Authorization": f"Bearer {token}"}
    client = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=8))
    errors: list[int] = []

    def post(batch: list[dict]) -> None:
        reply = client.post(base + "/api/events", json={"events": batch}, headers=headers)
        if reply.status_code != 200:
            errors.append(reply.status_code)

    # open loop: batches leave on schedule over a few connections, as from an integration engine
    pool = ThreadPoolExecutor(max_workers=4)
    futures = []
    poller = BoardPoller(base, board_token) if board_token else None
    if poller:
        poller.start()
    cpu_before = cpu_seconds(server_pid)
    start = time.perf_counter()
    for first in range(0, total, batch_size):
        due = start + first / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        batch = [dict(events[(first + i) % len(events)], id=f"{label}-{first + i}")
                 for i in range(min(batch_size, total - first))]
        t0 = time.perf_counter()
        for e in batch:
            sent[e["id"]] = t0
        futures.append(pool.submit(post, batch))
    for future in futures:
        future.result()
    pool.shutdown()
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds(server_pid) - cpu_before
    if poller:
        poller.stop.set()
        poller.join()
    time.sleep(1.5)
    latencies = [listener.seen[i] - t for i, t in sent.items() if i in listener.seen]
    missing = len(sent) - len(latencies)
    emit(label, "offered_rate", rate, "events/s")
    emit(label, "sustained_rate", len(sent) / elapsed, "events/s", reference=500)
    emit(label, "event_to_board_p50", statistics.median(latencies), "s")
    emit(label, "event_to_board_p99", percentile(latencies, 0.99), "s", reference=1.0)
    emit(label, "events_not_on_board", missing, "events")
    emit(label, "http_errors", len(errors), "requests")
    if poller and poller.times:
        emit(label, "board_get_median", statistics.median(poller.times) * 1000, "ms",
             reference=300, note="GET /api/board round trip during the load")
        emit(label, "board_get_max", max(poller.times) * 1000, "ms")
    emit(label, "server_cpu_per_s", cpu / elapsed, "cores",
         note="processor time the service used per second of load")
    emit(label, "load_average_1min", os.getloadavg()[0], "")


def main() -> None:
    quick = "--quick" in sys.argv
    scale = dataclasses.replace(SCALES["default"], history_days=7, horizon_days=2)
    hospital = generate(scale=scale, seed=0).hospital
    admin, url = scratch_schema()
    folder = Path(tempfile.mkdtemp(prefix="kt-bench-"))
    save_hospital(hospital, folder / "hospital.json")
    try:
        # --- board render, in process, half-way through a simulated day
        store = Store.open(url)
        runtime = Runtime(Settings(), hospital, store)
        program = Program(tuple(p.as_entry() for p in store.plans.day(runtime.day)))
        day_events = play_day(hospital, program, runtime.day, truth=Truth.of_hospital(hospital), seed=0)
        runtime.ingest(day_events[: len(day_events) // 2])
        timings, served = [], []
        for _ in range(3 if quick else 20):
            runtime._views.clear()  # cold: every room forecast now (no live task keeps them)
            t0 = time.perf_counter()
            json.dumps(runtime.board())
            timings.append(time.perf_counter() - t0)
            # as served: the live task keeps the views; an event makes a few rooms stale
            runtime.ingest(day_events[len(day_events) // 2: len(day_events) // 2 + 5])
            t0 = time.perf_counter()
            json.dumps(runtime.board())
            served.append(time.perf_counter() - t0)
        rooms = len(hospital.rooms)
        emit(f"board_{rooms}_rooms", "render_median", statistics.median(timings) * 1000, "ms",
             reference=300, note="cold: every room forecast")
        emit(f"board_{rooms}_rooms", "render_max", max(timings) * 1000, "ms", reference=300,
             note="cold: every room forecast")
        emit(f"board_{rooms}_rooms", "served_median", statistics.median(served) * 1000, "ms",
             reference=300, note="views kept by the live task, stale rooms forecast")
        store.users.add("bench-feed", "bench-feed-password", "feed")
        store.users.add("bench-board", "bench-board-password", "leader")
        store.close()

        # --- load over loopback into PostgreSQL, the service in its own process
        port = 8765
        server = subprocess.Popen(
            [sys.executable, "-m", "kontrolltarn.cli.main", "serve", "--port", str(port),
             "--database-url", url, "--hospital", str(folder / "hospital.json")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.3)
            feed = httpx.post(base + "/api/auth/login", json={
                "username": "bench-feed", "password": "bench-feed-password"}).json()["token"]
            board = httpx.post(base + "/api/auth/login", json={
                "username": "bench-board", "password": "bench-board-password"}).json()["token"]
            listener = BoardListener(base, board)
            listener.start()
            listener.ready.wait(10)
            payload = [{"kind": e.kind.value, "at": e.at.isoformat(), "case_id": e.case_id,
                        "room_id": e.room_id, "reason": e.reason.value if e.reason else None}
                       for e in day_events]
            seconds = 6 if quick else 30
            load(base, payload, 500, seconds, feed, listener, "load_500", board, server.pid)
            if not quick:
                load(base, payload, 1000, 15, feed, listener, "load_1000", board, server.pid)
            listener.stop = True
        finally:
            server.terminate()
            server.wait(10)
    finally:
        drop_schema(admin, url)


if __name__ == "__main__":
    main()
