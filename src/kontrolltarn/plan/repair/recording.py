"""Each repair decision written into its case's history (who: the repair, why: the event)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from kontrolltarn.model import CancellationReason, Case, CaseChange, ChangeKind, Hospital

from .events import Event, LateCancellation
from .result import Change


def record(hospital: Hospital, changes: list[Change], now: datetime, event: Event) -> Hospital:
    """Each decision appended to its case's history (who: the repair, why: the event)."""
    cases = dict(hospital.case_by_id)
    why = type(event).__name__
    for ch in changes:
        if ch.case_id not in hospital.referral_by_id:
            continue
        case = cases.get(ch.case_id, Case(ch.case_id))
        old_date = ch.old.date if ch.old else None
        if ch.kind == "cancelled":
            reason = event.reason if isinstance(event, LateCancellation) else CancellationReason.OTHER
            change = CaseChange(now, ChangeKind.CANCELLED, None, old_date, reason, "repair", why)
        elif ch.kind == "unscheduled":
            change = CaseChange(now, ChangeKind.UNSCHEDULED, None, old_date, by="repair", note=why)
        elif ch.kind == "added":
            change = CaseChange(now, ChangeKind.SCHEDULED, ch.new.date if ch.new else None,
                                by="repair", note=why)
        elif ch.kind in ("moved", "date_changed", "retimed", "surgeon"):
            change = CaseChange(now, ChangeKind.RESCHEDULED, ch.new.date if ch.new else None,
                                old_date, by="repair", note=f"{why}: {ch.kind}")
        else:
            continue
        if case.history and change.at < case.history[-1].at:
            change = replace(change, at=case.history[-1].at)
        cases[ch.case_id] = case.record(change)
    return hospital.replace(cases=tuple(cases.values()))
