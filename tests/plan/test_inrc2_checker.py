"""The INRC-II checker against the organisers' validator output, the published reference costs,
and hand counts of each constraint on a tiny one-week instance (violated by N / not violated)."""

from __future__ import annotations

import csv
import re
from dataclasses import replace

import pytest

from kontrolltarn.formats.inrc2 import read_instance, read_solution
from kontrolltarn.model.inrc2 import (
    HARD_LABELS,
    SOFT_LABELS,
    Assignment,
    Contract,
    History,
    Instance,
    Nurse,
    NurseHistory,
    Requirement,
    Scenario,
    ShiftOffRequest,
    ShiftType,
    Solution,
    WeekData,
)
from kontrolltarn.plan.staffing import evaluate_inrc2, run_cost
from tests.inrc2_data import DATASETS, ROOT, needs_inrc2, sample_folder, sample_instances

FIXTURE = "n005w4_0_1-2-3-3"


def _validator_figures(text: str) -> dict[str, int]:
    return {m[1]: int(m[2]) for m in re.finditer(r"^([A-Za-z ]+): (\d+)\s*$", text, re.M)}


@needs_inrc2
def test_validator_fixture_breakdown_to_the_unit() -> None:
    """validator.txt: 0 hard violations, 7 soft costs, total 1695, each line equal."""
    inst = read_instance(FIXTURE, DATASETS)
    ev = evaluate_inrc2(inst, read_solution(inst, sample_folder(FIXTURE)))
    expected = _validator_figures((sample_folder(FIXTURE) / "validator.txt").read_text(encoding="utf-8"))
    assert {label: expected[label] for label in HARD_LABELS} == ev.violations
    assert {label: expected[label] for label in SOFT_LABELS} == ev.costs
    assert ev.total_cost == expected["Total cost"] == 1695
    assert _validator_figures(ev.report()) == expected


@needs_inrc2
@pytest.mark.parametrize("instance_id", sample_instances())
def test_sample_solutions_are_feasible_and_match_the_reference_cost_when_published(
        instance_id: str) -> None:
    with (ROOT / "best_known.csv").open(encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["instance"] == instance_id)
    inst = read_instance(instance_id, DATASETS)
    ev = evaluate_inrc2(inst, read_solution(inst, sample_folder(instance_id)))
    assert ev.feasible, ev.details
    assert ev.total_cost % 5 == 0 and ev.total_cost > 0
    if row["ref_solution_cost"]:
        assert ev.total_cost == int(row["ref_solution_cost"])


@pytest.mark.parametrize(("worked", "history", "lo", "hi", "cost"), [
    ([True, False], 5, 1, 3, 1),  # max 3, 5 days before: Monday is past it, earlier days are not
    ([False, True], 1, 3, 9, 2),  # min 3, 1 day before, Monday off: 2 days short
    ([True, True, True, True], 0, 1, 2, 2),  # 2 days past the max
    ([False, True], 0, 3, 9, 0),  # a run still going on the last day is not short
    ([True, False, True, True, False], 0, 2, 9, 1),
    ([False, False], 0, 3, 9, 0),  # no run at all
])
def test_run_cost_border_rules(worked: list[bool], history: int, lo: int, hi: int, cost: int) -> None:
    assert run_cost(worked, history, lo, hi) == cost


def _tiny() -> Instance:
    """One week, two nurses, shifts E and N (N -> E forbidden), one skill each plus one shared."""
    scenario = Scenario(
        "tiny", 1, ("A", "B"),
        (ShiftType("E", 1, 7), ShiftType("N", 1, 7)),
        frozenset({("N", "E")}),
        (Contract("C", 0, 7, 1, 7, 1, 7, 1, True),),
        (Nurse("x", "C", ("A",)), Nurse("y", "C", ("A", "B"))),
    )
    history = History(0, (NurseHistory("x", 0, 0, "N", 1, 1, 0), NurseHistory("y", 0, 0, None, 0, 0, 1)))
    week = WeekData((Requirement("E", "A", (1,) + (0,) * 6, (2,) + (0,) * 6),), ())
    return Instance("tiny_0_0", "tiny", 0, (0,), scenario, history, (week,))


