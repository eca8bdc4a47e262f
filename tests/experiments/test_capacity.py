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


def test_scenarios_change_the_calendar_as_they_say_and_refuse_bad_fields() -> None:
    from collections import Counter

    from kontrolltarn.experiments.capacity import Scenario, apply_scenario, run_scenarios

    syn = generate("small", seed=1)
    h = syn.hospital
    first = h.today + timedelta(days=(7 - h.today.weekday()) % 7)
    end = first + timedelta(weeks=2)
    plan = [s for s in h.sessions if not s.emergency and first <= s.date < end]
    more, sessions = apply_scenario(h, plan, Scenario("+4 Nord tirsdag", "NOR", 1, extra_rooms=4),
                                    first, 2)
    new = [s for s in sessions if s.room_id not in h.room_by_id]
    assert len(new) == 4 * 2 and {s.date.weekday() for s in new} == {1}
    assert all(more.room_by_id[s.room_id].location_id == "NOR" for s in new)
    assert set(plan) <= set(sessions)
    _, half = apply_scenario(h, plan, Scenario("halv uke 2", factor=0.5, first_week=2), first, 2)
    per_day = Counter((s.date, h.room_by_id[s.room_id].location_id) for s in plan)
    kept = Counter((s.date, h.room_by_id[s.room_id].location_id) for s in half)
    for (day, loc), n in per_day.items():
        assert kept[(day, loc)] == (n if day < first + timedelta(weeks=1) else -(-n // 2))
    with pytest.raises(ModelError, match="scenario.factor"):
        Scenario("x", factor=1.5)
    with pytest.raises(ModelError) as err:
        run_scenarios(h, plan, [{"name": "x", "rooms": 3}], first, 2, 1, None)
    assert err.value.field == "scenarios[0]"
    with pytest.raises(ModelError) as err:
        run_scenarios(h.replace(meta={}), plan, [], first, 2, 1, None)
    assert err.value.field == "hospital"
