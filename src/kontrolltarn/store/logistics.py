"""Patient links (one-time), self check-in, porter requests and room-ready notices; each write
audited in its own transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select, update

from .audit import Actor, AuditLog
from .notify import Notifier
from .tables import CheckInRow, LogisticsRequestRow, PatientLinkRow

REQUEST_KINDS = ("porter", "room_ready")
#: a porter request's way: open (asked for), acknowledged (a porter took it), picked_up (the
#: patient is on the way), done (delivered at the department)
REQUEST_STATUSES = ("open", "acknowledged", "picked_up", "done")


def patient_actor(case_id: str) -> str:
    """The name a patient acts under: the case their link was made for."""
    return f"patient:{case_id}"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LogisticsRequest:
    id: int
    kind: str
    room_id: str
    case_id: str | None
    status: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


class Logistics:
    def __init__(self, engine: Engine, notifier: Notifier | None = None,
                 audit: AuditLog | None = None) -> None:
        self.engine = engine
        self.notifier = notifier or Notifier()
        self.audit = audit or AuditLog(engine)

    # ------------------------------------------------------------ patient links
    def create_link(self, case_id: str, by: Actor,
                    valid_for: timedelta = timedelta(days=3)) -> str:
        """A fresh token for the patient page of ``case_id``; only its hash is kept."""
        token = secrets.token_urlsafe(24)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(insert(PatientLinkRow), [dict(
                token_hash=_hash(token), case_id=case_id, created_at=now, created_by=by.name,
                expires_at=now + valid_for, opened_at=None)])
            self.audit.record(by.name, by.role, "patient_link.create", "case", case_id,
                              patient_data=True, conn=conn)
        return token

    def redeem_link(self, token: str) -> str | None:
        """The case id if the link is valid and unused; marks it used (it works once), audited
        as opened by the patient (``patient_actor``)."""
        now = datetime.now(UTC)
        digest = _hash(token)
        with self.engine.begin() as conn:
            result = conn.execute(
                update(PatientLinkRow)
                .where(PatientLinkRow.token_hash == digest, PatientLinkRow.opened_at.is_(None),
                       PatientLinkRow.expires_at > now)
                .values(opened_at=now))
            if result.rowcount != 1:
                return None
            case_id: str = conn.execute(select(PatientLinkRow.case_id)
                                        .where(PatientLinkRow.token_hash == digest)).scalar_one()
            self.audit.record(patient_actor(case_id), "patient", "patient_link.open", "case",
                              case_id, patient_data=True, conn=conn)
            return case_id

    def check_in(self, case_id: str, by: Actor) -> datetime:
        """Record the patient's self check-in (the first one counts; each is audited)."""
        with self.engine.begin() as conn:
            self.audit.record(by.name, by.role, "patient.checkin", "case", case_id, conn=conn)
            found = conn.execute(select(CheckInRow.at).where(CheckInRow.case_id == case_id)).first()
            if found:
                at: datetime = found[0]
                return at
            now = datetime.now(UTC)
            conn.execute(insert(CheckInRow), [dict(case_id=case_id, at=now)])
            self.notifier.announce(conn, "logistics", checkin=case_id)  # boards show it
            return now

    def checked_in(self) -> dict[str, datetime]:
        with self.engine.connect() as conn:
            return {r.case_id: r.at for r in conn.execute(select(CheckInRow)).all()}

    # ------------------------------------------------------------ porter and room ready
    def request(self, kind: str, room_id: str, case_id: str | None,
                by: Actor) -> LogisticsRequest:
        if kind not in REQUEST_KINDS:
            raise ValueError(f"kind={kind!r}: must be one of {REQUEST_KINDS}")
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            result = conn.execute(insert(LogisticsRequestRow).returning(
                LogisticsRequestRow.id), [dict(kind=kind, room_id=room_id, case_id=case_id,
                                                status="open", created_at=now,
                                                created_by=by.name, updated_at=now,
                                                updated_by=by.name)])
            new_id = int(result.scalar_one())
            self.audit.record(by.name, by.role, f"{kind}.request", f"{kind}_request",
                              str(new_id), detail={"room_id": room_id}, conn=conn)
            self.notifier.announce(conn, "logistics", porter_request=new_id)
        found = self.get(new_id)
        assert found is not None
        return found

    def get(self, request_id: int) -> LogisticsRequest | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(LogisticsRequestRow)
                               .where(LogisticsRequestRow.id == request_id)).first()
        return _request(row) if row else None

    def set_status(self, request_id: int, status: str, by: Actor) -> LogisticsRequest | None:
        if status not in REQUEST_STATUSES:
            raise ValueError(f"status={status!r}: must be one of {REQUEST_STATUSES}")
        with self.engine.begin() as conn:
            conn.execute(update(LogisticsRequestRow).where(LogisticsRequestRow.id == request_id)
                         .values(status=status, updated_at=datetime.now(UTC),
                                 updated_by=by.name))
            self.audit.record(by.name, by.role, f"porter.{status}", "porter_request",
                              str(request_id), conn=conn)
            self.notifier.announce(conn, "logistics", porter_request=request_id)
        return self.get(request_id)

    def open_requests(self, kind: str | None = None) -> list[LogisticsRequest]:
        query = (select(LogisticsRequestRow).where(LogisticsRequestRow.status != "done")
                 .order_by(LogisticsRequestRow.id))
        if kind:
            query = query.where(LogisticsRequestRow.kind == kind)
        with self.engine.connect() as conn:
            return [_request(r) for r in conn.execute(query).all()]


def _request(row: Any) -> LogisticsRequest:
    return LogisticsRequest(row.id, row.kind, row.room_id, row.case_id, row.status, row.created_at,
                            row.created_by, row.updated_at, row.updated_by)
