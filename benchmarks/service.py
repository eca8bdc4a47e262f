"""Control-tower service benchmark.

1. Load: a generator on loopback posts milestone events (batches of 50) at a fixed offered rate
   into the service on PostgreSQL while a board client listens on the live stream; reports the
   rate sustained and the latency from posting an event to the board update carrying it.
2. Board: server-side time to build the whole board (every room of a 97-room, 87-session day).
3. Two processes ("two-process"): two ``serve`` processes on the same database, 500 events/s
   split between them, a board client on each; per process, the latency from posting an event
   (to either process) to the board message carrying it: the other process's events arrive
   through the store's change notices (PostgreSQL LISTEN/NOTIFY). The second process is then
   stopped, and the load of 1. runs against the first alone.

PostgreSQL: KONTROLLTARN_DATABASE_URL, else 127.0.0.1:5432 database 'test' (a scratch schema).
Usage: python benchmarks/service.py [--quick]
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
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
from kontrolltarn.service.clocks import EventClock
from kontrolltarn.simulate.replay import play_day
from kontrolltarn.store import Store
from kontrolltarn.synth import SCALES, generate
from kontrolltarn.synth.truth import Truth

BENCH = "service"
#: both ``serve`` processes sign with one secret (as in production), so one login serves both
SERVE_ENV = {"KONTROLLTARN_ENV": "development", "KONTROLLTARN_SECRET_KEY": secrets.token_hex(32)}


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


@dataclasses.dataclass
class Posted:
    """What an open-loop load sent: when each event id left, and to which server."""

    sent: dict[str, float]
    target: dict[str, int]
    elapsed: float
    errors: list[int]


def post_events(targets: list[tuple[str, str]], events: list[dict], rate: float,
                seconds: float, label: str) -> Posted:
    """Post ``rate`` events a second for ``seconds`` in batches of 50, batch i to target
    i mod n (base address, feed token), open loop: batches leave on schedule over a few
    connections per server, as from an integration engine."""
    batch_size = 50
    total = int(rate * seconds)
    sent: dict[str, float] = {}
    target: dict[str, int] = {}
    clients = [httpx.Client(timeout=30, limits=httpx.Limits(max_connections=8))
               for _ in targets]
    errors: list[int] = []

    def post(which: int, batch: list[dict]) -> None:
        base, token = targets[which]
        reply = clients[which].post(base + "/api/events", json={"events": batch},
                                    headers={"Authorization": f"Bearer {token}"})
        if reply.status_code != 200:
            errors.append(reply.status_code)

    pool = ThreadPoolExecutor(max_workers=4 * len(targets))
    futures = []
    start = time.perf_counter()
    for n, first in enumerate(range(0, total, batch_size)):
        due = start + first / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        batch = [dict(events[(first + i) % len(events)], id=f"{label}-{first + i}")
                 for i in range(min(batch_size, total - first))]
        which = n % len(targets)
        t0 = time.perf_counter()
        for e in batch:
            sent[e["id"]] = t0
            target[e["id"]] = which
        futures.append(pool.submit(post, which, batch))
    for future in futures:
        future.result()
    pool.shutdown()
    elapsed = time.perf_counter() - start
    for client in clients:
        client.close()
    return Posted(sent, target, elapsed, errors)


def latencies(posted: Posted, listener: BoardListener, only: int | None = None) -> list[float]:
    """Seconds from posting each event (to server ``only``, or any) to a board message with it."""
    return [listener.seen[i] - t for i, t in posted.sent.items()
            if i in listener.seen and (only is None or posted.target[i] == only)]


def load(base: str, events: list[dict], rate: float, seconds: float, token: str,
         listener: BoardListener, label: str, board_token: str | None = None,
         server_pid: int | None = None) -> None:
    """One server: rate sustained, event-to-board latency, board reloads during the load."""
    poller = BoardPoller(base, board_token) if board_token else None
    if poller:
        poller.start()
    cpu_before = cpu_seconds(server_pid)
    posted = post_events([(base, token)], events, rate, seconds, label)
    cpu = cpu_seconds(server_pid) - cpu_before
    if poller:
        poller.stop.set()
        poller.join()
    time.sleep(1.5)
    delays = latencies(posted, listener)
    emit(label, "offered_rate", rate, "events/s")
    emit(label, "sustained_rate", len(posted.sent) / posted.elapsed, "events/s", reference=500)
    emit(label, "event_to_board_p50", statistics.median(delays), "s")
    emit(label, "event_to_board_p99", percentile(delays, 0.99), "s", reference=1.0)
    emit(label, "events_not_on_board", len(posted.sent) - len(delays), "events")
    emit(label, "http_errors", len(posted.errors), "requests")
    if poller and poller.times:
        emit(label, "board_get_median", statistics.median(poller.times) * 1000, "ms",
             reference=300, note="GET /api/board round trip during the load")
        emit(label, "board_get_max", max(poller.times) * 1000, "ms")
    emit(label, "server_cpu_per_s", cpu / posted.elapsed, "cores",
         note="processor time the service used per second of load")
    emit(label, "load_average_1min", os.getloadavg()[0], "")


def two_process(servers: list[tuple[str, str, str, int]], events: list[dict], rate: float,
                seconds: float) -> None:
    """Two ``serve`` processes on one database, the load split between them (batch by batch)
    and a board client on each: every board must show every event, half of which reach its
    process only through the store's change notices (LISTEN/NOTIFY)."""
    case = "two-process"
    listeners = []
    for base, _, board_token, _ in servers:
        listener = BoardListener(base, board_token)
        listener.start()
        listener.ready.wait(10)
        listeners.append(listener)
    cpu_before = [cpu_seconds(pid) for *_, pid in servers]
    posted = post_events([(base, feed) for base, feed, _, _ in servers], events, rate, seconds,
                         "two")
    cpu = [cpu_seconds(pid) - before for (*_, pid), before in zip(servers, cpu_before, strict=True)]
    time.sleep(1.5)
    emit(case, "offered_rate", rate, "events/s", process="both")
    emit(case, "sustained_rate", len(posted.sent) / posted.elapsed, "events/s", reference=500,
         process="both")
    emit(case, "http_errors", len(posted.errors), "requests", process="both")
    for n, listener in enumerate(listeners):
        name = "ab"[n]
        delays = latencies(posted, listener)
        remote = latencies(posted, listener, only=1 - n)
        emit(case, "sustained_rate", sum(1 for w in posted.target.values() if w == n)
             / posted.elapsed, "events/s", process=name, note="events posted to this process")
        emit(case, "event_to_board_p50", statistics.median(delays), "s", process=name)
        emit(case, "event_to_board_p95", percentile(delays, 0.95), "s", process=name)
        emit(case, "event_to_board_p99", percentile(delays, 0.99), "s", reference=1.0,
             process=name, note="every event, posted to either process")
        emit(case, "event_to_board_p99_other", percentile(remote, 0.99), "s", reference=1.0,
             process=name, note="events posted to the other process")
        emit(case, "events_not_on_board", len(posted.sent) - len(delays), "events",
             process=name)
        emit(case, "server_cpu_per_s", cpu[n] / posted.elapsed, "cores", process=name)
        listener.stop = True
    emit(case, "load_average_1min", os.getloadavg()[0], "")


