"""Planning durations: a log-normal per waiting-list case, learnt from past operations.

The planner needs one thing from a duration model: the distribution of a referral's in-room
minutes. ``DurationSource`` is that interface. ``HistoryDurations`` is a small estimator of our
own (until ``kontrolltarn.predict`` offers a model); ``PredictAdapter`` wraps a
``kontrolltarn.predict.durations.DurationModel`` so it can be swapped in without touching the
planner.

The history estimator, on the log scale:
- a mean per procedure (shrunk towards its specialty when the procedure is rare);
- one pooled regression of the remainder on the surgeon's booking (centred per procedure), ASA,
  BMI and age: bookings are biased but carry the surgeon's knowledge of their own speed;
- a surgeon effect (mean residual, shrunk by n / (n + 20));
- a sigma per procedure from the final residuals (shrunk towards the specialty's), so the
  spread includes the estimator's own error.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from kontrolltarn.model import Hospital, LogNormal, ModelError, PastOperation, Referral

#: operations a group needs before its own figure outweighs its parent's (shrinkage strength)
SHRINK_N = 20.0


class DurationSource(Protocol):
    """What the planner asks of a duration model."""

    def distribution(self, referral: Referral, hospital: Hospital) -> LogNormal:
        """The in-room minutes of ``referral`` as a log-normal."""
        ...


@dataclass
class HistoryDurations:
    """Log-normal durations estimated from ``PastOperation`` records (see the module docstring)."""

    proc_mean: dict[str, float] = field(default_factory=dict)
    proc_log_booked: dict[str, float] = field(default_factory=dict)
    proc_sigma: dict[str, float] = field(default_factory=dict)
    specialty_mean: dict[str, float] = field(default_factory=dict)
    specialty_sigma: dict[str, float] = field(default_factory=dict)
    surgeon_effect: dict[str, float] = field(default_factory=dict)
    location_effect: dict[str, float] = field(default_factory=dict)
    coef: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # booked, asa, bmi, age
    sigma_global: float = 0.35
    operations: int = 0

    @classmethod
    def fit(cls, history: Iterable[PastOperation]) -> HistoryDurations:
        ops = [op for op in history if not op.emergency]
        if len(ops) < 10:
            raise ModelError("history", len(ops), "need at least 10 elective operations to learn from")
        log_actual = np.log([op.actual_min for op in ops])
        log_booked = np.log([op.booked_min for op in ops])
        procs = [op.procedure_code for op in ops]
        specs = [op.specialty_id for op in ops]
        est = cls(operations=len(ops))

        spec_mean = _group_mean(specs, log_actual)
        by_proc_actual = _group_mean(procs, log_actual)
        by_proc_booked = _group_mean(procs, log_booked)
        counts = _counts(procs)
        spec_of = dict(zip(procs, specs, strict=True))
        for code, mean in by_proc_actual.items():
            weight = counts[code] / (counts[code] + SHRINK_N / 4)
            est.proc_mean[code] = weight * mean + (1 - weight) * spec_mean[spec_of[code]]
            est.proc_log_booked[code] = by_proc_booked[code]
        est.specialty_mean = spec_mean

        base = np.array([est.proc_mean[p] for p in procs])
        x = np.column_stack([
            log_booked - np.array([est.proc_log_booked[p] for p in procs]),
            np.array([op.asa - 2 for op in ops], dtype=float),
            np.array([op.bmi - 26 for op in ops], dtype=float),
            np.array([op.patient_age - 55 for op in ops], dtype=float),
        ])
        y = log_actual - base
        coef, *_ = np.linalg.lstsq(x, y, rcond=None)
        est.coef = (float(coef[0]), float(coef[1]), float(coef[2]), float(coef[3]))
        residual = y - x @ coef

        surgeons = [op.surgeon_id for op in ops]
        sums: dict[str, float] = defaultdict(float)
        for s, r in zip(surgeons, residual, strict=True):
            sums[s] += float(r)
        surgeon_counts = _counts(surgeons)
        est.surgeon_effect = {s: sums[s] / (surgeon_counts[s] + SHRINK_N) for s in sums}
        residual = residual - np.array([est.surgeon_effect[s] for s in surgeons])
        locations = [op.location_id for op in ops]
        location_sum = _group_mean(locations, residual)
        location_counts = _counts(locations)
        est.location_effect = {loc: m * location_counts[loc] / (location_counts[loc] + SHRINK_N)
                               for loc, m in location_sum.items()}
        residual = residual - np.array([est.location_effect[loc] for loc in locations])

        est.sigma_global = float(np.std(residual))
        spec_var = _group_mean(specs, residual**2)
        est.specialty_sigma = {s: math.sqrt(v) for s, v in spec_var.items()}
        proc_var = _group_mean(procs, residual**2)
        for code, var in proc_var.items():
            weight = counts[code] / (counts[code] + SHRINK_N)
            parent = est.specialty_sigma[spec_of[code]] ** 2
            est.proc_sigma[code] = math.sqrt(weight * var + (1 - weight) * parent)
        return est

    def distribution(self, referral: Referral, hospital: Hospital) -> LogNormal:
        """The referral's duration with its named surgeon (or an average one), anywhere."""
        return self.conditional(referral, hospital)

    def conditional(self, referral: Referral, hospital: Hospital, *, surgeon_id: str | None = None,
                    location_id: str | None = None) -> LogNormal:
        """As ``distribution``, done by ``surgeon_id`` when the referral names none (the session
        surgeon the planner assigns) and at ``location_id`` when given."""
        patient = hospital.patient_by_id[referral.patient_id]
        code = referral.procedure_code
        proc = hospital.procedure_by_id[code]
        if code in self.proc_mean:
            mean = self.proc_mean[code]
            booked_centre = self.proc_log_booked[code]
        elif referral.specialty_id in self.specialty_mean:
            mean = math.log(proc.duration.median)  # the catalogue's typical figure
            booked_centre = mean
        else:
            return proc.duration
        b, a, m, g = self.coef
        log_median = (mean + b * (math.log(referral.booked_min) - booked_centre)
                      + a * (patient.asa - 2) + m * (patient.bmi - 26)
                      + g * (patient.age_on(hospital.today) - 55))
        surgeon = referral.surgeon_id or surgeon_id
        if surgeon is not None:
            log_median += self.surgeon_effect.get(surgeon, 0.0)
        if location_id is not None:
            log_median += self.location_effect.get(location_id, 0.0)
        sigma = self.proc_sigma.get(code, self.specialty_sigma.get(referral.specialty_id,
                                                                    self.sigma_global))
        return LogNormal(math.exp(log_median), min(sigma, 2.99))

    def summary(self) -> dict[str, Any]:
        return {"kind": "history log-normal (procedure + booking regression)",
                "operations": self.operations, "sigma_global": round(self.sigma_global, 4),
                "coef_log_booked": round(self.coef[0], 4)}


