"""Cases: a referral on its way to surgery, with a history of every change to its plan.

The history is what makes "changes after the patient was told a date" countable: a case is
immutable and each decision appends a ``CaseChange``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from .errors import require, require_id


class CaseStatus(StrEnum):
    WAITING = "waiting"  # on the waiting list, no date
    SCHEDULED = "scheduled"  # in a program, patient not yet told
    DATED = "dated"  # patient told the date
    DONE = "done"
    CANCELLED = "cancelled"  # struck from a day's program; usually back to the waiting list
    REMOVED = "removed"  # left the waiting list without surgery here


class CancellationReason(StrEnum):
    PATIENT = "patient"  # patient ill, did not come, declined
    CAPACITY = "capacity"  # overrun, the day ran out of time
    EMERGENCY = "emergency"  # displaced by emergency surgery
    NO_BED = "no_bed"
    STAFF = "staff"
    MEDICAL = "medical"
    OTHER = "other"


class ChangeKind(StrEnum):
    SCHEDULED = "scheduled"  # given a date (not yet told)
    TOLD = "told"  # the patient was told the date
    RESCHEDULED = "rescheduled"  # date, room or order changed
    UNSCHEDULED = "unscheduled"  # taken off the program, back to waiting
    CANCELLED = "cancelled"
    DONE = "done"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class CaseChange:
    """One recorded decision about a case: who, when, why, and the date before and after."""

    at: datetime
    kind: ChangeKind
    new_date: date | None = None
    old_date: date | None = None
    reason: CancellationReason | None = None
    by: str = "system"
    note: str = ""

    def __post_init__(self) -> None:
        require(self.at.tzinfo is not None, "case_change.at", self.at, "must be timezone-aware")
        require(self.kind is not ChangeKind.CANCELLED or self.reason is not None,
                "case_change.reason", self.reason, "a cancellation needs a reason")


_STATUS_AFTER = {
    ChangeKind.SCHEDULED: CaseStatus.SCHEDULED,
    ChangeKind.TOLD: CaseStatus.DATED,
    ChangeKind.UNSCHEDULED: CaseStatus.WAITING,
    ChangeKind.CANCELLED: CaseStatus.CANCELLED,
    ChangeKind.DONE: CaseStatus.DONE,
    ChangeKind.REMOVED: CaseStatus.REMOVED,
}


@dataclass(frozen=True, slots=True)
class Case:
    """A referral's path to surgery. Status and planned date follow from the history."""

    referral_id: str
    history: tuple[CaseChange, ...] = ()

    def __post_init__(self) -> None:
        require_id(self.referral_id, "case.referral_id")
        for earlier, later in zip(self.history, self.history[1:], strict=False):
            require(later.at >= earlier.at, f"case[{self.referral_id}].history", later.at,
                    f"changes must be in time order (after {earlier.at})")

    @property
    def status(self) -> CaseStatus:
        status = CaseStatus.WAITING
        for change in self.history:
            if change.kind is ChangeKind.RESCHEDULED:
                continue  # keeps scheduled/dated
            status = _STATUS_AFTER[change.kind]
        return status

    @property
    def planned_date(self) -> date | None:
        planned: date | None = None
        for change in self.history:
            if change.kind in (ChangeKind.SCHEDULED, ChangeKind.RESCHEDULED, ChangeKind.TOLD):
                planned = change.new_date or planned
            elif change.kind in (ChangeKind.UNSCHEDULED, ChangeKind.CANCELLED, ChangeKind.REMOVED):
                planned = None
        return planned

    @property
    def told_at(self) -> datetime | None:
        return next((c.at for c in self.history if c.kind is ChangeKind.TOLD), None)

    def record(self, change: CaseChange) -> Case:
        """The case with one more decision appended (the case itself never changes)."""
        return replace(self, history=(*self.history, change))

    def changes_after_told(self) -> int:
        """Changes of the operation date after the patient was first told a date (DOMAIN.md)."""
        return len(self.date_changes_after_told())

    def date_changes_after_told(self) -> list[CaseChange]:
        """The changes ``changes_after_told`` counts, in order: a new date, or the date taken
        away (unscheduled, cancelled), after the patient was first told one."""
        told = False
        told_date: date | None = None
        counted: list[CaseChange] = []
        for change in self.history:
            if change.kind is ChangeKind.TOLD and not told:
                told, told_date = True, change.new_date
                continue
            if not told:
                continue
            if change.kind in (ChangeKind.RESCHEDULED, ChangeKind.SCHEDULED, ChangeKind.TOLD):
                if change.new_date is not None and change.new_date != told_date:
                    counted.append(change)
                    told_date = change.new_date
            elif change.kind in (ChangeKind.UNSCHEDULED, ChangeKind.CANCELLED):
                counted.append(change)
                told_date = None
        return counted
