"""Past operations: what a hospital's records hold, and what duration models learn from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .cases import CancellationReason
from .emergencies import Urgency
from .errors import require, require_id, require_minutes


@dataclass(frozen=True, slots=True)
class PastOperation:
    """One operation that took place. ``booked_min`` was the estimate, ``actual_min`` the
    in-room minutes it took. ``order`` is the position in the room's day (1 = first)."""

    id: str
    date: date
    location_id: str
    room_id: str
    specialty_id: str
    procedure_code: str
    surgeon_id: str
    patient_age: int
    patient_sex: str
    asa: int
    bmi: float
    booked_min: int
    actual_min: int
    start_min: int
    order: int
    emergency: bool = False
    urgency: Urgency | None = None

    def __post_init__(self) -> None:
        require_id(self.id, "operation.id")
        require_minutes(self.booked_min, f"operation[{self.id}].booked_min", allow_zero=False)
        require_minutes(self.actual_min, f"operation[{self.id}].actual_min", allow_zero=False)
        require_minutes(self.start_min, f"operation[{self.id}].start_min")
        require(0 <= self.patient_age <= 120, f"operation[{self.id}].patient_age", self.patient_age,
                "must be 0..120")


@dataclass(frozen=True, slots=True)
class PastBooking:
    """One elective case that was put on a day's program in the past, and whether it was
    cancelled late (after 16:00 the day before, same-day included) and why.

    The features are what was known when the program was fixed; a cancellation-risk model
    learns from these.
    """

    id: str
    date: date
    location_id: str
    specialty_id: str
    procedure_code: str
    patient_age: int
    asa: int
    bmi: float
    lead_time_days: int  # from telling the patient to the operation date
    order: int  # position in the room's day
    earlier_changes: int  # date changes before this one
    readiness_gaps: int  # readiness items still open when the program was fixed
    bed_occupancy: float  # share of the location's post-operative beds already booked that day
    booked_min: int
    note: str
    cancelled_late: bool
    reason: CancellationReason | None = None

    def __post_init__(self) -> None:
        require_id(self.id, "booking.id")
        require(self.lead_time_days >= 0, f"booking[{self.id}].lead_time_days", self.lead_time_days,
                "must be >= 0")
        require(not self.cancelled_late or self.reason is not None, f"booking[{self.id}].reason",
                self.reason, "a late cancellation needs a reason")
