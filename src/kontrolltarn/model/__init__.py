"""Pure domain types. Imports nothing of ours; every other package speaks these types."""

from .cases import CancellationReason, Case, CaseChange, CaseStatus, ChangeKind
from .durations import LogNormal
from .emergencies import EmergencyRequest, Urgency
from .errors import ModelError
from .events import CASE_MILESTONES, IN_ROOM_MILESTONES, Event, EventKind, out_of_order
from .history import PastBooking, PastOperation
from .hospital import TIMEZONE, Hospital
from .patients import Patient, Priority, ReadinessItem, Referral
from .program import PlannedCase, Program, ProgramEntry
from .resources import (
    BedType,
    EquipmentType,
    Location,
    Procedure,
    Room,
    Specialty,
    Staff,
    StaffRole,
)
from .sessions import MINUTES_PER_DAY, Session, clock
from .truth import Arrivals, ArrivalSource, TruthModel

__all__ = [
    "CASE_MILESTONES", "IN_ROOM_MILESTONES", "MINUTES_PER_DAY", "TIMEZONE",
    "ArrivalSource", "Arrivals", "BedType", "CancellationReason", "Case", "CaseChange", "CaseStatus",
    "ChangeKind",
    "EmergencyRequest", "EquipmentType", "Event", "EventKind", "Hospital", "Location", "LogNormal",
    "ModelError", "PastBooking", "PastOperation", "Patient", "PlannedCase", "Priority", "Procedure",
    "Program", "ProgramEntry",
    "ReadinessItem", "Referral", "Room", "Session", "Specialty", "Staff", "StaffRole", "TruthModel",
    "Urgency",
    "clock", "out_of_order",
]
