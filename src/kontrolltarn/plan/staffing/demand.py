"""From a session plan to staffing demand, and from the hospital's staff to roster people.

The staffing norm (people per room and shift, which competence a specialty needs) is the
department's choice, so it is a value object with defaults, not code.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from kontrolltarn.model import Hospital, ModelError, Session, StaffRole

from .roster import (
    DEFAULT_SHIFT_TYPES,
    DOCTOR_ROTA_WEEK_MIN,
    NURSE_ROTA_WEEK_MIN,
    Demand,
    Person,
    ShiftType,
)

ROSTER_ROLES = (StaffRole.ANAESTHETIST, StaffRole.ANAESTHESIA_NURSE, StaffRole.OR_NURSE)


def _default_per_room() -> dict[StaffRole, float]:
    # scrub and circulating nurse, one anaesthesia nurse, one anaesthetist for two rooms
    return {StaffRole.OR_NURSE: 2.0, StaffRole.ANAESTHESIA_NURSE: 1.0, StaffRole.ANAESTHETIST: 0.5}


def _default_emergency_open() -> dict[str, float]:
    # all emergency rooms by day, half in the evening, a quarter (at least one) at night
    return {"D": 1.0, "E": 0.5, "N": 0.25}


def _default_competence() -> dict[str, dict[StaffRole, str]]:
    return {
        "TCT": {
            StaffRole.OR_NURSE: "thorax",
            StaffRole.ANAESTHESIA_NURSE: "thorax",
            StaffRole.ANAESTHETIST: "thorax",
        },
        "NEU": {StaffRole.OR_NURSE: "nevro", StaffRole.ANAESTHETIST: "nevro"},
        "ORT": {StaffRole.OR_NURSE: "ortopedi"},
        "BAR": {StaffRole.ANAESTHESIA_NURSE: "barn", StaffRole.ANAESTHETIST: "barn"},
    }


@dataclass(frozen=True)
class StaffingNorm:
    """People per staffed room by role (fractions are pooled per location and shift and
    rounded up), the share of emergency rooms open per shift code, and the competence one
    person of a role must have in a session of a specialty."""

    per_elective_room: Mapping[StaffRole, float] = field(default_factory=_default_per_room)
    per_emergency_room: Mapping[StaffRole, float] = field(
        default_factory=lambda: {
            StaffRole.OR_NURSE: 2.0,
            StaffRole.ANAESTHESIA_NURSE: 1.0,
            StaffRole.ANAESTHETIST: 1.0,
        }
    )
    emergency_open: Mapping[str, float] = field(default_factory=_default_emergency_open)
    elective_shift: str = "D"
    specialty_competence: Mapping[str, Mapping[StaffRole, str]] = field(default_factory=_default_competence)


def demand_from_sessions(
    hospital: Hospital,
    sessions: Iterable[Session],
    first_day: date,
    days: int,
    norm: StaffingNorm | None = None,
    shift_types: Iterable[ShiftType] = DEFAULT_SHIFT_TYPES,
) -> list[Demand]:
    """Demand per location, day, shift and role for the sessions dated in the roster period.

    Elective sessions need their room's team during the elective shift; emergency rooms are
    staffed around the clock at the norm's share per shift.
    """
    norm = norm or StaffingNorm()
    types = {t.code: t for t in shift_types}
    if norm.elective_shift not in types:
        raise ModelError("norm.elective_shift", norm.elective_shift, f"not a shift type {sorted(types)}")
    for code in norm.emergency_open:
        if code not in types:
            raise ModelError("norm.emergency_open", code, f"not a shift type {sorted(types)}")
    last_day = first_day + timedelta(days=days - 1)
    elective: dict[tuple[str, date], list[Session]] = defaultdict(list)
    emergency: dict[tuple[str, date], int] = defaultdict(int)
    for s in sessions:
        if not first_day <= s.date <= last_day:
            continue
        room = hospital.room_by_id.get(s.room_id)
        if room is None:
            raise ModelError(f"session[{s.id}].room_id", s.room_id, "unknown room")
        if s.emergency or room.emergency:
            emergency[(room.location_id, s.date)] += 1
        else:
            elective[(room.location_id, s.date)].append(s)
    result: list[Demand] = []
    for (location, day), todays in sorted(elective.items()):
        start, end = types[norm.elective_shift].on(day)
        for role, per_room in norm.per_elective_room.items():
            count = math.ceil(per_room * len(todays) - 1e-9)
            comps: dict[str, int] = defaultdict(int)
            for s in todays:
                comp = norm.specialty_competence.get(s.specialty_id or "", {}).get(role)
                if comp:
                    comps[comp] += 1
            if count:
                result.append(
                    Demand(
                        location,
                        role,
                        start,
                        end,
                        count,
                        {c: min(n, count) for c, n in comps.items()},
                        norm.elective_shift,
                    )
                )
    for (location, day), rooms in sorted(emergency.items()):
        for code, share in norm.emergency_open.items():
            open_rooms = max(1, math.ceil(share * rooms - 1e-9)) if share > 0 else 0
            start, end = types[code].on(day)
            for role, per_room in norm.per_emergency_room.items():
                count = math.ceil(per_room * open_rooms - 1e-9)
                if count:
                    result.append(Demand(location, role, start, end, count, {}, code))
    return result


def people_from_hospital(
    hospital: Hospital, first_day: date, days: int, seed: int = 0, preferences: bool = True
) -> list[Person]:
    """Anaesthetists, anaesthesia nurses and OR nurses of the hospital as roster people.

    Staff records hold no contracts or wishes, so these are synthetic and seeded: nurses on
    the 35.5 h three-shift rota, anaesthetists on 38 h; each person asks for two days off and
    one in five would rather not work nights.
    """
    rng = random.Random(f"kontrolltarn-staffing-{seed}")
    period = [first_day + timedelta(days=k) for k in range(days)]
    people = []
    for staff in hospital.staff:
        if staff.role not in ROSTER_ROLES:
            continue
        if len(staff.location_ids) != 1:
            raise ModelError(
                f"staff[{staff.id}].location_ids",
                sorted(staff.location_ids),
                "roster staff must belong to exactly one location",
            )
        (location,) = staff.location_ids
        wants_off = frozenset(rng.sample(period, 2)) if preferences else frozenset()
        avoid = frozenset({"N"}) if preferences and rng.random() < 0.2 else frozenset()
        contract = DOCTOR_ROTA_WEEK_MIN if staff.role is StaffRole.ANAESTHETIST else NURSE_ROTA_WEEK_MIN
        people.append(
            Person(
                staff.id,
                staff.role,
                location,
                staff.competences,
                contract,
                frozenset(d for d in staff.unavailable if d in set(period)),
                wants_off,
                avoid,
                0,
                staff.name,
            )
        )
    return people


def first_monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())
