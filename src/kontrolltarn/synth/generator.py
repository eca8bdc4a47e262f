"""A seeded, reproducible synthetic hospital and its history.

Same scale, seed and start date give the same hospital, byte for byte in its export. Figures and
their sources are documented in docs/synthetic-hospital.md.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from kontrolltarn.model import (
    BedType,
    CancellationReason,
    EquipmentType,
    Hospital,
    Location,
    LogNormal,
    PastBooking,
    PastOperation,
    Patient,
    Priority,
    Procedure,
    ReadinessItem,
    Referral,
    Room,
    Session,
    Specialty,
    Staff,
    StaffRole,
)

from . import catalogue
from .arrivals import (
    DEADLINE_DAYS,
    NAMED_SURGEON_SHARE,
    PRIORITY_SHARES,
    URGENCY_SHARES,
    draw_patient,
    poisson,
    weighted,
)
from .calendar import (
    STAFFED_END,
    STAFFED_START,
    SURGEON_AWAY_SHARE,
    calendar_sessions,
    is_operating_day,
    room_is_staffed,
    specialty_on,
)
from .catalogue import ProcedureSpec
from .notes import make_note
from .scales import SCALES, Scale
from .truth import BOOKING_BIAS_MEAN, Truth

#: A fixed Monday, so that the default hospital is the same on every machine and every day.
DEFAULT_TODAY = date(2026, 11, 30)
#: Mean days a referral of each priority waits under today's practice
MEAN_WAIT_DAYS = {Priority.P1: 14, Priority.P2: 45, Priority.P3: 90, Priority.P4: 130}
#: Shape of the gamma-distributed waits (lighter tail than exponential: few breach)
WAIT_SHAPE = 3.0
#: Spread of the surgeons' own booking bias around BOOKING_BIAS_MEAN (log scale)
BOOKING_BIAS_SURGEON_SD = 0.08
#: Baseline log-odds of a late cancellation; with the feature effects in `_cancel_logit` this
#: gives about 7 % of booked electives, the Norwegian figure (7–11 % struck from the program).
CANCEL_INTERCEPT = -3.3
#: Surgeons per elective room of their specialty available on a given day
SURGEONS_PER_ROOM = 1.6
#: Float-pool staff per room of a location: anaesthetists, anaesthesia nurses, OR nurses
FLOAT_POOL_PER_ROOM = (0.1, 0.15, 0.3)
#: Coordinators today leave some of each session unbooked, knowing bookings run short
PLANNING_BUFFER_MIN = 60
FIRST_NAMES = ("Anne", "Kari", "Ingrid", "Marte", "Silje", "Hilde", "Nora", "Ida", "Lars", "Ole",
               "Per", "Jon", "Erik", "Kristian", "Magnus", "Håkon", "Sigrid", "Tone", "Eirik",
               "Aksel", "Maja", "Emma", "Jonas", "Amir", "Fatima", "Piotr", "Linh")
LAST_NAMES = ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
              "Kristiansen", "Jensen", "Karlsen", "Berg", "Haugen", "Hagen", "Bakken", "Dahl",
              "Lund", "Strand", "Solberg", "Moen", "Eide", "Ali", "Nowak", "Nguyen")


@dataclass
class SyntheticHospital:
    """The generator's output: the instance, its past, and the truth behind both."""

    hospital: Hospital
    history: tuple[PastOperation, ...]
    bookings: tuple[PastBooking, ...]
    truth: Truth
    scale: Scale
    seed: int


