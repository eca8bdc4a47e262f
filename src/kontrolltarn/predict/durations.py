"""Surgery-duration distributions: log-normal, learnt from past operations.

The model (chosen by measurement, see docs/predict.md):
- **Median**: a ridge regression of log(minutes) on one-hot procedure, surgeon, specialty,
  location, room, urgency and sex, the components of combined procedure codes, and standardised
  age, ASA, BMI, position in the day, start time and log(booked minutes). Ridge shrinkage is the
  random-effects idea: a surgeon with few operations stays near the average. Optionally a small
  LightGBM on the ridge's residuals catches what is not log-linear (``boost=True``).
- **Spread**: the log-scale sigma per procedure, estimated from *cross-fitted* residuals (so it
  includes the model's own error) and shrunk towards its specialty's and the overall sigma,
  then scaled by one factor so that out-of-fold 80 % intervals hold 80 %.

The planner reads ``DurationModel.quantiles(referral, hospital, ps)``; the live board reads
``remaining_quantiles(distribution, elapsed_min, milestone)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from kontrolltarn.model import EventKind, Hospital, LogNormal, ModelError, Referral

from .features import DURATION_CATEGORICAL, DURATION_NUMERIC, Encoder, as_text

QUANTILES = (0.1, 0.5, 0.9)
_Z = NormalDist()
Progress = Callable[[str], None]


@dataclass
class DurationModel:
    """Log-normal duration model; see the module docstring. ``interval`` is the central
    interval whose coverage the spread is calibrated to."""

    categorical: Sequence[str] = DURATION_CATEGORICAL
    numeric: Sequence[str] = DURATION_NUMERIC
    spread_groups: Sequence[str] = ("specialty_id", "procedure_code")
    alphas: Sequence[float] = (0.3, 1.0, 3.0, 10.0)
    boost: bool = False
    robust_steps: int = 0
    boost_objective: str = "l1"
    interval: float = 0.8
    folds: int = 5
    shrink_n: float = 20.0
    seed: int = 0
    target: str = "actual_min"
    encoder: Encoder | None = None
    linear: _Linear | None = None
    booster: Any = None
    alpha: float = 1.0
    sigma_by_group: dict[str, dict[str, float]] = field(default_factory=dict)
    sigma_global: float = 0.3
    spread_factor: float = 1.0
    training_rows: int = 0

    # ------------------------------------------------------------------ training
    def fit(self, frame: pd.DataFrame, progress: Progress | None = None) -> DurationModel:
        say = progress or (lambda _message: None)
        if self.target not in frame.columns:
            raise ModelError("features", self.target, "target column missing from the table")
        y_min = pd.to_numeric(frame[self.target], errors="coerce").to_numpy(dtype=float)
        if np.any(~np.isfinite(y_min)) or np.any(y_min <= 0):
            bad = frame[self.target][~(np.isfinite(y_min) & (y_min > 0))].iloc[0]
            raise ModelError(self.target, bad, "durations must be positive numbers of minutes")
        if len(frame) < 2 * self.folds:
            raise ModelError("operations", len(frame),
                             f"need at least {2 * self.folds} to learn from")
        y = np.log(y_min)
        groups = [g for g in self.spread_groups if g in frame.columns]
        fold_of = np.random.default_rng(self.seed).permutation(len(frame)) % self.folds

        say("encoding features")
        # one encoding for all folds: levels and scales use every row's features (never the
        # target), and a level unseen in a fold's training rows simply gets no weight there
        encoder = Encoder(self.categorical, self.numeric).fit(frame)
        x = encoder.transform(frame)
        booster_table = (_booster_table(frame, self.categorical, self.numeric)
                         if self.boost else None)
        say("choosing the ridge penalty")
        self.alpha = self._choose_alpha(x, y, fold_of)
        say(f"cross-fitting {self.folds} folds (alpha={self.alpha:g})")
        residual = np.empty(len(frame))
        for k in range(self.folds):
            train, test = fold_of != k, fold_of == k
            linear, booster = self._fit_location(x[train], y[train], booster_table, train)
            residual[test] = y[test] - _predict(linear, booster, x[test], booster_table, test)
        say("fitting on all rows")
        everything = np.ones(len(frame), dtype=bool)
        self.linear, self.booster = self._fit_location(x, y, booster_table, everything)
        self.encoder = encoder
        self._fit_spread(frame, residual, groups)
        self.training_rows = len(frame)
        return self

    def _choose_alpha(self, x: Any, y: np.ndarray, fold_of: np.ndarray) -> float:
        """The ridge penalty with the lowest held-out absolute error on one fold."""
        if len(self.alphas) == 1:
            return float(self.alphas[0])
        train, test = fold_of != 0, fold_of == 0
        errors = {}
        for alpha in self.alphas:
            linear = _robust_ridge(x[train], y[train], alpha, self.robust_steps)
            errors[alpha] = float(np.mean(np.abs(np.exp(linear.predict(x[test])) - np.exp(y[test]))))
        return float(min(errors, key=lambda a: errors[a]))

    def _fit_location(self, x: Any, y: np.ndarray, booster_table: pd.DataFrame | None,
                      rows: np.ndarray) -> tuple[_Linear, Any]:
        linear = _robust_ridge(x, y, self.alpha, self.robust_steps)
        booster = None
        if booster_table is not None:
            import lightgbm as lgb

            booster = lgb.LGBMRegressor(objective=self.boost_objective, n_estimators=150,
                                        learning_rate=0.05, num_leaves=15, min_child_samples=40,
                                        subsample=0.8, subsample_freq=1, colsample_bytree=0.8,
                                        reg_lambda=5.0, verbose=-1, random_state=self.seed,
                                        n_jobs=1)
            booster.fit(booster_table[rows], y - linear.predict(x))
        return linear, booster

    def _fit_spread(self, frame: pd.DataFrame, residual: np.ndarray, groups: list[str]) -> None:
        """Sigma per group level, shrunk towards the coarser level, then one calibration factor."""
        squares = residual**2
        self.sigma_global = float(np.sqrt(np.mean(squares)))
        self.sigma_by_group = {}
        parent = np.full(len(frame), self.sigma_global**2)
        for column in groups:
            keys = as_text(frame[column]).to_numpy()
            table = pd.DataFrame({"key": keys, "sq": squares, "parent": parent})
            stats = table.groupby("key").agg(n=("sq", "size"), sum=("sq", "sum"),
                                             parent=("parent", "mean"))
            variance = ((stats["sum"] + self.shrink_n * stats["parent"])
                        / (stats["n"] + self.shrink_n))
            self.sigma_by_group[column] = {str(k): float(math.sqrt(v)) for k, v in variance.items()}
            parent = np.array([variance[k] for k in keys])
        sigma = np.sqrt(parent)
        z = _Z.inv_cdf(0.5 + self.interval / 2)
        self.spread_factor = float(np.quantile(np.abs(residual) / sigma, self.interval) / z)

    # ------------------------------------------------------------------ prediction
    def _predict_log(self, frame: pd.DataFrame) -> np.ndarray:
        if self.encoder is None or self.linear is None:
            raise ModelError("duration_model", "unfitted", "call fit() or load a saved model first")
        table = (_booster_table(frame, self.categorical, self.numeric)
                 if self.booster is not None else None)
        return _predict(self.linear, self.booster, self.encoder.transform(frame), table,
                        np.ones(len(frame), dtype=bool))

    def _sigma(self, frame: pd.DataFrame) -> np.ndarray:
        sigma = np.full(len(frame), self.sigma_global)
        for column, table in self.sigma_by_group.items():
            if column in frame.columns:
                found = as_text(frame[column]).map(table)
                sigma = np.where(found.notna(), found.to_numpy(dtype=float, na_value=np.nan), sigma)
        return sigma * self.spread_factor

    def predict_lognormal(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Median minutes and log-scale sigma for each row."""
        return np.exp(self._predict_log(frame)), self._sigma(frame)

    def predict_quantiles(self, frame: pd.DataFrame,
                          ps: Sequence[float] = QUANTILES) -> dict[float, np.ndarray]:
        median, sigma = self.predict_lognormal(frame)
        for p in ps:
            if not 0 < p < 1:
                raise ModelError("ps", p, "quantile levels must be strictly between 0 and 1")
        return {p: median * np.exp(sigma * _Z.inv_cdf(p)) for p in ps}

    # ------------------------------------------------------------------ planner API
    def distribution(self, referral: Referral, hospital: Hospital, *, location_id: str | None = None,
                     room_id: str | None = None, surgeon_id: str | None = None, order: int = 1,
                     start_min: int = 480, emergency: bool = False) -> LogNormal:
        """The predicted in-room duration of ``referral`` (a log-normal in minutes)."""
        row = referral_row(referral, hospital, location_id=location_id, room_id=room_id,
                           surgeon_id=surgeon_id, order=order, start_min=start_min,
                           emergency=emergency)
        median, sigma = self.predict_lognormal(pd.DataFrame([row]))
        return LogNormal(float(median[0]), float(min(sigma[0], 2.99)))

    def quantiles(self, referral: Referral, hospital: Hospital,
                  ps: Sequence[float] = QUANTILES, **context: Any) -> dict[float, float]:
        """``{p: minutes}`` for each level in ``ps``; context as in ``distribution``."""
        dist = self.distribution(referral, hospital, **context)
        return {p: dist.quantile(p) for p in ps}

    def quantiles_many(self, referrals: Sequence[Referral], hospital: Hospital,
                       ps: Sequence[float] = QUANTILES) -> dict[str, dict[float, float]]:
        """``{referral_id: {p: minutes}}`` for a whole waiting list in one pass (no context:
        the planner's first estimate before rooms and surgeons are chosen)."""
        if not referrals:
            return {}
        frame = pd.DataFrame([referral_row(r, hospital) for r in referrals])
        q = self.predict_quantiles(frame, ps)
        return {r.id: {p: float(q[p][i]) for p in ps} for i, r in enumerate(referrals)}

    def card_summary(self) -> dict[str, Any]:
        return {"kind": "log-normal ridge" + (" + boosted residual" if self.boost else ""),
                "alpha": self.alpha, "sigma_global": round(self.sigma_global, 4),
                "spread_factor": round(self.spread_factor, 4), "interval": self.interval,
                "features": {"categorical": list(self.categorical), "numeric": list(self.numeric)},
                "training_rows": self.training_rows}


