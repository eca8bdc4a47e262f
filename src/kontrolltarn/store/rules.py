"""The local planning rules as the hospital saved them: versions of the rule file's text, the
newest in force. The store keeps text only; ``plan.check.local`` validates it (the service
refuses to save text that does not load)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from .audit import Actor, AuditLog
from .tables import PlanningRulesRow


@dataclass(frozen=True)
class SavedRules:
    id: int
    text: str
    saved_by: str
    saved_at: datetime
    why: str


class PlanningRules:
    def __init__(self, engine: Engine, audit: AuditLog) -> None:
        self.engine = engine
        self.audit = audit

    def current(self) -> SavedRules | None:
        """The rules in force (None: none saved, the shipped file applies)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(PlanningRulesRow).order_by(PlanningRulesRow.id.desc())
                               .limit(1)).first()
        return None if row is None else SavedRules(row.id, row.text, row.saved_by,
                                                   row.saved_at, row.why)

    def save(self, text: str, *, by: Actor, why: str) -> SavedRules:
        """A new version in force (audited "rules.save" with why, in the same transaction)."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            new_id = conn.execute(insert(PlanningRulesRow).values(
                text=text, saved_by=by.name, saved_at=now, why=why)
                .returning(PlanningRulesRow.id)).scalar_one()
            self.audit.record(by.name, by.role, "rules.save", "planning_rules", str(new_id),
                              detail={"why": why, "chars": len(text)}, conn=conn)
        return SavedRules(int(new_id), text, by.name, now, why)
