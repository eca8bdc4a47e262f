"""Suggestions and the decisions on them. A suggestion is decided once; deciding it twice is
refused, so two coordinators cannot both accept the same action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from .audit import Actor, AuditLog
from .notify import Notifier
from .tables import SuggestionRow


class AlreadyDecided(Exception):
    pass


@dataclass(frozen=True)
class StoredSuggestion:
    id: str
    created_at: datetime
    kind: str
    case_id: str | None
    room_id: str | None
    action: dict[str, Any]
    effect: dict[str, Any]
    summary: str
    status: str
    decided_by: str | None
    decided_at: datetime | None
    why: str | None


class Suggestions:
    def __init__(self, engine: Engine, notifier: Notifier | None = None,
                 audit: AuditLog | None = None) -> None:
        self.engine = engine
        self.notifier = notifier or Notifier()
        self.audit = audit or AuditLog(engine)

    def offer(self, suggestion_id: str, kind: str, case_id: str | None, room_id: str | None,
              action: dict[str, Any], effect: dict[str, Any], summary: str) -> bool:
        """Store a suggestion unless one with the same id exists; True when it is new. An open
        one made again on changed cases (``action["versions"]`` differ) is made anew in place:
        it now stands for the cases as they are (browsers are told to reload it). An open one
        made again on the same cases takes the effect predicted now (an effect is a forecast:
        it moves with the day, and one shown as it was hours ago misleads)."""
        with self.engine.begin() as conn:
            found = conn.execute(select(SuggestionRow.status, SuggestionRow.action,
                                        SuggestionRow.effect)
                                 .where(SuggestionRow.id == suggestion_id)).first()
            if found is not None:
                if found.status == "open" and \
                        found.action.get("versions") != action.get("versions"):
                    conn.execute(update(SuggestionRow).where(SuggestionRow.id == suggestion_id)
                                 .values(action=action, effect=effect, summary=summary,
                                         created_at=datetime.now(UTC)))
                    self.notifier.announce(conn, "suggestions", renewed=suggestion_id)
                elif found.status == "open" and found.effect != effect:
                    conn.execute(update(SuggestionRow).where(SuggestionRow.id == suggestion_id)
                                 .values(effect=effect, summary=summary))
                return False
            conn.execute(insert(SuggestionRow), [dict(
                id=suggestion_id, created_at=datetime.now(UTC), kind=kind, case_id=case_id,
                room_id=room_id, action=action, effect=effect, summary=summary, status="open")])
            self.notifier.announce(conn, "suggestions", new=1)
        return True

    def expire_except(self, keep: set[str], *, by: Actor | None = None, new: int = 0) -> int:
        """Open suggestions the agent no longer makes are withdrawn (the situation moved on):
        the end of a refresh, audited ("suggestion.refresh", ``new`` stored) when a user
        asked for it (``by``)."""
        with self.engine.begin() as conn:
            query = update(SuggestionRow).where(SuggestionRow.status == "open")
            if keep:
                query = query.where(SuggestionRow.id.not_in(keep))
            expired = int(conn.execute(query.values(status="expired")).rowcount)
            if by is not None:
                self.audit.record(by.name, by.role, "suggestion.refresh", "suggestion",
                                  detail={"new": new}, conn=conn)
            return expired

    def get(self, suggestion_id: str) -> StoredSuggestion | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(SuggestionRow)
                               .where(SuggestionRow.id == suggestion_id)).first()
        return _suggestion(row) if row else None

    def list(self, status: str | None = None, limit: int = 200) -> list[StoredSuggestion]:
        query = select(SuggestionRow).order_by(SuggestionRow.created_at.desc()).limit(limit)
        if status:
            query = query.where(SuggestionRow.status == status)
        with self.engine.connect() as conn:
            return [_suggestion(r) for r in conn.execute(query).all()]

    def decide(self, suggestion_id: str, accepted: bool, by: Actor,
               why: str) -> StoredSuggestion:
        """Mark the suggestion accepted or rejected (``AlreadyDecided`` if it is not open). A
        rejection is audited here; an acceptance with the changes it makes (``Plans``)."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            result = conn.execute(
                update(SuggestionRow)
                .where(SuggestionRow.id == suggestion_id, SuggestionRow.status == "open")
                .values(status="accepted" if accepted else "rejected", decided_by=by.name,
                        decided_at=now, why=why))
            if result.rowcount != 1:
                raise AlreadyDecided(suggestion_id)
            if not accepted:
                kind = conn.execute(select(SuggestionRow.kind)
                                    .where(SuggestionRow.id == suggestion_id)).scalar_one()
                self.audit.record(by.name, by.role, "suggestion.reject", "suggestion",
                                  suggestion_id, detail={"kind": kind, "why": why}, conn=conn)
            self.notifier.announce(conn, "suggestions", decided=suggestion_id)
        found = self.get(suggestion_id)
        assert found is not None
        return found

    def reopen(self, suggestion_id: str, by: Actor, refused: str) -> None:
        """Undo an acceptance whose repair could not be applied (the decision did not happen),
        audited as "suggestion.refused" with why."""
        with self.engine.begin() as conn:
            found = conn.execute(select(SuggestionRow.kind, SuggestionRow.why)
                                 .where(SuggestionRow.id == suggestion_id)).one()
            conn.execute(update(SuggestionRow).where(SuggestionRow.id == suggestion_id)
                         .values(status="open", decided_by=None, decided_at=None, why=None))
            self.audit.record(by.name, by.role, "suggestion.refused", "suggestion",
                              suggestion_id, detail={"kind": found.kind, "why": found.why,
                                                     "refused": refused}, conn=conn)
            self.notifier.announce(conn, "suggestions", reopened=suggestion_id)


def _suggestion(row: Any) -> StoredSuggestion:
    return StoredSuggestion(row.id, row.created_at, row.kind, row.case_id, row.room_id, row.action,
                            row.effect, row.summary, row.status, row.decided_by, row.decided_at,
                            row.why)
