"""Where the control tower gets a case's duration distribution and turnover.

``HospitalDurations`` is the procedure's in-room distribution from the hospital instance (the
fallback); ``control.predictors.PredictedDurations`` asks ``kontrolltarn.predict``'s duration
model. Anything with ``distribution(case_id)`` and ``turnover(case_id)`` will do.
"""

from __future__ import annotations

from typing import Protocol

from kontrolltarn.model import Hospital, LogNormal
from kontrolltarn.predict.durations import AFTER_INCISION_MIN, CLOSURE_TO_OUT

#: closure to out-of-room: dressing, waking, transfer — the same assumption as
#: ``kontrolltarn.predict.durations.remaining_quantiles``, so board and case view agree
CLOSURE_TAIL = CLOSURE_TO_OUT
#: least minutes left once the incision is made (as in ``remaining_quantiles``)
INCISION_FLOOR_MIN = AFTER_INCISION_MIN
DEFAULT_TURNOVER = 25


class DurationSource(Protocol):
    def distribution(self, case_id: str) -> LogNormal: ...

    def turnover(self, case_id: str) -> int: ...


class HospitalDurations:
    """In-room minutes from the procedure's distribution; the planned minutes when unknown."""

    def __init__(self, hospital: Hospital, planned_min: dict[str, int] | None = None) -> None:
        self.hospital = hospital
        self.planned_min = planned_min or {}

    def _procedure_code(self, case_id: str) -> str | None:
        referral = self.hospital.referral_by_id.get(case_id)
        if referral is not None:
            return referral.procedure_code
        emergency = self.hospital.emergency_by_id.get(case_id)
        return emergency.procedure_code if emergency is not None else None

    def distribution(self, case_id: str) -> LogNormal:
        code = self._procedure_code(case_id)
        if code is not None:
            return self.hospital.procedure_by_id[code].duration
        return LogNormal(float(self.planned_min.get(case_id, 90)), 0.4)

    def turnover(self, case_id: str) -> int:
        code = self._procedure_code(case_id)
        if code is None:
            return DEFAULT_TURNOVER
        specialty = self.hospital.procedure_by_id[code].specialty_id
        return self.hospital.specialty_by_id[specialty].turnover_min
