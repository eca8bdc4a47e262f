"""Several service processes on one PostgreSQL: what one stores reaches the others' towers and
boards through LISTEN/NOTIFY, and a listener whose connection is killed catches up."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import text

from kontrolltarn.model import Event, Hospital, Program
from kontrolltarn.service import Runtime, Settings
from kontrolltarn.service.auth import Principal, Role
from kontrolltarn.simulate.replay import play_day
from kontrolltarn.store import PostgresNotifier, Store
from kontrolltarn.synth.truth import Truth

from ..store.databases import postgres_url
from .conftest import LiveServer, make_runtime, password, run_server

pytestmark = pytest.mark.postgres

#: generous: a notice arrives in milliseconds; this only bounds a failing test
DEADLINE_S = 20.0


def eventually(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE_S} s: {what}")
        time.sleep(0.05)


@pytest.fixture
def pair(small_hospital: Hospital) -> Iterator[tuple[Runtime, Runtime]]:
    """Two runtimes, each with its own store (engine, notifier) on one PostgreSQL schema, the
    second following the first's changes."""
    with postgres_url() as url:
        first = make_runtime(small_hospital, url)
        second = Runtime(Settings(), small_hospital, Store.open(url))
        try:
            second.follow()
            notifier = second.store.notifier
            assert isinstance(notifier, PostgresNotifier)
            assert notifier.wait_listening(DEADLINE_S)
            yield first, second
        finally:
            second.store.close()
            first.store.close()


def day_events(rt: Runtime) -> list[Event]:
    program = Program(tuple(p.entry for p in rt.store.plans.day(rt.day)))
    return play_day(rt.hospital, program, rt.day, truth=Truth.of_hospital(rt.hospital), seed=3)


def test_events_stored_by_one_process_reach_the_others_tower(
        pair: tuple[Runtime, Runtime]) -> None:
    first, second = pair
    events = day_events(first)[:40]
    first.ingest(events[:20])
    first.ingest(events[20:])
    eventually(lambda: all(e.id in second.tower.live.seen for e in events),
               "the second tower has the events posted to the first")
    # the second's board is told which rooms changed, with the ids of the events (a batch is
    # applied to the tower just before its rooms are marked: collect until all are there)
    dirty: set[str] = set()
    ids: list[str] = []

    def all_marked() -> bool:
        rooms, marked = second.hub.take()
        dirty.update(rooms)
        ids.extend(marked)
        return {e.id for e in events} <= set(ids)

    eventually(all_marked, "the second board is told of every event")
    assert set(ids) == {e.id for e in events}
    assert dirty
    assert second.cursor >= max(first.cursor, 1)
    # a repeat stored nowhere new changes nothing on either side
    assert first.ingest(events[:5]).new == []


def test_a_plan_change_in_one_process_reaches_the_other(pair: tuple[Runtime, Runtime]) -> None:
    first, second = pair
    plan = first.store.plans.day(first.day)[0]
    who = Principal("coordinator", Role.COORDINATOR)
    first.change_case(plan.case_id, plan.version, {"start_min": plan.start_min + 15}, who,
                      why="test")
    eventually(lambda: second.tower.live.planned[plan.case_id].version == plan.version + 1,
               "the second tower has the first's plan change")
    assert second.tower.live.planned[plan.case_id].start_min == plan.start_min + 15


def test_a_program_published_in_one_process_reaches_the_others_tower(
        pair: tuple[Runtime, Runtime]) -> None:
    first, second = pair
    entries = [p.entry for p in first.store.plans.day(first.day)]
    later, dropped = entries[0], entries[1]
    program = Program(tuple([dataclasses.replace(later, start_min=later.start_min + 20),
                             *entries[2:]]))
    version = first.store.programs.add(program, first.day, 1, by="test")
    first.publish(version.id, Principal("coordinator", Role.COORDINATOR), why="test")
    eventually(lambda: second.tower.live.planned[later.case_id].start_min
               == later.start_min + 20, "the second tower has the published start")
    eventually(lambda: second.tower.live.planned[dropped.case_id].status == "unscheduled",
               "the case the version leaves out is unscheduled on the second tower too")
    assert second.tower.live.planned[later.case_id] == first.tower.live.planned[later.case_id]


