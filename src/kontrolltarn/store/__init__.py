"""Persistence for the control tower: an append-only event log (idempotent by event id, tolerant
of out-of-order arrival), the day's program with optimistic versioning, suggestions and
decisions, the audit log, users and logistics. PostgreSQL in production, SQLite embedded."""

from __future__ import annotations

from sqlalchemy import Engine

from .audit import AuditEntry, AuditLog
from .database import ENV_URL, default_url, downgrade, make_engine, migrate
from .events import EventLog
from .logistics import Logistics, LogisticsRequest
from .notify import Notice, Notifier, PostgresNotifier, notifier_for
from .plans import CasePlan, PlanChange, Plans, UnknownCase, VersionConflict
from .users import User, Users
from .workflow import AlreadyDecided, StoredSuggestion, Suggestions


class Store:
    """All repositories over one engine. ``Store.open(url)`` migrates the schema first."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        #: tells the other service processes on this database what changed (``notify``)
        self.notifier = notifier_for(engine)
        self.events = EventLog(engine, self.notifier)
        self.plans = Plans(engine, self.notifier)
        self.audit = AuditLog(engine)
        self.users = Users(engine)
        self.suggestions = Suggestions(engine, self.notifier)
        self.logistics = Logistics(engine)

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        engine = make_engine(url)
        migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.notifier.close()
        self.engine.dispose()


__all__ = ["ENV_URL", "AlreadyDecided", "AuditEntry", "AuditLog", "CasePlan", "EventLog",
           "Logistics", "LogisticsRequest", "Notice", "Notifier", "PlanChange", "Plans",
           "PostgresNotifier", "Store", "StoredSuggestion", "Suggestions", "UnknownCase", "User",
           "Users", "VersionConflict", "default_url", "downgrade", "make_engine", "migrate",
           "notifier_for"]
