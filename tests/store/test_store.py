from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kontrolltarn.model import CancellationReason, Event, EventKind, Program, ProgramEntry
from kontrolltarn.store import Actor, AlreadyDecided, Store, VersionConflict
from kontrolltarn.store.tables import Base

ANNA, BJORN = Actor("anna", "coordinator"), Actor("bjorn", "coordinator")

T0 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def _event(n: int, kind: EventKind = EventKind.IN_ROOM, case: str = "C1") -> Event:
    return Event(f"e{n}", kind, T0 + timedelta(minutes=n), case_id=case, room_id="R1")


def test_migrations_create_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_events_are_idempotent_by_id_and_keep_arrival_order(store: Store) -> None:
    first = store.events.append([_event(3), _event(1)])
    again = store.events.append([_event(1), _event(2), _event(2)])
    assert first == {"e3", "e1"}
    assert again == {"e2"}
    stored = [e.id for _, e in store.events.read()]
    assert sorted(stored) == ["e1", "e2", "e3"]
    assert stored[-1] == "e2"  # arrival order, not event time
    assert [e.id for e in store.events.for_case("C1")] == ["e1", "e2", "e3"]  # by time


def test_a_cancellation_keeps_its_reason(store: Store) -> None:
    cancel = Event("x", EventKind.CANCELLED, T0, case_id="C9", reason=CancellationReason.NO_BED)
    store.events.append([cancel])
    assert [e for _, e in store.events.read()] == [cancel]


def _program() -> Program:
    return Program((ProgramEntry("C1", "S1", "R1", date(2026, 11, 30), 480, 90, "SU1", 1),
                    ProgramEntry("C2", "S1", "R1", date(2026, 11, 30), 595, 60, "SU1", 2)))


def _published(store: Store) -> None:
    version = store.programs.add(_program(), date(2026, 11, 30), 1, by="planner")
    store.programs.publish(version.id, by="anna", role="coordinator", why="the day's program")


def test_stale_version_is_refused_and_nothing_is_lost(store: Store) -> None:
    _published(store)
    plan = store.plans.get("C2")
    store.plans.change("C2", plan.version, {"start_min": 600}, by=ANNA, why="later")
    with pytest.raises(VersionConflict):
        store.plans.change("C2", plan.version, {"room_id": "R2"}, by=BJORN)
    now = store.plans.get("C2")
    assert (now.start_min, now.room_id, now.version) == (600, "R1", plan.version + 1)
    history = store.plans.history("C2")[1:]  # the first: scheduled by the published program
    assert [(h.by, h.before["start_min"], h.after["start_min"]) for h in history] == [
        ("anna", 595, 600)]


def test_concurrent_edits_of_one_case_apply_exactly_one(store: Store) -> None:
    _published(store)
    version = store.plans.get("C1").version
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def edit(who: str, minute: int) -> None:
        barrier.wait()
        try:
            store.plans.change("C1", version, {"start_min": minute}, by=Actor(who, "coordinator"))
            outcomes.append(who)
        except VersionConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=edit, args=(f"k{i}", 490 + i)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o != "conflict"]
    assert len(winners) == 1
    final = store.plans.get("C1")
    assert final.version == version + 1 and final.start_min == 490 + int(winners[0][1:])
    assert [h.by for h in store.plans.history("C1")][1:] == winners


def test_a_suggestion_is_decided_once(store: Store) -> None:
    assert store.suggestions.offer("s1", "move_case", "C1", "R1", {"to": "R2"}, {}, "move")
    assert not store.suggestions.offer("s1", "move_case", "C1", "R1", {"to": "R2"}, {}, "move")
    decided = store.suggestions.decide("s1", True, ANNA, "room 2 is idle")
    assert (decided.status, decided.decided_by, decided.why) == ("accepted", "anna",
                                                                  "room 2 is idle")
    with pytest.raises(AlreadyDecided):
        store.suggestions.decide("s1", False, BJORN, "no")


def test_passwords_are_argon2_hashed_and_verified(store: Store) -> None:
    store.users.add("anna", "correct horse", "coordinator")
    assert store.users.verify("anna", "correct horse") is not None
    assert store.users.verify("anna", "wrong horse!") is None
    assert store.users.verify("nobody", "correct horse") is None
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql("select password_hash from users").scalar_one()
    assert stored.startswith("$argon2") and "correct horse" not in stored


def test_a_patient_link_works_once(store: Store) -> None:
    token = store.logistics.create_link("C1", by=ANNA)
    assert store.logistics.redeem_link(token) == "C1"
    assert store.logistics.redeem_link(token) is None
    assert store.logistics.redeem_link("forged") is None