class _Builder:
    """Holds the random stream and what has been built so far; one instance per generation."""

    def __init__(self, scale: Scale, seed: int, today: date) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(f"kontrolltarn-synth-{seed}")
        self.today = today
        self.spec_by_id = {s.id: s for s in catalogue.SPECIALTIES}
        self.proc_specs = {p.code: p for p in catalogue.PROCEDURES}
        self.patients: list[Patient] = []
        self.patient_seq = 0
        self.room_primary: dict[str, str] = {}  # the specialty each elective room belongs to

    # ---- resources -------------------------------------------------------------------------
    def locations(self) -> list[Location]:
        result = []
        for spec in self.scale.locations:
            rooms = spec.elective_rooms + spec.emergency_rooms
            beds = {BedType.WARD: round(rooms * 1.3), BedType.ICU: max(1, round(rooms * 0.18)),
                    BedType.DAY: round(rooms * 1.4), BedType.NONE: rooms * 20}
            result.append(Location(spec.id, spec.name, beds))
        return result

    def equipment(self) -> list[EquipmentType]:
        result = []
        for eq_id, name, mobile, count in catalogue.EQUIPMENT:
            counts = {}
            if mobile:
                for loc in self.scale.locations:
                    need = {s for p in catalogue.PROCEDURES if eq_id in p.equipment
                            for s in [p.specialty]}
                    if need & set(loc.specialties) or loc.emergency_rooms:
                        counts[loc.id] = max(1, round(count * (loc.elective_rooms / 20)))
            result.append(EquipmentType(eq_id, name, mobile, counts))
        return result

    def rooms(self) -> list[Room]:
        """Elective rooms get a primary specialty in proportion to its share at the location,
        and general rooms take related specialties too (so released time can be refilled)."""
        related = {"GAS": {"URO", "GYN"}, "URO": {"GAS", "GYN"}, "GYN": {"GAS", "URO"},
                   "ENT": {"PLA", "MAM"}, "PLA": {"ENT", "MAM"}, "MAM": {"PLA", "ENT"},
                   "ORT": {"NEU"}, "NEU": {"ORT"}, "KAR": {"TCT"}, "TCT": {"KAR"},
                   "EYE": set(), "BAR": {"GAS"}}
        rooms: list[Room] = []
        for loc in self.scale.locations:
            shares = {s: self.spec_by_id[s].share for s in loc.specialties}
            total = sum(shares.values())
            quota = {s: shares[s] / total * loc.elective_rooms for s in shares}
            counts = {s: max(1, math.floor(q)) for s, q in quota.items()}
            while sum(counts.values()) < loc.elective_rooms:
                best = max(quota, key=lambda s: quota[s] - counts[s])
                counts[best] += 1
            while sum(counts.values()) > loc.elective_rooms:
                worst = max((s for s in counts if counts[s] > 1), key=lambda s: counts[s] - quota[s])
                counts[worst] -= 1
            number = 1
            for specialty in sorted(counts, key=lambda s: (-counts[s], s)):
                for k in range(counts[specialty]):
                    fixed = set()
                    if specialty == "ORT":
                        fixed.add("LAF")
                    if specialty == "KAR" and k == 0:
                        fixed.add("HYBRID")
                    takes = {specialty} | (related[specialty] & set(loc.specialties))
                    self.room_primary[f"{loc.id}-OR{number:02d}"] = specialty
                    rooms.append(Room(f"{loc.id}-OR{number:02d}", loc.id, f"{loc.name} stue {number}",
                                      frozenset(takes), frozenset(fixed)))
                    number += 1
            for _ in range(loc.emergency_rooms):
                rooms.append(Room(f"{loc.id}-OR{number:02d}", loc.id, f"{loc.name} ø-hjelpsstue {number}",
                                  frozenset(catalogue_specialty_ids()), frozenset({"LAF"}), emergency=True))
                number += 1
        return rooms

    def staff(self, rooms: list[Room], future_days: list[date]) -> list[Staff]:
        staff: list[Staff] = []
        rng = self.rng
        loc_of_spec: dict[str, set[str]] = defaultdict(set)
        for room in rooms:
            if not room.emergency:
                for s in room.specialties:
                    loc_of_spec[s].add(room.location_id)
        competences: dict[str, set[str]] = defaultdict(set)
        for p in catalogue.PROCEDURES:
            if p.competence:
                competences[p.specialty].add(p.competence)
        n = 0
        for spec in catalogue.SPECIALTIES:
            if spec.id not in loc_of_spec:
                continue
            # enough surgeons to staff every session of the specialty on a day when a quarter
            # of them are away, with some to spare for named referrals
            own_rooms = sum(1 for r in rooms if self.room_primary.get(r.id) == spec.id)
            count = max(2, round(own_rooms * SURGEONS_PER_ROOM / (1 - SURGEON_AWAY_SHARE)))
            for _ in range(count):
                n += 1
                comps = frozenset(c for c in sorted(competences[spec.id]) if rng.random() < 0.5)
                away = frozenset(d for d in future_days if rng.random() < SURGEON_AWAY_SHARE)
                staff.append(Staff(f"K{n:04d}", self._name(), StaffRole.SURGEON, spec.id, comps,
                                   frozenset(loc_of_spec[spec.id]), away, f"SYN{9000000 + n}"))
        per_room = self.scale.staff_per_room
        elective_by_loc: dict[str, int] = defaultdict(int)
        for room in rooms:
            elective_by_loc[room.location_id] += 1
        roles = ((StaffRole.ANAESTHETIST, per_room[0], ("barn", "thorax", "nevro")),
                 (StaffRole.ANAESTHESIA_NURSE, per_room[1], ("barn", "thorax")),
                 (StaffRole.OR_NURSE, per_room[2], ("ortopedi", "thorax", "nevro", "robot")))
        for role, factor, skills in roles:
            for loc_id, room_count in sorted(elective_by_loc.items()):
                for _ in range(max(1, round(room_count * factor))):
                    n += 1
                    comps = frozenset(s for s in skills if rng.random() < 0.35)
                    staff.append(Staff(f"P{n:04d}", self._name(), role, None, comps,
                                       frozenset({loc_id}), frozenset(), f"SYN{9000000 + n}"))
        return staff + self.float_pool(elective_by_loc, roles)

    def float_pool(self, rooms_by_loc: dict[str, int],
                   roles: tuple[tuple[StaffRole, float, tuple[str, ...]], ...]) -> list[Staff]:
        """The staffing centre's float pool (bemanningssenter): extra staff per location who
        cover rota gaps, nights and weekends. Drawn from its own random stream so adding it left
        every other generated figure unchanged."""
        rng = random.Random(f"kontrolltarn-synth-pool-{self.seed}")
        pool: list[Staff] = []
        for (role, _, skills), share in zip(roles, FLOAT_POOL_PER_ROOM, strict=True):
            for loc_id, room_count in sorted(rooms_by_loc.items()):
                for _ in range(math.ceil(room_count * share)):
                    n = len(pool) + 1
                    comps = frozenset(s for s in skills if rng.random() < 0.35)
                    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                    pool.append(Staff(f"F{n:04d}", name, role, None, comps, frozenset({loc_id}),
                                      frozenset(), f"SYN{8000000 + n}"))
        return pool

    def _name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    # ---- calendar ----------------------------------------------------------------------------
    def room_is_staffed(self, room: Room, day: date) -> bool:
        return room_is_staffed(room, day, self.scale)

    def sessions(self, rooms: list[Room], days: list[date]) -> list[Session]:
        return calendar_sessions(rooms, self.room_primary, self.scale, days)

    # ---- patients ----------------------------------------------------------------------------
    def patient(self, spec: ProcedureSpec) -> Patient:
        self.patient_seq += 1
        patient = draw_patient(self.rng, spec, self.today, f"PAS{self.patient_seq:06d}",
                               f"SYN{self.patient_seq:08d}")
        self.patients.append(patient)
        return patient


