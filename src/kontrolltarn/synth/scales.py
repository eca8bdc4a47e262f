"""Scales of the synthetic hospital. Every figure and where it comes from: docs/synthetic-hospital.md."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LocationSpec:
    id: str
    name: str
    elective_rooms: int
    emergency_rooms: int
    specialties: tuple[str, ...]  # specialties with elective rooms here


@dataclass(frozen=True)
class Scale:
    name: str
    locations: tuple[LocationSpec, ...]
    history_days: int  # days of past operations generated before `today`
    horizon_days: int  # days of future sessions in the calendar
    #: share of elective room-weekdays that are staffed outside holidays (staffing shortages,
    #: maintenance, rooms kept closed); the hospital staffs about 90 rooms a weekday
    staffed_share: float
    #: emergency operations per day across the hospital (all days of the week)
    emergencies_per_day: float
    surgeon_factor: float  # surgeons per specialty = catalogue count × factor
    waiting_list_factor: float  # referrals arriving per year relative to elective capacity
    staff_per_room: tuple[float, float, float]  # anaesthetists, anaesthesia nurses, OR nurses


ALL = ("ORT", "GAS", "URO", "GYN", "ENT", "PLA", "NEU", "TCT", "KAR", "EYE", "BAR", "MAM")

DEFAULT = Scale(
    name="default",
    locations=(
        LocationSpec("SEN", "Sentrum", 28, 4, ("ORT", "GAS", "URO", "NEU", "TCT", "KAR", "BAR", "PLA")),
        LocationSpec("NOR", "Nord", 24, 3, ("ORT", "GAS", "GYN", "NEU", "KAR", "ENT", "MAM")),
        LocationSpec("OST", "Øst", 14, 1, ("URO", "GYN", "ENT", "EYE", "PLA", "MAM")),
        LocationSpec("VES", "Vest", 12, 1, ("ORT", "GAS", "EYE", "ENT", "GYN")),
        LocationSpec("SOR", "Sør", 9, 1, ("ORT", "EYE", "PLA", "URO")),
    ),
    history_days=364,
    horizon_days=84,
    staffed_share=0.92,
    emergencies_per_day=32.0,
    surgeon_factor=1.0,
    waiting_list_factor=1.03,
    staff_per_room=(1.2, 1.5, 2.5),
)

SMALL = Scale(
    name="small",
    locations=(
        LocationSpec("SEN", "Sentrum", 5, 1, ("ORT", "GAS", "URO", "TCT")),
        LocationSpec("NOR", "Nord", 3, 1, ("ORT", "GYN", "EYE")),
    ),
    history_days=28,
    horizon_days=28,
    staffed_share=0.92,
    emergencies_per_day=5.0,
    surgeon_factor=0.25,
    waiting_list_factor=1.03,
    staff_per_room=(1.2, 1.5, 2.5),
)

SCALES = {s.name: s for s in (DEFAULT, SMALL)}
