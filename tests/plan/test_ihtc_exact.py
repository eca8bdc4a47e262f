"""The exact CP-SAT model, always judged by the independent evaluator."""

from __future__ import annotations

import random
import sys
from pathlib import Path

from kontrolltarn.formats.ihtc import read_instance, read_solution, write_solution
from kontrolltarn.model.ihtc import SOFT_LABELS, Admission, Instance, Solution
from kontrolltarn.plan.ihtc.construct import construct
from kontrolltarn.plan.ihtc.evaluator import evaluate
from kontrolltarn.plan.ihtc.exact import ExactModel, improve_by_lns, solve_exact
from kontrolltarn.plan.ihtc.heuristic import search, solve_exact_warm
from kontrolltarn.plan.ihtc.state import State

sys.path.insert(0, str(Path(__file__).parent))
from ihtc_data import DATA, needs_data  # noqa: E402
from ihtc_tiny import TINY_INSTANCE  # noqa: E402


@needs_data
def test_small01_proven_optimum_is_the_judged_cost_of_the_written_solution(tmp_path: Path) -> None:
    inst = read_instance(DATA / "small" / "small01.json")
    result = solve_exact(inst, time_limit=25.0, workers=1)
    assert result.optimal and result.solution is not None
    out = tmp_path / "small01.json"
    write_solution(inst, result.solution, out)
    judged = evaluate(inst, read_solution(inst, out))
    assert judged.feasible
    assert judged.total_cost == result.objective == round(result.bound)


@needs_data
def test_model_objective_equals_the_evaluator_on_arbitrary_feasible_solutions() -> None:
    # Solutions of short, differently seeded heuristic runs are far from optimal, so every
    # cost term is exercised; fixing their decisions, the cheapest completion of the model's
    # auxiliaries must give exactly the evaluator's total.
    positive: set[str] = set()
    checked = 0
    for name, seed, moves in [("small02", 1, 300), ("small05", 2, 2000), ("small09", 3, 500),
                              ("small07", 4, 5000)]:
        inst = read_instance(DATA / "small" / f"{name}.json")
        found = search(inst, seed, 30.0, max_iterations=moves)
        judged = evaluate(inst, found.solution)
        if not judged.feasible:
            continue
        done = ExactModel(inst).complete(found.solution)
        assert done is not None, name
        assert done[0] == judged.total_cost, (name, judged.weighted)
        positive |= {label for label in SOFT_LABELS if judged.costs[label] > 0}
        checked += 1
    assert checked >= 3
    assert positive >= set(SOFT_LABELS) - {"SurgeonTransfer"}


def test_warm_exact_mode_proves_the_tiny_optimum() -> None:
    inst = read_instance(TINY_INSTANCE)
    best, proof = solve_exact_warm(inst, time_limit=5.0, threads=1)
    judged = evaluate(inst, best.solution)
    assert judged.feasible and proof.optimal
    assert judged.total_cost == best.cost == proof.objective
    # the heuristic alone can never go below the proven optimum
    alone = search(inst, 7, 1.0)
    assert alone.waiting > 0 or alone.cost >= judged.total_cost


def test_cuts_do_not_change_the_optimum() -> None:
    inst = read_instance(TINY_INSTANCE)
    with_cuts = solve_exact(inst, time_limit=5.0, workers=1)
    without = solve_exact(inst, time_limit=5.0, workers=1, cuts=False)
    assert with_cuts.optimal and without.optimal
    assert with_cuts.objective == without.objective


def _open_theater_days(sol: Solution) -> int:
    return len({(a.day, a.theater) for a in sol.admissions if a is not None})


def _spread_over_theaters(inst: Instance, sol: Solution) -> Solution:
    """The same plan with each surgery moved to a theater not yet open that day when one has
    the time: valid, but with theater-days a good plan would not open."""
    load = {(a.day, a.theater): 0 for a in sol.admissions if a is not None}
    for k, a in enumerate(sol.admissions):
        if a is not None:
            load[a.day, a.theater] += inst.patients[k].surgery_duration
    spread: list[Admission | None] = []
    for k, a in enumerate(sol.admissions):
        if a is None:
            spread.append(None)
            continue
        dur = inst.patients[k].surgery_duration
        free = [t for t, th in enumerate(inst.theaters)
                if (a.day, t) not in load and dur <= th.availability[a.day]]
        if free and load[a.day, a.theater] > dur:  # leave no theater-day empty behind
            load[a.day, a.theater] -= dur
            load[a.day, free[0]] = dur
            a = Admission(a.day, a.room, free[0])
        spread.append(a)
    return Solution(admissions=spread, nurse_rooms=sol.nurse_rooms)


@needs_data
def test_lns_consolidates_theater_days_and_stays_valid() -> None:
    # The consolidation the annealer's moves miss (docs/ihtc.md, small05): several surgeries
    # must change theater or day together before a theater-day's opening cost is saved.
    inst = read_instance(DATA / "small" / "small02.json")
    state = State(inst)
    construct(state, random.Random(0))
    greedy = state.to_solution()
    spread = _spread_over_theaters(inst, greedy)
    before = evaluate(inst, spread)
    assert before.feasible and _open_theater_days(spread) > _open_theater_days(greedy)
    improved, cost = improve_by_lns(inst, spread, seed=0, deterministic_time=1.0)
    judged = evaluate(inst, improved)
    assert judged.feasible
    assert cost == judged.total_cost < before.total_cost
    assert _open_theater_days(improved) < _open_theater_days(spread)
