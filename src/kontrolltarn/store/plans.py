"""The day's program as stored rows, changed only with optimistic versioning.

Two coordinators who edit the same case both send the version they saw; the database accepts the
first and refuses the second (``VersionConflict``), so no update is lost silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from kontrolltarn.model import (
    CancellationReason,
    CaseChange,
    ChangeKind,
    PlannedCase,
    ProgramEntry,
)

from .audit import Actor, AuditLog, Note
from .hospital import append_case_change, case_history
from .notify import Notifier
from .tables import CaseChangeRow, CasePlanRow, EventRow, PlanChangeRow

EDITABLE = ("session_id", "room_id", "start_min", "planned_min", "surgeon_id", "position", "status")
#: ``unscheduled``: taken off the program (a newer published version left it out)
STATUSES = ("planned", "cancelled", "done", "unscheduled")


class VersionConflict(Exception):
    def __init__(self, case_id: str, expected: int, actual: int | None) -> None:
        super().__init__(f"case {case_id}: version {expected} is stale (now {actual})")
        self.case_id, self.expected, self.actual = case_id, expected, actual


class UnknownCase(KeyError):
    pass


@dataclass(frozen=True)
class CaseEdit:
    """One case's change, made on the ``version`` its author saw."""

    case_id: str
    version: int
    changes: dict[str, Any]
    reason: CancellationReason | None = None


def _still_at(conn: Connection, case_id: str, version: int) -> None:
    """The version check's verdict: ``VersionConflict`` unless the case is at ``version``."""
    current = conn.execute(select(CasePlanRow.version)
                           .where(CasePlanRow.case_id == case_id)).scalar_one_or_none()
    if current != version:
        raise VersionConflict(case_id, version, current)


class NotPlanned(Exception):
    """The case has no date to tell (cancelled, done or taken off the program)."""

    def __init__(self, case_id: str, status: str) -> None:
        super().__init__(f"case {case_id} is {status}: it has no planned date to tell")
        self.case_id, self.status = case_id, status


#: the changes that give or take a case's date (the last of them is the date the patient has)
_DATE_KINDS = (ChangeKind.SCHEDULED, ChangeKind.RESCHEDULED, ChangeKind.TOLD,
               ChangeKind.UNSCHEDULED, ChangeKind.CANCELLED)


def plan_fields(plan: PlannedCase) -> dict[str, Any]:
    """The stored, editable fields of a planned case (as the API and the plan history show
    them: the entry's order is its ``position``)."""
    return {name: getattr(plan, name) for name in EDITABLE}


@dataclass(frozen=True)
class PlanChange:
    """The row-level audit detail of one plan change (session, room, start, order, surgeon
    before and after, and the suggestion it carried out). The case's history of decisions is
    ``model.CaseChange`` (in ``case_changes``), appended with it; the KPIs read only that."""

    case_id: str
    at: datetime
    by: str
    why: str
    before: dict[str, Any]
    after: dict[str, Any]
    suggestion_id: str | None