def catalogue_specialty_ids() -> set[str]:
    return {s.id for s in catalogue.SPECIALTIES}


def _cancel_logit(age: int, asa: int, lead: int, order: int, changes: int, gaps: int,
                  bed_occupancy: float) -> float:
    """True log-odds of a late cancellation (the risk model's oracle)."""
    return (CANCEL_INTERCEPT + 0.75 * gaps + 0.25 * changes + 0.30 * (order >= 3)
            + 0.45 * (order >= 4) + 2.5 * max(0.0, bed_occupancy - 0.8)
            + 0.30 * (asa >= 3) + 0.25 * (age >= 80) + 0.6 * (lead < 7) + 0.002 * lead)


@dataclass
class _World:
    """What the history and the waiting list are drawn from: the builder (random stream and
    patients), the resources built, the truth behind durations, and lookups over them."""

    b: _Builder
    locations: list[Location]
    rooms: list[Room]
    surgeons: list[Staff]
    surgeons_by_spec: dict[str, list[Staff]]
    elective_procs: dict[str, list[ProcedureSpec]]
    emergency_procs: dict[str, list[ProcedureSpec]]
    equipment_by_id: dict[str, EquipmentType]
    truth: Truth

    @property
    def rng(self) -> random.Random:
        return self.b.rng

    def booked_minutes(self, code: str, surgeon_id: str | None) -> int:
        """Minutes a surgeon books for a procedure (their bias on the true duration)."""
        return self.truth.booked_minutes(self.b.rng, code, surgeon_id)

    def room_can_take(self, room: Room, p: ProcedureSpec) -> bool:
        """The room takes the specialty and has (or its location can bring) the equipment."""
        for eq in p.equipment:
            if eq in room.equipment:
                continue
            if not self.equipment_by_id[eq].mobile or not self.equipment_by_id[eq].count_per_location.get(
                    room.location_id):
                return False
        return p.specialty in room.specialties


