"""The capacity plan beside the current session plan through the simulator (small hospital)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kontrolltarn.experiments.capacity import (
    SIM_KPIS,
    calendar_ids,
    compare_plans,
    markdown_table,
    summarise_arms,
)
from kontrolltarn.model import ModelError
from kontrolltarn.plan.capacity import CapacitySettings, demand_from_hospital, plan_capacity
from kontrolltarn.synth import generate


def test_plan_and_current_run_on_common_random_numbers() -> None:
    syn = generate("small", seed=1)
    hospital = syn.hospital
    first = hospital.today + timedelta(days=(7 - hospital.today.weekday()) % 7)
    settings = CapacitySettings(weeks=2)
    plan = plan_capacity(hospital, demand_from_hospital(hospital, syn.history, first, settings),
                         first, settings)
    runs = compare_plans(syn, plan.sessions, first, 2, [0])
    assert [r["arm"] for r in runs] == ["current", "planned"]
    current, planned = runs
    assert planned["sessions"] <= len(plan.sessions) + 1  # the plan's sessions ran, minus closures
    assert current["sessions"] != planned["sessions"] or current["kpis"] != planned["kpis"]
    again = compare_plans(syn, plan.sessions, first, 2, [0])
    assert [r["kpis"] for r in again] == [r["kpis"] for r in runs]  # reproducible
    table = summarise_arms(runs)
    assert set(table) == set(SIM_KPIS)
    assert "deadline_breaches" in markdown_table(table)


def test_a_plan_with_two_sessions_in_a_room_on_a_day_is_refused() -> None:
    syn = generate("small", seed=1)
    s = next(s for s in syn.hospital.sessions if not s.emergency)
    with pytest.raises(ModelError):
        calendar_ids([s, s])
