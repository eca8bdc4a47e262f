"""The control tower's predictions from ``kontrolltarn.predict``: case durations from the
``DurationModel`` (with the day's context: location, room, surgeon, place in the list, start),
and the late-cancellation risk of each planned case from the ``CancellationModel`` with its top
reasons.

Models come from the predict registry (``kontrolltarn predict train --out models/``) or are
trained at start on the synthetic hospital's history — on a subsample of the most recent days,
so that start-up stays quick (``train_models``).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kontrolltarn.model import Hospital, LogNormal, PastBooking, PastOperation

from .durations import HospitalDurations
from .live import PlannedCase

log = logging.getLogger("kontrolltarn.control")

#: training subsample at start: the most recent operations / bookings (a year is 60,000 rows;
#: this many keep start-up to a few seconds with little loss, see docs/control-tower.md)
TRAIN_OPERATIONS = 12_000
TRAIN_BOOKINGS = 6_000


class PredictedDurations:
    """A ``DurationSource``: each planned case's in-room log-normal from the duration model,
    predicted once for the whole day in one pass (the forecast asks thousands of times a second).
    Emergencies and cases unknown to the model fall back to ``HospitalDurations``."""

    def __init__(self, model: Any, hospital: Hospital, planned: Sequence[PlannedCase],
                 surgeons: dict[str, str] | None = None) -> None:
        import pandas as pd

        from kontrolltarn.predict.durations import referral_row

        self.model = model
        self.fallback = HospitalDurations(hospital, {p.case_id: p.planned_min for p in planned})
        self._dist: dict[str, LogNormal] = {}
        rows, ids = [], []
        for p in planned:
            referral = hospital.referral_by_id.get(p.case_id)
            if referral is None or referral.patient_id not in hospital.patient_by_id:
                continue
            room = hospital.room_by_id.get(p.room_id)
            rows.append(referral_row(referral, hospital,
                                     location_id=room.location_id if room else None,
                                     room_id=p.room_id, surgeon_id=(surgeons or {}).get(p.case_id),
                                     order=max(1, p.position), start_min=p.start_min))
            ids.append(p.case_id)
        if rows:
            median, sigma = model.predict_lognormal(pd.DataFrame(rows))
            for case_id, m, s in zip(ids, median, sigma, strict=True):
                self._dist[case_id] = LogNormal(float(m), float(min(s, 2.99)))

    def distribution(self, case_id: str) -> LogNormal:
        found = self._dist.get(case_id)
        return found if found is not None else self.fallback.distribution(case_id)

    def turnover(self, case_id: str) -> int:
        return self.fallback.turnover(case_id)


@dataclass(frozen=True)
class CaseRisk:
    risk: float
    reasons: list[dict[str, Any]] = field(default_factory=list)


def _lead_days(hospital: Hospital, case_id: str, day: date) -> float:
    """Days from telling the patient to today; unknown (never told) is left to the model, which
    takes the training median for a missing number."""
    case = hospital.case_by_id.get(case_id)
    told = getattr(case, "told_at", None) if case is not None else None
    return float(max(0, (day - told.date()).days)) if told is not None else math.nan


def _earlier_changes(hospital: Hospital, case_id: str) -> int:
    case = hospital.case_by_id.get(case_id)
    if case is None:
        return 0
    return sum(1 for c in case.history if getattr(c, "new_date", None) is not None)


def cancellation_risks(model: Any, hospital: Hospital, day: date,
                       planned: Sequence[PlannedCase], top: int = 3) -> dict[str, CaseRisk]:
    """Late-cancellation probability and top reasons for every planned elective case."""
    import pandas as pd

    rows, ids = [], []
    for p in planned:
        referral = hospital.referral_by_id.get(p.case_id)
        patient = hospital.patient_by_id.get(referral.patient_id) if referral else None
        if referral is None or patient is None:
            continue
        room = hospital.room_by_id.get(p.room_id)
        rows.append({
            "location_id": room.location_id if room else "unknown",
            "specialty_id": referral.specialty_id, "procedure_code": referral.procedure_code,
            "patient_age": patient.age_on(day), "asa": patient.asa, "bmi": patient.bmi,
            "lead_time_days": _lead_days(hospital, p.case_id, day), "order": max(1, p.position),
            "earlier_changes": _earlier_changes(hospital, p.case_id),
            "readiness_gaps": len(referral.readiness_missing),
            # not known live: missing, so the model uses its training median
            "bed_occupancy": math.nan,
            "booked_min": p.planned_min, "note": referral.note or "",
            "weekday": day.weekday(), "cancelled_late": 0,
        })
        ids.append(p.case_id)
    if not rows:
        return {}
    frame = pd.DataFrame(rows)
    frame["log_booked"] = frame["booked_min"].astype(float).map(math.log)
    risk = model.predict_proba(frame)
    reasons = model.reasons(frame, top=top)
    out = {}
    for i, (case_id, r, why) in enumerate(zip(ids, risk, reasons, strict=True)):
        # a number not known live is no reason to show (the model took its median)
        shown = [x for x in why
                 if not (x.feature in frame.columns and isinstance(frame.at[i, x.feature], float)
                         and math.isnan(frame.at[i, x.feature]))]
        out[case_id] = CaseRisk(round(float(r), 4), [
            {"feature": x.feature, "text": x.text, "contribution": x.contribution}
            for x in shown])
    return out


@dataclass
class Models:
    durations: Any = None
    cancellation: Any = None
    source: str = "none"
    seconds: float = 0.0


def _recent(items: Iterable[Any], limit: int) -> list[Any]:
    ordered = sorted(items, key=lambda x: (x.date, x.id))
    return ordered[-limit:]


def train_models(operations: Sequence[PastOperation], bookings: Sequence[PastBooking],
                 max_operations: int = TRAIN_OPERATIONS,
                 max_bookings: int = TRAIN_BOOKINGS) -> Models:
    """Fit both models on the most recent ``max_*`` rows of the history."""
    from kontrolltarn.predict.cancellation import CancellationModel
    from kontrolltarn.predict.durations import DurationModel
    from kontrolltarn.predict.features import bookings_frame, operations_frame

    started = time.perf_counter()
    models = Models(source=f"trained at start on the latest {min(len(operations), max_operations)}"
                           f" operations and {min(len(bookings), max_bookings)} bookings")
    if operations:
        models.durations = DurationModel().fit(operations_frame(_recent(operations,
                                                                        max_operations)))
    if bookings:
        frame = bookings_frame(_recent(bookings, max_bookings))
        if frame["cancelled_late"].nunique() == 2:
            models.cancellation = CancellationModel().fit(frame)
    models.seconds = time.perf_counter() - started
    log.info("prediction models trained in %.1f s", models.seconds)
    return models


def load_models(folder: Path) -> Models:
    """Models saved by ``kontrolltarn predict train --out folder`` (checked against their
    cards by the registry)."""
    from kontrolltarn.predict.cancellation import CancellationModel
    from kontrolltarn.predict.durations import DurationModel
    from kontrolltarn.predict.registry import load_model

    started = time.perf_counter()
    models = Models(source=f"loaded from {folder}")
    if (folder / "durations").exists():
        models.durations, _ = load_model(folder / "durations", DurationModel)
    if (folder / "cancellation").exists():
        models.cancellation, _ = load_model(folder / "cancellation", CancellationModel)
    models.seconds = time.perf_counter() - started
    return models
