"""Late-cancellation risk: the calibrated probability that a confirmed case is struck from its
day's program after 16:00 the day before, with the top reasons per case.

The model (chosen by measurement, see docs/predict.md) is a logistic regression on plan context
(lead time, position in the day, earlier date changes, open readiness items, bed occupancy,
weekday), patient factors (age, ASA, BMI), booked length, location and specialty, and the
logistics facts the note reader finds in the case's note. Numbers enter both linearly and
through a few hinge terms, so a risk can rise faster past a threshold. A logistic model is
calibrated by construction on data like its training data, and its per-case contributions
(coefficient × distance from the average case, in log-odds) are exact, so the reasons a
coordinator reads are the model's real reasons, not an approximation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from kontrolltarn.model import ModelError

from .features import Encoder
from .notes import FACTS, NoteExtractor, extract_facts

CANCEL_CATEGORICAL = ("location_id", "specialty_id")
CANCEL_NUMERIC = ("patient_age", "asa", "bmi", "lead_time_days", "order", "earlier_changes",
                  "readiness_gaps", "bed_occupancy", "log_booked", "weekday")
#: hinge terms max(0, value - knot): where risk may bend
HINGES: dict[str, tuple[float, ...]] = {
    "lead_time_days": (7.0, 30.0), "bed_occupancy": (0.8, 0.9), "order": (2.0,),
    "asa": (3.0,), "patient_age": (75.0,), "readiness_gaps": (1.0,),
}

#: What each feature means to a coordinator, with the value shown.
READABLE: dict[str, str] = {
    "lead_time_days": "lead time {value:.0f} days",
    "order": "case {value:.0f} of the day",
    "earlier_changes": "{value:.0f} earlier date changes",
    "readiness_gaps": "{value:.0f} readiness items open",
    "bed_occupancy": "beds {value:.0%} booked",
    "patient_age": "patient aged {value:.0f}",
    "asa": "ASA {value:.0f}",
    "bmi": "BMI {value:.0f}",
    "log_booked": "booked {value:.0f} min",
    "weekday": "on a {value}",
    "location_id": "location {value}",
    "specialty_id": "specialty {value}",
    **{f"note_{fact}": f"note: {fact.replace('_', ' ')}" for fact in FACTS},
}


@dataclass(frozen=True, slots=True)
class Reason:
    """One feature's push on a case's risk, in log-odds (positive raises the risk). ``value``
    is the case's value of the feature (a number or a code), so that a page can word the reason
    in its own language; ``text`` is the English wording."""

    feature: str
    text: str
    contribution: float
    value: float | str | None = None


def add_note_facts(frame: pd.DataFrame, extractor: NoteExtractor | None = None) -> pd.DataFrame:
    """The frame with one 0/1 column ``note_<fact>`` per fact read from its ``note`` column."""
    table = frame.copy()
    notes = table["note"] if "note" in table.columns else pd.Series([""] * len(table))
    found = [extract_facts(str(text), extractor).facts for text in notes]
    for fact in FACTS:
        table[f"note_{fact}"] = [int(fact in facts) for facts in found]
    if "log_booked" not in table.columns and "booked_min" in table.columns:
        table["log_booked"] = np.log(table["booked_min"].astype(float))
    for column, knots in HINGES.items():
        if column in table.columns:
            for knot in knots:
                table[f"{column}>{knot:g}"] = np.maximum(0.0, table[column].astype(float) - knot)
    return table


@dataclass
class CancellationModel:
    """Calibrated late-cancellation probability with per-case reasons."""

    categorical: Sequence[str] = CANCEL_CATEGORICAL
    numeric: Sequence[str] = CANCEL_NUMERIC
    use_notes: bool = True
    #: inverse penalty; None: ``DEFAULT_C`` with plenty of events, else chosen by held-out log
    #: loss (few events overfit: on 28 days of history C=0.3 gave ECE 0.045 pooled over ten
    #: small hospitals, the chosen one 0.023 against the generator's own risks' 0.018)
    c: float | None = None
    chosen_c: float = 0.3
    target: str = "cancelled_late"
    encoder: Encoder | None = None
    logistic: LogisticRegression | None = None
    columns: list[str] = field(default_factory=list)
    base_rate: float = 0.0
    training_rows: int = 0
    #: the average design row of the training data: reasons are measured against it
    reference_row: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def _numeric_columns(self, table: pd.DataFrame) -> list[str]:
        hinge = [f"{c}>{k:g}" for c, knots in HINGES.items() if c in self.numeric for k in knots]
        notes = [f"note_{fact}" for fact in FACTS] if self.use_notes else []
        return [c for c in (*self.numeric, *hinge, *notes) if c in table.columns]

    def fit(self, frame: pd.DataFrame) -> CancellationModel:
        if self.target not in frame.columns:
            raise ModelError("features", self.target, "target column missing from the table")
        y = frame[self.target].astype(int).to_numpy()
        if len(set(y.tolist())) < 2:
            raise ModelError(self.target, sorted(set(y.tolist())),
                             "need both cancelled and kept cases to learn from")
        table = add_note_facts(frame)
        numeric = self._numeric_columns(table)
        self.encoder = Encoder(self.categorical, numeric, split_column=None).fit(table)
        self.columns = self._column_names()
        x = self.encoder.transform(table)
        # one BLAS thread: on a shared machine OpenBLAS's threads wait for each other (the
        # penalty search took 17 s instead of 0.3 s)
        with threadpool_limits(1):
            self.chosen_c = self.c if self.c is not None else _choose_c(x, y)
            self.logistic = LogisticRegression(C=self.chosen_c, max_iter=2000)
            self.logistic.fit(x, y)
        self.reference_row = np.asarray(x.mean(axis=0)).ravel()
        self.base_rate = float(y.mean())
        self.training_rows = len(frame)
        return self

    def _column_names(self) -> list[str]:
        assert self.encoder is not None
        names = [""] * self.encoder.width
        for column, levels in self.encoder.levels.items():
            for level, index in levels.items():
                names[index] = f"{column}={level}"
        start = self.encoder.width - len(self.encoder.numeric) - len(self.encoder.flags)
        for k, column in enumerate(self.encoder.numeric):
            names[start + k] = column
        for k, column in enumerate(self.encoder.flags):
            names[start + len(self.encoder.numeric) + k] = f"{column} missing"
        return names

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """Probability of a late cancellation for each row."""
        if self.encoder is None or self.logistic is None:
            raise ModelError("cancellation_model", "unfitted", "call fit() or load a saved model")
        table = add_note_facts(frame)
        return np.asarray(self.logistic.predict_proba(self.encoder.transform(table))[:, 1])

    def reasons(self, frame: pd.DataFrame, top: int = 3) -> list[list[Reason]]:
        """Per row, the ``top`` features that raise its risk most against the average case."""
        if self.encoder is None or self.logistic is None:
            raise ModelError("cancellation_model", "unfitted", "call fit() or load a saved model")
        table = add_note_facts(frame)
        x = self.encoder.transform(table).toarray()
        coef = self.logistic.coef_[0]
        contrib = (x - self.reference_row) * coef
        groups = self._groups()
        result = []
        for i in range(len(table)):
            by_feature: dict[str, float] = {}
            for feature, indices in groups.items():
                by_feature[feature] = float(contrib[i, indices].sum())
            ranked = sorted(by_feature.items(), key=lambda kv: -kv[1])[:top]
            result.append([Reason(f, self._text(f, table.iloc[i]), round(v, 3),
                                  self._value(f, table.iloc[i]))
                           for f, v in ranked if v > 0])
        return result

    def _groups(self) -> dict[str, list[int]]:
        groups: dict[str, list[int]] = {}
        for index, name in enumerate(self.columns):
            base = name.split("=")[0].split(">")[0].removesuffix(" missing")
            groups.setdefault(base, []).append(index)
        return groups

    @staticmethod
    def _value(feature: str, row: pd.Series) -> float | str | None:
        """The feature's value as a person reads it (booked minutes, not their logarithm)."""
        value: Any = row.get(feature)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        if feature == "log_booked":
            return round(float(np.exp(value)))
        if isinstance(value, (int, float, np.integer, np.floating)):
            return round(float(value), 2)
        return str(value)

    @staticmethod
    def _text(feature: str, row: pd.Series) -> str:
        template = READABLE.get(feature, feature.replace("_", " "))
        value: Any = row.get(feature, "")
        if feature == "log_booked":
            value = float(np.exp(value))
        if feature == "weekday":
            value = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                     "Sunday")[int(value) % 7]
        try:
            return template.format(value=value)
        except (ValueError, TypeError):
            return f"{feature} {value}"

    def card_summary(self) -> dict[str, Any]:
        return {"kind": "logistic regression with hinge terms and note facts", "C": self.chosen_c,
                "base_rate": round(self.base_rate, 4), "training_rows": self.training_rows,
                "features": {"categorical": list(self.categorical), "numeric": list(self.numeric),
                             "notes": self.use_notes}}