def generate(scale: str | Scale = "default", seed: int = 0, today: date = DEFAULT_TODAY,
             progress: Callable[[str, float], None] | None = None) -> SyntheticHospital:
    """Generate a hospital as of ``today`` with a waiting list, a session calendar for the
    coming weeks and a history of past operations and bookings.

    The steps draw from one random stream in a fixed order (resources, truth, history, waiting
    list, calendar): the same scale, seed and date give the same hospital."""
    spec = SCALES[scale] if isinstance(scale, str) else scale
    if isinstance(scale, str) and scale not in SCALES:
        raise ValueError(f"scale={scale!r}: unknown scale, choose one of {sorted(SCALES)}")
    say = progress or (lambda step, share: None)
    b = _Builder(spec, seed, today)

    say("resources", 0.0)
    locations = b.locations()
    equipment = b.equipment()
    rooms = b.rooms()
    future_days = [today + timedelta(days=k) for k in range(spec.horizon_days)]
    staff = b.staff(rooms, future_days)
    specialties = [Specialty(s.id, s.name, s.turnover_min) for s in catalogue.SPECIALTIES]
    procedures = [Procedure(p.code, p.name, p.specialty,
                            LogNormal(catalogue.in_room_median(p), p.sigma),
                            frozenset(p.equipment), p.bed, p.competence) for p in catalogue.PROCEDURES]
    world = _world(b, spec, locations, equipment, rooms, staff, procedures)

    say("history", 0.1)
    history, bookings = _history(world, say)
    b.patients.clear()  # history patients are not part of the current instance

    say("waiting list", 0.75)
    referrals = _waiting_list(world, history)

    say("calendar", 0.9)
    sessions = b.sessions(rooms, future_days)
    hospital = Hospital(
        name=f"Syntetisk universitetssykehus ({spec.name}, seed {seed})",
        today=today,
        locations=tuple(locations),
        specialties=tuple(specialties),
        equipment=tuple(equipment),
        rooms=tuple(rooms),
        staff=tuple(staff),
        procedures=tuple(procedures),
        patients=tuple(b.patients),
        referrals=tuple(referrals),
        sessions=tuple(sessions),
        meta={"generator": "kontrolltarn.synth", "scale": spec.name, "seed": seed,
              "synthetic": True},
    )
    say("done", 1.0)
    return SyntheticHospital(hospital, tuple(history), tuple(bookings), world.truth, spec, seed)