def test_a_hospital_stored_by_one_process_is_used_by_the_other(
        pair: tuple[Runtime, Runtime]) -> None:
    first, second = pair
    stored = first.store.hospital.load()  # with the case histories the day's program appended
    assert stored is not None
    renamed = dataclasses.replace(stored, name="Renamed by an import elsewhere")
    revision = first.store.hospital.save(renamed, by="test")
    eventually(lambda: second.hospital.name == renamed.name, "the second runs on the new hospital")
    assert second.tower.hospital is second.hospital
    assert second.hospital_revision == revision


def test_the_listener_catches_up_after_its_connection_is_killed(
        pair: tuple[Runtime, Runtime]) -> None:
    first, second = pair
    notifier = second.store.notifier
    assert isinstance(notifier, PostgresNotifier)
    events = day_events(first)[:30]
    first.ingest(events[:10])
    eventually(lambda: all(e.id in second.tower.live.seen for e in events[:10]), "first part")
    pid = notifier.backend_pid()
    assert pid is not None
    with first.store.engine.begin() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    # stored while the listener is down: no notice reaches it, the catch-up must find them
    first.ingest(events[10:])
    eventually(lambda: notifier.connections >= 2 and notifier.listening, "the listener is back")
    eventually(lambda: all(e.id in second.tower.live.seen for e in events),
               "the second tower caught up after reconnecting")
    assert notifier.backend_pid() != pid


def test_a_board_on_one_server_shows_an_event_posted_to_the_other(
        small_hospital: Hospital) -> None:
    with postgres_url() as url:
        first_rt = make_runtime(small_hospital, url)
        second_rt = Runtime(Settings(), small_hospital, Store.open(url))
        servers = [run_server(first_rt), run_server(second_rt)]
        first, second = (next(s) for s in servers)
        try:
            _board_on_second_sees_events_posted_to_first(first, second)
        finally:
            for server in servers:
                next(server, None)


def _token(server: LiveServer, role: str) -> str:
    reply = httpx.post(server.url + "/api/auth/login",
                       json={"username": role, "password": password(role)}, timeout=10)
    return str(reply.json()["token"])


def _board_on_second_sees_events_posted_to_first(first: LiveServer, second: LiveServer) -> None:
    notifier = second.runtime.store.notifier
    assert isinstance(notifier, PostgresNotifier)
    assert notifier.wait_listening(DEADLINE_S)
    seen: set[str] = set()
    porter: list[int] = []
    ready = threading.Event()
    stop = threading.Event()

    def listen() -> None:
        headers = {"Authorization": f"Bearer {_token(second, 'leader')}"}
        with httpx.stream("GET", second.url + "/api/board/stream", headers=headers,
                          timeout=DEADLINE_S) as reply:
            kind = None
            for line in reply.iter_lines():
                if stop.is_set():
                    return
                if line.startswith("event: "):
                    kind = line[7:]
                    ready.set()
                elif line.startswith("data: ") and kind == "rooms":
                    seen.update(json.loads(line[6:])["event_ids"])
                elif line.startswith("data: ") and kind == "logistics":
                    porter.append(json.loads(line[6:])["porter_request"])

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert ready.wait(DEADLINE_S)
    events = day_events(first.runtime)[:15]
    payload = [{"id": e.id, "kind": e.kind.value, "at": e.at.isoformat(), "case_id": e.case_id,
                "room_id": e.room_id, "reason": e.reason.value if e.reason else None}
               for e in events]
    reply = httpx.post(first.url + "/api/events", json={"events": payload}, timeout=10,
                       headers={"Authorization": f"Bearer {_token(first, 'feed')}"})
    assert reply.json()["accepted"] == len(events)
    eventually(lambda: {e.id for e in events} <= seen,
               "the board on the second server got the events posted to the first")
    # a porter request made on the first reaches the second's boards (porter lists reload)
    made = httpx.post(first.url + "/api/porter-requests", timeout=10,
                      json={"room_id": first.runtime.hospital.rooms[0].id},
                      headers={"Authorization": f"Bearer {_token(first, 'coordinator')}"})
    assert made.status_code == 200, made.text
    eventually(lambda: made.json()["id"] in porter,
               "the second server's board heard of the porter request")
    stop.set()
