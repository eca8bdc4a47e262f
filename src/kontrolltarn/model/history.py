"""Past operations: what a hospital's records hold, and what duration models learn from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