class PredictAdapter:
    """Wraps any model with ``distribution(referral, hospital, **context) -> LogNormal`` (the
    ``kontrolltarn.predict`` DurationModel) as a ``DurationSource``.

    ``context`` (e.g. ``location_id=``) is passed on every call. ``prefetch`` predicts a whole
    waiting list in one pass when the model has ``predict_lognormal`` (the predict model's batch
    path: ~0.3 s for 6,700 referrals instead of one data frame per referral)."""

    def __init__(self, model: Any, **context: Any) -> None:
        self.model = model
        self.context = context
        self._cache: dict[tuple[int, str], LogNormal] = {}

    def prefetch(self, referrals: Sequence[Referral], hospital: Hospital) -> None:
        batch = getattr(self.model, "predict_lognormal", None)
        if batch is None or not referrals:
            return
        import pandas as pd

        from kontrolltarn.predict.durations import referral_row

        frame = pd.DataFrame([referral_row(r, hospital, **self.context) for r in referrals])
        medians, sigmas = batch(frame)
        for r, median, sigma in zip(referrals, medians, sigmas, strict=True):
            self._cache[(id(hospital), r.id)] = LogNormal(float(median), float(min(sigma, 2.99)))

    def distribution(self, referral: Referral, hospital: Hospital) -> LogNormal:
        hit = self._cache.get((id(hospital), referral.id))
        if hit is not None:
            return hit
        result = self.model.distribution(referral, hospital, **self.context)
        if not isinstance(result, LogNormal):
            raise ModelError("duration_model", type(result).__name__, "must return a LogNormal")
        return result


class CatalogueDurations:
    """Fallback with no history: the catalogue's typical distribution scaled to the booking's
    ratio to the typical median (half-way, as bookings are noisy)."""

    def distribution(self, referral: Referral, hospital: Hospital) -> LogNormal:
        proc = hospital.procedure_by_id[referral.procedure_code]
        ratio = math.sqrt(referral.booked_min / proc.duration.median)
        return LogNormal(proc.duration.median * ratio, min(2.99, proc.duration.sigma + 0.08))


def distributions(source: DurationSource, referrals: Sequence[Referral],
                  hospital: Hospital) -> dict[str, LogNormal]:
    return {r.id: source.distribution(r, hospital) for r in referrals}


def _group_mean(keys: Sequence[str], values: np.ndarray) -> dict[str, float]:
    sums: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for k, v in zip(keys, values, strict=True):
        sums[k] += float(v)
        counts[k] += 1
    return {k: sums[k] / counts[k] for k in sums}


def _counts(keys: Sequence[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for k in keys:
        counts[k] += 1
    return counts