class Plans:
    def __init__(self, engine: Engine, notifier: Notifier | None = None,
                 audit: AuditLog | None = None) -> None:
        self.engine = engine
        self.notifier = notifier or Notifier()
        self.audit = audit or AuditLog(engine)

    def day(self, day: date) -> list[PlannedCase]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(CasePlanRow).where(CasePlanRow.day == day)
                                .order_by(CasePlanRow.room_id, CasePlanRow.start_min)).all()
        return [_plan(r) for r in rows]

    def between(self, first: date, last: date) -> list[PlannedCase]:
        """The live plan of the days ``first``..``last``, by day, room and start."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(CasePlanRow).where(CasePlanRow.day.between(first, last))
                                .order_by(CasePlanRow.day, CasePlanRow.room_id,
                                          CasePlanRow.start_min)).all()
        return [_plan(r) for r in rows]

    def fixed_outside(self, first: date, last: date) -> set[str]:
        """Cases a planner of the days ``first``..``last`` must leave out: planned or done on
        another day, or under way (a milestone event is stored for them)."""
        with self.engine.connect() as conn:
            elsewhere = set(conn.execute(select(CasePlanRow.case_id).where(
                CasePlanRow.status.in_(("planned", "done")),
                ~CasePlanRow.day.between(first, last))).scalars())
            under_way = set(conn.execute(select(EventRow.case_id)
                                         .where(EventRow.case_id.is_not(None))
                                         .distinct()).scalars())
        return elsewhere | {str(c) for c in under_way}

    def told(self, case_ids: Sequence[str] | None = None) -> set[str]:
        """The cases (of ``case_ids``, or all) whose patient has been told a date."""
        query = select(CaseChangeRow.case_id).where(CaseChangeRow.kind == ChangeKind.TOLD.value)
        if case_ids is not None:
            query = query.where(CaseChangeRow.case_id.in_(list(case_ids)))
        with self.engine.connect() as conn:
            return {str(c) for c in conn.execute(query.distinct()).scalars()}

    def get(self, case_id: str) -> PlannedCase:
        with self.engine.connect() as conn:
            row = conn.execute(select(CasePlanRow).where(CasePlanRow.case_id == case_id)).first()
        if row is None:
            raise UnknownCase(case_id)
        return _plan(row)

    def change(self, case_id: str, expected_version: int, changes: dict[str, Any], *, by: Actor,
               why: str = "", suggestion_id: str | None = None,
               reason: CancellationReason | None = None) -> PlannedCase:
        """Apply ``changes`` if the case is still at ``expected_version``; one atomic UPDATE with
        the version in its WHERE clause, so a concurrent edit can never be overwritten."""
        return self.change_many([CaseEdit(case_id, expected_version, changes, reason)], by=by,
                                why=why, suggestion_id=suggestion_id)[0]

    def change_many(self, edits: list[CaseEdit], *, by: Actor, why: str = "",
                    suggestion_id: str | None = None,
                    unchanged: dict[str, int] | None = None,
                    notes: Sequence[Note] = ()) -> list[PlannedCase]:
        """Apply several cases' changes in one transaction, each guarded by its version
        (``change``), and check that the cases of ``unchanged`` (case → version) are still at
        theirs: one stale case is a ``VersionConflict`` and nothing is changed (an accepted
        suggestion applies whole or not at all). Each change is audited ("case.change") in
        the same transaction, with ``notes`` (the decision that made them)."""
        for edit in edits:
            bad = set(edit.changes) - set(EDITABLE)
            if bad:
                raise ValueError(f"field {sorted(bad)[0]!r} cannot be changed")
            status = edit.changes.get("status", "planned")
            if status not in STATUSES:
                raise ValueError(f"status={status!r}: must be one of {STATUSES}")
        with self.engine.begin() as conn:
            changed = {e.case_id for e in edits}
            for case_id, version in (unchanged or {}).items():
                if case_id not in changed:
                    _still_at(conn, case_id, version)
            after = [self._change(conn, e.case_id, e.version, e.changes, by=by.name, why=why,
                                  suggestion_id=suggestion_id, reason=e.reason) for e in edits]
            for edit, plan in zip(edits, after, strict=True):
                self.audit.note(by, Note("case.change", "case", edit.case_id, detail={
                    "changes": edit.changes, "version": plan.version,
                    "suggestion": suggestion_id}), conn)
            for note in notes:
                self.audit.note(by, note, conn)
            if after:
                self.notifier.announce(conn, "plans", cases=[p.case_id for p in after])
        return after

    def tell(self, case_id: str, *, by: Actor, why: str = "") -> CaseChange | None:
        """Record that the patient was told the date the case is planned on (``TOLD`` in its
        history), from when every later change of that date counts as a change after the
        patient was told. Telling the same date again records nothing (None); a case that is
        not planned cannot be told a date (``NotPlanned``). Audited ("case.told") with it."""
        with self.engine.begin() as conn:
            row = conn.execute(select(CasePlanRow).where(CasePlanRow.case_id == case_id)).first()
            if row is None:
                raise UnknownCase(case_id)
            plan = _plan(row)
            if plan.status != "planned":
                raise NotPlanned(case_id, plan.status)
            dated = [c for c in case_history(conn, case_id) if c.kind in _DATE_KINDS]
            if dated and dated[-1].kind is ChangeKind.TOLD and dated[-1].new_date == plan.day:
                return None
            told = append_case_change(conn, case_id, CaseChange(
                at=datetime.now(UTC), kind=ChangeKind.TOLD, new_date=plan.day, by=by.name,
                note=why))
            if told is not None:
                self.audit.record(by.name, by.role, "case.told", "case", case_id,
                                  patient_data=True, conn=conn,
                                  detail={"date": plan.day.isoformat(), "why": why})
            return told

    def _change(self, conn: Connection, case_id: str, expected_version: int,
                changes: dict[str, Any], *, by: str, why: str,
                suggestion_id: str | None = None,
                reason: CancellationReason | None = None) -> PlannedCase:
        """The one versioned change path: UPDATE guarded by the version, its audit row and
        the case's history (``record_case_change``)."""
        now = datetime.now(UTC)
        before_row = conn.execute(select(CasePlanRow)
                                  .where(CasePlanRow.case_id == case_id)).first()
        if before_row is None:
            raise UnknownCase(case_id)
        before = _plan(before_row)
        result = conn.execute(
            update(CasePlanRow)
            .where(CasePlanRow.case_id == case_id, CasePlanRow.version == expected_version)
            .values(**changes, version=CasePlanRow.version + 1, updated_at=now, updated_by=by))
        if result.rowcount != 1:
            _still_at(conn, case_id, expected_version)
        after = _plan(conn.execute(select(CasePlanRow).where(CasePlanRow.case_id == case_id))
                      .one())
        old, new = plan_fields(before), plan_fields(after)
        if before.day != after.day:  # a move to another day says so in the history
            old["day"], new["day"] = before.day.isoformat(), after.day.isoformat()
        conn.execute(insert(PlanChangeRow), [dict(
            case_id=case_id, at=now, by=by, why=why, before=old, after=new,
            suggestion_id=suggestion_id)])
        record_case_change(conn, before, after, at=now, by=by, why=why, reason=reason)
        return after

    def apply_program(self, conn: Connection, entries: list[ProgramEntry], *, first: date,
                      last: date, rooms: set[str] | None, keep: set[str], by: str,
                      why: str) -> list[str]:
        """Make the live plan of the days ``first``..``last`` (in ``rooms``, all if None) what
        ``entries`` say, in ``conn``'s transaction: new cases are added, moved ones changed and
        cases left out are unscheduled, each through the versioned change path with its history
        row. Cases in ``keep`` (already under way) and cases cancelled or done stay as they are.
        Returns the ids of the cases whose plan changed."""
        now = datetime.now(UTC)
        wanted = {e.case_id: e for e in entries}
        rows = conn.execute(select(CasePlanRow).where(
            (CasePlanRow.day.between(first, last)) | CasePlanRow.case_id.in_(list(wanted)))).all()
        current = {r.case_id: _plan(r) for r in rows}
        touched: list[str] = []
        for case_id, entry in wanted.items():
            plan = current.get(case_id)
            target = {"session_id": entry.session_id, "room_id": entry.room_id,
                      "start_min": entry.start_min, "planned_min": entry.planned_min,
                      "surgeon_id": entry.surgeon_id, "position": entry.order,
                      "status": "planned"}
            if plan is None:
                conn.execute(insert(CasePlanRow), [dict(
                    case_id=case_id, day=entry.date, **target, version=1, updated_at=now,
                    updated_by=by)])
                conn.execute(insert(PlanChangeRow), [dict(
                    case_id=case_id, at=now, by=by, why=why, before={}, after=target,
                    suggestion_id=None)])
                record_case_change(conn, None, _plan(conn.execute(select(CasePlanRow).where(
                    CasePlanRow.case_id == case_id)).one()), at=now, by=by, why=why)
                touched.append(case_id)
                continue
            if case_id in keep or plan.status in ("cancelled", "done"):
                continue
            changes = {k: v for k, v in target.items() if plan_fields(plan)[k] != v}
            if plan.day != entry.date:
                changes["day"] = entry.date
            if changes:
                self._change(conn, case_id, plan.version, changes, by=by, why=why)
                touched.append(case_id)
        for case_id, plan in current.items():
            if case_id in wanted or case_id in keep or plan.status != "planned" \
                    or not first <= plan.day <= last \
                    or (rooms is not None and plan.room_id not in rooms):
                continue
            self._change(conn, case_id, plan.version, {"status": "unscheduled"}, by=by, why=why)
            touched.append(case_id)
        for day in sorted({e.date for e in entries} | {current[c].day for c in touched
                                                       if c in current}):
            self.notifier.announce(conn, "plans", day=day.isoformat())
        return touched

    def history(self, case_id: str) -> list[PlanChange]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(PlanChangeRow).where(PlanChangeRow.case_id == case_id)
                                .order_by(PlanChangeRow.seq)).all()
        return [PlanChange(r.case_id, r.at, r.by, r.why, r.before, r.after, r.suggestion_id)
                for r in rows]