@dataclass
class _Linear:
    coef: np.ndarray
    intercept: float

    def predict(self, x: Any) -> np.ndarray:
        return np.asarray(x @ self.coef + self.intercept, dtype=float).ravel()


def _ridge(x: Any, y: np.ndarray, alpha: float, weight: np.ndarray | None = None) -> _Linear:
    """Weighted ridge with an unpenalised intercept, solved in closed form: the design has a
    few hundred columns, so the normal equations are small and exact (milliseconds)."""
    w = np.ones(len(y)) if weight is None else weight
    total = float(w.sum())
    xw = x.multiply(w[:, None]).tocsr() if hasattr(x, "multiply") else x * w[:, None]
    mean_x = np.asarray(xw.sum(axis=0)).ravel() / total
    mean_y = float(w @ y) / total
    gram = np.asarray((x.T @ xw).todense() if hasattr(xw, "todense") else x.T @ xw)
    gram -= total * np.outer(mean_x, mean_x)
    cross = np.asarray(xw.T @ y).ravel() - total * mean_x * mean_y
    coef = np.linalg.solve(gram + alpha * np.eye(len(mean_x)), cross)
    return _Linear(coef, mean_y - float(mean_x @ coef))


def _robust_ridge(x: Any, y: np.ndarray, alpha: float, steps: int) -> _Linear:
    """Ridge with Huber weights by iterative reweighting: long outliers (a complication, a
    second procedure) pull the median less, which is what absolute error rewards."""
    linear = _ridge(x, y, alpha)
    for _ in range(steps):
        residual = y - linear.predict(x)
        scale = 1.4826 * float(np.median(np.abs(residual - np.median(residual)))) or 1.0
        weight = np.minimum(1.0, 1.345 * scale / np.maximum(np.abs(residual), 1e-12))
        linear = _ridge(x, y, alpha, weight)
    return linear


