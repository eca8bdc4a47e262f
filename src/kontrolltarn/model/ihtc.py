"""Data types of the IHTC-2024 problem (Integrated Healthcare Timetabling).

Everything is indexed by position (patient 0..P-1, room 0..R-1, ...) so that the evaluator
and the solvers work on integers; the string ids are kept for reading and writing files.
A "shift" is the global index ``day * shifts_per_day + shift_of_day``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Order and labels follow the official validator's printout.
HARD_LABELS: tuple[str, ...] = (
    "RoomGenderMix",
    "PatientRoomCompatibility",
    "SurgeonOvertime",
    "OperatingTheaterOvertime",
    "MandatoryUnscheduledPatients",
    "AdmissionDay",
    "RoomCapacity",
    "NursePresence",
    "UncoveredRoom",
)
SOFT_LABELS: tuple[str, ...] = (
    "RoomAgeMix",
    "RoomSkillLevel",
    "ContinuityOfCare",
    "ExcessiveNurseWorkload",
    "OpenOperatingTheater",
    "SurgeonTransfer",
    "PatientDelay",
    "ElectiveUnscheduledPatients",
)
# JSON weight field of each soft component, in SOFT_LABELS order ("eccessive" sic).
WEIGHT_FIELDS: tuple[str, ...] = (
    "room_mixed_age",
    "room_nurse_skill",
    "continuity_of_care",
    "nurse_eccessive_workload",
    "open_operating_theater",
    "surgeon_transfer",
    "patient_delay",
    "unscheduled_optional",
)


@dataclass(frozen=True)
class Occupant:
    """A person already in a room on day 0; stays ``length_of_stay`` days from day 0."""

    id: str
    gender: str  # "A" or "B"
    age_group: int
    length_of_stay: int
    workload: tuple[int, ...]  # per shift of the stay (relative to day 0)
    skill_required: tuple[int, ...]
    room: int


@dataclass(frozen=True)
class Patient:
    id: str
    mandatory: bool
    gender: str
    age_group: int
    length_of_stay: int
    release_day: int
    due_day: int | None  # None for optional patients
    surgery_duration: int
    surgeon: int
    incompatible_rooms: frozenset[int]
    workload: tuple[int, ...]  # per shift of the stay (relative to the admission)
    skill_required: tuple[int, ...]


@dataclass(frozen=True)
class Surgeon:
    id: str
    max_surgery_time: tuple[int, ...]  # per day


@dataclass(frozen=True)
class Theater:
    id: str
    availability: tuple[int, ...]  # per day


@dataclass(frozen=True)
class Room:
    id: str
    capacity: int


@dataclass(frozen=True)
class Nurse:
    id: str
    skill_level: int
    max_load: dict[int, int]  # global shift -> max load, only for the shifts of her roster

    def works(self, shift: int) -> bool:
        return shift in self.max_load


@dataclass(frozen=True)
class Instance:
    days: int
    skill_levels: int
    shift_types: tuple[str, ...]
    age_groups: tuple[str, ...]
    occupants: tuple[Occupant, ...]
    patients: tuple[Patient, ...]
    surgeons: tuple[Surgeon, ...]
    theaters: tuple[Theater, ...]
    rooms: tuple[Room, ...]
    nurses: tuple[Nurse, ...]
    weights: tuple[int, ...]  # in SOFT_LABELS order
    name: str = ""

    @property
    def shifts_per_day(self) -> int:
        return len(self.shift_types)

    @property
    def shifts(self) -> int:
        return self.days * len(self.shift_types)

    def last_possible_day(self, p: int) -> int:
        """Latest admission day allowed: the due day (mandatory) or the horizon end (optional)."""
        patient = self.patients[p]
        return patient.due_day if patient.due_day is not None else self.days - 1


@dataclass
class Admission:
    """Decisions for one admitted patient (indices into the instance)."""

    day: int
    room: int
    theater: int


@dataclass
class Solution:
    """One admission (or None = postponed) per patient, and the nurse-to-room assignments.

    ``nurse_rooms`` keeps the file order of (nurse, global shift, room) triples because the
    official validator lets a later assignment of the same room and shift override an earlier one.
    """

    admissions: list[Admission | None]
    nurse_rooms: list[tuple[int, int, int]] = field(default_factory=list)
