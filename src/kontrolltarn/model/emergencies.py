"""Emergency (ø-hjelp) requests with urgency categories and their time limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .errors import require, require_id


class Urgency(StrEnum):
    """Urgency category of an emergency request; each has a limit from request to in-room."""

    IMMEDIATE = "immediate"  # life-threatening, within 30 minutes
    WITHIN_6H = "within_6h"
    WITHIN_24H = "within_24h"
    WITHIN_72H = "within_72h"

    @property
    def limit_min(self) -> int:
        return _LIMITS[self]


_LIMITS = {
    Urgency.IMMEDIATE: 30,
    Urgency.WITHIN_6H: 6 * 60,
    Urgency.WITHIN_24H: 24 * 60,
    Urgency.WITHIN_72H: 72 * 60,
}


@dataclass(frozen=True, slots=True)
class EmergencyRequest:
    """A request for emergency surgery at ``requested_at`` (timezone-aware)."""

    id: str
    patient_id: str
    procedure_code: str
    specialty_id: str
    location_id: str
    urgency: Urgency
    requested_at: datetime
    booked_min: int

    def __post_init__(self) -> None:
        require_id(self.id, "emergency.id")
        require(isinstance(self.urgency, Urgency), f"emergency[{self.id}].urgency", self.urgency,
                "unknown urgency category")
        require(self.requested_at.tzinfo is not None, f"emergency[{self.id}].requested_at",
                self.requested_at, "must be timezone-aware")
        require(isinstance(self.booked_min, int) and self.booked_min > 0,
                f"emergency[{self.id}].booked_min", self.booked_min, "must be positive minutes")

    def __hash__(self) -> int:
        return hash(self.id)