def _world(b: _Builder, spec: Scale, locations: list[Location], equipment: list[EquipmentType],
           rooms: list[Room], staff: list[Staff], procedures: list[Procedure]) -> _World:
    """The truth (each surgeon's speed and booking bias, each location's effect) and the
    lookups the history and the waiting list draw from."""
    rng = b.rng
    surgeons = [s for s in staff if s.role is StaffRole.SURGEON]
    surgeons_by_spec: dict[str, list[Staff]] = defaultdict(list)
    for s in surgeons:
        assert s.specialty_id is not None
        surgeons_by_spec[s.specialty_id].append(s)
    truth = Truth(
        procedures={p.code: p for p in procedures},
        surgeon_effect={s.id: math.exp(rng.gauss(0, 0.12)) for s in surgeons},
        surgeon_booking_bias={s.id: rng.gauss(BOOKING_BIAS_MEAN, BOOKING_BIAS_SURGEON_SD)
                              for s in surgeons},
        location_effect={loc.id: math.exp(rng.gauss(0, 0.04)) for loc in locations},
        scale=spec,
    )
    elective_procs: dict[str, list[ProcedureSpec]] = defaultdict(list)
    emergency_procs: dict[str, list[ProcedureSpec]] = defaultdict(list)
    for p in catalogue.PROCEDURES:
        (emergency_procs if p.emergency else elective_procs)[p.specialty].append(p)
    return _World(b, locations, rooms, surgeons, surgeons_by_spec, elective_procs,
                  emergency_procs, {e.id: e for e in equipment}, truth)


# ---- history: past sessions executed under today's practice ---------------------------------
def _history(w: _World, say: Callable[[str, float], None]
             ) -> tuple[list[PastOperation], list[PastBooking]]:
    """A past of ``history_days`` days: each staffed elective room's session booked and run as
    today's practice does, and each day's emergencies."""
    spec, today = w.b.scale, w.b.today
    history: list[PastOperation] = []
    bookings: list[PastBooking] = []
    past_days = [today - timedelta(days=k) for k in range(spec.history_days, 0, -1)]
    elective_rooms = [r for r in w.rooms if not r.emergency]
    emergency_rooms_by_loc: dict[str, list[Room]] = defaultdict(list)
    for r in w.rooms:
        if r.emergency:
            emergency_rooms_by_loc[r.location_id].append(r)
    for i, day in enumerate(past_days):
        if i % 30 == 0:
            say("history", 0.1 + 0.6 * i / len(past_days))
        beds_used: dict[tuple[str, BedType], int] = defaultdict(int)
        for room in elective_rooms:
            if not w.b.room_is_staffed(room, day):
                continue
            specialty = specialty_on(room, w.b.room_primary[room.id], day)
            options = [p for p in w.elective_procs[specialty] if w.room_can_take(room, p)]
            if not options:
                continue
            planned = _book_session(w, specialty, options)
            _run_session(w, room, day, specialty, planned, beds_used, history, bookings)
        _emergencies_of_day(w, day, emergency_rooms_by_loc, history)
    return history, bookings


def _book_session(w: _World, specialty: str, options: list[ProcedureSpec]
                  ) -> list[tuple[ProcedureSpec, Staff, Patient, int]]:
    """Cases booked into one session as coordinators do: drawn until three in a row do not
    fit the session less its buffer; one surgeon per session where able."""
    rng = w.rng
    turnover = w.b.spec_by_id[specialty].turnover_min
    planned: list[tuple[ProcedureSpec, Staff, Patient, int]] = []
    used, misses = 0, 0
    capacity = STAFFED_END - STAFFED_START - PLANNING_BUFFER_MIN
    while misses < 3:
        p = weighted(rng, options)
        able = [s for s in w.surgeons_by_spec[specialty]
                if p.competence is None or p.competence in s.competences]
        if not able:
            misses += 1
            continue
        surgeon = rng.choice(able)
        if planned and (p.competence is None or p.competence in planned[0][1].competences):
            surgeon = planned[0][1]  # one surgeon per session where able
        booked = w.booked_minutes(p.code, surgeon.id)
        extra = booked + (turnover if planned else 0)
        if used + extra > capacity:
            misses += 1
            continue
        planned.append((p, surgeon, w.b.patient(p), booked))
        used += extra
    return planned


