"""The hospital: one validated, immutable instance that planners, simulator and service share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, TypeVar

from .cases import Case
from .emergencies import EmergencyRequest
from .errors import ModelError, require
from .patients import Patient, Referral
from .resources import EquipmentType, Location, Procedure, Room, Specialty, Staff, StaffRole
from .sessions import Session

T = TypeVar("T")

TIMEZONE = "Europe/Oslo"


def _index(items: Iterable[T], key: str, kind: str) -> dict[str, T]:
    index: dict[str, T] = {}
    for item in items:
        ident = getattr(item, key)
        if ident in index:
            raise ModelError(f"{kind}.{key}", ident, "duplicate id")
        index[ident] = item
    return index


@dataclass(frozen=True)
class Hospital:
    """Everything a planner needs to know, as of ``today``. Construction checks that ids are
    unique and every reference resolves; a broken reference names the field and the value."""

    name: str
    today: date
    locations: tuple[Location, ...]
    specialties: tuple[Specialty, ...]
    equipment: tuple[EquipmentType, ...]
    rooms: tuple[Room, ...]
    staff: tuple[Staff, ...]
    procedures: tuple[Procedure, ...]
    patients: tuple[Patient, ...] = ()
    referrals: tuple[Referral, ...] = ()
    sessions: tuple[Session, ...] = ()
    emergencies: tuple[EmergencyRequest, ...] = ()
    cases: tuple[Case, ...] = ()
    timezone: str = TIMEZONE
    allowed_overtime_min: int = 60
    #: free-form parameters a generator or importer wants to keep (documented where set)
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require(isinstance(self.allowed_overtime_min, int) and self.allowed_overtime_min >= 0,
                "hospital.allowed_overtime_min", self.allowed_overtime_min, "must be >= 0 minutes")
        locs, specs, equip = self.location_by_id, self.specialty_by_id, self.equipment_by_id
        rooms, staff, procs = self.room_by_id, self.staff_by_id, self.procedure_by_id
        patients = self.patient_by_id
        _ = self.referral_by_id, self.session_by_id, self.emergency_by_id
        for eq in self.equipment:
            for loc in eq.count_per_location:
                _ref(loc in locs, f"equipment[{eq.id}].count_per_location", loc, "location")
        for room in self.rooms:
            _ref(room.location_id in locs, f"room[{room.id}].location_id", room.location_id, "location")
            for s in room.specialties:
                _ref(s in specs, f"room[{room.id}].specialties", s, "specialty")
            for e in room.equipment:
                _ref(e in equip, f"room[{room.id}].equipment", e, "equipment")
        for person in self.staff:
            if person.specialty_id is not None:
                _ref(person.specialty_id in specs, f"staff[{person.id}].specialty_id",
                     person.specialty_id, "specialty")
            for loc in person.location_ids:
                _ref(loc in locs, f"staff[{person.id}].location_ids", loc, "location")
        for proc in self.procedures:
            _ref(proc.specialty_id in specs, f"procedure[{proc.code}].specialty_id",
                 proc.specialty_id, "specialty")
            for e in proc.equipment:
                _ref(e in equip, f"procedure[{proc.code}].equipment", e, "equipment")
        for ref in self.referrals:
            _ref(ref.patient_id in patients, f"referral[{ref.id}].patient_id", ref.patient_id, "patient")
            _ref(ref.procedure_code in procs, f"referral[{ref.id}].procedure_code",
                 ref.procedure_code, "procedure")
            _ref(ref.specialty_id in specs, f"referral[{ref.id}].specialty_id", ref.specialty_id,
                 "specialty")
            if ref.surgeon_id is not None:
                _ref(ref.surgeon_id in staff and staff[ref.surgeon_id].role is StaffRole.SURGEON,
                     f"referral[{ref.id}].surgeon_id", ref.surgeon_id, "surgeon")
        for session in self.sessions:
            _ref(session.room_id in rooms, f"session[{session.id}].room_id", session.room_id, "room")
            if session.specialty_id is not None:
                _ref(session.specialty_id in specs, f"session[{session.id}].specialty_id",
                     session.specialty_id, "specialty")
        for em in self.emergencies:
            _ref(em.patient_id in patients, f"emergency[{em.id}].patient_id", em.patient_id, "patient")
            _ref(em.procedure_code in procs, f"emergency[{em.id}].procedure_code",
                 em.procedure_code, "procedure")
            _ref(em.location_id in locs, f"emergency[{em.id}].location_id", em.location_id,
                 "location")
        referrals = self.referral_by_id
        for case in self.cases:
            _ref(case.referral_id in referrals, "case.referral_id", case.referral_id, "referral")

    # Lookups, built once: the instance never changes.
    @cached_property
    def location_by_id(self) -> dict[str, Location]:
        return _index(self.locations, "id", "location")

    @cached_property
    def specialty_by_id(self) -> dict[str, Specialty]:
        return _index(self.specialties, "id", "specialty")

    @cached_property
    def equipment_by_id(self) -> dict[str, EquipmentType]:
        return _index(self.equipment, "id", "equipment")

    @cached_property
    def room_by_id(self) -> dict[str, Room]:
        return _index(self.rooms, "id", "room")

    @cached_property
    def staff_by_id(self) -> dict[str, Staff]:
        return _index(self.staff, "id", "staff")

    @cached_property
    def procedure_by_id(self) -> dict[str, Procedure]:
        return _index(self.procedures, "code", "procedure")

    @cached_property
    def patient_by_id(self) -> dict[str, Patient]:
        return _index(self.patients, "id", "patient")

    @cached_property
    def referral_by_id(self) -> dict[str, Referral]:
        return _index(self.referrals, "id", "referral")

    @cached_property
    def session_by_id(self) -> dict[str, Session]:
        return _index(self.sessions, "id", "session")

    @cached_property
    def emergency_by_id(self) -> dict[str, EmergencyRequest]:
        return _index(self.emergencies, "id", "emergency")

    @cached_property
    def case_by_id(self) -> dict[str, Case]:
        return _index(self.cases, "referral_id", "case")

    @cached_property
    def _surgeons_by_specialty(self) -> dict[str | None, tuple[Staff, ...]]:
        grouped: dict[str | None, list[Staff]] = {None: []}
        for s in self.staff:
            if s.role is StaffRole.SURGEON:
                grouped[None].append(s)
                grouped.setdefault(s.specialty_id, []).append(s)
        return {k: tuple(v) for k, v in grouped.items()}

    def surgeons(self, specialty_id: str | None = None) -> list[Staff]:
        """Surgeons of a specialty (all surgeons for None), in staff order; looked up, not scanned."""
        return list(self._surgeons_by_specialty.get(specialty_id, ()))

    def sessions_between(self, first: date, last: date) -> list[Session]:
        """Sessions with ``first <= date <= last``, by date, then room."""
        return sorted((s for s in self.sessions if first <= s.date <= last),
                      key=lambda s: (s.date, s.room_id, s.start_min))

    def can_operate(self, surgeon: Staff, procedure: Procedure) -> bool:
        """A surgeon of the procedure's specialty with its competence, if it names one."""
        if surgeon.role is not StaffRole.SURGEON or surgeon.specialty_id != procedure.specialty_id:
            return False
        return procedure.competence is None or procedure.competence in surgeon.competences

    def room_takes(self, room: Room, procedure: Procedure) -> bool:
        """The room is eligible for the specialty and has, or can borrow, its equipment."""
        if procedure.specialty_id not in room.specialties:
            return False
        for equipment_id in procedure.equipment:
            if equipment_id in room.equipment:
                continue
            eq = self.equipment_by_id[equipment_id]
            if not eq.mobile or eq.count_per_location.get(room.location_id, 0) == 0:
                return False
        return True

    def replace(self, **changes: Any) -> Hospital:
        """A new validated hospital with some fields changed."""
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        fields.update(changes)
        return Hospital(**fields)


def _ref(ok: bool, field_name: str, value: object, kind: str) -> None:
    if not ok:
        raise ModelError(field_name, value, f"unknown {kind}")
