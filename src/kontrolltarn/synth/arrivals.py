"""New referrals and emergency requests: the generator's distributions, and the simulator's
stream of them over a simulated period.

The distributions serve the generated waiting list and the simulated arrivals alike: specialty
mix from the history's elective volume, priority shares and deadlines, procedure weights,
named-surgeon share, patients, surgeons' biased booked durations, readiness gaps, notes. Each
simulated day draws from its own stream, so the arrivals are the same whatever the policy does
(common random numbers).
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kontrolltarn.model import (
    Arrivals,
    BedType,
    EmergencyRequest,
    Hospital,
    Patient,
    Priority,
    ReadinessItem,
    Referral,
    Staff,
    StaffRole,
    Urgency,
)

from . import catalogue
from .calendar import is_operating_day
from .catalogue import PAEDIATRIC_SPECIALTIES, ProcedureSpec
from .notes import make_note

if TYPE_CHECKING:  # the truth builds the stream; only its type is needed here
    from .truth import Truth

#: Days from referral to legal deadline per priority (a typical spread of set deadlines)
DEADLINE_DAYS = {Priority.P1: 30, Priority.P2: 90, Priority.P3: 180, Priority.P4: 270}
PRIORITY_SHARES = {Priority.P1: 0.10, Priority.P2: 0.30, Priority.P3: 0.40, Priority.P4: 0.20}
URGENCY_SHARES = {Urgency.IMMEDIATE: 0.05, Urgency.WITHIN_6H: 0.35, Urgency.WITHIN_24H: 0.45,
                  Urgency.WITHIN_72H: 0.15}
#: Share of referrals with a named surgeon (the rest: any surgeon of the team with the competence)
NAMED_SURGEON_SHARE = 0.35


def draw_patient(rng: random.Random, spec: ProcedureSpec, day: date, patient_id: str,
                 national_id: str) -> Patient:
    """A patient typical of the procedure's specialty (age, ASA class, BMI), as of ``day``.
    The simulator draws new patients with this too, so both follow one calibration."""
    if spec.specialty in PAEDIATRIC_SPECIALTIES:
        age = rng.randint(1, 15)
    elif spec.specialty in ("EYE", "TCT", "KAR", "URO"):
        age = min(97, max(18, int(rng.gauss(68, 10))))
    else:
        age = min(95, max(16, int(rng.gauss(54, 17))))
    asa = min(4, max(1, round(rng.gauss(1.6 + (age - 40) / 40, 0.7))))
    bmi = round(min(60.0, max(14.0, rng.gauss(26.5 if age >= 16 else 18, 4.5))), 1)
    birth = day - timedelta(days=age * 365 + rng.randint(0, 364))
    return Patient(patient_id, birth, rng.choice(("F", "M")), asa, bmi, national_id)


class ArrivalStream:
    """Draws each day's arrivals from the generator's distributions and extends the truth
    (true duration, no-show chance) for every new referral."""

    def __init__(self, truth: Truth, hospital: Hospital, seed: int, referral_rate_factor: float,
                 emergency_rate_factor: float) -> None:
        self.truth = truth
        self.seed = seed
        self.zone = ZoneInfo(hospital.timezone)
        scale = truth.calendar_scale()
        done = truth.elective_done
        history_days = max(1, scale.history_days)
        self.specialty_ids = sorted(done)
        self.yearly = [done[s] * 364 / history_days for s in self.specialty_ids]
        self.referrals_per_day = sum(self.yearly) * referral_rate_factor / 365
        self.emergencies_per_day = scale.emergencies_per_day * emergency_rate_factor
        self.surgeons: dict[str, list[Staff]] = {}
        for person in hospital.staff:
            if person.role is StaffRole.SURGEON and person.specialty_id is not None:
                self.surgeons.setdefault(person.specialty_id, []).append(person)
        self.elective: dict[str, list[ProcedureSpec]] = {}
        self.emergency: dict[str, list[ProcedureSpec]] = {}
        for p in catalogue.PROCEDURES:
            (self.emergency if p.emergency else self.elective).setdefault(p.specialty, []).append(p)
        self.locations = scale.locations
        self.location_weights = [ls.elective_rooms + ls.emergency_rooms for ls in self.locations]
        self.emergency_specialties = [s for s in catalogue.SPECIALTIES if s.id in self.emergency]

    def expected_referrals(self, days: int) -> dict[str, float]:
        """Activity target per specialty: the expected demand over ``days`` (plan from need)."""
        total = sum(self.yearly)
        return {s: self.referrals_per_day * days * y / total
                for s, y in zip(self.specialty_ids, self.yearly, strict=True)}

    def day(self, day: date) -> Arrivals:
        rng = random.Random(f"kontrolltarn-sim-{self.seed}-arrivals-{day.isoformat()}")
        out = Arrivals()
        for k in range(poisson(rng, self.referrals_per_day)):
            specialty = rng.choices(self.specialty_ids, weights=self.yearly)[0]
            if not self.surgeons.get(specialty):
                continue
            out.referrals.append(self._referral(rng, day, specialty, f"SIMH{day:%y%m%d}{k:03d}", out))
        rate = self.emergencies_per_day * (1.07 if is_operating_day(day) else 0.8)
        for k in range(poisson(rng, rate)):
            em = self._emergency(rng, day, f"SIMO{day:%y%m%d}{k:03d}", out)
            if em is not None:
                out.emergencies.append(em)
        return out

    # ---- one referral ------------------------------------------------------------------------
    def _referral(self, rng: random.Random, day: date, specialty: str, rid: str,
                  out: Arrivals) -> Referral:
        priority = rng.choices(list(PRIORITY_SHARES), weights=list(PRIORITY_SHARES.values()))[0]
        p = weighted(rng, self.elective[specialty])
        able = [s for s in self.surgeons[specialty] if p.competence is None or p.competence in s.competences]
        surgeon = rng.choice(able) if able and rng.random() < NAMED_SURGEON_SHARE else None
        patient = self._patient(rng, p, day, f"SIMP{rid[4:]}")
        out.patients.append(patient)
        missing = frozenset(item for item in ReadinessItem if rng.random() < 0.18)
        note, labels = make_note(rng, icu_procedure=p.bed is BedType.ICU)
        surgeon_id = surgeon.id if surgeon else None
        self.truth.learn_referral(rid, p.code, surgeon_id, patient, labels, day)
        return Referral(
            id=rid, patient_id=patient.id, procedure_code=p.code, specialty_id=specialty,
            referral_date=day, priority=priority,
            deadline=day + timedelta(days=DEADLINE_DAYS[priority]),
            booked_min=self.truth.booked_minutes(rng, p.code, surgeon_id), surgeon_id=surgeon_id,
            note=note, readiness_missing=missing, infected="isolation" in labels)

    def _patient(self, rng: random.Random, p: ProcedureSpec, day: date, pid: str) -> Patient:
        return draw_patient(rng, p, day, pid, f"SYN{pid}")

    def _emergency(self, rng: random.Random, day: date, eid: str,
                   out: Arrivals) -> EmergencyRequest | None:
        loc = rng.choices(self.locations, weights=self.location_weights, k=1)[0]
        spec = rng.choices(self.emergency_specialties,
                           weights=[s.emergency_share for s in self.emergency_specialties])[0]
        p = weighted(rng, self.emergency[spec.id])
        surgeons = self.surgeons.get(p.specialty)
        urgency = rng.choices(list(URGENCY_SHARES), weights=list(URGENCY_SHARES.values()))[0]
        minute = int(rng.triangular(0, 24 * 60 - 1, 13 * 60))
        patient = self._patient(rng, p, day, f"SIMP{eid[4:]}")
        booked = self.truth.booked_minutes(rng, p.code, rng.choice(surgeons).id if surgeons else None)
        if not surgeons:
            return None
        out.patients.append(patient)
        at = datetime.combine(day, time(), self.zone) + timedelta(minutes=minute)
        return EmergencyRequest(eid, patient.id, p.code, p.specialty, loc.id, urgency, at, booked)


def weighted(rng: random.Random, items: list[ProcedureSpec]) -> ProcedureSpec:
    """One procedure drawn by its catalogue weight."""
    return rng.choices(items, weights=[p.weight for p in items], k=1)[0]


def poisson(rng: random.Random, mean: float) -> int:
    """Poisson draw (Knuth for small means, normal approximation for large)."""
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k
