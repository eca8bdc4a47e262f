"""Every write and its audit row are one transaction: when the row cannot be stored, the write is
not stored either (issue 21 finding 4, "every write audited": these writes were audited just
after their transaction, so a crash in between left a write without its row).

The audit insert is made to fail with a trigger on the real database (SQLite and PostgreSQL)
that refuses rows of one action, as a crash or a full disk would at that moment."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError

from kontrolltarn.model import Event, EventKind, Program, ProgramEntry
from kontrolltarn.store import Actor, CaseEdit, Note, Poster, Store
from kontrolltarn.store.hospital import case_history
from kontrolltarn.store.tables import EntityRow, PatientLinkRow, SessionRow

ANNA = Actor("anna", "coordinator")
NURSE = Actor("nina", "or_nurse")
PORTER = Actor("per", "porter")
DAY = date(2026, 11, 30)


@contextmanager
def refused(store: Store, action: str) -> Iterator[None]:
    """While open, the database refuses every audit row of ``action``."""
    assert action.replace(".", "").replace("_", "").isalnum()  # inlined in the trigger below
    postgres = store.engine.dialect.name == "postgresql"
    with store.engine.begin() as conn:
        if postgres:
            conn.execute(text("CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql "
                              "AS $$ BEGIN RAISE EXCEPTION 'audit row refused'; END $$"))
            conn.execute(text(f"CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log "
                              f"FOR EACH ROW WHEN (NEW.action = '{action}') "
                              f"EXECUTE FUNCTION refuse_audit()"))
        else:
            conn.execute(text(f"CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log "
                              f"WHEN NEW.action = '{action}' "
                              f"BEGIN SELECT RAISE(ABORT, 'audit row refused'); END"))
    try:
        yield
    finally:
        with store.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse_audit" + (" ON audit_log" if postgres else "")))
            if postgres:
                conn.execute(text("DROP FUNCTION refuse_audit()"))


def _count(store: Store, row: type) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(row)).scalar_one())


def _published(store: Store) -> None:
    program = Program((ProgramEntry("C1", "S1", "R1", DAY, 480, 90, "SU1", 1),))
    version = store.programs.add(program, DAY, 1, by="planner")
    store.programs.publish(version.id, by="anna", role="coordinator", why="the day's program")


@dataclass(frozen=True)
class Write:
    """A write whose audit row is refused: ``before`` prepares (audited normally), ``write``
    must fail, ``stored`` says what of it the store holds (must equal the value before)."""

    before: Callable[[Store], object]
    write: Callable[[Store, Any], object]
    stored: Callable[[Store], object]


def _nothing(store: Store) -> None:
    return None


def _porter_request(store: Store) -> int:
    return store.logistics.request("porter", "R1", "C1", NURSE).id


def _link(store: Store) -> str:
    return store.logistics.create_link("C1", ANNA)


def _session(store: Store) -> str:
    return store.sessions.open("anna", "coordinator", 12)


def _suggestion(store: Store) -> str:
    _published(store)
    store.suggestions.offer("s1", "move", "C1", "R1", {"start_min": 500}, {}, "later")
    return "s1"


def _suggestion_status(store: Store) -> str | None:
    found = store.suggestions.get("s1")
    return found.status if found else None


def _plan_version(store: Store) -> tuple[int, int]:
    return store.plans.get("C1").version, len(store.plans.history("C1"))


def _ready(store: Store, _: object) -> object:
    ready = Event("ready-R1", EventKind.ROOM_READY, datetime(2026, 11, 30, 9, tzinfo=UTC),
                  room_id="R1")
    return store.events.append([ready], poster=Poster(NURSE, note=Note("room.ready", "room",
                                                                           "R1")))


def _column(store: Store, column: Any) -> list[Any]:
    with store.engine.connect() as conn:
        return list(conn.execute(select(column)).scalars())


def _referral_published(store: Store) -> None:
    """C1 a referral of the hospital (only those have a case history), then on the plan."""
    with store.engine.begin() as conn:
        conn.execute(insert(EntityRow), [dict(kind="referral", id="C1", position=0, payload={})])
    _published(store)


def _told(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return [c.kind.value for c in case_history(conn, "C1")]


WRITES: dict[str, Write] = {
    "events.post": Write(_nothing, lambda s, _: s.events.append(
        [Event("e1", EventKind.IN_ROOM, datetime(2026, 11, 30, 8, tzinfo=UTC), case_id="C1",
               room_id="R1")], poster=Poster(NURSE)), lambda s: s.events.count()),
    "room.ready": Write(_nothing, _ready, lambda s: s.events.count()),
    "porter.request": Write(_nothing, lambda s, _: _porter_request(s),
                            lambda s: s.logistics.open_requests()),
    "porter.acknowledged": Write(_porter_request, lambda s, made: s.logistics.set_status(
        made, "acknowledged", PORTER), lambda s: [r.status for r in s.logistics.open_requests()]),
    "patient_link.create": Write(_nothing, lambda s, _: _link(s),
                                 lambda s: _count(s, PatientLinkRow)),
    # the link stays unused: once the row can be stored, it opens
    "patient_link.open": Write(_link, lambda s, token: s.logistics.redeem_link(token),
                               lambda s: _column(s, PatientLinkRow.opened_at)),
    "patient.checkin": Write(_nothing, lambda s, _: s.logistics.check_in(
        "C1", Actor("patient:C1", "patient")), lambda s: s.logistics.checked_in()),
    "login": Write(_nothing, lambda s, _: s.sessions.open("anna", "coordinator", 12,
                                                          login_from="127.0.0.1"),
                   lambda s: _count(s, SessionRow)),
    "logout": Write(_session, lambda s, session: s.sessions.revoke(session, ANNA),
                    lambda s: _column(s, SessionRow.revoked_at)),
    "job.start": Write(_nothing, lambda s, _: s.jobs.start("optimise", "2026-11-30+1", {}, ANNA),
                       lambda s: s.jobs.recent()),
    "job.cancel": Write(lambda s: s.jobs.start("optimise", "2026-11-30+1", {}, ANNA).id,
                        lambda s, job: s.jobs.cancel(job, ANNA),
                        lambda s: [(j.status, j.cancel_requested) for j in s.jobs.recent()]),
    "case.change": Write(_published, lambda s, _: s.plans.change(
        "C1", 1, {"start_min": 500}, by=ANNA), _plan_version),
    "case.told": Write(_referral_published, lambda s, _: s.plans.tell("C1", by=ANNA), _told),
    "suggestion.reject": Write(_suggestion, lambda s, sid: s.suggestions.decide(
        sid, False, ANNA, "no"), _suggestion_status),
    # an accepted suggestion's changes carry its row (Runtime.decide)
    "suggestion.accept": Write(_suggestion, lambda s, sid: s.plans.change_many(
        [CaseEdit("C1", 1, {"start_min": 500})], by=ANNA, suggestion_id="s1",
        notes=[Note("suggestion.accept", "suggestion", "s1")]), _plan_version),
    "suggestion.refresh": Write(_suggestion, lambda s, _: s.suggestions.expire_except(
        set(), by=ANNA), _suggestion_status),
}


@pytest.mark.parametrize("action", sorted(WRITES))
def test_a_write_whose_audit_row_fails_is_not_stored(store: Store, action: str) -> None:
    write = WRITES[action]
    made = write.before(store)
    before, rows = write.stored(store), len(store.audit.recent(1000))
    with refused(store, action), pytest.raises(DBAPIError, match="audit row refused"):
        write.write(store, made)
    assert write.stored(store) == before
    assert len(store.audit.recent(1000)) == rows
    # and once the row can be stored, the same write is, with its row naming the actor
    write.write(store, made)
    assert write.stored(store) != before
    assert store.audit.recent(1)[0].action == action


def test_a_room_made_ready_is_one_audit_row_naming_the_room(store: Store) -> None:
    """The room-ready event carries the caller's action: one row, not "events.post" too."""
    _ready(store, None)
    [entry] = store.audit.recent(10)
    assert (entry.action, entry.resource, entry.resource_id) == ("room.ready", "room", "R1")
    assert (entry.actor, entry.role, entry.detail["new"]) == ("nina", "or_nurse", 1)