#: the measured penalty on a year of history (docs/predict.md)
DEFAULT_C = 0.3
#: penalties tried when events are few, and how few: past this many of the rarer outcome the
#: likelihood outweighs any of them, and five more fits would only cost time
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
FEW_EVENTS = 1000


def _choose_c(x: Any, y: np.ndarray, folds: int = 5) -> float:
    """The penalty with the lowest held-out log loss (stratified folds), or ``DEFAULT_C``."""
    events = int(min(y.sum(), len(y) - y.sum()))
    if events >= FEW_EVENTS or events < folds:
        return DEFAULT_C
    from sklearn.model_selection import StratifiedKFold  # deferred: heavy (scikit-learn)

    loss = dict.fromkeys(C_GRID, 0.0)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y):
        for c in C_GRID:
            model = LogisticRegression(C=c, max_iter=2000).fit(x[train], y[train])
            p = np.clip(model.predict_proba(x[test])[:, 1], 1e-6, 1 - 1e-6)
            loss[c] -= float(np.sum(y[test] * np.log(p) + (1 - y[test]) * np.log(1 - p)))
    return min(C_GRID, key=lambda c: loss[c])


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10,
                               strategy: str = "quantile") -> float:
    """ECE: the mean gap between predicted and observed rates over ``bins`` bins, weighted by
    bin size. ``quantile`` bins hold equally many cases (meaningful when most risks are small);
    ``uniform`` bins split [0, 1] evenly (the textbook variant)."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    if len(y) != len(p) or len(y) == 0:
        raise ModelError("ece", (len(y), len(p)), "need equally many outcomes and probabilities")
    if strategy == "quantile":
        chunks = np.array_split(np.argsort(p, kind="stable"), bins)
    elif strategy == "uniform":
        which = np.minimum((p * bins).astype(int), bins - 1)
        chunks = [np.flatnonzero(which == b) for b in range(bins)]
    else:
        raise ModelError("strategy", strategy, "must be 'quantile' or 'uniform'")
    error = 0.0
    for chunk in chunks:
        if len(chunk):
            error += len(chunk) * abs(float(p[chunk].mean()) - float(y[chunk].mean()))
    return error / len(y)
