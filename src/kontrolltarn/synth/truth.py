"""The generator's truth: what really drives durations and cancellations, which sessions run and
what arrives.

Planners and predictors never see this; the simulator samples from it (it is a
``model.TruthModel``), and benchmarks compare predictions against it (the "oracle").
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date

from kontrolltarn.model import Hospital, LogNormal, ModelError, Patient, Procedure, Session

from .arrivals import ArrivalStream
from .calendar import SURGEON_AWAY_SHARE, sessions_for
from .scales import Scale

#: log-duration effects of patient factors (per ASA class above 2, per BMI unit above 26, per year
#: of age above 55); small, as in the duration-prediction literature
ASA_EFFECT = 0.05
BMI_EFFECT = 0.008
AGE_EFFECT = 0.002
#: Booking error: surgeons' estimates are biased short and noisy (log scale). Calibrated between
#: the two published references: the large study in DOMAIN.md (40,656 cases: bookings 31 min short
#: on average, mean error 35 min, only 9 % within ±10 %) and the real TCT data (MAE 51.7 min on a
#: 227-min median, 22 min short). Measured on the generated year: 28 min short on average, mean
#: absolute error 45 min on a mean case of 135 min, 17 % within ±10 %.
BOOKING_BIAS_MEAN = -0.15
BOOKING_NOISE_SD = 0.25
#: chance that a waiting patient does not turn up when nothing is known of the referral
DEFAULT_NO_SHOW = 0.03


@dataclass
class Truth:
    procedures: dict[str, Procedure]
    surgeon_effect: dict[str, float]  # multiplicative effect on the median per surgeon
    surgeon_booking_bias: dict[str, float]  # log-scale bias of each surgeon's estimates
    location_effect: dict[str, float]
    operation_median: dict[str, float] = field(default_factory=dict)
    operation_sigma: dict[str, float] = field(default_factory=dict)
    note_labels: dict[str, frozenset[str]] = field(default_factory=dict)
    booking_risk: dict[str, float] = field(default_factory=dict)
    #: true duration of each referral on the waiting list, with its named surgeon (or the
    #: specialty's typical surgeon when none is named)
    referral_duration: dict[str, LogNormal] = field(default_factory=dict)
    #: chance that a waiting patient does not show up / cancels on the day, per referral
    referral_no_show: dict[str, float] = field(default_factory=dict)
    #: elective operations per specialty over the generated history (sets the referral rates)
    elective_done: dict[str, int] = field(default_factory=dict)
    surgeon_away_share: float = SURGEON_AWAY_SHARE
    #: the calendar's and the arrival rates' scale (None: the hospital's own truth, see ``of_hospital``)
    scale: Scale | None = None

    @classmethod
    def of_hospital(cls, hospital: Hospital) -> Truth:
        """The truth a hospital without a generator has: its procedures' own duration
        distributions with the patient effects, no surgeon or location effects, the default
        no-show share. Enough to play its days (``simulate.replay.play_day``); no calendar rules
        or arrivals beyond its own data."""
        return cls({p.code: p for p in hospital.procedures}, {}, {}, {})

    def duration(self, procedure_code: str, surgeon_id: str | None, location_id: str | None,
                 asa: int, bmi: float, age: int) -> LogNormal:
        """The true in-room duration distribution of one case."""
        proc = self.procedures[procedure_code]
        factor = self.surgeon_effect.get(surgeon_id, 1.0) if surgeon_id else 1.0
        factor *= self.location_effect.get(location_id, 1.0) if location_id else 1.0
        factor *= math.exp(ASA_EFFECT * (asa - 2) + BMI_EFFECT * (bmi - 26) + AGE_EFFECT * (age - 55))
        return proc.duration.scaled(factor)

    def no_show(self, referral_id: str) -> float:
        """The chance that the referral's patient does not turn up on the day."""
        return self.referral_no_show.get(referral_id, DEFAULT_NO_SHOW)

    def booked_minutes(self, rng: random.Random, procedure_code: str, surgeon_id: str | None) -> int:
        """A surgeon's estimate: knows the procedure and roughly their own speed, not the truth;
        biased short and noisy, in 5-minute steps."""
        median = self.procedures[procedure_code].duration.median
        effect = self.surgeon_effect.get(surgeon_id, 1.0) ** 0.5 if surgeon_id else 1.0
        bias = self.surgeon_booking_bias.get(surgeon_id, BOOKING_BIAS_MEAN) if surgeon_id \
            else BOOKING_BIAS_MEAN
        return max(5, int(5 * round(median * effect * math.exp(bias + rng.gauss(0, BOOKING_NOISE_SD)) / 5)))

    def learn_referral(self, referral_id: str, procedure_code: str, surgeon_id: str | None,
                       patient: Patient, labels: frozenset[str], day: date) -> None:
        """Record the truth of a new referral: its note's labels, true duration and no-show chance."""
        self.note_labels[referral_id] = labels
        self.referral_duration[referral_id] = self.duration(procedure_code, surgeon_id, None, patient.asa,
                                                            patient.bmi, patient.age_on(day))
        self.referral_no_show[referral_id] = 0.02 + 0.02 * (patient.asa >= 3)

    def calendar_scale(self) -> Scale:
        """The generator scale whose calendar rules and arrival rates this truth follows."""
        if self.scale is None:
            raise ModelError("truth.scale", None, "this truth has no generator scale: no calendar "
                             "rules or arrivals beyond the hospital's own data")
        return self.scale

    def sessions(self, hospital: Hospital, first: date, days: int) -> list[Session]:
        """The hospital's sessions from ``first`` for ``days`` days, by the generator's calendar."""
        return sessions_for(hospital, self.calendar_scale(), first, days)

    def arrivals(self, hospital: Hospital, seed: int, referral_rate_factor: float,
                 emergency_rate_factor: float) -> ArrivalStream:
        """New referrals and emergencies of simulation ``seed``, from the generator's distributions."""
        return ArrivalStream(self, hospital, seed, referral_rate_factor, emergency_rate_factor)
