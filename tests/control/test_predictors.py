"""The real predictors and repair wired into the tower: durations from the duration model,
cancellation risk with reasons from the cancellation model, early cancellation through
``plan.repair``."""

from __future__ import annotations

import pytest

from kontrolltarn.control import (
    Tower,
    apply_suggestion,
    cancellation_risks,
    train_models,
)
from kontrolltarn.synth import generate

from .conftest import planned_cases


@pytest.fixture(scope="module")
def trained():  # type: ignore[no-untyped-def]
    synthetic = generate(scale="small", seed=1)
    return synthetic, train_models(synthetic.history, synthetic.bookings, 3000, 3000)


def test_forecasts_use_the_duration_model_and_risks_come_with_reasons(small_day, trained) -> None:  # type: ignore[no-untyped-def]
    hospital, day, program = small_day
    _, models = trained
    planned = planned_cases(program)
    tower = Tower(hospital, day, planned, durations=models.durations)
    first = program.entries[0]
    # the case as the day has it: its planned surgeon at its room's location
    assert tower.distribution(first.case_id) == models.durations.distribution(
        hospital.referral_by_id[first.case_id], hospital, surgeon_id=first.surgeon_id,
        location_id=hospital.room_by_id[first.room_id].location_id)
    forecast = tower.forecast(planned[0].room_id, tower.clock.at(7 * 60))
    assert forecast.end_median is not None
    risks = cancellation_risks(models.cancellation, hospital, day, planned)
    assert set(risks) == {p.case_id for p in planned if p.case_id in hospital.referral_by_id}
    assert all(0 <= r.risk <= 1 for r in risks.values())
    assert any(r.reasons for r in risks.values())
    assert all(reason["contribution"] > 0 for r in risks.values() for reason in r.reasons)


def test_cancel_early_runs_plan_repair(small_day) -> None:  # type: ignore[no-untyped-def]
    hospital, day, program = small_day
    tower = Tower(hospital, day, planned_cases(program))
    case = program.entries[-1].case_id
    result = apply_suggestion(tower, "cancel_early", {"case_id": case, "reason": "capacity"},
                    tower.clock.at(7 * 60), decision_id="d1", program=program)
    assert result.plan_repair is not None  # plan.repair made the changes
    assert dict(result.changes)[case] == {"status": "cancelled"}
    assert [e.case_id for e in result.events] == [case]
