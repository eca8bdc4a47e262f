"""The hospital in the store: resources, calendar, waiting list, emergencies and cases.

Each entity is one row (kind, id, its place in the hospital's order, and its fields as JSON in
the model's codec), so a new field of a model type needs no migration. Cases are rows of their
own with their change history in ``case_changes``, which is append-only: saving a hospital whose
case history does not continue the stored one is refused (history is never rewritten).

``save`` replaces the stored hospital in the caller's transaction; an import therefore changes
everything or nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from kontrolltarn.model import (
    CancellationReason,
    CaseChange,
    ChangeKind,
    EmergencyRequest,
    EquipmentType,
    Hospital,
    Location,
    ModelError,
    Patient,
    Procedure,
    Referral,
    Room,
    Session,
    Specialty,
    Staff,
)
from kontrolltarn.model.cases import Case
from kontrolltarn.model.codec import from_jsonable, to_jsonable

from .notify import Notifier
from .tables import CaseChangeRow, CaseRow, EntityRow, HospitalRow

#: entity kind -> (model type, Hospital field, the type's id attribute)
KINDS: dict[str, tuple[type, str, str]] = {
    "location": (Location, "locations", "id"),
    "specialty": (Specialty, "specialties", "id"),
    "equipment": (EquipmentType, "equipment", "id"),
    "room": (Room, "rooms", "id"),
    "staff": (Staff, "staff", "id"),
    "procedure": (Procedure, "procedures", "code"),
    "patient": (Patient, "patients", "id"),
    "referral": (Referral, "referrals", "id"),
    "session": (Session, "sessions", "id"),
    "emergency": (EmergencyRequest, "emergencies", "id"),
}


class Hospitals:
    """The one hospital a store holds (``load`` gives None while none was saved)."""

    def __init__(self, engine: Engine, notifier: Notifier | None = None) -> None:
        self.engine = engine
        self.notifier = notifier or Notifier()

    def revision(self) -> int:
        """How many times the hospital was saved (0: never); another process compares it."""
        with self.engine.connect() as conn:
            value = conn.execute(select(HospitalRow.revision)).scalar_one_or_none()
        return int(value or 0)

    def save(self, hospital: Hospital, by: str, conn: Connection | None = None) -> int:
        """Replace the stored hospital by ``hospital``; returns the new revision. In ``conn``'s
        transaction when given (the caller commits or rolls back), else in one of its own."""
        if conn is None:
            with self.engine.begin() as own:
                return self.save(hospital, by, own)
        now = datetime.now(UTC)
        stored = _histories(conn)
        for case_id in stored.keys() - {c.referral_id for c in hospital.cases}:
            raise ModelError("case.referral_id", case_id,
                             "a stored case cannot be dropped (its history is kept)")
        conn.execute(delete(EntityRow))
        rows = [{"kind": kind, "id": getattr(item, key), "position": i,
                 "payload": to_jsonable(item)}
                for kind, (_, attr, key) in KINDS.items()
                for i, item in enumerate(getattr(hospital, attr))]
        if rows:
            conn.execute(insert(EntityRow), rows)
        conn.execute(delete(CaseRow))
        if hospital.cases:
            conn.execute(insert(CaseRow), [{"referral_id": c.referral_id, "position": i}
                                           for i, c in enumerate(hospital.cases)])
        changes = []
        for case in hospital.cases:
            known = stored.get(case.referral_id, [])
            if list(case.history[:len(known)]) != known:
                raise ModelError(f"case[{case.referral_id}].history", len(known),
                                 "does not continue the stored history (history is append-only)")
            changes += [_change_row(case.referral_id, c) for c in case.history[len(known):]]
        if changes:
            conn.execute(insert(CaseChangeRow), changes)
        revision = conn.execute(select(HospitalRow.revision)).scalar_one_or_none()
        self.notifier.announce(conn, "hospital", revision=int(revision or 0) + 1)
        values = {"name": hospital.name, "today": hospital.today, "timezone": hospital.timezone,
                  "allowed_overtime_min": hospital.allowed_overtime_min,
                  "meta": to_jsonable(dict(hospital.meta)), "updated_at": now, "updated_by": by}
        if revision is None:
            conn.execute(insert(HospitalRow).values(id=1, revision=1, **values))
            return 1
        conn.execute(update(HospitalRow).values(revision=revision + 1, **values))
        return int(revision) + 1

    def load(self) -> Hospital | None:
        """The stored hospital, validated as any ``Hospital`` is; None if none was saved."""
        with self.engine.connect() as conn:
            head = conn.execute(select(HospitalRow)).first()
            if head is None:
                return None
            entities: dict[str, list[Any]] = defaultdict(list)
            for row in conn.execute(select(EntityRow.kind, EntityRow.payload)
                                    .order_by(EntityRow.kind, EntityRow.position)):
                cls = KINDS[row.kind][0]
                entities[row.kind].append(from_jsonable(cls, row.payload, f"{row.kind}"))
            histories = _histories(conn)
            case_ids = conn.execute(select(CaseRow.referral_id)
                                    .order_by(CaseRow.position)).scalars().all()
        fields = {attr: tuple(entities.get(kind, ())) for kind, (_, attr, _) in KINDS.items()}
        cases = tuple(Case(c, tuple(histories.get(c, ()))) for c in case_ids)
        return Hospital(name=head.name, today=head.today, timezone=head.timezone,
                        allowed_overtime_min=head.allowed_overtime_min, meta=head.meta,
                        cases=cases, **fields)


def append_case_change(conn: Connection, case_id: str, change: CaseChange) -> CaseChange | None:
    """Append one decision to a case's stored history in ``conn``'s transaction (the plan and
    the event log record theirs here, so every change reaches ``Case.history`` and the KPIs).
    A referral without a case yet gets one; an id that is no referral (an emergency) has no
    case history and nothing is recorded (None). The change is recorded no earlier than the case's
    last one, so the history stays in time order even when clocks of processes differ."""
    if conn.execute(select(EntityRow.id).where(EntityRow.kind == "referral",
                                               EntityRow.id == case_id)).first() is None:
        return None
    last = conn.execute(select(func.max(CaseChangeRow.at))
                        .where(CaseChangeRow.case_id == case_id)).scalar_one_or_none()
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    if last is not None and change.at < last:
        change = replace(change, at=last)
    if conn.execute(select(CaseRow.referral_id).where(CaseRow.referral_id == case_id)).first() \
            is None:
        position = conn.execute(select(func.max(CaseRow.position))).scalar_one_or_none()
        conn.execute(insert(CaseRow), [{"referral_id": case_id,
                                        "position": 0 if position is None else position + 1}])
    conn.execute(insert(CaseChangeRow), [_change_row(case_id, change)])
    return change


def _change_row(case_id: str, change: CaseChange) -> dict[str, Any]:
    return {"case_id": case_id, "at": change.at, "kind": change.kind.value,
            "new_date": change.new_date, "old_date": change.old_date,
            "reason": change.reason.value if change.reason else None, "by": change.by,
            "note": change.note}


def _histories(conn: Connection) -> dict[str, list[CaseChange]]:
    """Every stored case's changes, in the order they were recorded."""
    out: dict[str, list[CaseChange]] = defaultdict(list)
    for r in conn.execute(select(CaseChangeRow).order_by(CaseChangeRow.seq)):
        out[r.case_id].append(_change_of(r))
    return dict(out)


def case_history(conn: Connection, case_id: str) -> list[CaseChange]:
    """One case's stored changes, in the order they were recorded."""
    return [_change_of(r) for r in conn.execute(
        select(CaseChangeRow).where(CaseChangeRow.case_id == case_id).order_by(CaseChangeRow.seq))]


def _change_of(r: Any) -> CaseChange:
    return CaseChange(at=r.at, kind=ChangeKind(r.kind), new_date=r.new_date, old_date=r.old_date,
                      reason=CancellationReason(r.reason) if r.reason else None, by=r.by,
                      note=r.note)
