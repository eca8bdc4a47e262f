"""Surgery-duration distributions: log-normal, learnt from past operations.

The model (chosen by measurement, see docs/predict.md):
- **Median**: a ridge regression of log(minutes) on one-hot procedure, surgeon, specialty,
  location, urgency and sex (not the room: see ``features``), the components of combined
  procedure codes, and standardised age, ASA, BMI, position in the day, start time and
  log(booked minutes). Ridge shrinkage is the
  random-effects idea: a surgeon with few operations stays near the average. Optionally a small
  LightGBM on the ridge's residuals catches what is not log-linear (``boost=True``).
- **Spread**: the log-scale sigma per procedure, estimated from *cross-fitted* residuals (so it
  includes the model's own error) and shrunk towards its specialty's and the overall sigma,
  then scaled by one factor so that out-of-fold 80 % intervals hold 80 %.

Every user asks the same place: ``DurationSource`` (the Protocol) implemented by
``CaseDurations`` (the model trained on the hospital's history, or the procedure's distribution
in the hospital instance when there is none). The program planner conditions on the surgeon and
location it assigns, the simulator's optimised policy plans with it, the control tower forecasts
with it; the live case view reads ``remaining_quantiles(distribution, elapsed_min, milestone)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import NormalDist
from typing import Any, Protocol

import numpy as np
import pandas as pd
import scipy.linalg
from scipy import sparse
from threadpoolctl import threadpool_limits

from kontrolltarn.model import (
    EmergencyRequest,
    EventKind,
    Hospital,
    LogNormal,
    ModelError,
    PastOperation,
    Referral,
)

from .features import DURATION_CATEGORICAL, DURATION_NUMERIC, Encoder, as_text, operations_frame

QUANTILES = (0.1, 0.5, 0.9)
_Z = NormalDist()
Progress = Callable[[str], None]
#: what is operated: a waiting-list referral or an emergency request
Case = Referral | EmergencyRequest


@dataclass
class DurationModel:
    """Log-normal duration model; see the module docstring. ``interval`` is the central
    interval whose coverage the spread is calibrated to. One ridge penalty per feature group,
    learnt from the data (empirical Bayes, ``_penalties``)."""

    categorical: Sequence[str] = DURATION_CATEGORICAL
    numeric: Sequence[str] = DURATION_NUMERIC
    spread_groups: Sequence[str] = ("specialty_id", "procedure_code")
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
    #: learnt prior variance of each group's effects (log scale): how much procedures,
    #: surgeons, specialties … differ; an unseen level's effect is a draw from it
    prior_variance: dict[str, float] = field(default_factory=dict)
    #: posterior covariance of the coefficients: the uncertainty of the estimates
    covariance: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    noise_variance: float = 0.09
    sigma_by_group: dict[str, dict[str, float]] = field(default_factory=dict)
    sigma_global: float = 0.3
    spread_factor: float = 1.0
    training_rows: int = 0

    # ------------------------------------------------------------------ training
    def fit(self, frame: pd.DataFrame, progress: Progress | None = None) -> DurationModel:
        # one BLAS thread: the normal equations are a few hundred wide, and on a shared machine
        # OpenBLAS's threads wait for each other (10 solves took 6 s instead of 0.2 s)
        with threadpool_limits(1):
            return self._fit(frame, progress)

    def _fit(self, frame: pd.DataFrame, progress: Progress | None) -> DurationModel:
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

        say("encoding features")
        # one encoding for all folds: levels and scales use every row's features (never the
        # target), and a level unseen in a fold's training rows simply gets no weight there
        encoder = Encoder(self.categorical, self.numeric).fit(frame)
        self.encoder = encoder
        x = encoder.transform(frame)
        say("learning how much procedures, surgeons and specialties differ")
        penalty = self._penalties(x, y)
        self.linear, chol = _solve(_normal_equations(x, y), penalty)
        if self.robust_steps:
            self.linear, chol = _robust_ridge(x, y, penalty, self.robust_steps)
        inverse = _inverse(chol)
        self.covariance = self.noise_variance * inverse
        leverage = _quadratic_forms(x, inverse, self.linear.mean_x)
        residual = y - self.linear.predict(x)
        if self.boost:
            say(f"cross-fitting {self.folds} folds for the boosted residual")
            table = booster_table(frame, self.categorical, self.numeric)
            fold_of = np.random.default_rng(self.seed).permutation(len(frame)) % self.folds
            held_out = np.empty(len(frame))
            for k in range(self.folds):
                train, test = fold_of != k, fold_of == k
                linear, booster = self._fit_location(x[train], y[train], penalty, table, train)
                held_out[test] = y[test] - _predict(linear, booster, x[test], table, test)
            # on in-sample residuals: on leave-one-out ones it gained nothing on TCT (41.11
            # against 41.02 min, fold seed 0) for five more inversions
            self.booster = self._fit_booster(table, residual)
        else:
            held_out = _loo(residual, leverage)
        self._fit_spread(frame, residual, leverage, held_out, groups)
        self.training_rows = len(frame)
        return self

    def _penalties(self, x: Any, y: np.ndarray) -> np.ndarray:
        """Per-column ridge penalties. Empirical Bayes: each categorical column's effects are
        random, N(0, tau^2), numbers are fixed effects; the variances maximise the evidence
        (MacKay's fixed point), so a penalty is noise / tau^2: a surgeon with few operations
        stays near the average by as much as surgeons really differ in this history."""
        assert self.encoder is not None
        blocks = self._blocks()
        design = _normal_equations(x, y)
        n = len(y)
        total_var = max(design.yy / n, 1e-6)
        tau2 = {name: 0.1 * total_var for name in blocks}
        noise = 0.5 * total_var
        penalty = np.full(self.encoder.width, _FIXED_PENALTY)
        for _ in range(_EB_ITERATIONS):
            for name, columns in blocks.items():
                penalty[columns] = noise / tau2[name]
            linear, chol = _solve(design, penalty)
            inverse_diag = np.sum(_inverse_factor(chol) ** 2, axis=0)
            coef = linear.coef
            rss = max(design.yy - 2 * float(coef @ design.cross) + float(coef @ design.gram @ coef),
                      1e-9)
            used = 0.0
            new_tau2 = {}
            for name, columns in blocks.items():
                gamma = float(np.sum(1.0 - penalty[columns] * inverse_diag[columns]))
                used += gamma
                new_tau2[name] = float(np.clip(np.sum(coef[columns] ** 2) / max(gamma, 1e-3),
                                               _MIN_TAU2, _MAX_TAU2))
            fixed = self.encoder.width - sum(len(c) for c in blocks.values())
            new_noise = rss / max(n - 1.0 - fixed - used, 1.0)
            moved = max([abs(math.log(new_tau2[k] / tau2[k])) for k in tau2]
                        + [abs(math.log(new_noise / noise))])
            tau2, noise = new_tau2, new_noise
            if moved < 1e-3:
                break
        for name, columns in blocks.items():
            penalty[columns] = noise / tau2[name]
        self.prior_variance, self.noise_variance = tau2, noise
        return penalty

    def _blocks(self) -> dict[str, np.ndarray]:
        """Design columns of each random-effect group: every categorical column, and the parts
        of combined procedure codes."""
        assert self.encoder is not None
        blocks = {column: np.array(sorted(levels.values()), dtype=int)
                  for column, levels in self.encoder.levels.items() if levels}
        if self.encoder.parts:
            blocks["procedure_part"] = np.array(sorted(self.encoder.parts.values()), dtype=int)
        return blocks

    def _fit_location(self, x: Any, y: np.ndarray, penalty: np.ndarray,
                      table: pd.DataFrame | None, rows: np.ndarray) -> tuple[_Linear, Any]:
        linear = _robust_ridge(x, y, penalty, self.robust_steps)[0]
        booster = None
        if table is not None:
            booster = self._fit_booster(table[rows], y - linear.predict(x))
        return linear, booster

    def _fit_booster(self, table: pd.DataFrame, residual: np.ndarray) -> Any:
        import lightgbm as lgb  # deferred: heavy (lightgbm)

        # 150 rounds: early stopping on a fifth of the training rows chose fewer and was worse
        # on TCT (41.31 against 41.02 min, fold seed 0)
        booster = lgb.LGBMRegressor(objective=self.boost_objective, n_estimators=150,
                                    learning_rate=0.05, num_leaves=15, min_child_samples=40,
                                    subsample=0.8, subsample_freq=1, colsample_bytree=0.8,
                                    reg_lambda=5.0, verbose=-1, random_state=self.seed, n_jobs=1)
        return booster.fit(table, residual)

    def _fit_spread(self, frame: pd.DataFrame, residual: np.ndarray, leverage: np.ndarray,
                    held_out: np.ndarray, groups: list[str]) -> None:
        """Noise sigma per group level, shrunk towards the coarser level; then one factor so
        that held-out residuals, each divided by its predictive sigma (noise and the estimates'
        uncertainty), fall inside the central interval as often as it says."""
        # an in-sample residual is smaller than the noise by the share its own row fitted
        squares = residual**2 / np.maximum(1.0 - leverage, 1e-3)
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
            parent = variance.reindex(keys).to_numpy(dtype=float)
        # a left-out row's prediction is as uncertain as h / (1 - h) noise variances
        estimate = self.noise_variance * leverage / np.maximum(1.0 - leverage, 1e-3)
        sigma = np.sqrt(parent + estimate)
        z = _Z.inv_cdf(0.5 + self.interval / 2)
        self.spread_factor = float(np.quantile(np.abs(held_out) / sigma, self.interval) / z)

    # ------------------------------------------------------------------ prediction
    def _predict_log(self, frame: pd.DataFrame, x: Any | None = None) -> np.ndarray:
        if self.encoder is None or self.linear is None:
            raise ModelError("duration_model", "unfitted", "call fit() or load a saved model first")
        table = (booster_table(frame, self.categorical, self.numeric)
                 if self.booster is not None else None)
        design = self.encoder.transform(frame) if x is None else x
        return _predict(self.linear, self.booster, design, table, np.ones(len(frame), dtype=bool))

    def _noise(self, frame: pd.DataFrame) -> np.ndarray:
        sigma = np.full(len(frame), self.sigma_global)
        for column, table in self.sigma_by_group.items():
            if column in frame.columns:
                found = as_text(frame[column]).map(table)
                sigma = np.where(found.notna(), found.to_numpy(dtype=float, na_value=np.nan), sigma)
        return sigma**2

    def predict_log_variance(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Log-median and the predictive variance before the calibration factor: the noise of
        the row's procedure plus the uncertainty of its estimated effects. The surgeon's and
        the location's effects count with their own variance (an unknown one with its group's
        prior variance), so that conditioning on them (``conditioned``) is a lookup."""
        if self.encoder is None or self.linear is None:
            raise ModelError("duration_model", "unfitted", "call fit() or load a saved model first")
        x = self.encoder.transform(frame)
        log_median = self._predict_log(frame, x)
        variance = self._noise(frame)
        if self.covariance.size:
            keep = np.ones(self.encoder.width)
            for column in _CONDITIONING:
                keep[list(self.encoder.levels.get(column, {}).values())] = 0.0
            masked = x @ sparse.diags(keep)
            variance = variance + _quadratic_forms(sparse.csr_matrix(masked), self.covariance,
                                                   self.linear.mean_x * keep)
        for column in self.encoder.levels:
            if column not in frame.columns:
                continue
            levels = as_text(frame[column])
            if column in _CONDITIONING:
                known = {level: self.level_variance(column, level)
                         for level in self.encoder.levels[column]}
                variance = variance + levels.map(known).fillna(
                    self.level_variance(column, None)).to_numpy(dtype=float)
            else:  # a procedure (…) never seen: its effect is a draw from its group
                unseen = ~levels.isin(self.encoder.levels[column]).to_numpy()
                variance = variance + unseen * self.prior_variance.get(column, 0.0)
        return log_median, variance

    def sigma_of(self, variance: float | np.ndarray) -> Any:
        """The calibrated log-scale sigma of a predictive variance."""
        return np.sqrt(np.maximum(variance, 1e-12)) * self.spread_factor

    def predict_lognormal(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Median minutes and log-scale sigma for each row."""
        log_median, variance = self.predict_log_variance(frame)
        return np.exp(log_median), self.sigma_of(variance)

    def predict_quantiles(self, frame: pd.DataFrame,
                          ps: Sequence[float] = QUANTILES) -> dict[float, np.ndarray]:
        median, sigma = self.predict_lognormal(frame)
        for p in ps:
            if not 0 < p < 1:
                raise ModelError("ps", p, "quantile levels must be strictly between 0 and 1")
        return {p: median * np.exp(sigma * _Z.inv_cdf(p)) for p in ps}

    def level_effect(self, column: str, level: str | None) -> float:
        """The log-scale effect of one level of a categorical column (``surgeon_id``,
        ``location_id`` …) on the median; 0 for a level the model never saw (the average).
        Exact only for the linear model (``additive``): with a booster the effect also depends
        on the rest of the row."""
        if self.encoder is None or self.linear is None:
            raise ModelError("duration_model", "unfitted", "call fit() or load a saved model first")
        index = self.encoder.levels.get(column, {}).get(level) if level is not None else None
        return 0.0 if index is None else float(self.linear.coef[index])

    def level_variance(self, column: str, level: str | None) -> float:
        """How uncertain ``level_effect`` is: its posterior variance, or for a level never seen
        its group's prior variance (a new surgeon may be as fast or slow as surgeons are)."""
        if self.encoder is None or self.linear is None:
            raise ModelError("duration_model", "unfitted", "call fit() or load a saved model first")
        index = self.encoder.levels.get(column, {}).get(level) if level is not None else None
        if index is None or not self.covariance.size:
            return self.prior_variance.get(column, 0.0)
        return float(self.covariance[index, index])

    def shared_variance(self, specialty: str | None, surgeon: str | None,
                        location: str | None) -> float:
        """The calibrated log-scale variance of the estimates a session's cases share: the
        specialty's, the surgeon's and the location's effects and the overall level. Their
        errors do not average out over a list (``LogNormal.shared``)."""
        variance = (self.level_variance("specialty_id", specialty)
                    + self.level_variance("surgeon_id", surgeon)
                    + self.level_variance("location_id", location)
                    + self.noise_variance / max(1, self.training_rows))
        return variance * self.spread_factor**2

    @property
    def additive(self) -> bool:
        """Whether a category's effect is the same shift for every row (no booster)."""
        return self.booster is None

    def card_summary(self) -> dict[str, Any]:
        return {"kind": "log-normal empirical-Bayes ridge" + (" + boosted residual" if self.boost
                                                              else ""),
                "sigma_global": round(self.sigma_global, 4),
                "prior_variance": {k: round(v, 5) for k, v in self.prior_variance.items()},
                "noise_variance": round(self.noise_variance, 5),
                "spread_factor": round(self.spread_factor, 4), "interval": self.interval,
                "features": {"categorical": list(self.categorical), "numeric": list(self.numeric)},
                "training_rows": self.training_rows}


#: categorical columns whose level the planner and the tower choose per call (see CaseDurations)
_CONDITIONING = ("surgeon_id", "location_id")
#: penalty of fixed effects (standardised numbers): only against exact collinearity
_FIXED_PENALTY = 1e-3
_EB_ITERATIONS = 60
_MIN_TAU2, _MAX_TAU2 = 1e-6, 4.0


@dataclass
class _Linear:
    coef: np.ndarray
    intercept: float
    mean_x: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def predict(self, x: Any) -> np.ndarray:
        return np.asarray(x @ self.coef + self.intercept, dtype=float).ravel()


@dataclass
class _NormalEquations:
    """Centred (weighted) normal equations: the intercept is left unpenalised."""

    gram: np.ndarray
    cross: np.ndarray
    mean_x: np.ndarray
    mean_y: float
    yy: float


def _normal_equations(x: Any, y: np.ndarray, weight: np.ndarray | None = None) -> _NormalEquations:
    w = np.ones(len(y)) if weight is None else weight
    total = float(w.sum())
    xw = x.multiply(w[:, None]).tocsr() if hasattr(x, "multiply") else x * w[:, None]
    mean_x = np.asarray(xw.sum(axis=0)).ravel() / total
    mean_y = float(w @ y) / total
    gram = np.asarray((x.T @ xw).todense() if hasattr(xw, "todense") else x.T @ xw)
    gram -= total * np.outer(mean_x, mean_x)
    cross = np.asarray(xw.T @ y).ravel() - total * mean_x * mean_y
    yy = float(w @ (y - mean_y) ** 2)
    return _NormalEquations(gram, cross, mean_x, mean_y, yy)


def _solve(design: _NormalEquations, penalty: np.ndarray) -> tuple[_Linear, np.ndarray]:
    """Ridge with a penalty per column, solved in closed form: the design has a few hundred to
    a thousand columns, so the normal equations are small and exact; they are symmetric
    positive definite, so a Cholesky solve. Returns the lower Cholesky factor too."""
    chol = scipy.linalg.cholesky(design.gram + np.diag(penalty), lower=True)
    coef = scipy.linalg.cho_solve((chol, True), design.cross)
    return _Linear(coef, design.mean_y - float(design.mean_x @ coef), design.mean_x), chol


def _inverse_factor(chol: np.ndarray) -> np.ndarray:
    """L^-1 of the lower Cholesky factor: (L^-1)^T L^-1 is the inverse."""
    return scipy.linalg.solve_triangular(chol, np.eye(len(chol)), lower=True)


def _inverse(chol: np.ndarray) -> np.ndarray:
    factor = _inverse_factor(chol)
    return np.asarray(factor.T @ factor)


def _quadratic_forms(x: Any, matrix: np.ndarray, mean_x: np.ndarray,
                     chunk: int = 8192) -> np.ndarray:
    """(x_i - mean)^T M (x_i - mean) for each row of the sparse ``x``, in chunks."""
    centre = matrix @ mean_x
    out = np.empty(x.shape[0])
    for start in range(0, x.shape[0], chunk):
        part = x[start:start + chunk]
        product = np.asarray(part @ matrix)
        out[start:start + chunk] = (np.asarray(part.multiply(product).sum(axis=1)).ravel()
                                    - 2 * np.asarray(part @ centre).ravel())
    return np.maximum(out + float(mean_x @ centre), 0.0)


def _loo(residual: np.ndarray, leverage: np.ndarray) -> np.ndarray:
    """Leave-one-out residuals of a ridge with fixed penalties, exact: e / (1 - h)."""
    return residual / np.maximum(1.0 - leverage, 1e-3)


def _robust_ridge(x: Any, y: np.ndarray, penalty: np.ndarray,
                  steps: int) -> tuple[_Linear, np.ndarray]:
    """Ridge with Huber weights by iterative reweighting: long outliers (a complication, a
    second procedure) pull the median less, which is what absolute error rewards."""
    linear, chol = _solve(_normal_equations(x, y), penalty)
    for _ in range(steps):
        residual = y - linear.predict(x)
        scale = 1.4826 * float(np.median(np.abs(residual - np.median(residual)))) or 1.0
        weight = np.minimum(1.0, 1.345 * scale / np.maximum(np.abs(residual), 1e-12))
        linear, chol = _solve(_normal_equations(x, y, weight), penalty)
    return linear, chol


def _predict(linear: _Linear, booster: Any, x: Any, table: pd.DataFrame | None,
             rows: np.ndarray) -> np.ndarray:
    log_minutes = linear.predict(x)
    if booster is not None and table is not None:
        log_minutes = log_minutes + booster.predict(table[rows])
    return log_minutes


def booster_table(frame: pd.DataFrame, categorical: Sequence[str],
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


def case_row(case: Case, hospital: Hospital, *, location_id: str | None = None,
             surgeon_id: str | None = None, order: int = 1, start_min: int = 480
             ) -> dict[str, Any]:
    """The feature row of a waiting-list referral or an emergency request as it would be
    operated. Unknown context stays unknown, and so the model uses the average effect: no
    surgeon (a named one is used), no location (an emergency's own is used), an unknown patient
    (the training medians)."""
    urgency = str(case.urgency) if isinstance(case, EmergencyRequest) else "elective"
    patient = hospital.patient_by_id.get(case.patient_id)
    return {
        "procedure_code": case.procedure_code, "specialty_id": case.specialty_id,
        "surgeon_id": surgeon_id or _named_surgeon(case) or "unknown",
        "location_id": location_id or _own_location(case) or "unknown",
        "urgency": urgency,
        "patient_sex": patient.sex if patient is not None else "unknown",
        "patient_age": patient.age_on(hospital.today) if patient is not None else math.nan,
        "asa": patient.asa if patient is not None else math.nan,
        "bmi": patient.bmi if patient is not None else math.nan,
        "order": order, "start_min": start_min, "emergency": int(urgency != "elective"),
        "booked_min": case.booked_min, "log_booked": math.log(case.booked_min),
    }


def _named_surgeon(case: Case) -> str | None:
    return None if isinstance(case, EmergencyRequest) else case.surgeon_id


def _own_location(case: Case) -> str | None:
    return case.location_id if isinstance(case, EmergencyRequest) else None


# ---------------------------------------------------------------- the one duration source

#: sigma cap: ``LogNormal`` takes log-scale sigmas below 3
_MAX_SIGMA = 2.99


class DurationSource(Protocol):
    """What the planner, the simulator's policies and the control tower ask of durations: a
    case's in-room minutes as a log-normal, done by ``surgeon_id`` at ``location_id`` when
    given (a referral's named surgeon and an emergency's location otherwise), and its turnover.
    ``CaseDurations`` is the implementation; tests may pass their own."""

    def distribution(self, case: Case, hospital: Hospital, *, surgeon_id: str | None = None,
                     location_id: str | None = None) -> LogNormal:
        """The in-room minutes of ``case`` as a log-normal."""
        ...

    def prefetch(self, cases: Sequence[Case], hospital: Hospital) -> None:
        """Prepare ``cases`` in one pass (a waiting list, a day), so that later calls are fast."""
        ...

    def turnover(self, case: Case, hospital: Hospital) -> int:
        """Minutes from this case out of the room until the room is ready again."""
        ...


@dataclass
class CaseDurations:
    """The one ``DurationSource``: ``model`` (``DurationModel`` trained on the hospital's
    history, see ``from_history``), or with no history the procedure's distribution in the
    hospital instance.

    Conditioning is cheap: the model's median is log-linear, so a case done by surgeon s at
    location l is its context-free median shifted by s's and l's effects, and its variance
    swaps an unknown surgeon's (location's) prior variance for s's (l's) posterior one. Each case's context-
    free prediction is made once (in batches by ``prefetch``) and kept while the case and the
    hospital's day are unchanged (a patient record changed under the same case is not seen:
    use a new ``CaseDurations`` after such an import)."""

    model: DurationModel | None = None
    _base: dict[str, tuple[Case, date, float, float]] = field(default_factory=dict, repr=False)
    _done: dict[tuple[str, str | None, str | None], tuple[Case, date, LogNormal]] = field(
        default_factory=dict, repr=False)

    @classmethod
    def from_history(cls, operations: Iterable[PastOperation], *, latest: int | None = None,
                     progress: Progress | None = None) -> CaseDurations:
        """Trained on the hospital's past operations (``latest``: only the most recent that
        many, for a quick start); no operations at all gives the no-history fallback."""
        ops = list(operations)
        if latest is not None:
            ops = sorted(ops, key=lambda o: (o.date, o.id))[-latest:]
        if not ops:
            return cls()
        return cls(DurationModel().fit(operations_frame(ops), progress=progress))

    def distribution(self, case: Case, hospital: Hospital, *, surgeon_id: str | None = None,
                     location_id: str | None = None) -> LogNormal:
        surgeon = surgeon_id or _named_surgeon(case)
        location = location_id or _own_location(case)
        if self.model is None:
            procedure = hospital.procedure_by_id.get(case.procedure_code)
            if procedure is None:
                raise ModelError(f"case[{case.id}].procedure_code", case.procedure_code,
                                 "unknown procedure")
            return procedure.duration
        key = (case.id, surgeon, location)
        hit = self._done.get(key)
        if hit is not None and hit[1] == hospital.today and (hit[0] is case or hit[0] == case):
            return hit[2]
        if self.model.additive:
            log_median, variance = self._context_free(case, hospital)
            for column, level in (("surgeon_id", surgeon), ("location_id", location)):
                # the context-free row counted an unknown level: swap in the known one
                log_median += self.model.level_effect(column, level)
                variance += (self.model.level_variance(column, level)
                             - self.model.level_variance(column, None))
            sigma = float(self.model.sigma_of(variance))
        else:  # a booster: effects depend on the whole row, so predict the row itself
            row = case_row(case, hospital, surgeon_id=surgeon, location_id=location)
            median, sigmas = self.model.predict_lognormal(pd.DataFrame([row]))
            log_median, sigma = math.log(float(median[0])), float(sigmas[0])
        sigma = min(sigma, _MAX_SIGMA)
        shared = self.model.shared_variance(case.specialty_id, surgeon, location)
        result = LogNormal(math.exp(log_median), sigma, min(shared, sigma**2))
        self._done[key] = (case, hospital.today, result)
        return result

    def prefetch(self, cases: Sequence[Case], hospital: Hospital) -> None:
        if self.model is None or not self.model.additive:
            return
        missing = [c for c in cases if not self._known(c, hospital)]
        if not missing:
            return
        frame = pd.DataFrame([_context_free_row(c, hospital) for c in missing])
        log_median, variance = self.model.predict_log_variance(frame)
        for c, m, v in zip(missing, log_median, variance, strict=True):
            self._base[c.id] = (c, hospital.today, float(m), float(v))

    def turnover(self, case: Case, hospital: Hospital) -> int:
        specialty = hospital.specialty_by_id.get(case.specialty_id)
        if specialty is None:
            raise ModelError(f"case[{case.id}].specialty_id", case.specialty_id,
                             "unknown specialty")
        return specialty.turnover_min

    def _known(self, case: Case, hospital: Hospital) -> bool:
        hit = self._base.get(case.id)
        return hit is not None and hit[1] == hospital.today and (hit[0] is case or hit[0] == case)

    def _context_free(self, case: Case, hospital: Hospital) -> tuple[float, float]:
        if not self._known(case, hospital):
            self.prefetch([case], hospital)
        _, _, log_median, variance = self._base[case.id]
        return log_median, variance


def _context_free_row(case: Case, hospital: Hospital) -> dict[str, Any]:
    """The case with no surgeon and no location known (their effects are added per call)."""
    row = case_row(case, hospital)
    row["surgeon_id"] = row["location_id"] = "unknown"
    return row


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
