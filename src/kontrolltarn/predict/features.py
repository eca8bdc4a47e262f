"""Feature tables: past operations and bookings as pandas frames, and a small encoder.

The encoder turns a frame into the sparse design matrix a log-linear model needs: one-hot
categories (unknown ones at prediction time fall back to the average effect), components of
combined procedure codes ("CABG + AVR" → CABG, AVR), and standardised numbers with a missing
flag. It is fitted on training data only and stored inside the model.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from kontrolltarn.model import ModelError, PastBooking, PastOperation

#: Columns of a duration table. The first ones are what a hospital's CSV must hold (see
#: ``history.load_operations_csv``); ``log_booked`` is derived from ``booked_min``. The room is
#: not a feature: rooms sit inside locations, so their dummies took a share of each location's
#: effect that a prediction without a room (the planner's and the tower's shared question is
#: surgeon and location) then lost: log-median error sd 0.062 against the truth with rooms,
#: 0.022 without (default hospital, seed 0, ready list).
DURATION_CATEGORICAL = ("procedure_code", "surgeon_id", "specialty_id", "location_id",
                        "urgency", "patient_sex")
DURATION_NUMERIC = ("patient_age", "asa", "bmi", "order", "start_min", "emergency", "log_booked")


def operations_frame(operations: Iterable[PastOperation]) -> pd.DataFrame:
    """One row per past operation, with the target ``actual_min``."""
    rows = [{
        "id": o.id, "date": o.date, "procedure_code": o.procedure_code, "surgeon_id": o.surgeon_id,
        "specialty_id": o.specialty_id, "location_id": o.location_id, "room_id": o.room_id,
        "urgency": str(o.urgency) if o.urgency is not None else "elective",
        "patient_sex": o.patient_sex, "patient_age": o.patient_age, "asa": o.asa, "bmi": o.bmi,
        "order": o.order, "start_min": o.start_min, "emergency": int(o.emergency),
        "booked_min": o.booked_min, "actual_min": o.actual_min,
    } for o in operations]
    frame = pd.DataFrame(rows)
    if frame.empty:
        raise ModelError("operations", 0, "no past operations to learn from")
    frame["log_booked"] = np.log(frame["booked_min"].astype(float))
    return frame


def bookings_frame(bookings: Iterable[PastBooking]) -> pd.DataFrame:
    """One row per past program entry, with the target ``cancelled_late`` (0/1)."""
    rows = [{
        "id": b.id, "date": b.date, "location_id": b.location_id, "specialty_id": b.specialty_id,
        "procedure_code": b.procedure_code, "patient_age": b.patient_age, "asa": b.asa,
        "bmi": b.bmi, "lead_time_days": b.lead_time_days, "order": b.order,
        "earlier_changes": b.earlier_changes, "readiness_gaps": b.readiness_gaps,
        "bed_occupancy": b.bed_occupancy, "booked_min": b.booked_min, "note": b.note,
        "weekday": b.date.weekday(), "cancelled_late": int(b.cancelled_late),
        "reason": str(b.reason) if b.reason is not None else "",
    } for b in bookings]
    frame = pd.DataFrame(rows)
    if frame.empty:
        raise ModelError("bookings", 0, "no past bookings to learn from")
    return frame


@dataclass
class Encoder:
    """Frame → sparse design matrix. ``split_column`` names a categorical column whose values may
    join several codes with ``+``; each code then gets its own indicator too."""

    categorical: Sequence[str]
    numeric: Sequence[str]
    split_column: str | None = "procedure_code"
    min_count: int = 1
    levels: dict[str, dict[str, int]] = field(default_factory=dict)
    parts: dict[str, int] = field(default_factory=dict)
    centre: dict[str, float] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    width: int = 0

    def fit(self, frame: pd.DataFrame) -> Encoder:
        for column in (*self.categorical, *self.numeric):
            if column not in frame.columns:
                raise ModelError("features", column, "column missing from the training table")
        offset = 0
        self.levels = {}
        for column in self.categorical:
            counts = as_text(frame[column]).value_counts()
            kept = sorted(level for level, n in counts.items() if n >= self.min_count)
            self.levels[column] = {level: offset + i for i, level in enumerate(kept)}
            offset += len(kept)
        self.parts = {}
        if self.split_column is not None and self.split_column in self.categorical:
            codes = sorted({p for value in as_text(frame[self.split_column]) for p in _split(value)})
            self.parts = {code: offset + i for i, code in enumerate(codes)}
            offset += len(codes)
        flags = []
        for column in self.numeric:
            values = pd.to_numeric(frame[column], errors="coerce").astype(float)
            self.centre[column] = float(values.median()) if values.notna().any() else 0.0
            std = float(values.std()) if values.notna().sum() > 1 else 1.0
            self.scale[column] = std if std > 0 and not math.isnan(std) else 1.0
            if values.isna().any():
                flags.append(column)
        self.flags = tuple(flags)
        self.width = offset + len(self.numeric) + len(self.flags)
        return self

    def transform(self, frame: pd.DataFrame) -> sparse.csr_matrix:
        n = len(frame)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        index = np.arange(n)
        for column in self.categorical:
            mapping = self.levels[column]
            positions = as_text(frame[column]).map(mapping)
            known = positions.notna().to_numpy()
            rows.append(index[known])
            cols.append(positions[known].astype(int).to_numpy())
            vals.append(np.ones(int(known.sum())))
        if self.parts:
            for row, value in enumerate(as_text(frame[self.split_column or ""])):
                codes = [self.parts[c] for c in _split(value) if c in self.parts]
                if len(codes) > 1:  # a single code is already its own level
                    rows.append(np.full(len(codes), row))
                    cols.append(np.array(codes))
                    vals.append(np.ones(len(codes)))
        start = self.width - len(self.numeric) - len(self.flags)
        for k, column in enumerate(self.numeric):
            values = pd.to_numeric(frame[column], errors="coerce").astype(float).to_numpy()
            missing = np.isnan(values)
            scaled = (np.where(missing, self.centre[column], values) - self.centre[column])
            rows.append(index)
            cols.append(np.full(n, start + k))
            vals.append(scaled / self.scale[column])
            if column in self.flags:
                flag_col = start + len(self.numeric) + self.flags.index(column)
                rows.append(index[missing])
                cols.append(np.full(int(missing.sum()), flag_col))
                vals.append(np.ones(int(missing.sum())))
        return sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                                 shape=(n, self.width))


def as_text(series: pd.Series) -> pd.Series:
    return series.astype(object).where(series.notna(), "missing").astype(str)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("+") if part.strip()]
