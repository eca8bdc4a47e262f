"""The append-only event log. Appending is idempotent by event id, so a producer that is unsure
whether a batch arrived (a timeout, a server killed mid-request) simply sends it again. An id
sent again with other content (kind, time, case, room, reason) is not a repeat but a conflict:
the whole batch is refused (``ConflictingEvent``) and nothing of it is stored."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from kontrolltarn.model import CancellationReason, CaseChange, ChangeKind, Event, EventKind

from .audit import Actor, AuditLog, Note
from .hospital import append_case_change
from .notify import Notifier
from .tables import CaseChangeRow, EventRow, HospitalRow

#: the advisory lock that makes appends commit in ``seq`` order on PostgreSQL (any constant)
APPEND_LOCK = 0x6B745F6576  # "kt_ev"


class ConflictingEvent(Exception):
    """An event id already stored (or earlier in the same batch) with other content."""

    def __init__(self, event_id: str, field: str, stored: Any, sent: Any) -> None:
        super().__init__(f"event {event_id}: already recorded with {field}={stored!r}, "
                         f"sent again with {field}={sent!r}")
        self.event_id, self.field = event_id, field


@dataclass(frozen=True)
class Poster:
    """Who posted a batch (the authenticated principal): the stored events' ``source`` and the
    batch's audit entry name them, never what the request body says."""

    by: Actor
    #: what the producer calls itself (free text from the body: kept in the audit entry only)
    label: str | None = None
    #: the audit entry recorded with the batch, in its transaction: a feed's "events.post", or
    #: the caller's action whose events these are (a room marked ready); None when the action
    #: that made them is recorded with its own write (a porter request, an accepted suggestion)
    note: Note | None = Note("events.post", "events")


