"""Programs as versions: draft → proposed → published → superseded.

A planner's (or an import's) program is stored as a version for its scope (the days from
``first_day`` to ``last_day``, optionally one location). Publishing is a person's decision:
it is refused without a reason, audited (who, when, why), supersedes the published versions
whose scope overlaps, and writes the live plan (``case_plans``) of its days through the
versioned change path, all in one transaction. Cases already under way are not moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update

from kontrolltarn.model import Program, ProgramEntry

from .audit import AuditLog
from .notify import Notifier
from .plans import Plans
from .tables import EntityRow, EventRow, ProgramEntryRow, ProgramVersionRow

VERSION_STATUSES = ("draft", "proposed", "published", "superseded")
#: from which status a version may be published
PUBLISHABLE = ("draft", "proposed")


class UnknownVersion(KeyError):
    pass


class NotPublishable(Exception):
    """The version is not a draft or proposal (already published or superseded), or it is
    stale: another version of an overlapping scope was published after it was made."""


@dataclass(frozen=True)
class ProgramVersion:
    """A stored program version. ``program`` holds its entries when read one by one
    (``Programs.get``); listings leave it empty and give ``size``."""

    id: int
    first_day: date
    last_day: date
    location_id: str | None
    method: str
    status: str
    created_by: str
    created_at: datetime
    published_by: str | None
    published_at: datetime | None
    why: str
    size: int
    program: Program

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class Published:
    """What publishing did: the version, the versions it superseded, the cases it moved."""

    version: ProgramVersion
    superseded: list[int]
    changed_cases: list[str]


class Programs:
    def __init__(self, engine: Engine, plans: Plans, audit: AuditLog,
                 notifier: Notifier | None = None) -> None:
        self.engine = engine
        self.plans = plans
        self.audit = audit
        self.notifier = notifier or Notifier()

    def add(self, program: Program, first: date, days: int, *, by: str,
            location_id: str | None = None, status: str = "proposed",
            why: str = "") -> ProgramVersion:
        """Store ``program`` as a new version (a draft or a proposal) for its scope."""
        if status not in PUBLISHABLE:
            raise ValueError(f"status={status!r}: a new version is one of {PUBLISHABLE}")
        if days < 1:
            raise ValueError(f"days={days!r}: must be 1 or more")
        last = first + timedelta(days=days - 1)
        outside = [e.case_id for e in program.entries if not first <= e.date <= last]
        if outside:
            raise ValueError(f"entry[{outside[0]}].date: outside the scope {first}..{last}")
        with self.engine.begin() as conn:
            version_id = self.add_in(conn, program, first, last, by=by,
                                     location_id=location_id, status=status, why=why)
        return self.get(version_id)

    def add_in(self, conn: Connection, program: Program, first: date, last: date, *, by: str,
               location_id: str | None, status: str, why: str) -> int:
        """``add`` in the caller's transaction (an import stores its program with the
        hospital, all or nothing); returns the new version's id."""
        version_id = conn.execute(insert(ProgramVersionRow).values(
            first_day=first, last_day=last, location_id=location_id, method=program.method,
            status=status, created_by=by, created_at=datetime.now(UTC), why=why)
            .returning(ProgramVersionRow.id)).scalar_one()
        if program.entries:
            conn.execute(insert(ProgramEntryRow), [dict(
                version_id=version_id, case_id=e.case_id, session_id=e.session_id,
                room_id=e.room_id, day=e.date, start_min=e.start_min,
                planned_min=e.planned_min, surgeon_id=e.surgeon_id, position=e.order)
                for e in program.entries])
        self.notifier.announce(conn, "programs", version=int(version_id), status=status)
        return int(version_id)

    def get(self, version_id: int) -> ProgramVersion:
        with self.engine.connect() as conn:
            return self._get(conn, version_id)

    def recent(self, status: str | None = None, limit: int = 100) -> list[ProgramVersion]:
        """The newest versions first, without their entries."""
        query = select(ProgramVersionRow).order_by(ProgramVersionRow.id.desc()).limit(limit)
        if status is not None:
            query = query.where(ProgramVersionRow.status == status)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            sizes = _sizes(conn, [r.id for r in rows])
        return [_version(r, sizes.get(r.id, 0), Program((), r.method)) for r in rows]

    def published_for(self, day: date) -> ProgramVersion | None:
        """The published version (of any location) covering ``day``, the newest if several;
        without its entries (the board asks this on every read; ``get`` has them)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(ProgramVersionRow).where(
                ProgramVersionRow.status == "published", ProgramVersionRow.first_day <= day,
                ProgramVersionRow.last_day >= day)
                .order_by(ProgramVersionRow.id.desc()).limit(1)).first()
            if row is None:
                return None
            return _version(row, _sizes(conn, [row.id]).get(row.id, 0), Program((), row.method))

    def publish(self, version_id: int, *, by: str, role: str, why: str) -> Published:
        """Publish a draft or proposal: one transaction that supersedes the overlapping
        published versions, writes the live plan of its scope (cases with milestone events,
        cancelled or done stay) and records the decision in the audit log."""
        if not why.strip():
            raise ValueError("why: publishing a program needs a reason")
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            version = self._get(conn, version_id)
            newer = _published_since(conn, version)
            if newer is not None:  # it was planned on a live plan that is no longer there
                raise NotPublishable(f"version {version_id} is stale: version {newer} of an "
                                     f"overlapping scope was published after it was made; "
                                     f"plan again")
            claimed = conn.execute(update(ProgramVersionRow).where(
                ProgramVersionRow.id == version_id,
                ProgramVersionRow.status.in_(PUBLISHABLE))
                .values(status="published", published_by=by, published_at=now, why=why))
            if claimed.rowcount != 1:  # published or superseded (also by a concurrent publish)
                raise NotPublishable(f"version {version_id} is {version.status}")
            superseded = [int(i) for i in conn.execute(
                select(ProgramVersionRow.id).where(and_(
                    ProgramVersionRow.status == "published", *_overlapping(version)))).scalars()]
            if superseded:
                conn.execute(update(ProgramVersionRow)
                             .where(ProgramVersionRow.id.in_(superseded))
                             .values(status="superseded"))
            changed = self.plans.apply_program(
                conn, list(version.program.entries), first=version.first_day,
                last=version.last_day, rooms=_rooms_of(conn, version.location_id),
                keep=_under_way(conn), by=by, why=f"program version {version_id}: {why}")
            self.audit.record(by, role, "program.publish", "program_version", str(version_id),
                              detail={"why": why, "superseded": superseded,
                                      "changed_cases": len(changed),
                                      "scope": [version.first_day.isoformat(),
                                                version.last_day.isoformat(),
                                                version.location_id]}, conn=conn)
            self.notifier.announce(conn, "programs", version=version_id, status="published")
            published = self._get(conn, version_id)
        return Published(published, superseded, changed)

    def _get(self, conn: Connection, version_id: int) -> ProgramVersion:
        row = conn.execute(select(ProgramVersionRow)
                           .where(ProgramVersionRow.id == version_id)).first()
        if row is None:
            raise UnknownVersion(version_id)
        entries = tuple(
            ProgramEntry(e.case_id, e.session_id, e.room_id, e.day, e.start_min, e.planned_min,
                         e.surgeon_id, e.position)
            for e in conn.execute(select(ProgramEntryRow)
                                  .where(ProgramEntryRow.version_id == version_id)
                                  .order_by(ProgramEntryRow.day, ProgramEntryRow.room_id,
                                            ProgramEntryRow.start_min)))
        return _version(row, len(entries), Program(entries, row.method))


def _version(row: Any, size: int, program: Program) -> ProgramVersion:
    return ProgramVersion(int(row.id), row.first_day, row.last_day, row.location_id, row.method,
                          row.status, row.created_by, row.created_at, row.published_by,
                          row.published_at, row.why, size, program)


def _overlapping(version: ProgramVersion) -> list[Any]:
    """Conditions for the other versions whose scope overlaps ``version``'s (days, location)."""
    overlap = [ProgramVersionRow.id != version.id,
               ProgramVersionRow.first_day <= version.last_day,
               ProgramVersionRow.last_day >= version.first_day]
    if version.location_id is not None:
        overlap.append(or_(ProgramVersionRow.location_id.is_(None),
                           ProgramVersionRow.location_id == version.location_id))
    return overlap


