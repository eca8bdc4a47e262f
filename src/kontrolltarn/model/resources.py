"""Locations, rooms, equipment, specialties, staff and procedures: the hospital's fixed resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from .durations import LogNormal
from .errors import require, require_id, require_minutes


class BedType(StrEnum):
    """Post-operative destination that a procedure needs."""

    NONE = "none"  # outpatient, home the same day without a bed
    DAY = "day"  # day-surgery unit
    WARD = "ward"
    ICU = "icu"


class StaffRole(StrEnum):
    SURGEON = "surgeon"
    ANAESTHETIST = "anaesthetist"
    OR_NURSE = "or_nurse"
    ANAESTHESIA_NURSE = "anaesthesia_nurse"


@dataclass(frozen=True, slots=True)
class Location:
    """A site of the hospital trust. ``post_op_beds`` counts new post-operative admissions per day."""

    id: str
    name: str
    post_op_beds: dict[BedType, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_id(self.id, "location.id")
        for bed_type, count in self.post_op_beds.items():
            require(isinstance(bed_type, BedType), "location.post_op_beds", bed_type, "unknown bed type")
            require(isinstance(count, int) and count >= 0, f"location.post_op_beds[{bed_type}]",
                    count, "must be a non-negative count")

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class EquipmentType:
    """Equipment a procedure may need. Fixed equipment is part of a room (a hybrid room, laminar
    air flow); mobile equipment (robot, C-arm, special sets) is counted per location and time."""

    id: str
    name: str
    mobile: bool
    count_per_location: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require_id(self.id, "equipment.id")
        for location_id, count in self.count_per_location.items():
            require(isinstance(count, int) and count >= 0,
                    f"equipment[{self.id}].count_per_location[{location_id}]", count,
                    "must be a non-negative count")
        require(self.mobile or not self.count_per_location, f"equipment[{self.id}].count_per_location",
                self.count_per_location, "only mobile equipment is counted per location")

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class Specialty:
    """A surgical specialty (fagområde). ``turnover_min`` is cleaning and preparation between cases."""

    id: str
    name: str
    turnover_min: int = 25

    def __post_init__(self) -> None:
        require_id(self.id, "specialty.id")
        require_minutes(self.turnover_min, f"specialty[{self.id}].turnover_min")

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class Room:
    """An operating room. ``specialties`` may operate there; ``equipment`` is fixed in it.
    An emergency room takes emergency (ø-hjelp) cases outside the elective program."""

    id: str
    location_id: str
    name: str
    specialties: frozenset[str]
    equipment: frozenset[str] = frozenset()
    emergency: bool = False

    def __post_init__(self) -> None:
        require_id(self.id, "room.id")
        require_id(self.location_id, f"room[{self.id}].location_id")
        require(len(self.specialties) > 0, f"room[{self.id}].specialties", self.specialties,
                "a room must take at least one specialty")

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class Staff:
    """A person who works in the operating department. ``hpr`` is the Norwegian health personnel
    register number (synthetic ones start with 'SYN'). Surgeons carry a specialty and may have
    competences (procedure codes or groups) beyond it; ``unavailable`` lists dates they cannot
    operate (leave, on call, outpatient clinic)."""

    id: str
    name: str
    role: StaffRole
    specialty_id: str | None = None
    competences: frozenset[str] = frozenset()
    location_ids: frozenset[str] = frozenset()
    unavailable: frozenset[date] = frozenset()
    hpr: str | None = None

    def __post_init__(self) -> None:
        require_id(self.id, "staff.id")
        require(isinstance(self.role, StaffRole), f"staff[{self.id}].role", self.role, "unknown role")
        require(self.role is not StaffRole.SURGEON or self.specialty_id is not None,
                f"staff[{self.id}].specialty_id", self.specialty_id, "a surgeon needs a specialty")

    def available_on(self, day: date) -> bool:
        return day not in self.unavailable

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class Procedure:
    """A procedure (NCSP-style code). ``duration`` is the in-room time (in-room to out-of-room)
    for a typical patient and surgeon; ``competence`` names what a surgeon must have beyond the
    specialty, if anything."""

    code: str
    name: str
    specialty_id: str
    duration: LogNormal
    equipment: frozenset[str] = frozenset()
    bed_type: BedType = BedType.WARD
    competence: str | None = None

    def __post_init__(self) -> None:
        require_id(self.code, "procedure.code")
        require_id(self.specialty_id, f"procedure[{self.code}].specialty_id")
        require(isinstance(self.duration, LogNormal), f"procedure[{self.code}].duration",
                self.duration, "must be a LogNormal distribution")
        require(isinstance(self.bed_type, BedType), f"procedure[{self.code}].bed_type", self.bed_type,
                "unknown bed type")

    def __hash__(self) -> int:
        return hash(self.code)
