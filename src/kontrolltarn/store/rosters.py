"""Rosters per unit as versions (draft → published → superseded), staff requests (asked →
approved | refused) and which roster person a login is. Every change is audited in its own
transaction.

The store holds a roster as its JSON (``plan.staffing.roster_to_dict``): the store imports no
planning code, so judging a roster (the checker) is the caller's job, done before it asks to
publish or approve. Approving a request that changes shifts stores the changed roster as the
unit's new published version in the same transaction as the decision, and only if the version
it was checked against is still the published one (else ``StaleRoster``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from .audit import Actor, AuditLog
from .notify import Notifier
from .tables import RosterVersionRow, StaffLinkRow, StaffRequestRow, UserRow
from .users import UnknownUser

REQUEST_STATES = ("asked", "approved", "refused")


class UnknownRoster(KeyError):
    pass


class UnknownRequest(KeyError):
    pass


class StaleRoster(Exception):
    """The roster changed (published, superseded, or a request was approved) since it was read."""


@dataclass(frozen=True)
class RosterVersion:
    id: int
    unit_id: str
    first_day: date
    weeks: int
    status: str
    payload: dict[str, Any]
    based_on: int | None
    created_by: str
    created_at: datetime
    published_by: str | None
    published_at: datetime | None
    why: str


@dataclass(frozen=True)
class StaffRequest:
    id: int
    unit_id: str
    person_id: str
    username: str
    kind: str
    day: date
    until: date | None
    colleague_id: str | None
    colleague_day: date | None
    note: str
    state: str
    breaches: list[dict[str, Any]]
    roster_id: int
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    why: str
    result_roster_id: int | None


@dataclass(frozen=True)
class StaffLink:
    username: str
    person_id: str | None  # None: a unit leader who is not on the roster
    unit_id: str


class Rosters:
    def __init__(self, engine: Engine, audit: AuditLog, notifier: Notifier | None = None) -> None:
        self.engine = engine
        self.audit = audit
        self.notifier = notifier or Notifier()

    # --- who is who ---
    def link(self, username: str, unit_id: str, person_id: str | None, *, by: Actor) -> StaffLink:
        """Make ``username`` roster person ``person_id`` of ``unit_id`` (audited). An unknown
        user or a blank unit or person changes nothing."""
        if not unit_id.strip():
            raise ValueError(f"unit={unit_id!r}: give the unit's id (its roster's id, e.g. SEN)")
        if person_id is not None and not person_id.strip():
            raise ValueError(f"person={person_id!r}: give the person's id on the unit's roster")
        with self.engine.begin() as conn:
            if conn.execute(select(UserRow.username).where(UserRow.username == username)
                            ).first() is None:
                raise UnknownUser(f"username={username!r}: no such user")
            conn.execute(delete(StaffLinkRow).where(StaffLinkRow.username == username))
            conn.execute(insert(StaffLinkRow), [dict(username=username, person_id=person_id,
                                                      unit_id=unit_id)])
            self.audit.record(by.name, by.role, "staff.link", "user", username,
                              detail={"unit_id": unit_id, "person_id": person_id}, conn=conn)
        return StaffLink(username, person_id, unit_id)

    def link_of(self, username: str) -> StaffLink | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(StaffLinkRow).where(StaffLinkRow.username == username)).first()
        return None if row is None else StaffLink(row.username, row.person_id, row.unit_id)

    def username_of(self, unit_id: str, person_id: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(StaffLinkRow.username).where(
                StaffLinkRow.unit_id == unit_id, StaffLinkRow.person_id == person_id)).scalar()

    # --- roster versions ---
    def add(self, unit_id: str, payload: dict[str, Any], *, by: Actor, why: str = "") -> RosterVersion:
        """Store a roster as a draft of ``unit_id`` (audited ``roster.draft``)."""
        with self.engine.begin() as conn:
            version = self._insert(conn, unit_id, payload, "draft", by, why, None)
            self.audit.record(by.name, by.role, "roster.draft", "roster", str(version),
                              detail={"unit_id": unit_id, "why": why}, conn=conn)
            return self._get(conn, version)

    def get(self, version_id: int) -> RosterVersion:
        with self.engine.connect() as conn:
            return self._get(conn, version_id)

    def versions(self, unit_id: str, limit: int = 50) -> list[RosterVersion]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(RosterVersionRow).where(RosterVersionRow.unit_id == unit_id)
                                .order_by(RosterVersionRow.id.desc()).limit(limit)).all()
        return [_version(r) for r in rows]

    def published(self, unit_id: str, payload: bool = True) -> RosterVersion | None:
        """The unit's published roster (the newest if several periods are published);
        ``payload`` False: without the roster itself (an empty dict), for a caller that keeps
        parsed versions (they never change) and asks on every request."""
        columns = [c for c in RosterVersionRow.__table__.columns if payload or c.name != "payload"]
        with self.engine.connect() as conn:
            row = conn.execute(select(*columns).where(
                RosterVersionRow.unit_id == unit_id, RosterVersionRow.status == "published")
                .order_by(RosterVersionRow.id.desc()).limit(1)).first()
        return None if row is None else _version(row)

    def publish(self, version_id: int, *, by: Actor, why: str, checked: dict[str, Any]) -> RosterVersion:
        """Publish a draft the caller has checked (``checked``: the checker's verdict, kept in
        the audit entry); the unit's published versions of the same period are superseded."""
        if not why.strip():
            raise ValueError("why: publishing a roster needs a reason")
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            version = self._get(conn, version_id)
            claimed = conn.execute(update(RosterVersionRow).where(
                RosterVersionRow.id == version_id, RosterVersionRow.status == "draft")
                .values(status="published", published_by=by.name, published_at=now, why=why))
            if claimed.rowcount != 1:
                raise StaleRoster(f"roster {version_id} is {version.status}, not a draft")
            superseded = self._supersede_others(conn, version)
            self.audit.record(by.name, by.role, "roster.publish", "roster", str(version_id),
                              detail={"unit_id": version.unit_id, "why": why,
                                      "superseded": superseded, "check": checked}, conn=conn)
            self.notifier.announce(conn, "rosters", version=version_id, status="published")
            return self._get(conn, version_id)

    def _supersede_others(self, conn: Connection, version: RosterVersion) -> list[int]:
        others = [int(i) for i in conn.execute(select(RosterVersionRow.id).where(
            RosterVersionRow.unit_id == version.unit_id, RosterVersionRow.status == "published",
            RosterVersionRow.first_day == version.first_day, RosterVersionRow.id != version.id))
            .scalars()]
        if others:
            conn.execute(update(RosterVersionRow).where(RosterVersionRow.id.in_(others))
                         .values(status="superseded"))
        return others

    def _insert(self, conn: Connection, unit_id: str, payload: dict[str, Any], status: str,
                by: Actor, why: str, based_on: int | None) -> int:
        now = datetime.now(UTC)
        return int(conn.execute(insert(RosterVersionRow).values(
            unit_id=unit_id, first_day=date.fromisoformat(payload["first_day"]),
            weeks=int(payload["weeks"]), status=status, payload=payload, based_on=based_on,
            created_by=by.name, created_at=now,
            published_by=by.name if status == "published" else None,
            published_at=now if status == "published" else None, why=why)
            .returning(RosterVersionRow.id)).scalar_one())

    def _get(self, conn: Connection, version_id: int) -> RosterVersion:
        row = conn.execute(select(RosterVersionRow).where(RosterVersionRow.id == version_id)).first()
        if row is None:
            raise UnknownRoster(version_id)
        return _version(row)

    # --- requests ---
    def ask(self, unit_id: str, person_id: str, *, by: Actor, kind: str, day: date,
            until: date | None, colleague_id: str | None, colleague_day: date | None,
            note: str, breaches: list[dict[str, Any]], roster_id: int) -> StaffRequest:
        """Store a request with the checker's answer at the time it was asked (audited)."""
        with self.engine.begin() as conn:
            request_id = int(conn.execute(insert(StaffRequestRow).values(
                unit_id=unit_id, person_id=person_id, username=by.name, kind=kind, day=day,
                until=until, colleague_id=colleague_id, colleague_day=colleague_day, note=note,
                state="asked", breaches=breaches, roster_id=roster_id,
                created_at=datetime.now(UTC), why="")
                .returning(StaffRequestRow.id)).scalar_one())
            self.audit.record(by.name, by.role, "staff_request.ask", "staff_request",
                              str(request_id), detail={
                                  "unit_id": unit_id, "kind": kind, "day": day.isoformat(),
                                  "colleague_id": colleague_id,
                                  "rules_broken": sorted({b["rule"] for b in breaches})},
                              conn=conn)
            self.notifier.announce(conn, "rosters", request=request_id, state="asked")
            return self._request(conn, request_id)

    def request(self, request_id: int) -> StaffRequest:
        with self.engine.connect() as conn:
            return self._request(conn, request_id)

    def requests(self, unit_id: str, person_id: str | None = None,
                 state: str | None = None, limit: int = 200) -> list[StaffRequest]:
        """The unit's requests, newest first; ``person_id``: only those the person asked or is
        named in as the colleague."""
        query = select(StaffRequestRow).where(StaffRequestRow.unit_id == unit_id)
        if person_id is not None:
            query = query.where((StaffRequestRow.person_id == person_id)
                                | (StaffRequestRow.colleague_id == person_id))
        if state is not None:
            query = query.where(StaffRequestRow.state == state)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(StaffRequestRow.id.desc()).limit(limit)).all()
        return [_request(r) for r in rows]

    def decide(self, request_id: int, approve: bool, *, by: Actor, why: str,
               checked_against: int | None = None,
               changed: dict[str, Any] | None = None) -> StaffRequest:
        """Approve or refuse an asked request in one transaction with its audit entry. An
        approval that changes the roster gives ``changed`` (the roster after the change, checked
        by the caller against version ``checked_against``): it becomes the unit's published
        version if ``checked_against`` is still published, else ``StaleRoster``."""
        if not why.strip() and not approve:
            raise ValueError("why: refusing a request needs a reason")
        with self.engine.begin() as conn:
            request = self._request(conn, request_id)
            result: int | None = None
            if approve and changed is not None:
                if checked_against is None:
                    raise ValueError("checked_against: the version the change was checked on")
                gone = conn.execute(update(RosterVersionRow).where(
                    RosterVersionRow.id == checked_against, RosterVersionRow.status == "published")
                    .values(status="superseded"))
                if gone.rowcount != 1:
                    raise StaleRoster(f"roster {checked_against} is no longer the published one")
                result = self._insert(conn, request.unit_id, changed, "published", by,
                                      f"request {request_id}: {why}".strip(), checked_against)
            claimed = conn.execute(update(StaffRequestRow).where(
                StaffRequestRow.id == request_id, StaffRequestRow.state == "asked")
                .values(state="approved" if approve else "refused", decided_by=by.name,
                        decided_at=datetime.now(UTC), why=why, result_roster_id=result))
            if claimed.rowcount != 1:
                raise StaleRoster(f"request {request_id} is already {request.state}")
            self.audit.record(by.name, by.role,
                              "staff_request.approve" if approve else "staff_request.refuse",
                              "staff_request", str(request_id), detail={
                                  "unit_id": request.unit_id, "why": why,
                                  "roster_version": result, "based_on": checked_against},
                              conn=conn)
            self.notifier.announce(conn, "rosters", request=request_id,
                                   state="approved" if approve else "refused")
            return self._request(conn, request_id)

    def _request(self, conn: Connection, request_id: int) -> StaffRequest:
        row = conn.execute(select(StaffRequestRow).where(StaffRequestRow.id == request_id)).first()
        if row is None:
            raise UnknownRequest(request_id)
        return _request(row)


def _version(row: Any) -> RosterVersion:
    return RosterVersion(int(row.id), row.unit_id, row.first_day, int(row.weeks), row.status,
                         dict(getattr(row, "payload", {})), row.based_on, row.created_by, row.created_at,
                         row.published_by, row.published_at, row.why)


def _request(row: Any) -> StaffRequest:
    return StaffRequest(int(row.id), row.unit_id, row.person_id, row.username, row.kind, row.day,
                        row.until, row.colleague_id, row.colleague_day, row.note, row.state,
                        list(row.breaches), int(row.roster_id), row.created_at, row.decided_by,
                        row.decided_at, row.why, row.result_roster_id)