def _published_since(conn: Connection, version: ProgramVersion) -> int | None:
    """The optimistic check of a program: a version of an overlapping scope published after
    ``version`` was made (its id), or None. Such a version changed the live plan ``version``
    was planned on, so publishing ``version`` would silently undo it."""
    return conn.execute(select(ProgramVersionRow.id).where(
        ProgramVersionRow.published_at > version.created_at, *_overlapping(version))
        .order_by(ProgramVersionRow.published_at.desc()).limit(1)).scalar_one_or_none()


def _sizes(conn: Connection, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = conn.execute(select(ProgramEntryRow.version_id, func.count())
                        .where(ProgramEntryRow.version_id.in_(ids))
                        .group_by(ProgramEntryRow.version_id)).all()
    return {int(v): int(n) for v, n in rows}


def _rooms_of(conn: Connection, location_id: str | None) -> set[str] | None:
    """The stored hospital's rooms at ``location_id`` (None: every room, no filter)."""
    if location_id is None:
        return None
    rows = conn.execute(select(EntityRow.id, EntityRow.payload)
                        .where(EntityRow.kind == "room")).all()
    return {r.id for r in rows if r.payload.get("location_id") == location_id}


def _under_way(conn: Connection) -> set[str]:
    """Cases with a milestone event stored: they are not moved by a new program."""
    return {str(c) for c in conn.execute(
        select(EventRow.case_id).where(EventRow.case_id.is_not(None)).distinct()).scalars()}
