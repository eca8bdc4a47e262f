"""Duration model: recovers a known log-normal world, calibrated intervals, planner API."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kontrolltarn.model import EmergencyRequest, EventKind, LogNormal, ModelError, Urgency
from kontrolltarn.predict.durations import CaseDurations, DurationModel, case_row, remaining_quantiles
from kontrolltarn.predict.features import operations_frame

TRUE_MEDIAN = {"A": 60.0, "B": 120.0, "C": 240.0}
TRUE_SIGMA = {"A": 0.2, "B": 0.3, "C": 0.4}
SURGEON = {"s1": 0.85, "s2": 1.0, "s3": 1.2}


def known_world(n: int, seed: int) -> pd.DataFrame:
    """Durations drawn from a log-normal whose median depends on procedure, surgeon and ASA."""
    rng = np.random.default_rng(seed)
    proc = rng.choice(list(TRUE_MEDIAN), n)
    surgeon = rng.choice(list(SURGEON), n)
    asa = rng.integers(1, 5, n)
    median = np.array([TRUE_MEDIAN[p] * SURGEON[s] for p, s in zip(proc, surgeon, strict=True)])
    median = median * np.exp(0.05 * (asa - 2))
    sigma = np.array([TRUE_SIGMA[p] for p in proc])
    actual = np.maximum(1, np.round(median * np.exp(sigma * rng.standard_normal(n))))
    booked = np.round(median * np.exp(0.3 * rng.standard_normal(n)))
    return pd.DataFrame({
        "procedure_code": proc, "surgeon_id": surgeon, "specialty_id": "X", "location_id": "L",
        "room_id": "R", "urgency": "elective", "patient_sex": "F", "patient_age": 60, "asa": asa,
        "bmi": 26.0, "order": 1, "start_min": 480, "emergency": 0, "booked_min": booked,
        "log_booked": np.log(booked), "actual_min": actual, "true_median": median,
    })


@pytest.fixture(scope="module")
def fitted() -> DurationModel:
    return DurationModel().fit(known_world(4000, seed=1))


def test_recovers_true_medians_and_covers_80_percent(fitted: DurationModel) -> None:
    test = known_world(4000, seed=2)
    median, sigma = fitted.predict_lognormal(test)
    assert np.median(np.abs(median / test["true_median"] - 1)) < 0.03
    q = fitted.predict_quantiles(test)
    y = test["actual_min"].to_numpy()
    coverage = np.mean((y >= q[0.1]) & (y <= q[0.9]))
    assert 0.77 <= coverage <= 0.83
    # the spread follows the procedure: C's interval is wider than A's
    assert sigma[test["procedure_code"] == "C"].mean() > 1.5 * sigma[test["procedure_code"] == "A"].mean()
    oracle = np.mean(np.abs(test["true_median"] - y))
    assert np.mean(np.abs(q[0.5] - y)) < 1.03 * oracle


def test_unknown_surgeon_falls_back_to_average(fitted: DurationModel) -> None:
    row = known_world(1, seed=3).assign(procedure_code="B", surgeon_id="never-seen", asa=2,
                                        booked_min=120.0, log_booked=math.log(120.0))
    median, _ = fitted.predict_lognormal(row)
    assert 100 < median[0] < 140


def test_bad_targets_are_named() -> None:
    frame = known_world(50, seed=4)
    frame.loc[3, "actual_min"] = -5
    with pytest.raises(ModelError, match="actual_min"):
        DurationModel().fit(frame)
    with pytest.raises(ModelError, match="procedure_code"):
        DurationModel().fit(known_world(50, seed=4).drop(columns=["procedure_code"]))


def test_case_durations_on_the_small_hospital(small_synth) -> None:  # type: ignore[no-untyped-def]
    durations = CaseDurations(DurationModel(folds=3).fit(operations_frame(small_synth.history)))
    hospital = small_synth.hospital
    for referral in hospital.referrals[:20]:
        dist = durations.distribution(referral, hospital)
        assert isinstance(dist, LogNormal)
        assert 0 < dist.quantile(0.1) < dist.median < dist.quantile(0.9)
        assert dist.median < 5 * referral.booked_min
    referral = hospital.referrals[0]
    emergency = EmergencyRequest("EM-TEST", referral.patient_id, referral.procedure_code,
                                 referral.specialty_id, hospital.locations[-1].id,
                                 Urgency.WITHIN_6H, datetime(2026, 1, 5, 9, tzinfo=UTC), 90)
    row = case_row(emergency, hospital)
    assert (row["urgency"], row["emergency"], row["location_id"]) == \
        ("within_6h", 1, emergency.location_id)
    # an emergency is done at its own location unless told otherwise
    assert durations.distribution(emergency, hospital) == durations.distribution(
        emergency, hospital, location_id=emergency.location_id)
    assert durations.turnover(emergency, hospital) == \
        hospital.specialty_by_id[emergency.specialty_id].turnover_min


def test_an_unfitted_model_is_refused_by_name() -> None:
    with pytest.raises(ModelError, match="duration_model"):
        DurationModel().level_effect("surgeon_id", "s1")


def test_level_effects_are_the_surgeon_shifts(fitted: DurationModel) -> None:
    effect = {s: fitted.level_effect("surgeon_id", s) for s in SURGEON}
    assert effect["s1"] < effect["s2"] < effect["s3"]  # the slow surgeon is slower
    # a level's effect is the shift of the model's log-median between two otherwise equal rows
    rows = known_world(2, seed=5).assign(procedure_code="B", surgeon_id=["s1", "s3"], asa=2,
                                         booked_min=120.0, log_booked=math.log(120.0))
    median, _ = fitted.predict_lognormal(rows)
    assert math.log(median[1] / median[0]) == pytest.approx(effect["s3"] - effect["s1"])
    assert fitted.level_effect("surgeon_id", "never-seen") == 0.0
    assert fitted.level_effect("surgeon_id", None) == 0.0


@given(st.floats(0, 600), st.sampled_from([None, EventKind.IN_ROOM, EventKind.ANAESTHESIA_START,
                                           EventKind.INCISION, EventKind.CLOSURE]))
def test_remaining_is_ordered_and_non_negative(elapsed: float, milestone: EventKind | None) -> None:
    dist = LogNormal(120.0, 0.35)
    q = remaining_quantiles(dist, elapsed, milestone, (0.1, 0.5, 0.9))
    assert 0 <= q[0.1] <= q[0.5] <= q[0.9]
    if milestone is EventKind.INCISION:
        assert q[0.1] >= 20.0 - 1e-9


def test_remaining_shrinks_as_time_passes_and_ends_at_out_of_room() -> None:
    dist = LogNormal(120.0, 0.35)
    at_start = remaining_quantiles(dist, 0, EventKind.IN_ROOM)[0.5]
    assert math.isclose(at_start, 120.0, rel_tol=1e-6)
    later = remaining_quantiles(dist, 100, EventKind.INCISION)[0.5]
    assert later < at_start and later > 20
    assert remaining_quantiles(dist, 150, EventKind.CLOSURE)[0.5] < 20
    assert remaining_quantiles(dist, 150, EventKind.OUT_OF_ROOM) == {0.1: 0.0, 0.5: 0.0, 0.9: 0.0}
    with pytest.raises(ModelError, match="elapsed_min"):
        remaining_quantiles(dist, -1, None)
