"""The evaluator against the official validator's figures, hand counts and broken solutions."""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kontrolltarn.formats.ihtc import read_instance, read_solution
from kontrolltarn.model.ihtc import HARD_LABELS, SOFT_LABELS, Admission, Solution
from kontrolltarn.plan.ihtc.evaluator import evaluate, format_report

sys.path.insert(0, str(Path(__file__).parent))
from ihtc_data import DATA, needs_data  # noqa: E402
from ihtc_tiny import TINY_COSTS, TINY_INSTANCE, TINY_SOLUTION, TINY_TOTAL, broken  # noqa: E402


def _ref_costs() -> dict[str, int]:
    with (DATA / "best_known.csv").open(encoding="utf-8") as fh:
        return {r["instance"]: int(r["ref_solution_cost"]) for r in csv.DictReader(fh)
                if r["ref_solution_cost"]}


@needs_data
def test_toy_solution_matches_official_validator() -> None:
    inst = read_instance(DATA / "toy.json")
    result = evaluate(inst, read_solution(inst, DATA / "toy_solution.json"))
    assert result.violations == {**dict.fromkeys(HARD_LABELS, 0), "RoomGenderMix": 3}
    # Validator printout for the toy: 5 + 30 + 38 + 9 + 100 + 0 + 110 + 0.
    assert result.weighted == {"RoomAgeMix": 5, "RoomSkillLevel": 30, "ContinuityOfCare": 38,
                               "ExcessiveNurseWorkload": 9, "OpenOperatingTheater": 100,
                               "SurgeonTransfer": 0, "PatientDelay": 110,
                               "ElectiveUnscheduledPatients": 0}
    assert result.total_cost == 292
    assert "Total cost = 292" in format_report(result, inst.weights)


@needs_data
@pytest.mark.parametrize("k", range(1, 11))
def test_reference_test_solutions_match_official_costs(k: int) -> None:
    inst = read_instance(DATA / "test" / f"test{k:02d}.json")
    result = evaluate(inst, read_solution(inst, DATA / "test_solutions" / f"sol_test{k:02d}.json"))
    assert result.total_violations == 0
    assert result.total_cost == _ref_costs()[f"test{k:02d}"]


def test_tiny_instance_hand_counts() -> None:
    inst = read_instance(TINY_INSTANCE)
    result = evaluate(inst, read_solution(inst, TINY_SOLUTION))
    assert result.total_violations == 0
    assert result.costs == TINY_COSTS
    assert result.total_cost == TINY_TOTAL


@pytest.mark.parametrize("label", HARD_LABELS)
def test_each_hard_constraint_broken_by_hand_is_counted(label: str) -> None:
    inst = read_instance(TINY_INSTANCE)
    solution, expected = broken(label)
    result = evaluate(inst, read_solution(inst, solution))
    assert result.violations == {**dict.fromkeys(HARD_LABELS, 0), label: expected}
    assert not result.feasible


def test_later_nurse_overrides_room_but_both_carry_load() -> None:
    inst = read_instance(TINY_INSTANCE)
    sol = read_solution(inst, TINY_SOLUTION)
    # n1 (skill 0, max load 1) also takes r0 on day 0 early, after n0 in file order.
    sol.nurse_rooms.append((1, 0, 0))
    result = evaluate(inst, sol)
    base = evaluate(inst, read_solution(inst, TINY_SOLUTION))
    # r0 day-0 early: o0 (1) + p0 (1) = 2 > n1's max 1 -> +1 workload; p0 needs skill 1 -> +1;
    # p0 and o0 now also saw n1 -> +2 continuity.
    assert result.costs["ExcessiveNurseWorkload"] == base.costs["ExcessiveNurseWorkload"] + 1
    assert result.costs["RoomSkillLevel"] == base.costs["RoomSkillLevel"] + 1
    assert result.costs["ContinuityOfCare"] == base.costs["ContinuityOfCare"] + 2


@needs_data
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), name=st.sampled_from(["toy", "test01", "test02"]))
def test_total_is_sum_of_weighted_components(seed: int, name: str) -> None:
    path = DATA / "toy.json" if name == "toy" else DATA / "test" / f"{name}.json"
    inst = _cached(path)
    rng = random.Random(seed)
    admissions: list[Admission | None] = []
    for _ in inst.patients:  # arbitrary, often infeasible decisions
        if rng.random() < 0.3:
            admissions.append(None)
        else:
            admissions.append(Admission(rng.randrange(inst.days), rng.randrange(len(inst.rooms)),
                                        rng.randrange(len(inst.theaters))))
    nurse_rooms = [(rng.randrange(len(inst.nurses)), rng.randrange(inst.shifts),
                    rng.randrange(len(inst.rooms))) for _ in range(rng.randrange(200))]
    result = evaluate(inst, Solution(admissions, nurse_rooms))
    assert result.total_cost == sum(result.weighted.values())
    for label, w in zip(SOFT_LABELS, inst.weights, strict=True):
        assert result.weighted[label] == w * result.costs[label]
        assert result.costs[label] >= 0
    assert result.total_violations == sum(result.violations.values())


_CACHE: dict[Path, object] = {}


def _cached(path: Path):  # type: ignore[no-untyped-def]
    if path not in _CACHE:
        _CACHE[path] = read_instance(path)
    return _CACHE[path]
