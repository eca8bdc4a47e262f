"""The audit log: every change and every read of patient-identifying data, in the database
(never in application logs, which must hold no patient data).

A store method that writes takes ``by: Actor`` (who makes the change) and records its entry
(a ``Note``: what was done) on its own connection, so the change and its record are stored
together or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from .tables import AuditRow


@dataclass(frozen=True)
class Actor:
    """Who makes a change: the authenticated username and role (a CLI run is "cli:<OS user>",
    the service itself "system")."""

    name: str = "system"
    role: str = "system"


@dataclass(frozen=True)
class Note:
    """What a change was, for its audit entry (recorded by whoever stores the change)."""

    action: str
    resource: str
    resource_id: str | None = None
    detail: dict[str, Any] | None = None
    patient_data: bool = False


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    resource: str
    resource_id: str | None
    patient_data: bool
    detail: dict[str, Any]


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, actor: str, role: str, action: str, resource: str,
               resource_id: str | None = None, *, patient_data: bool = False,
               detail: dict[str, Any] | None = None, conn: Connection | None = None) -> None:
        """Record one entry; inside ``conn``'s transaction when given, so the entry and the
        change it records are stored together or not at all."""
        if conn is None:
            with self.engine.begin() as own:
                self.record(actor, role, action, resource, resource_id,
                            patient_data=patient_data, detail=detail, conn=own)
            return
        conn.execute(insert(AuditRow), [dict(
            at=datetime.now(UTC), actor=actor, role=role, action=action, resource=resource,
            resource_id=resource_id, patient_data=patient_data, detail=detail or {})])

    def note(self, by: Actor, note: Note, conn: Connection) -> None:
        """Record ``note`` as done by ``by`` inside ``conn``'s transaction."""
        self.record(by.name, by.role, note.action, note.resource, note.resource_id,
                    patient_data=note.patient_data, detail=note.detail, conn=conn)

    def recent(self, limit: int = 100, resource_id: str | None = None) -> list[AuditEntry]:
        query = select(AuditRow).order_by(AuditRow.seq.desc()).limit(limit)
        if resource_id is not None:
            query = query.where(AuditRow.resource_id == resource_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [AuditEntry(r.seq, r.at, r.actor, r.role, r.action, r.resource, r.resource_id,
                           r.patient_data, r.detail) for r in rows]