def start_server(port: int, url: str, hospital_file: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kontrolltarn.cli.main", "serve", "--port", str(port),
         "--database-url", url, "--hospital", str(hospital_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **SERVE_ENV})


def wait_healthy(base: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"the service at {base} did not start")


def login(base: str, user: str) -> str:
    return str(httpx.post(base + "/api/auth/login", json={
        "username": user, "password": f"{user}-password"}).json()["token"])


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
        # the latest event's clock (explicitly): the board half-way through the played day
        runtime = Runtime(Settings(), hospital, store, clock=EventClock())
        program = Program(tuple(p.entry for p in store.plans.day(runtime.day)))
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

        # --- two service processes on the database (started together: they start slowly),
        # first with the load split between them, then the first alone
        port = 8765
        bases = [f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"]
        servers = [start_server(port + n, url, folder / "hospital.json") for n in range(2)]
        try:
            for base in bases:
                wait_healthy(base)
            # tokens are signed with the secret both processes share: one login serves both
            feed, board = login(bases[0], "bench-feed"), login(bases[0], "bench-board")
            payload = [{"kind": e.kind.value, "at": e.at.isoformat(), "case_id": e.case_id,
                        "room_id": e.room_id, "reason": e.reason.value if e.reason else None}
                       for e in day_events]
            seconds = 4 if quick else 30
            two_process([(b, feed, board, s.pid) for b, s in zip(bases, servers, strict=True)],
                        payload, 500, seconds)
            servers[1].terminate()
            servers[1].wait(10)

            base = bases[0]
            listener = BoardListener(base, board)
            listener.start()
            listener.ready.wait(10)
            load(base, payload, 500, seconds, feed, listener, "load_500", board, servers[0].pid)
            if not quick:
                load(base, payload, 1000, 15, feed, listener, "load_1000", board,
                     servers[0].pid)
            listener.stop = True
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(10)
    finally:
        drop_schema(admin, url)


if __name__ == "__main__":
    main()
