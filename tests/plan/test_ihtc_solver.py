"""The IHTC solvers, always judged by the independent evaluator."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kontrolltarn.formats.ihtc import read_instance
from kontrolltarn.plan.ihtc.anneal import Annealer, insert_waiting
from kontrolltarn.plan.ihtc.construct import construct
from kontrolltarn.plan.ihtc.evaluator import evaluate
from kontrolltarn.plan.ihtc.exact import solve_exact
from kontrolltarn.plan.ihtc.heuristic import search, solve
from kontrolltarn.plan.ihtc.state import State

sys.path.insert(0, str(Path(__file__).parent))
from ihtc_data import DATA, needs_data  # noqa: E402
from ihtc_tiny import TINY_INSTANCE  # noqa: E402


def _load(name: str):  # type: ignore[no-untyped-def]
    if name == "toy":
        return read_instance(DATA / "toy.json")
    folder = "small" if name.startswith("small") else "test"
    return read_instance(DATA / folder / f"{name}.json")


@needs_data
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), name=st.sampled_from(["toy", "test01", "small03"]),
       steps=st.integers(1, 3000))
def test_incremental_cost_equals_evaluator_after_any_moves(seed: int, name: str,
                                                           steps: int) -> None:
    inst = _load(name)
    state = State(inst)
    rng = random.Random(seed)
    construct(state, rng)
    ann = Annealer(state, rng)
    ann.temp = 50.0  # accept plenty of uphill moves too
    moves = [ann.insert_with_ejection, ann.chain_move, ann.close_theater, ann.surgeon_swap]
    for _ in range(steps):
        ann.step()
        x = rng.random()
        if x < 0.1:  # the rarer compound moves, often enough to be exercised on every run
            moves[int(x * 10 * len(moves))]()
    judged = evaluate(inst, state.to_solution())
    assert judged.violations["MandatoryUnscheduledPatients"] == state.waiting
    assert judged.total_violations == state.waiting  # every other hard constraint is kept
    assert state.cost == judged.total_cost + state.penalty * state.waiting


@needs_data
@pytest.mark.parametrize("move", ["chain_move", "surgeon_swap", "close_theater"])
def test_compound_moves_are_taken_and_keep_the_judged_cost(move: str) -> None:
    # Not vacuous: each compound move must actually change the plan sometimes, and every
    # accepted one must leave a plan whose judged cost is the running cost.
    inst = _load("test02")
    state = State(inst)
    rng = random.Random(5)
    construct(state, rng)
    ann = Annealer(state, rng)
    ann.temp = 1e9  # a random walk first: the greedy start packs theaters and rooms tightly
    for _ in range(2000):
        ann.move_patient()
    ann.temp = 200.0
    for p in state.optional[::2]:  # some waiting patients for the admission moves
        if state.adm[p] >= 0:
            state.postpone(p)
    taken = 0
    for _ in range(10_000):
        if getattr(ann, move)():
            taken += 1
            judged = evaluate(inst, state.to_solution())
            assert judged.total_violations == state.waiting
            assert state.cost == judged.total_cost + state.penalty * state.waiting
    assert taken > 0


@needs_data
@pytest.mark.parametrize("name", ["test01", "small03"])
def test_insert_waiting_admits_at_the_judged_price(name: str) -> None:
    inst = _load(name)
    state = State(inst)
    construct(state, random.Random(0))
    admitted = [p for p in state.optional if state.adm[p] >= 0]
    for p in admitted:
        state.postpone(p)
    before = evaluate(inst, state.to_solution()).total_cost
    delta = insert_waiting(state)
    judged = evaluate(inst, state.to_solution())
    assert judged.feasible
    assert state.cost == judged.total_cost
    assert delta == judged.total_cost - before < 0  # the greedy had admitted some: room exists
    for p in state.optional:  # nothing left that is both feasible and cheaper than waiting
        if state.adm[p] < 0:
            for d in range(state.release[p], min(state.last[p], state.D - 1) + 1):
                for r in state.allowed_rooms[p]:
                    for t in range(state.T):
                        if state.can_admit(p, d, r, t):
                            assert state.admit(p, d, r, t) >= 0
                            state.postpone(p)


def test_tiny_instance_solved_to_feasibility() -> None:
    inst = read_instance(TINY_INSTANCE)
    result = search(inst, seed=1, time_limit=2.0, max_iterations=5_000)
    judged = evaluate(inst, result.solution)
    assert judged.feasible
    assert judged.total_cost == result.cost


@needs_data
@pytest.mark.parametrize("name", ["toy", "test02", "small02"])
def test_heuristic_is_feasible_and_its_cost_is_the_judged_cost(name: str) -> None:
    inst = _load(name)
    result = solve(inst, seed=3, time_limit=3.0, threads=1)
    judged = evaluate(inst, result.solution)
    assert judged.feasible, judged.details[:5]
    assert judged.total_cost == result.cost
    assert result.cost < result.construct_cost  # the annealer improved the greedy start


@needs_data
def test_same_seed_same_moves_same_solution() -> None:
    inst = _load("test01")
    a = search(inst, seed=7, time_limit=60.0, max_iterations=4_000)
    b = search(inst, seed=7, time_limit=60.0, max_iterations=4_000)
    assert a.solution == b.solution and a.cost == b.cost


@needs_data
def test_two_parallel_searches_return_the_better_one() -> None:
    inst = _load("small01")
    result = solve(inst, seed=0, time_limit=3.0, threads=2)
    judged = evaluate(inst, result.solution)
    assert judged.feasible and judged.total_cost == result.cost
    assert result.seed in (0, 1)


@needs_data
def test_exact_model_objective_is_the_judged_cost() -> None:
    inst = _load("toy")
    result = solve_exact(inst, time_limit=8.0, workers=1)
    assert result.solution is not None
    judged = evaluate(inst, result.solution)
    assert judged.feasible
    # The linearised terms are only bounded from below, so a non-optimal CP-SAT solution may
    # carry slack: its objective over-states the true cost, never under-states it.
    assert result.bound <= judged.total_cost <= result.objective
