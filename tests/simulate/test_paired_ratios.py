"""Paired ratios over replications: seed by seed, with a t-interval over seeds."""

from __future__ import annotations

import pytest

from kontrolltarn.simulate.replications import paired_ratios


def test_ratios_are_taken_seed_by_seed_and_skip_a_zero_denominator() -> None:
    results = [
        {"policy": "baseline", "seed": 1, "headline": {"late": 100.0, "bed": 0.0}},
        {"policy": "control", "seed": 1, "headline": {"late": 50.0, "bed": 2.0}},
        {"policy": "baseline", "seed": 2, "headline": {"late": 200.0, "bed": 4.0}},
        {"policy": "control", "seed": 2, "headline": {"late": 120.0, "bed": 2.0}},
    ]
    ratios = paired_ratios(results, "baseline", "control")
    assert ratios["late"].mean == pytest.approx(0.55)  # (0.5 + 0.6) / 2, not 170 / 300
    assert ratios["late"].low < 0.55 < ratios["late"].high
    assert ratios["bed"].n == 1 and ratios["bed"].mean == pytest.approx(0.5)