def _costs(inst: Instance, *assignments: Assignment) -> tuple[dict[str, int], dict[str, int]]:
    ev = evaluate_inrc2(inst, Solution(tuple(assignments)))
    return ({k: v for k, v in ev.violations.items() if v}, {k: v for k, v in ev.costs.items() if v})


def test_tiny_feasible_roster_costs_only_the_missing_optimal_nurse() -> None:
    hard, soft = _costs(_tiny(), Assignment("y", 0, "E", "A"))
    assert hard == {} and soft == {"Optimal coverage constraints": 30}


def test_each_hard_constraint_counted() -> None:
    inst = _tiny()
    assert _costs(inst)[0] == {"Minimal coverage constraints": 1}
    hard, _ = _costs(inst, Assignment("x", 0, "E", "A"))  # x worked N before the border
    assert hard == {"Illegal shift type succession constraints": 1}
    hard, _ = _costs(inst, Assignment("y", 0, "E", "A"), Assignment("x", 3, "E", "B"))
    assert hard == {"Required skill constraints": 1}
    hard, _ = _costs(inst, Assignment("y", 0, "E", "A"), Assignment("y", 0, "N", "B"))
    assert hard == {"Single assignment per day": 1}
    hard, _ = _costs(inst, Assignment("y", 0, "E", "A"), Assignment("y", 2, "N", "A"),
                     Assignment("y", 3, "E", "A"))
    assert hard == {"Illegal shift type succession constraints": 1}


def test_each_soft_constraint_counted_by_its_weight() -> None:
    inst = _tiny()
    base = Assignment("y", 0, "E", "A")
    # S5 + S7: y works Saturday only: one incomplete weekend; 1 weekend allowed, so no S7
    _, soft = _costs(inst, base, Assignment("y", 5, "N", "B"))
    assert soft["Complete weekends"] == 30 and "Max working weekend" not in soft
    # S7: a second working weekend from the history's counter
    hist = History(0, (inst.history.nurses[0], replace(inst.history.nurses[1], worked_weekends=1)))
    _, soft = _costs(replace(inst, history=hist), base, Assignment("y", 5, "N", "B"))
    assert soft["Max working weekend"] == 30
    # S6: the contract allows 7 days; with 3 worked before, 5 more exceed it by 1
    hist = History(0, (inst.history.nurses[0], replace(inst.history.nurses[1], worked_days=3)))
    _, soft = _costs(replace(inst, history=hist), *(Assignment("y", d, "E", "A") for d in range(5)))
    assert soft["Total assignment constraints"] == 20
    # S4: a (day, shift) request and a day-off request, both broken
    week = replace(inst.weeks[0], requests=(ShiftOffRequest("y", "E", 0), ShiftOffRequest("y", None, 0),
                                            ShiftOffRequest("y", "N", 0)))
    _, soft = _costs(replace(inst, weeks=(week,)), base)
    assert soft["Preferences"] == 20
    # S2 (shift type, 15) and S3: max 1 E in a row; y off Monday (history: 1 day off before)
    sc = replace(inst.scenario, shift_types=(ShiftType("E", 1, 1), ShiftType("N", 1, 7)),
                 contracts=(replace(inst.scenario.contracts[0], min_consecutive_off=3),))
    _, soft = _costs(replace(inst, scenario=sc), base, Assignment("y", 1, "E", "A"))
    assert soft["Consecutive constraints"] == 15
    # y's 1 day off before Monday ends on Monday: 2 days short of 3; x's days off from Monday
    # are still going on Sunday: free
    assert soft["Non working days constraints"] == 60
    _, soft = _costs(replace(inst, scenario=sc), Assignment("y", 1, "E", "A"), Assignment("x", 2, "E", "A"))
    # y: 1 day off before + Monday = 2 < 3 -> 1; x: Mon, Tue off (2 < 3) -> 1
    assert soft["Non working days constraints"] == 60
