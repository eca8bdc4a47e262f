"""Cancellation risk: recovers a known logistic world, calibrated, readable reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from kontrolltarn.model import ModelError
from kontrolltarn.predict.cancellation import CancellationModel, expected_calibration_error


def known_world(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    gaps = rng.poisson(0.4, n)
    lead = rng.integers(1, 90, n)
    changes = rng.poisson(0.3, n)
    logit = -3.0 + 0.8 * gaps + 0.5 * changes - 0.01 * lead
    risk = 1 / (1 + np.exp(-logit))
    notes = np.where(rng.random(n) < 0.1, "Trenger tolk.", "Fastende fra midnatt.")
    return pd.DataFrame({
        "location_id": rng.choice(["A", "B"], n), "specialty_id": rng.choice(["ORT", "GAS"], n),
        "patient_age": rng.integers(20, 90, n), "asa": rng.integers(1, 4, n),
        "bmi": rng.normal(27, 4, n), "lead_time_days": lead, "order": rng.integers(1, 5, n),
        "earlier_changes": changes, "readiness_gaps": gaps, "bed_occupancy": rng.random(n),
        "booked_min": rng.integers(30, 300, n), "weekday": rng.integers(0, 5, n), "note": notes,
        "cancelled_late": (rng.random(n) < risk).astype(int), "risk": risk,
    })


@pytest.fixture(scope="module")
def fitted() -> CancellationModel:
    return CancellationModel().fit(known_world(8000, seed=1))


def test_close_to_the_true_risk_and_calibrated(fitted: CancellationModel) -> None:
    test = known_world(8000, seed=2)
    p = fitted.predict_proba(test)
    y = test["cancelled_late"].to_numpy()
    assert roc_auc_score(y, p) > roc_auc_score(y, test["risk"]) - 0.02
    assert expected_calibration_error(y, p) < 0.02
    assert np.corrcoef(p, test["risk"])[0, 1] > 0.9


def test_reasons_name_what_raises_the_risk(fitted: CancellationModel) -> None:
    case = known_world(1, seed=3).assign(readiness_gaps=4, earlier_changes=0, lead_time_days=45)
    reasons = fitted.reasons(case)[0]
    assert reasons and reasons[0].feature == "readiness_gaps"
    assert reasons[0].text == "4 readiness items open"
    assert all(r.contribution > 0 for r in reasons)


def test_needs_both_outcomes() -> None:
    frame = known_world(100, seed=4).assign(cancelled_late=0)
    with pytest.raises(ModelError, match="cancelled_late"):
        CancellationModel().fit(frame)


def test_ece_is_zero_for_perfect_bins_and_large_for_wrong_ones() -> None:
    y = np.array([0, 0, 0, 1] * 25)
    assert expected_calibration_error(y, np.full(100, 0.25), bins=1) == 0.0
    assert expected_calibration_error(y, np.full(100, 0.9), bins=4) > 0.6
