"""The control tower's predictions from ``kontrolltarn.predict``: case durations from its one
``DurationSource`` (``CaseDurations``, for the planned surgeon at the room's location; see
``Tower.use_durations``), and the late-cancellation risk of each planned case from the
``CancellationModel`` with its top reasons.

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

import pandas as pd

from kontrolltarn.model import Hospital, PastBooking, PastOperation, PlannedCase
from kontrolltarn.predict import (
    CancellationModel,
    CaseDurations,
    DurationModel,
    bookings_frame,
    load_model,
)

log = logging.getLogger("kontrolltarn.control")

#: training subsample at start: the most recent operations / bookings (a year is 60,000 rows;
#: this many keep start-up to a few seconds with little loss, see docs/control-tower.md)
TRAIN_OPERATIONS = 12_000
TRAIN_BOOKINGS = 6_000


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
            {"feature": x.feature, "text": x.text, "contribution": x.contribution,
             "value": x.value}
            for x in shown])
    return out


@dataclass
class Models:
    durations: CaseDurations | None = None
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
    started = time.perf_counter()
    models = Models(source=f"trained at start on the latest {min(len(operations), max_operations)}"
                           f" operations and {min(len(bookings), max_bookings)} bookings")
    if operations:
        models.durations = CaseDurations.from_history(operations, latest=max_operations)
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
    started = time.perf_counter()
    models = Models(source=f"loaded from {folder}")
    if (folder / "durations").exists():
        model, _ = load_model(folder / "durations", DurationModel)
        models.durations = CaseDurations(model)
    if (folder / "cancellation").exists():
        models.cancellation, _ = load_model(folder / "cancellation", CancellationModel)
    models.seconds = time.perf_counter() - started
    return models
