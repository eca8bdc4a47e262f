"""The store's tables (SQLAlchemy 2 declarative). Alembic migrations in ``migrations/`` create
them; ``Base.metadata`` is the reference the migrations are checked against in tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit sequence.
SEQ = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC; SQLite forgets the zone, so it is restored on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"datetime {value!r} must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class EventRow(Base):
    """Append-only milestone log. ``id`` is the producer's id: a repeat is ignored (idempotent);
    ``seq`` is arrival order, ``at`` is when it happened (events may arrive out of order)."""

    __tablename__ = "events"
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    case_id: Mapped[str | None] = mapped_column(String(64), index=True)
    room_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CasePlanRow(Base):
    """The current place of one case in the day's program; ``version`` guards concurrent edits."""

    __tablename__ = "case_plans"
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    session_id: Mapped[str] = mapped_column(String(64))
    room_id: Mapped[str] = mapped_column(String(64))
    start_min: Mapped[int] = mapped_column(Integer)
    planned_min: Mapped[int] = mapped_column(Integer)
    surgeon_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))


class PlanChangeRow(Base):
    """One change of a case's plan: before and after, who, when, why, and the decision if any."""

    __tablename__ = "plan_changes"
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    by: Mapped[str] = mapped_column(String(64))
    why: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    suggestion_id: Mapped[str | None] = mapped_column(String(64))


class SuggestionRow(Base):
    """A proposed action and, once decided, the decision (who, when, why). Never applied alone."""

    __tablename__ = "suggestions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[str | None] = mapped_column(String(64))
    room_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[dict[str, Any]] = mapped_column(JSON)
    effect: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    why: Mapped[str | None] = mapped_column(Text)


class AuditRow(Base):
    """Every change, and every read of patient-identifying data: who, role, what, when."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    resource: Mapped[str] = mapped_column(String(32))
    resource_id: Mapped[str | None] = mapped_column(String(128))
    patient_data: Mapped[bool] = mapped_column(Boolean, default=False)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class UserRow(Base):
    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: made for the demo: such a user may log in only while the service runs in demo mode
    demo: Mapped[bool] = mapped_column(Boolean, default=False)


class SessionRow(Base):
    """One login (or patient link) session. A token names its session; a revoked or unknown
    session refuses the token, so logout, a password change or a role change end it at once."""

    __tablename__ = "sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LoginFailureRow(Base):
    """A failed login, counted per username and per address for throttling."""

    __tablename__ = "login_failures"
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)


class LoginLockRow(Base):
    """A username or an address that may not try to log in before ``until``."""

    __tablename__ = "login_locks"
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)  # "user" or "address"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    until: Mapped[datetime] = mapped_column(UtcDateTime())


class PatientLinkRow(Base):
    """A one-time link to the patient page. Only a hash of the token is stored."""

    __tablename__ = "patient_links"
    token_hash: Mapped[str] = mapped_column(String(128), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CheckInRow(Base):
    __tablename__ = "checkins"
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())


class LogisticsRequestRow(Base):
    """A porter request (fetch a patient) or a room-ready notice, with its status."""

    __tablename__ = "logistics_requests"
    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    room_id: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))


class HospitalRow(Base):
    """The stored hospital's own fields (one row); ``revision`` goes up with every save."""

    __tablename__ = "hospital"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    today: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    allowed_overtime_min: Mapped[int] = mapped_column(Integer)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))


class EntityRow(Base):
    """One entity of the hospital (location, room, staff, referral, session …): its kind, id,
    place in the hospital's order and its fields in the model's JSON codec."""

    __tablename__ = "hospital_entities"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class CaseRow(Base):
    """A case (a referral on its way to surgery); its history is in ``case_changes``."""

    __tablename__ = "cases"
    referral_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class CaseChangeRow(Base):
    """One recorded decision about a case (``model.CaseChange``); append-only."""

    __tablename__ = "case_changes"
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(128), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(16))
    new_date: Mapped[date | None] = mapped_column(Date)
    old_date: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(32))
    by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)


class ProgramVersionRow(Base):
    """A program for a scope (days from ``first_day``, optionally one location), as a planner or
    an import made it: draft → proposed → published → superseded. Publishing is a decision."""

    __tablename__ = "program_versions"
    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    first_day: Mapped[date] = mapped_column(Date, index=True)
    last_day: Mapped[date] = mapped_column(Date)
    location_id: Mapped[str | None] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    published_by: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    why: Mapped[str] = mapped_column(Text)


class ProgramEntryRow(Base):
    """One ``model.ProgramEntry`` of a program version (``day`` is its date, ``position`` its
    order in the session)."""

    __tablename__ = "program_entries"
    version_id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=False)
    case_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(128))
    room_id: Mapped[str] = mapped_column(String(128))
    day: Mapped[date] = mapped_column(Date)
    start_min: Mapped[int] = mapped_column(Integer)
    planned_min: Mapped[int] = mapped_column(Integer)
    surgeon_id: Mapped[str] = mapped_column(String(128))
    position: Mapped[int] = mapped_column(Integer)


class JobRow(Base):
    """A planning job run in the background. ``active_scope`` holds the scope while the job is
    queued or running and is NULL after: its unique constraint lets one job per scope run."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(200), index=True)
    active_scope: Mapped[str | None] = mapped_column(String(200), unique=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[float] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(Boolean)
    result_version_id: Mapped[int | None] = mapped_column(SEQ)
    #: what a job found when its result is not a program version (capacity, roster)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class PastRecordRow(Base):
    """One record of the hospital's past, as the model's JSON: an operation that took place
    (``kind`` "operation", ``model.PastOperation``) or a booking and whether it was cancelled
    late ("booking", ``model.PastBooking``), what the prediction models learn from.
    Append-only; an id seen before is not stored again."""

    __tablename__ = "past_records"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class RosterVersionRow(Base):
    """A unit's roster (``plan.staffing.roster_to_dict`` as ``payload``) as a version: draft →
    published → superseded. An approved staff request makes a new published version
    (``based_on`` the one it changed)."""

    __tablename__ = "roster_versions"
    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    weeks: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    based_on: Mapped[int | None] = mapped_column(SEQ)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    published_by: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    why: Mapped[str] = mapped_column(Text)


class StaffRequestRow(Base):
    """A staff member's request (swap, absence, wish): asked → approved | refused, with the
    breaches the checker found when it was asked."""

    __tablename__ = "staff_requests"
    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    username: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    colleague_id: Mapped[str | None] = mapped_column(String(64), index=True)
    colleague_day: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)
    breaches: Mapped[list[Any]] = mapped_column(JSON)
    roster_id: Mapped[int] = mapped_column(SEQ)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    why: Mapped[str] = mapped_column(Text)
    result_roster_id: Mapped[int | None] = mapped_column(SEQ)


class StaffLinkRow(Base):
    """Which roster person (and unit) a login is: a staff member's own shifts and requests, a
    unit leader's unit."""

    __tablename__ = "staff_links"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[str | None] = mapped_column(String(64))
    unit_id: Mapped[str] = mapped_column(String(64))


class PlanningRulesRow(Base):
    """One saved version of the local planning rules' text (TOML, ``plan.check.local``);
    the newest is in force. Append-only."""

    __tablename__ = "planning_rules"
    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime())
    why: Mapped[str] = mapped_column(Text)