def record_case_change(conn: Connection, before: PlannedCase | None, after: PlannedCase, *,
                       at: datetime, by: str, why: str,
                       reason: CancellationReason | None = None) -> CaseChange | None:
    """Append to the case's history (``model.CaseChange``) what a change of its plan means:
    put on a day (SCHEDULED), moved or retimed (RESCHEDULED), taken off (UNSCHEDULED),
    cancelled (CANCELLED, ``reason`` or OTHER) or done (DONE). Every path that changes a plan
    row calls this in the same transaction."""
    kind: ChangeKind | None
    old = None if before is None or before.status not in ("planned", "done") else before.day
    if after.status == "cancelled":
        kind = None if before is not None and before.status == "cancelled" else ChangeKind.CANCELLED
        reason = reason or CancellationReason.OTHER
    elif after.status == "done":
        kind = None if before is not None and before.status == "done" else ChangeKind.DONE
    elif after.status == "unscheduled":
        kind = None if before is not None and before.status == "unscheduled" \
            else ChangeKind.UNSCHEDULED
    elif before is None or before.status != "planned":
        kind = ChangeKind.SCHEDULED
    elif plan_fields(before) == plan_fields(after) and before.day == after.day:
        kind = None
    else:
        kind = ChangeKind.RESCHEDULED
    if kind is None:
        return None
    on_day = kind in (ChangeKind.SCHEDULED, ChangeKind.RESCHEDULED, ChangeKind.DONE)
    change = CaseChange(at=at, kind=kind, new_date=after.day if on_day else None, old_date=old,
                        reason=reason if kind is ChangeKind.CANCELLED else None, by=by,
                        note=why)
    return append_case_change(conn, after.case_id, change)


def _plan(row: Any) -> PlannedCase:
    return PlannedCase(ProgramEntry(row.case_id, row.session_id, row.room_id, row.day,
                                    row.start_min, row.planned_min, row.surgeon_id, row.position),
                       row.status, row.version)