def _predict(linear: _Linear, booster: Any, x: Any, booster_table: pd.DataFrame | None,
             rows: np.ndarray) -> np.ndarray:
    log_minutes = linear.predict(x)
    if booster is not None and booster_table is not None:
        log_minutes = log_minutes + booster.predict(booster_table[rows])
    return log_minutes


def _booster_table(frame: pd.DataFrame, categorical: Sequence[str],
                   numeric: Sequence[str]) -> pd.DataFrame:
    """Numbers as they are; categories as stable integer hashes (LightGBM splits on them)."""
    table = pd.DataFrame(index=frame.index)
    for column in numeric:
        table[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    for column in categorical:
        table[column] = as_text(frame[column]).map(lambda s: _stable_hash(s) % 997).astype(int)
    return table


def _stable_hash(text: str) -> int:
    value = 0
    for char in text:
        value = (value * 131 + ord(char)) % 1_000_003
    return value


def referral_row(referral: Referral, hospital: Hospital, *, location_id: str | None = None,
                 room_id: str | None = None, surgeon_id: str | None = None, order: int = 1,
                 start_min: int = 480, emergency: bool = False) -> dict[str, Any]:
    """The feature row of a waiting-list referral as it would be operated (unknown context
    stays unknown: the model then uses the average effect)."""
    patient = hospital.patient_by_id.get(referral.patient_id)
    if patient is None:
        raise ModelError(f"referral[{referral.id}].patient_id", referral.patient_id, "unknown patient")
    return {
        "procedure_code": referral.procedure_code, "specialty_id": referral.specialty_id,
        "surgeon_id": surgeon_id or referral.surgeon_id or "unknown",
        "location_id": location_id or "unknown", "room_id": room_id or "unknown",
        "urgency": "elective", "patient_sex": patient.sex,
        "patient_age": patient.age_on(hospital.today), "asa": patient.asa, "bmi": patient.bmi,
        "order": order, "start_min": start_min, "emergency": int(emergency),
        "booked_min": referral.booked_min, "log_booked": math.log(referral.booked_min),
    }


# ---------------------------------------------------------------- live board

#: Typical minutes from closure to out of room (dressing, extubation, transfer): median, sigma.
CLOSURE_TO_OUT = LogNormal(12.0, 0.45)
#: Least remaining minutes once the incision is made (the surgery itself plus closure).
AFTER_INCISION_MIN = 20.0


def remaining_quantiles(distribution: LogNormal, elapsed_min: float, milestone: EventKind | None,
                        ps: Sequence[float] = QUANTILES) -> dict[float, float]:
    """Quantiles of the minutes left in the room, given ``elapsed_min`` since in-room and the
    last milestone reached.

    Before closure the total is the case's distribution conditioned on being longer than what
    has passed (plus the least that is left after incision); after closure only the closure-to-
    out time is left; out of room nothing is.
    """
    if elapsed_min < 0 or not math.isfinite(elapsed_min):
        raise ModelError("elapsed_min", elapsed_min, "must be a non-negative number of minutes")
    for p in ps:
        if not 0 < p < 1:
            raise ModelError("ps", p, "quantile levels must be strictly between 0 and 1")
    if milestone in (EventKind.OUT_OF_ROOM, EventKind.ROOM_READY, EventKind.CANCELLED):
        return {p: 0.0 for p in ps}
    if milestone is EventKind.CLOSURE:
        return {p: CLOSURE_TO_OUT.quantile(p) for p in ps}
    floor = elapsed_min + (AFTER_INCISION_MIN if milestone is EventKind.INCISION else 0.0)
    survived = 1.0 - distribution.cdf(floor)
    result = {}
    for p in ps:
        # quantile of the total given total > floor: F^-1(F(floor) + p * (1 - F(floor)))
        level = 1.0 - survived * (1.0 - p)
        if survived < 1e-9 or level >= 1.0 - 1e-12:
            # far past every plausible end: the case runs long, expect the closure soon
            total = floor + CLOSURE_TO_OUT.quantile(p)
        else:
            total = max(floor, distribution.quantile(level))
        result[p] = max(0.0, total - elapsed_min)
    return result
