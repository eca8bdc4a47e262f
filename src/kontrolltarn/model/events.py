"""Milestone events: the truth about execution, the same from a real day and a simulated one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .cases import CancellationReason
from .errors import require, require_id


class EventKind(StrEnum):
    CALLED = "called"  # porter sent for the patient
    ARRIVED = "arrived"  # patient at the operating department
    IN_ROOM = "in_room"
    ANAESTHESIA_START = "anaesthesia_start"
    INCISION = "incision"
    CLOSURE = "closure"
    OUT_OF_ROOM = "out_of_room"
    ROOM_READY = "room_ready"  # cleaned and prepared for the next case
    CANCELLED = "cancelled"
    EMERGENCY_REQUESTED = "emergency_requested"


#: Order of the in-room milestones of one case.
CASE_MILESTONES = (
    EventKind.CALLED,
    EventKind.ARRIVED,
    EventKind.IN_ROOM,
    EventKind.ANAESTHESIA_START,
    EventKind.INCISION,
    EventKind.CLOSURE,
    EventKind.OUT_OF_ROOM,
)


@dataclass(frozen=True, slots=True)
class Event:
    """One milestone. ``id`` makes events idempotent; ``at`` is timezone-aware."""

    id: str
    kind: EventKind
    at: datetime
    case_id: str | None = None
    room_id: str | None = None
    reason: CancellationReason | None = None
    source: str = "live"

    def __post_init__(self) -> None:
        require_id(self.id, "event.id")
        require(isinstance(self.kind, EventKind), f"event[{self.id}].kind", self.kind, "unknown kind")
        require(self.at.tzinfo is not None, f"event[{self.id}].at", self.at, "must be timezone-aware")
        require(self.kind is not EventKind.CANCELLED or self.reason is not None,
                f"event[{self.id}].reason", self.reason, "a cancellation needs a reason")
        require(self.kind is EventKind.ROOM_READY or self.kind is EventKind.EMERGENCY_REQUESTED
                or self.case_id is not None, f"event[{self.id}].case_id", self.case_id,
                f"a {self.kind} event needs a case")
