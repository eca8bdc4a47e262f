"""The generator's truth: what really drives durations and cancellations.

Planners and predictors never see this; the simulator samples from it, and benchmarks compare
predictions against it (the "oracle").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from kontrolltarn.model import LogNormal, Procedure

#: log-duration effects of patient factors (per ASA class above 2, per BMI unit above 26, per year
#: of age above 55); small, as in the duration-prediction literature
ASA_EFFECT = 0.05
BMI_EFFECT = 0.008
AGE_EFFECT = 0.002


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

    def duration(self, procedure_code: str, surgeon_id: str | None, location_id: str | None,
                 asa: int, bmi: float, age: int) -> LogNormal:
        """The true in-room duration distribution of one case."""
        proc = self.procedures[procedure_code]
        factor = self.surgeon_effect.get(surgeon_id, 1.0) if surgeon_id else 1.0
        factor *= self.location_effect.get(location_id, 1.0) if location_id else 1.0
        factor *= math.exp(ASA_EFFECT * (asa - 2) + BMI_EFFECT * (bmi - 26) + AGE_EFFECT * (age - 55))
        return proc.duration.scaled(factor)
