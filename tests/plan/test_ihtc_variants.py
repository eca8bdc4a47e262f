"""Unseen variants of IHTC instances: they only loosen hard constraints, so the organisers'
solutions of the base instances stay feasible on them, and the solver is feasible on them too."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kontrolltarn.formats.ihtc import read_instance, read_solution
from kontrolltarn.plan.ihtc.evaluator import evaluate
from kontrolltarn.plan.ihtc.heuristic import solve
from kontrolltarn.plan.ihtc.variants import variant

sys.path.insert(0, str(Path(__file__).parent))
from ihtc_data import DATA, needs_data  # noqa: E402


def _base(name: str) -> dict:
    return json.loads((DATA / "test" / f"{name}.json").read_text(encoding="utf-8"))


@needs_data
@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10**6), name=st.sampled_from(["test01", "test04", "test07"]))
def test_a_solution_feasible_for_the_base_stays_feasible_on_any_variant(seed: int, name: str) -> None:
    base = _base(name)
    changed = variant(base, seed)
    assert changed != base
    inst = read_instance(changed, name=f"{name}-v{seed}")
    judged = evaluate(inst, read_solution(inst, DATA / "test_solutions" / f"sol_{name}.json"))
    assert judged.total_violations == 0, judged.violations


@needs_data
def test_variants_differ_by_seed_and_repeat_for_the_same_seed() -> None:
    base = _base("test02")
    assert variant(base, 1) == variant(base, 1)
    assert variant(base, 1) != variant(base, 2)
    assert base == _base("test02")  # the base is not modified


@needs_data
@pytest.mark.parametrize("seed", [3, 11])
def test_solver_is_feasible_on_an_unseen_variant(seed: int) -> None:
    inst = read_instance(variant(_base("test03"), seed), name=f"test03-v{seed}")
    result = solve(inst, seed=seed, time_limit=3.0, threads=1)
    judged = evaluate(inst, result.solution)
    assert judged.total_violations == 0, judged.violations
    assert judged.total_cost == result.cost