def _run_session(w: _World, room: Room, day: date, specialty: str,
                 planned: list[tuple[ProcedureSpec, Staff, Patient, int]],
                 beds_used: dict[tuple[str, BedType], int], history: list[PastOperation],
                 bookings: list[PastBooking]) -> None:
    """One past session: children first, then long cases; each booking may be cancelled late
    (its risk from the case, the list and bed occupancy); the rest are operated in order,
    from a late start, with their true durations and turnovers."""
    rng, truth = w.rng, w.truth
    turnover = w.b.spec_by_id[specialty].turnover_min
    # children first, then long cases, as practice does
    planned.sort(key=lambda t: (t[2].age_on(day) >= 16, -t[3]))
    clock_min = STAFFED_START + int(rng.expovariate(1 / 18))  # late start, mean 18 min
    order = 0
    for p, surgeon, patient, booked in planned:
        age = patient.age_on(day)
        bed_cap = {loc.id: loc.post_op_beds for loc in w.locations}[room.location_id]
        occupancy = beds_used[(room.location_id, p.bed)] / max(1, bed_cap.get(p.bed, 1))
        lead = max(0, int(rng.expovariate(1 / 21)))
        changes = min(4, int(rng.expovariate(1 / 0.4)))
        gaps = sum(rng.random() < 0.06 for _ in range(2))
        position = order + 1
        logit = _cancel_logit(age, patient.asa, lead, position, changes, gaps, occupancy)
        risk = 1 / (1 + math.exp(-logit))
        cancelled = rng.random() < risk
        reason = None
        if cancelled:
            reason = _cancel_reason(rng, position, occupancy, gaps)
        note, labels = make_note(rng, icu_procedure=p.bed is BedType.ICU)
        bid = f"B{len(bookings) + 1:07d}"
        bookings.append(PastBooking(
            bid, day, room.location_id, specialty, p.code, age, patient.asa, patient.bmi,
            lead, position, changes, gaps, round(occupancy, 3), booked, note, cancelled,
            reason))
        truth.booking_risk[bid] = risk
        if cancelled:
            continue
        beds_used[(room.location_id, p.bed)] += 1
        order += 1
        true = truth.duration(p.code, surgeon.id, room.location_id, patient.asa,
                              patient.bmi, age)
        actual = max(5, round(true.median * math.exp(true.sigma * rng.gauss(0, 1))))
        oid = f"O{len(history) + 1:07d}"
        history.append(PastOperation(
            oid, day, room.location_id, room.id, specialty, p.code, surgeon.id, age,
            patient.sex, patient.asa, patient.bmi, booked, actual, clock_min, order))
        truth.operation_median[oid] = true.median
        truth.operation_sigma[oid] = true.sigma
        clock_min += actual + max(5, int(rng.gauss(turnover, turnover * 0.3)))


def _emergencies_of_day(w: _World, day: date, emergency_rooms_by_loc: dict[str, list[Room]],
                        history: list[PastOperation]) -> None:
    """The day's emergencies (fewer at weekends and on holidays), each operated in an
    emergency room of its location as soon as the room is free."""
    rng, truth, spec = w.rng, w.truth, w.b.scale
    loc_weights = [ls.elective_rooms + ls.emergency_rooms for ls in spec.locations]
    rate = spec.emergencies_per_day * (0.8 if not is_operating_day(day) else 1.07)
    count = poisson(rng, rate)
    by_room_clock: dict[str, int] = defaultdict(int)
    for _ in range(count):
        loc = rng.choices(spec.locations, weights=loc_weights, k=1)[0]
        specialty_spec = rng.choices(catalogue.SPECIALTIES,
                                     weights=[s.emergency_share for s in catalogue.SPECIALTIES])[0]
        procs = w.emergency_procs.get(specialty_spec.id)
        if not procs:
            continue
        p = weighted(rng, procs)
        room = rng.choice(emergency_rooms_by_loc[loc.id])
        surgeon = rng.choice(w.surgeons_by_spec[p.specialty]) if w.surgeons_by_spec[p.specialty] \
            else rng.choice(w.surgeons)
        patient = w.b.patient(p)
        urgency = rng.choices(list(URGENCY_SHARES), weights=list(URGENCY_SHARES.values()))[0]
        booked = w.booked_minutes(p.code, surgeon.id)
        true = truth.duration(p.code, surgeon.id, loc.id, patient.asa, patient.bmi,
                              patient.age_on(day))
        actual = max(5, round(true.median * math.exp(true.sigma * rng.gauss(0, 1))))
        start = max(by_room_clock[room.id], int(rng.triangular(7 * 60, 23 * 60, 14 * 60)))
        by_room_clock[room.id] = start + actual + 30
        oid = f"O{len(history) + 1:07d}"
        history.append(PastOperation(
            oid, day, loc.id, room.id, p.specialty, p.code, surgeon.id,
            patient.age_on(day), patient.sex, patient.asa, patient.bmi, booked, actual,
            min(start, 2 * 24 * 60 - 1), 1, emergency=True, urgency=urgency))
        truth.operation_median[oid] = true.median
        truth.operation_sigma[oid] = true.sigma


