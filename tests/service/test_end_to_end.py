"""From import to board to KPIs on real PostgreSQL, with a real server process killed midway.

One story, as a hospital lives it: a FHIR bundle is imported through the API and stored; an
optimise job runs with visible progress and leaves a proposed version; a coordinator publishes
it (audited); the board in Chromium shows its cases; milestone events arrive; the agent suggests
a repair and the coordinator accepts it (the plan changes through ``plan.repair``); the server
is killed with SIGKILL and started again on the same database: nothing is lost and nothing
doubled; the live KPIs are ``kpi.headline`` of the same log read from the database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from kontrolltarn import kpi
from kontrolltarn.control import Clock
from kontrolltarn.formats.native import save_hospital
from kontrolltarn.model import (
    CancellationReason,
    ChangeKind,
    Event,
    EventKind,
    Hospital,
    Program,
    ProgramEntry,
)
from kontrolltarn.simulate.replay import play_day
from kontrolltarn.store import Store
from kontrolltarn.synth.truth import Truth

from ..logscan import server_log
from ..store.databases import postgres_url
from .conftest import DEMO_ENV, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.browser]

FHIR = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "fhir"
#: a Norwegian bundle (folkehelseinstituttet, LMDI) that imports cleanly (docs/integration.md)
BUNDLE = FHIR / "norwegian" / "folkehelseinstituttet+LMDI" / \
    "Bundle-Bundle-Scenario-Sykehjem-Oksykodon.json"
#: only bounds a failing wait; nothing is timed
PATIENCE_S = 60.0
#: suggestions that change the plan (through ``plan.repair``)
REPAIRS = ("move_case", "change_order", "cancel_early")
#: the time of day the posted events reach (14:30)
CLOCK_MIN = 14 * 60 + 30


class Server:
    """``kontrolltarn serve`` as its own process on one database (so it can be SIGKILLed)."""

    def __init__(self, database: str, hospital_file: Path) -> None:
        self.database, self.hospital_file = database, hospital_file
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with server_log("serve") as log:  # scanned for secrets at the end of the run
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "kontrolltarn.cli.main", "serve", "--port", str(self.port),
                 "--database-url", self.database, "--hospital", str(self.hospital_file),
                 "--demo-users", "--no-predict", "--plan-time-limit", "2"],
                stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, **DEMO_ENV})
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "the server exited"
            try:
                if httpx.get(self.base + "/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def login(self, user: str) -> dict[str, str]:
        reply = httpx.post(self.base + "/api/auth/login", timeout=10,
                           json={"username": user, "password": f"{user}-demo-2026"})
        reply.raise_for_status()
        return {"Authorization": f"Bearer {reply.json()['token']}"}

    def get(self, path: str, user: str) -> Any:
        reply = httpx.get(self.base + path, headers=self.login(user), timeout=30)
        assert reply.status_code == 200, (path, reply.text)
        return reply.json()

    def post(self, path: str, user: str, **kwargs: Any) -> httpx.Response:
        return httpx.post(self.base + path, headers=self.login(user), timeout=60, **kwargs)


def _events_body(events: list[Event]) -> dict[str, Any]:
    return {"events": [{"id": e.id, "kind": e.kind.value, "at": e.at.isoformat(),
                        "case_id": e.case_id, "room_id": e.room_id,
                        "reason": e.reason.value if e.reason else None} for e in events]}


def _post_events(server: Server, events: list[Event]) -> dict[str, Any]:
    reply = server.post("/api/events", "feed", json=_events_body(events))
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


@pytest.fixture
def world(small_hospital: Hospital, tmp_path: Path) -> Iterator[tuple[Server, Store]]:
    """The server on a fresh PostgreSQL schema, and the test's own reader of that database."""
    if not BUNDLE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"FHIR fixture missing: {BUNDLE}")
        pytest.skip(f"FHIR fixture missing: {BUNDLE}")
    hospital_file = tmp_path / "hospital.json"
    save_hospital(small_hospital, hospital_file)
    with postgres_url() as url:
        server = Server(url, hospital_file)
        server.start()
        database = Store.open(url)
        try:
            yield server, database
        finally:
            server.stop()
            database.close()


