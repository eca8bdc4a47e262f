"""Persistence for the control tower, the hospital's memory: the hospital itself (resources,
calendar, waiting list, cases with their history), an append-only event log (idempotent by event
id, tolerant of out-of-order arrival), the day's program with optimistic versioning, suggestions
and decisions, the audit log, users (with sessions and login throttling) and logistics.
PostgreSQL in production, SQLite embedded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DataError

from kontrolltarn.model import Hospital, ModelError, PastOperation, Program

from .audit import Actor, AuditEntry, AuditLog, Note
from .database import (
    ENV_URL,
    OPEN_ERRORS,
    UNAVAILABLE_ERRORS,
    DatabaseUnavailable,
    DatabaseWatch,
    cannot_open,
    default_url,
    describe,
    downgrade,
    make_engine,
    migrate,
)
from .events import ConflictingEvent, EventLog, Poster
from .history import PastRecords
from .hospital import Hospitals
from .jobs import JOB_KINDS, Job, JobFinished, Jobs, ScopeBusy, UnknownJob
from .logins import Lockout, LoginThrottle
from .logistics import Logistics, LogisticsRequest, patient_actor
from .notify import Notice, Notifier, PostgresNotifier, notifier_for
from .plans import (
    CaseEdit,
    NotPlanned,
    PlanChange,
    Plans,
    UnknownCase,
    VersionConflict,
    plan_fields,
)
from .programs import NotPublishable, Programs, ProgramVersion, Published, UnknownVersion
from .rosters import (
    REQUEST_STATES,
    Rosters,
    RosterVersion,
    StaffLink,
    StaffRequest,
    StaleRoster,
    UnknownRequest,
    UnknownRoster,
)
from .rules import PlanningRules, SavedRules
from .sessions import Sessions
from .users import UnknownUser, User, Users
from .workflow import AlreadyDecided, StoredSuggestion, Suggestions


@dataclass(frozen=True)
class Imported:
    """What an import stored: the hospital's new revision and the program version (if any)."""

    revision: int
    program_version: int | None


class Store:
    """All repositories over one engine. ``Store.open(url)`` migrates the schema first."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        #: whether the database answers (health, the board's flag, 503s while it is away)
        self.database = DatabaseWatch(engine)
        #: tells the other service processes on this database what changed (``notify``)
        self.notifier = notifier_for(engine)
        self.hospital = Hospitals(engine, self.notifier)
        self.audit = AuditLog(engine)
        self.events = EventLog(engine, self.notifier, self.audit)
        self.plans = Plans(engine, self.notifier, self.audit)
        self.sessions = Sessions(engine, self.database, self.audit)
        self.users = Users(engine, self.audit, self.sessions)
        self.logins = LoginThrottle(engine, self.audit)
        self.suggestions = Suggestions(engine, self.notifier, self.audit)
        self.logistics = Logistics(engine, self.notifier, self.audit)
        self.programs = Programs(engine, self.plans, self.audit, self.notifier)
        self.jobs = Jobs(engine, self.notifier, self.audit)
        self.history = PastRecords(engine)
        self.rosters = Rosters(engine, self.audit, self.notifier)
        self.rules = PlanningRules(engine, self.audit)

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """The store at ``url`` (default: ``KONTROLLTARN_DATABASE_URL`` or an SQLite file), its
        schema migrated; ``DatabaseUnavailable`` (one line) if it cannot be opened."""
        try:
            engine = make_engine(url)
        except OPEN_ERRORS as failure:
            raise cannot_open(url, failure) from None
        try:
            migrate(engine)
            return cls(engine)
        except OPEN_ERRORS as failure:
            engine.dispose()
            raise cannot_open(url, failure) from None

    def import_hospital(self, hospital: Hospital, actor: str, role: str, source: str,
                        detail: dict[str, Any] | None = None,
                        program: Program | None = None,
                        history: Sequence[PastOperation] = ()) -> Imported:
        """Store an imported (merged) hospital, the program the file held (as a proposed
        version for its days, to be published by a coordinator), the past operations it held
        (the duration model's history) and the audit entry in ONE transaction: after a failure
        nothing of the import is stored; a value the database refuses is a ``ModelError``."""
        try:
            with self.engine.begin() as conn:
                revision = self.hospital.save(hospital, by=actor, conn=conn)
                operations = self.history.add(history, conn=conn)
                version_id = None
                if program is not None and program.entries:
                    days = sorted(e.date for e in program.entries)
                    version_id = self.programs.add_in(
                        conn, Program(program.entries, "import"), days[0], days[-1], by=actor,
                        location_id=None, status="proposed", why=f"imported from {source}")
                self.audit.record(actor, role, "import.accept", "import", source,
                                  detail={**(detail or {}), "revision": revision,
                                          "program_version": version_id,
                                          "past_operations_added": operations}, conn=conn)
        except DataError:  # e.g. a NUL in a text column on PostgreSQL: the file's fault
            raise ModelError("(file)", source, "holds a value the database cannot store "
                                               "(e.g. a NUL character)") from None
        return Imported(revision, version_id)

    def close(self) -> None:
        self.notifier.close()
        self.engine.dispose()


__all__ = ["Actor", "PlanningRules", "SavedRules",
           "AlreadyDecided", "AuditEntry", "AuditLog", "CaseEdit", "ConflictingEvent",
           "DatabaseUnavailable", "DatabaseWatch", "ENV_URL", "UNAVAILABLE_ERRORS", "describe",
           "EventLog", "Hospitals", "JOB_KINDS", "Job", "JobFinished", "Jobs", "Lockout",
           "LoginThrottle", "Logistics", "LogisticsRequest", "NotPublishable", "Notice", "Notifier",
           "PlanChange", "Plans", "Poster", "PostgresNotifier", "ProgramVersion", "Programs",
           "NotPlanned", "Note", "PastRecords", "Published", "ScopeBusy", "Sessions", "Store",
           "StoredSuggestion", "Suggestions", "UnknownCase", "UnknownJob", "UnknownUser",
           "UnknownVersion", "User", "Users", "VersionConflict", "default_url", "downgrade",
           "make_engine", "migrate", "notifier_for", "patient_actor", "plan_fields",
           "REQUEST_STATES", "RosterVersion", "Rosters", "StaffLink", "StaffRequest", "StaleRoster",
           "UnknownRequest", "UnknownRoster"]