# ---- the waiting list as of today -------------------------------------------------------------
def _waiting_list(w: _World, history: list[PastOperation]) -> list[Referral]:
    """Referrals of the past year still waiting today. They arrive per specialty at the rate
    that specialty operated in the history, so demand matches the block schedule; those whose
    wait under today's practice has already ended are operated and not on the list."""
    rng, spec, today = w.rng, w.b.scale, w.b.today
    referrals: list[Referral] = []
    done_per_specialty: dict[str, int] = defaultdict(int)
    for op in history:
        if not op.emergency:
            done_per_specialty[op.specialty_id] += 1
    w.truth.elective_done = dict(done_per_specialty)
    specialty_ids = sorted(done_per_specialty)
    yearly = [done_per_specialty[sid] * 364 / max(1, spec.history_days) for sid in specialty_ids]
    arrivals_per_day = sum(yearly) * spec.waiting_list_factor / 365
    for k in range(365, 0, -1):
        ref_day = today - timedelta(days=k)
        for _ in range(poisson(rng, arrivals_per_day)):
            specialty_id = rng.choices(specialty_ids, weights=yearly)[0]
            if not w.surgeons_by_spec[specialty_id]:
                continue
            priority = rng.choices(list(PRIORITY_SHARES), weights=list(PRIORITY_SHARES.values()))[0]
            wait = rng.gammavariate(WAIT_SHAPE, MEAN_WAIT_DAYS[priority] / WAIT_SHAPE)
            if k - wait > 0:
                continue  # already operated, no longer waiting
            referrals.append(_referral(w, specialty_id, ref_day, priority, k, len(referrals)))
    return referrals


def _referral(w: _World, specialty: str, ref_day: date, priority: Priority, days_ago: int,
              index: int) -> Referral:
    """One waiting referral: procedure, named surgeon (sometimes), patient, readiness gaps
    (more while recent) and a referral note."""
    rng, b, truth = w.rng, w.b, w.truth
    p = weighted(rng, w.elective_procs[specialty])
    able = [s for s in w.surgeons_by_spec[specialty]
            if p.competence is None or p.competence in s.competences]
    surgeon = rng.choice(able) if able and rng.random() < NAMED_SURGEON_SHARE else None
    patient = b.patient(p)
    missing = set()
    recent = days_ago < 30
    for item in ReadinessItem:
        if rng.random() < (0.18 if recent else 0.05):
            missing.add(item)
    note, labels = make_note(rng, icu_procedure=p.bed is BedType.ICU)
    rid = f"HEN{index + 1:06d}"
    truth.learn_referral(rid, p.code, surgeon.id if surgeon else None, patient, labels, b.today)
    return Referral(
        id=rid, patient_id=patient.id, procedure_code=p.code, specialty_id=specialty,
        referral_date=ref_day, priority=priority,
        deadline=ref_day + timedelta(days=DEADLINE_DAYS[priority]),
        booked_min=w.booked_minutes(p.code, surgeon.id if surgeon else None),
        surgeon_id=surgeon.id if surgeon else None, note=note,
        readiness_missing=frozenset(missing), infected="isolation" in labels,
    )


def _cancel_reason(rng: random.Random, order: int, occupancy: float, gaps: int) -> CancellationReason:
    weights = {
        CancellationReason.PATIENT: 3.5,
        CancellationReason.CAPACITY: 1.5 + 1.0 * (order >= 3),
        CancellationReason.EMERGENCY: 1.0,
        CancellationReason.NO_BED: 0.5 + 4 * max(0, occupancy - 0.8),
        CancellationReason.STAFF: 0.5,
        CancellationReason.MEDICAL: 1.0 + 0.8 * gaps,
        CancellationReason.OTHER: 0.5,
    }
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def iter_days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
