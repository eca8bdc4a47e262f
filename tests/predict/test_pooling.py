"""Little history (issue 18, item 5): durations borrow strength across procedures, surgeons and
specialties, intervals widen where the estimates are uncertain, shared estimate errors count in a
session's overrun chance, and missed reference values are said."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from kontrolltarn.model import LogNormal
from kontrolltarn.plan.program.risk import Moments, exceed_probability
from kontrolltarn.predict import CaseDurations
from kontrolltarn.predict.cancellation import DEFAULT_C, CancellationModel
from kontrolltarn.predict.durations import DurationModel
from kontrolltarn.predict.evaluate import Measure, time_split
from kontrolltarn.predict.features import bookings_frame, operations_frame

#: specialty X: A and B well known, R seen once (and long); specialty Y elsewhere
MEDIAN = {"A": 100.0, "B": 140.0, "C": 120.0, "R": 300.0, "P": 60.0, "Q": 45.0}
SPECIALTY = {"A": "X", "B": "X", "C": "X", "R": "X", "P": "Y", "Q": "Y"}
COUNT = {"A": 300, "B": 300, "C": 300, "R": 1, "P": 300, "Q": 300}
SURGEONS = {"X": ("x1", "x2", "x3"), "Y": ("y1", "y2", "y3")}


def world(seed: int, rare_value: float = 300.0) -> pd.DataFrame:
    """Log-normal durations (sigma 0.25 everywhere), booked the same for every case so that the
    booking carries no information and only the pooling can place a rare procedure."""
    rng = np.random.default_rng(seed)
    rows = []
    for code, n in COUNT.items():
        specialty = SPECIALTY[code]
        for i in range(n):
            actual = rare_value if code == "R" else MEDIAN[code] * math.exp(0.25 * rng.normal())
            rows.append({"procedure_code": code, "specialty_id": specialty,
                         "surgeon_id": SURGEONS[specialty][i % 3], "location_id": "L",
                         "urgency": "elective", "patient_sex": "F", "patient_age": 60, "asa": 2,
                         "bmi": 26.0, "order": 1, "start_min": 480, "emergency": 0,
                         "booked_min": 120.0, "log_booked": math.log(120.0),
                         "actual_min": round(actual)})
    return pd.DataFrame(rows)


def row(code: str, specialty: str = "X", surgeon: str = "x1") -> pd.DataFrame:
    return world(0).iloc[[0]].assign(procedure_code=code, specialty_id=specialty,
                                     surgeon_id=surgeon)


@pytest.fixture(scope="module")
def pooled() -> DurationModel:
    return DurationModel().fit(world(1))


def test_a_procedure_seen_once_lies_between_its_own_value_and_its_specialty(
        pooled: DurationModel) -> None:
    rare, _ = pooled.predict_lognormal(row("R"))
    unseen, _ = pooled.predict_lognormal(row("never-seen"))
    other, _ = pooled.predict_lognormal(row("never-seen", specialty="Y", surgeon="y1"))
    # an unseen procedure gets its specialty's level, not the overall one
    assert 100 < unseen[0] < 160 and other[0] < 80
    # one observation of 300 min pulls R up from its specialty, but not all the way
    assert unseen[0] < rare[0] < 300
    # the pull follows the learnt spread between procedures, not a fixed penalty
    assert pooled.prior_variance["procedure_code"] > 10 * pooled.prior_variance["surgeon_id"]


def test_intervals_widen_with_less_data(pooled: DurationModel) -> None:
    _, known = pooled.predict_lognormal(row("A"))
    _, rare = pooled.predict_lognormal(row("R"))
    _, unseen = pooled.predict_lognormal(row("never-seen"))
    assert known[0] < rare[0] < unseen[0]
    # an unseen procedure's effect is a draw from the procedures' learnt spread
    assert unseen[0] ** 2 / pooled.spread_factor**2 >= pooled.prior_variance["procedure_code"]
    _, stranger = pooled.predict_lognormal(row("A", surgeon="never-seen"))
    assert stranger[0] > known[0]


def test_small_hospital_intervals_cover_the_truth(small_synth: Any) -> None:
    """28 days of history: the 80 % interval of each ready case holds 75-85 % of its true
    duration distribution, and 75-85 % of the held-out last week's operations."""
    h = small_synth.hospital
    durations = CaseDurations.from_history(small_synth.history)
    ready = [r for r in h.referrals if r.ready]
    durations.prefetch(ready, h)
    held = []
    for r in ready:
        dist, truth = durations.distribution(r, h), small_synth.truth.referral_duration[r.id]
        held.append(truth.cdf(dist.quantile(0.9)) - truth.cdf(dist.quantile(0.1)))
        assert 0 < dist.shared <= dist.sigma**2
    assert 0.75 <= float(np.mean(held)) <= 0.85
    train, test = time_split(operations_frame(small_synth.history))
    q = DurationModel().fit(train).predict_quantiles(test)
    y = test["actual_min"].to_numpy()
    assert 0.75 <= float(np.mean((y >= q[0.1]) & (y <= q[0.9]))) <= 0.85


def test_shared_estimate_error_raises_a_sessions_overrun_chance() -> None:
    alone = [Moments.of(LogNormal(120.0, 0.3)) for _ in range(3)]
    shared = [Moments.of(LogNormal(120.0, 0.3, 0.03)) for _ in range(3)]
    assert shared[0].var == pytest.approx(alone[0].var)  # each case alone is the same
    assert exceed_probability(shared, 60, 480) > exceed_probability(alone, 60, 480) + 0.01
    with pytest.raises(ValueError, match="shared"):
        LogNormal(120.0, 0.1, 0.5)


def test_few_cancellations_choose_a_stronger_penalty(small_synth: Any) -> None:
    frame = bookings_frame(small_synth.bookings)
    model = CancellationModel().fit(frame)
    assert model.chosen_c < DEFAULT_C
    assert abs(float(model.predict_proba(frame).mean()) - frame["cancelled_late"].mean()) < 0.01
    assert CancellationModel(c=0.3).fit(frame).chosen_c == 0.3


def test_a_missed_reference_is_said() -> None:
    missed = Measure("small", "cancellation_ece", 0.05, "probability", 0.03, at_most=0.03,
                     oracle=0.02)
    assert missed.met is False
    assert missed.as_json()["met"] is False
    warning = missed.warning() or ""
    assert "cancellation_ece" in warning and "≤ 0.03" in warning and "oracle reaches 0.02" in warning
    unreachable = Measure("small", "duration_mae_vs_booked", 0.2, "share_below", at_least=0.25,
                          oracle=0.21)
    assert "out of reach" in (unreachable.warning() or "")
    band = Measure("small", "duration_coverage_80", 0.9, "share", at_least=0.75, at_most=0.85)
    assert band.met is False and "0.75–0.85" in (band.warning() or "")
    assert Measure("small", "duration_coverage_80", 0.8, "share", at_least=0.75,
                   at_most=0.85).warning() is None
    assert Measure("small", "duration_mae", 30.0, "min").met is None