class EventLog:
    def __init__(self, engine: Engine, notifier: Notifier | None = None,
                 audit: AuditLog | None = None) -> None:
        self.engine = engine
        self.notifier = notifier or Notifier()
        self.audit = audit or AuditLog(engine)
        self._postgres = engine.dialect.name == "postgresql"
        insert = (postgresql.insert if self._postgres else sqlite.insert)
        table: Any = EventRow.__table__
        self._insert = (insert(table).on_conflict_do_nothing(index_elements=["id"])
                        .returning(table.c.id, table.c.seq))

    def append(self, events: Sequence[Event], received_at: datetime | None = None,
               poster: Poster | None = None) -> set[str]:
        """Store the events not stored before; returns the ids that were new. One transaction:
        the whole batch is durable when this returns. With a ``poster`` each event's source is
        the poster's username and the batch is audited in the same transaction (one entry, the
        poster's note with how many were new and their ``seq`` range: a batch of hundreds costs
        one row).
        ``ConflictingEvent`` when an id comes again with other content: nothing is stored."""
        if not events:
            return set()
        now = received_at or datetime.now(UTC)
        unique = _unique(events)
        source = None if poster is None else poster.by.name[:SOURCE_LENGTH]
        rows = [{"id": e.id, "kind": e.kind.value, "at": e.at, "case_id": e.case_id,
                 "room_id": e.room_id, "reason": e.reason.value if e.reason else None,
                 "source": source or e.source, "received_at": now} for e in unique]
        # one cached statement run with many parameter sets: SQLAlchemy sends them as batched
        # multi-row INSERTs ("insertmanyvalues") instead of compiling a new statement per batch
        with self.engine.begin() as conn:
            if self._postgres:
                # appends take their seq numbers and commit one after another, so a reader that
                # has every event up to seq n never later finds an n - 1 committed behind it:
                # ``read(after_seq=cursor)`` misses nothing (SQLite has one writer anyway)
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK})
            stored = conn.execute(self._insert, rows).all()
            new = {row[0] for row in stored}
            if len(new) < len(unique):  # repeats: the same content, or a conflict (rolled back)
                _refuse_conflicts(conn, [e for e in unique if e.id not in new])
            if poster is not None and poster.note is not None:
                seqs = [row[1] for row in stored]
                batch = {"new": len(new), "repeated": len(events) - len(new),
                         "seq": [min(seqs), max(seqs)] if seqs else None, "label": poster.label}
                self.audit.note(poster.by, replace(poster.note, detail={
                    **batch, **(poster.note.detail or {})}), conn)
            _record_done(conn, [e for e in unique if e.id in new
                                and e.kind is EventKind.OUT_OF_ROOM and e.case_id], now, source)
            if stored:
                self.notifier.announce(conn, "events", seq=max(row[1] for row in stored))
        return {row[0] for row in stored}

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(EventRow)).scalar_one())

    def read(self, after_seq: int = 0, batch: int = 5000) -> Iterator[tuple[int, Event]]:
        """Every stored event in arrival order, with its sequence number."""
        last = after_seq
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(select(EventRow).where(EventRow.seq > last)
                                    .order_by(EventRow.seq).limit(batch)).all()
            if not rows:
                return
            for row in rows:
                yield row.seq, _event(row)
            last = rows[-1].seq

    def between(self, start: datetime, end: datetime) -> list[Event]:
        """The events that happened (``at``) in ``start`` <= at < ``end``, in time order."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(EventRow).where(EventRow.at >= start, EventRow.at < end)
                                .order_by(EventRow.at, EventRow.seq)).all()
        return [_event(r) for r in rows]

    def for_case(self, case_id: str) -> list[Event]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(EventRow).where(EventRow.case_id == case_id)
                                .order_by(EventRow.at, EventRow.seq)).all()
        return [_event(r) for r in rows]

    def last_received(self) -> datetime | None:
        with self.engine.connect() as conn:
            value = conn.execute(select(func.max(EventRow.received_at))).scalar_one()
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def _record_done(conn: Any, events: list[Event], now: datetime, source: str | None) -> None:
    """A patient out of the room is a case done: its history records DONE (once) on the day it
    happened, in the hospital's zone, with the event's id, in the append's transaction, by
    ``event:`` and the stored source (the poster's username when posted)."""
    if not events:
        return
    zone = conn.execute(select(HospitalRow.timezone)).scalar_one_or_none()
    for event in events:
        assert event.case_id is not None
        last = conn.execute(select(CaseChangeRow.kind).where(CaseChangeRow.case_id == event.case_id)
                            .order_by(CaseChangeRow.seq.desc()).limit(1)).scalar_one_or_none()
        if last == ChangeKind.DONE.value:
            continue
        day = event.at.astimezone(ZoneInfo(zone)).date() if zone else event.at.date()
        append_case_change(conn, event.case_id, CaseChange(
            at=now, kind=ChangeKind.DONE, new_date=day, by=f"event:{source or event.source}",
            note=event.id))


#: the stored source's length (the username of the poster, cut to fit; the audit has it whole)
SOURCE_LENGTH = 32
#: what makes two events with one id the same event (``source`` is who sent it, not what)
_CONTENT = ("kind", "at", "case_id", "room_id", "reason")


def _difference(first: Event, second: Event) -> tuple[str, Any, Any] | None:
    """The first field of ``_CONTENT`` in which the two events differ (times as instants)."""
    for name in _CONTENT:
        a, b = getattr(first, name), getattr(second, name)
        if a != b:
            return name, a, b
    return None


def _unique(events: Iterable[Event]) -> list[Event]:
    """The batch without repeats of an id; a repeat with other content is a conflict."""
    seen: dict[str, Event] = {}
    for e in events:
        kept = seen.setdefault(e.id, e)
        if kept is not e and (differs := _difference(kept, e)) is not None:
            raise ConflictingEvent(e.id, *differs)
    return list(seen.values())


def _refuse_conflicts(conn: Any, repeats: list[Event]) -> None:
    """Raise ``ConflictingEvent`` if a repeated id is stored with other content."""
    ids = [e.id for e in repeats]
    stored = {row.id: _event(row) for row in
              conn.execute(select(EventRow).where(EventRow.id.in_(ids))).all()}
    for sent in repeats:
        if (differs := _difference(stored[sent.id], sent)) is not None:
            raise ConflictingEvent(sent.id, *differs)


def _event(row: Any) -> Event:
    return Event(id=row.id, kind=EventKind(row.kind), at=row.at, case_id=row.case_id,
                 room_id=row.room_id,
                 reason=CancellationReason(row.reason) if row.reason else None, source=row.source)
