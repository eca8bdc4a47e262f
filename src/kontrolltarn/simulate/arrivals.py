"""New referrals and emergency requests during a simulated period.

The distributions are the generator's (``synth.generator``): specialty mix from the history's
elective volume, priority shares and deadlines, procedure weights, named-surgeon share, patients,
surgeons' biased booked durations, readiness gaps, notes. Each day draws from its own stream, so
the arrivals are the same whatever the policy does (common random numbers).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kontrolltarn.model import (
    BedType,
    EmergencyRequest,
    Patient,
    ReadinessItem,
    Referral,
    Staff,
    StaffRole,
)
from kontrolltarn.synth import SyntheticHospital, catalogue
from kontrolltarn.synth.catalogue import ProcedureSpec
from kontrolltarn.synth.generator import (
    BOOKING_BIAS_MEAN,
    BOOKING_NOISE_SD,
    DEADLINE_DAYS,
    NAMED_SURGEON_SHARE,
    PRIORITY_SHARES,
    URGENCY_SHARES,
    draw_patient,
    is_operating_day,
)
from kontrolltarn.synth.notes import make_note


@dataclass
class Arrivals:
    """What one day brings: referrals (with their patients) and emergency requests."""

    referrals: list[Referral] = field(default_factory=list)
    emergencies: list[EmergencyRequest] = field(default_factory=list)
    patients: list[Patient] = field(default_factory=list)


class ArrivalStream:
    """Draws each day's arrivals from the generator's distributions and extends the truth
    (true duration, no-show chance) for every new referral."""

    def __init__(self, synthetic: SyntheticHospital, seed: int, referral_rate_factor: float,
                 emergency_rate_factor: float) -> None:
        self.synthetic = synthetic
        self.seed = seed
        hospital = synthetic.hospital
        self.zone = ZoneInfo(hospital.timezone)
        done: Counter[str] = Counter(op.specialty_id for op in synthetic.history if not op.emergency)
        history_days = max(1, synthetic.scale.history_days)
        self.specialty_ids = sorted(done)
        self.yearly = [done[s] * 364 / history_days for s in self.specialty_ids]
        self.referrals_per_day = sum(self.yearly) * referral_rate_factor / 365
        self.emergencies_per_day = synthetic.scale.emergencies_per_day * emergency_rate_factor
        self.surgeons: dict[str, list[Staff]] = {}
        for person in hospital.staff:
            if person.role is StaffRole.SURGEON and person.specialty_id is not None:
                self.surgeons.setdefault(person.specialty_id, []).append(person)
        self.elective: dict[str, list[ProcedureSpec]] = {}
        self.emergency: dict[str, list[ProcedureSpec]] = {}
        for p in catalogue.PROCEDURES:
            (self.emergency if p.emergency else self.elective).setdefault(p.specialty, []).append(p)
        self.locations = synthetic.scale.locations
        self.location_weights = [ls.elective_rooms + ls.emergency_rooms for ls in self.locations]
        self.emergency_specialties = [s for s in catalogue.SPECIALTIES if s.id in self.emergency]

    def day(self, day: date) -> Arrivals:
        rng = random.Random(f"kontrolltarn-sim-{self.seed}-arrivals-{day.isoformat()}")
        out = Arrivals()
        for k in range(_poisson(rng, self.referrals_per_day)):
            specialty = rng.choices(self.specialty_ids, weights=self.yearly)[0]
            if not self.surgeons.get(specialty):
                continue
            out.referrals.append(self._referral(rng, day, specialty, f"SIMH{day:%y%m%d}{k:03d}", out))
        rate = self.emergencies_per_day * (1.07 if is_operating_day(day) else 0.8)
        for k in range(_poisson(rng, rate)):
            em = self._emergency(rng, day, f"SIMO{day:%y%m%d}{k:03d}", out)
            if em is not None:
                out.emergencies.append(em)
        return out

    # ---- one referral ------------------------------------------------------------------------
    def _referral(self, rng: random.Random, day: date, specialty: str, rid: str,
                  out: Arrivals) -> Referral:
        truth = self.synthetic.truth
        priority = rng.choices(list(PRIORITY_SHARES), weights=list(PRIORITY_SHARES.values()))[0]
        p = _weighted(rng, self.elective[specialty])
        able = [s for s in self.surgeons[specialty] if p.competence is None or p.competence in s.competences]
        surgeon = rng.choice(able) if able and rng.random() < NAMED_SURGEON_SHARE else None
        patient = self._patient(rng, p, day, f"SIMP{rid[4:]}")
        out.patients.append(patient)
        missing = frozenset(item for item in ReadinessItem if rng.random() < 0.18)
        note, labels = make_note(rng, icu_procedure=p.bed is BedType.ICU)
        surgeon_id = surgeon.id if surgeon else None
        truth.note_labels[rid] = labels
        truth.referral_duration[rid] = truth.duration(p.code, surgeon_id, None, patient.asa,
                                                      patient.bmi, patient.age_on(day))
        truth.referral_no_show[rid] = 0.02 + 0.02 * (patient.asa >= 3)
        return Referral(
            id=rid, patient_id=patient.id, procedure_code=p.code, specialty_id=specialty,
            referral_date=day, priority=priority,
            deadline=day + timedelta(days=DEADLINE_DAYS[priority]),
            booked_min=self.booked_minutes(rng, p.code, surgeon_id), surgeon_id=surgeon_id,
            note=note, readiness_missing=missing, infected="isolation" in labels)

    def booked_minutes(self, rng: random.Random, code: str, surgeon_id: str | None) -> int:
        """A surgeon's estimate, as in the generator: biased short and noisy."""
        truth = self.synthetic.truth
        median = truth.procedures[code].duration.median
        effect = truth.surgeon_effect.get(surgeon_id, 1.0) ** 0.5 if surgeon_id else 1.0
        bias = truth.surgeon_booking_bias.get(surgeon_id, BOOKING_BIAS_MEAN) if surgeon_id \
            else BOOKING_BIAS_MEAN
        return max(5, int(5 * round(median * effect * math.exp(bias + rng.gauss(0, BOOKING_NOISE_SD)) / 5)))

    def _patient(self, rng: random.Random, p: ProcedureSpec, day: date, pid: str) -> Patient:
        return draw_patient(rng, p, day, pid, f"SYN{pid}")

    def _emergency(self, rng: random.Random, day: date, eid: str,
                   out: Arrivals) -> EmergencyRequest | None:
        loc = rng.choices(self.locations, weights=self.location_weights, k=1)[0]
        spec = rng.choices(self.emergency_specialties,
                           weights=[s.emergency_share for s in self.emergency_specialties])[0]
        p = _weighted(rng, self.emergency[spec.id])
        surgeons = self.surgeons.get(p.specialty)
        urgency = rng.choices(list(URGENCY_SHARES), weights=list(URGENCY_SHARES.values()))[0]
        minute = int(rng.triangular(0, 24 * 60 - 1, 13 * 60))
        patient = self._patient(rng, p, day, f"SIMP{eid[4:]}")
        booked = self.booked_minutes(rng, p.code, rng.choice(surgeons).id if surgeons else None)
        if not surgeons:
            return None
        out.patients.append(patient)
        at = datetime.combine(day, time(), self.zone) + timedelta(minutes=minute)
        return EmergencyRequest(eid, patient.id, p.code, p.specialty, loc.id, urgency, at, booked)


def _weighted(rng: random.Random, items: list[ProcedureSpec]) -> ProcedureSpec:
    return rng.choices(items, weights=[p.weight for p in items], k=1)[0]


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k