def _plan_of_day(server: Server, day: str) -> dict[str, dict[str, Any]]:
    return {e["case_id"]: e for e in server.get(f"/api/programs/{day}", "koordinator")["entries"]}


def _case_changes(database: Store) -> int:
    hospital = database.hospital.load()
    assert hospital is not None
    return sum(len(c.history) for c in hospital.cases)


def test_import_plan_publish_board_events_repair_kpis_and_a_kill(
        world: tuple[Server, Store], page: Any) -> None:
    server, database = world
    day = server.get("/api/health", "koordinator")["day"]
    the_day = date.fromisoformat(day)

    # 1. a FHIR bundle through the API: stored, with its audit entry
    known = {p.id for p in database.hospital.load().patients}  # type: ignore[union-attr]
    reply = server.post(f"/api/import?name={BUNDLE.name}", "koordinator",
                        content=BUNDLE.read_bytes())
    assert reply.status_code == 200, reply.text
    assert reply.json()["added"] == {"patients": 1}
    imported = {p.id for p in database.hospital.load().patients} - known  # type: ignore[union-attr]
    assert len(imported) == 1
    assert database.audit.recent(resource_id=BUNDLE.name)[0].action == "import.accept"

    # 2. an optimise job for the day, followed until done; its result is a proposed version
    reply = server.post("/api/jobs", "koordinator", json={
        "kind": "optimise", "first_day": day, "days": 1, "time_limit_s": 3, "seed": 1})
    assert reply.status_code == 202, reply.text
    job_id = reply.json()["id"]
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + PATIENCE_S
    while not seen or seen[-1]["status"] not in ("done", "failed", "cancelled"):
        assert time.monotonic() < deadline, f"job {job_id} did not finish: {seen[-1:]}"
        seen.append(server.get(f"/api/jobs/{job_id}", "koordinator"))
        time.sleep(0.2)
    assert seen[-1]["status"] == "done", seen[-1]
    progress = [s["progress"] for s in seen]
    assert progress == sorted(progress) and progress[-1] == 1.0
    version_id = seen[-1]["result_version_id"]
    version = server.get(f"/api/programs/versions/{version_id}", "koordinator")
    assert version["status"] == "proposed" and version["created_by"] == "koordinator"
    assert version["check"]["feasible"]

    # 3. a coordinator publishes it (why recorded); it supersedes the first program
    reply = server.post(f"/api/programs/versions/{version_id}/publish", "koordinator",
                        json={"why": "end-to-end: the optimised program"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["status"] == "published" and reply.json()["superseded"]
    audit = database.audit.recent(resource_id=str(version_id))
    assert [(a.action, a.actor) for a in audit] == [("program.publish", "koordinator")]
    published = {e["case_id"]: e for e in version["entries"]}
    plan = _plan_of_day(server, day)
    assert {c for c, p in plan.items() if p["status"] == "planned"} == set(published)

    # 4. the board in Chromium shows the published program's cases
    page.goto(server.base + "/")
    page.fill("#login-form input[name=username]", "koordinator")
    page.fill("#login-form input[name=password]", "koordinator-demo-2026")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    shown = set(page.eval_on_selector_all("[data-case]", "els => els.map(e => e.dataset.case)"))
    assert set(published) <= shown
    board = page.evaluate("async () => (await fetch('/api/board')).json()")
    assert board["program"]["version"] == version_id

    # 5. milestone events: other rooms run their day; one room's first case runs long
    hospital = database.hospital.load()
    assert hospital is not None
    entries = tuple(ProgramEntry(e["case_id"], e["session_id"], e["room_id"], the_day,
                                 e["start_min"], e["planned_min"], e["surgeon_id"], e["order"])
                    for e in version["entries"])
    rooms = sorted({e.room_id for e in entries})
    busy = max(rooms, key=lambda r: (sum(e.room_id == r for e in entries), r))
    first = min((e for e in entries if e.room_id == busy), key=lambda e: e.order)
    played = play_day(hospital, Program(tuple(e for e in entries if e.room_id != busy)), the_day,
                      truth=Truth.of_hospital(hospital), seed=5)
    # by 14:30 the other rooms are well into their day and the long case's room is hours behind
    clock = Clock(the_day, hospital.timezone)
    staffed = sorted({s.room_id for s in hospital.sessions if s.date == the_day} - {busy})
    quiet = next((r for r in staffed if r not in rooms), staffed[0])
    events = [e for e in played if e.at <= clock.at(CLOCK_MIN)] + [
        Event("e2e-long-in", EventKind.IN_ROOM, clock.at(first.start_min),
              case_id=first.case_id, room_id=busy),
        Event("e2e-clock", EventKind.ROOM_READY, clock.at(CLOCK_MIN), room_id=quiet)]
    assert _post_events(server, events)["accepted"] == len(events)

    # 6. the agent proposes repairs for the cases behind the long one; one is accepted
    before = _plan_of_day(server, day)
    assert server.post("/api/suggestions/refresh", "koordinator").status_code == 200
    listed = server.get("/api/suggestions", "koordinator")["suggestions"]
    offered = [s for s in listed if s["kind"] in REPAIRS]
    assert offered, f"no repair was suggested: {[(s['kind'], s['summary']) for s in listed]}"
    accepted = None
    for suggestion in offered:
        reply = server.post(f"/api/suggestions/{suggestion['id']}/decision", "koordinator",
                            json={"accept": True, "why": "end-to-end"})
        if reply.status_code == 200:
            accepted = reply.json()
            break
        assert reply.status_code == 409, reply.text  # refused by plan.repair: the next one
    assert accepted is not None and accepted["status"] == "accepted"
    after = _plan_of_day(server, day)
    changed = {c for c in after if c in before and after[c]["version"] > before[c]["version"]}
    assert changed, "the accepted repair changed no case"
    stored = database.hospital.load()
    assert stored is not None
    for case_id in changed:  # the plan's change is the case's history
        last = stored.case_by_id[case_id].history[-1]
        assert last.by == "koordinator" and last.kind in (ChangeKind.RESCHEDULED,
                                                           ChangeKind.CANCELLED)
        if last.kind is ChangeKind.CANCELLED:  # cancel_early: the reason plan.repair gave
            assert last.reason is CancellationReason.CAPACITY

    # 7. SIGKILL and a restart on the same database: nothing lost, nothing doubled
    kept = {"events": database.events.count(), "changes": _case_changes(database),
            "versions": server.get("/api/programs/versions", "koordinator")["versions"],
            "decisions": server.get("/api/decisions", "koordinator"),
            "plan": after, "patients": imported}
    server.kill()
    server.start()
    hospital_now = database.hospital.load()
    assert hospital_now is not None
    assert imported <= {p.id for p in hospital_now.patients}
    assert server.get("/api/programs/versions", "koordinator")["versions"] == kept["versions"]
    assert server.get("/api/decisions", "koordinator") == kept["decisions"]
    assert _plan_of_day(server, day) == kept["plan"]
    assert database.events.count() == kept["events"]
    assert _case_changes(database) == kept["changes"]  # the restart planned nothing again
    again = _post_events(server, events)  # a producer unsure what arrived sends it all again
    assert again["accepted"] == 0 and again["duplicates"] == len(events)
    assert database.events.count() == kept["events"]
    assert _case_changes(database) == kept["changes"]

    # 8. the live KPIs are kpi's figures on the same log, read from the database
    live = server.get(f"/api/kpi?first={day}&last={day}", "leder")
    log = kpi.ExecutionLog.of(database.hospital.load(), the_day, the_day,  # type: ignore[arg-type]
                              [e for _, e in database.events.read()])
    assert live["headline"] == kpi.headline(log)
    assert live["utilisation_by_location"] == kpi.utilisation_by(log, "location")
    operated = {e.case_id for e in events if e.kind is EventKind.OUT_OF_ROOM}
    assert live["headline"]["elective_operations"] == len(operated) > 0
    assert 0 < live["headline"]["utilisation_in_room"] <= 1
