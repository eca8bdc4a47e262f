"""The INRC-II CP-SAT model against the checker: on tiny random instances its optimum is the
brute-force optimum of the checker's cost (so every constraint family and border rule means the
same in both); on a sample instance it returns a roster without hard violations; Ctrl-C stops
it with the best roster so far."""

from __future__ import annotations

import itertools
import os
import signal
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kontrolltarn.formats.inrc2 import read_instance
from kontrolltarn.model.inrc2 import (
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
from kontrolltarn.plan.staffing import evaluate_inrc2, solve_inrc2
from kontrolltarn.plan.staffing.cpsat import _fixed, _Kinds, new_solver, objective_of, run_search
from kontrolltarn.plan.staffing.inrc2_greedy import greedy_inrc2
from kontrolltarn.plan.staffing.inrc2_solver import Inrc2Model, _neighbourhoods, _sub_models
from tests.inrc2_data import DATASETS, needs_inrc2, sample_instances

SHIFTS = ("E", "N")


@st.composite
def one_nurse_weeks(draw: st.DrawFn) -> Instance:
    """One nurse, one week, shift types E and N (N -> E forbidden), random limits, history,
    requirements and requests: small enough (3^7 rosters) to enumerate."""
    def limits(top: int) -> tuple[int, int]:
        lo = draw(st.integers(0, 3))
        return lo, draw(st.integers(max(lo, 1), top))

    types = tuple(ShiftType(s, *limits(5)) for s in SHIFTS)
    contract = Contract("C", *limits(7), *limits(6), *limits(6), draw(st.integers(0, 1)),
                        draw(st.booleans()))
    scenario = Scenario("rand", 1, ("A",), types, frozenset({("N", "E")}), (contract,),
                        (Nurse("x", "C", ("A",)),))
    last = draw(st.sampled_from((None, *SHIFTS)))
    work = draw(st.integers(1, 7)) if last else 0
    history = History(0, (NurseHistory(
        "x", draw(st.integers(0, 3)), draw(st.integers(0, 1)), last,
        draw(st.integers(1, work)) if last else 0, work, 0 if last else draw(st.integers(1, 7))),))
    requirements = tuple(
        Requirement(s, "A", tuple(draw(st.lists(st.integers(0, 1), min_size=7, max_size=7))),
                    tuple(draw(st.lists(st.integers(0, 1), min_size=7, max_size=7))))
        for s in SHIFTS)
    requirements = tuple(Requirement(r.shift, r.skill, tuple(0 if draw(st.booleans()) else m
                                                             for m in r.minimum),
                                     tuple(max(m, o) for m, o in zip(r.minimum, r.optimal, strict=True)))
                         for r in requirements)
    requests = tuple(ShiftOffRequest("x", draw(st.sampled_from((None, *SHIFTS))), d)
                     for d in draw(st.lists(st.integers(0, 6), max_size=3)))
    return Instance("rand_0_0", "rand", 0, (0,), scenario, history, (WeekData(requirements, requests),))


def _brute_force_optimum(instance: Instance) -> int | None:
    best = None
    for days in itertools.product((None, *SHIFTS), repeat=7):
        sol = Solution(tuple(Assignment("x", d, s, "A") for d, s in enumerate(days) if s))
        ev = evaluate_inrc2(instance, sol)
        if ev.feasible and (best is None or ev.total_cost < best):
            best = ev.total_cost
    return best


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_nurse_weeks())
def test_model_optimum_equals_the_checkers_brute_force_optimum(instance: Instance) -> None:
    result = solve_inrc2(instance, time_limit=10, workers=1, anneal_share=0.0,
                         columns_share=0.0)  # the model alone
    optimum = _brute_force_optimum(instance)
    if optimum is None:
        assert result.status == "INFEASIBLE"
        return
    # CP-SAT's first run on the whole model is short: where it does not prove the optimum,
    # the neighbourhood search goes on from it (no proof, but the roster must still be optimal)
    assert result.status == "OPTIMAL" or result.status.endswith("LNS")
    ev = evaluate_inrc2(instance, result.solution)
    assert ev.feasible
    assert ev.total_cost == optimum
    assert result.objective == pytest.approx(optimum)


@needs_inrc2
def test_sample_instance_gets_a_roster_without_hard_violations() -> None:
    inst = read_instance("n005w4_0_1-2-3-3", DATASETS)
    result = solve_inrc2(inst, time_limit=4, seed=1)
    ev = evaluate_inrc2(inst, result.solution)
    assert ev.feasible and ev.total_cost > 0
    assert result.status in ("OPTIMAL", "GREEDY+SA+LNS", "FEASIBLE+SA+LNS") and not result.interrupted


@needs_inrc2
def test_ctrl_c_stops_the_search_with_the_best_roster_so_far() -> None:
    inst = read_instance("n030w4_1_6-2-9-1", DATASETS)
    seen: list[float] = []

    def interrupt_after_first(objective: float, bound: float, seconds: float) -> None:
        if not seen:
            threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
        seen.append(objective)

    before = signal.getsignal(signal.SIGINT)  # a pytest-xdist worker starts with SIG_IGN
    result = solve_inrc2(inst, time_limit=60, progress=interrupt_after_first)
    assert result.interrupted and result.seconds < 30
    ev = evaluate_inrc2(inst, result.solution)
    assert ev.feasible and ev.total_cost <= seen[0]
    assert signal.getsignal(signal.SIGINT) is before  # the handler it found is back


@needs_inrc2
def test_greedy_start_keeps_successions_skills_and_one_shift_a_day() -> None:
    """The greedy roster the search starts from breaks no H1, H3 or H4 (H2 it may leave short,
    the model repairs that) on the test datasets and a 30-nurse instance."""
    for instance_id in [*sample_instances(), "n030w4_1_6-2-9-1"]:
        inst = read_instance(instance_id, DATASETS)
        ev = evaluate_inrc2(inst, greedy_inrc2(inst))
        assert ev.violations["Single assignment per day"] == 0
        assert ev.violations["Illegal shift type succession constraints"] == 0
        assert ev.violations["Required skill constraints"] == 0
        assert ev.violations["Minimal coverage constraints"] <= 4, instance_id


@needs_inrc2
def test_an_infeasible_start_is_repaired_first() -> None:
    inst = read_instance("n005w4_1_5-3-1-0", DATASETS)
    assert not evaluate_inrc2(inst, greedy_inrc2(inst)).feasible
    result = solve_inrc2(inst, time_limit=3)
    assert evaluate_inrc2(inst, result.solution).feasible
    assert not result.status.startswith("GREEDY")  # CP-SAT found the first feasible roster


@needs_inrc2
def test_a_neighbourhoods_own_model_has_the_whole_models_optimum() -> None:
    """The sub-model of a few freed nurses (the others' coverage as constants) differs from the
    whole model only by a constant: both, re-optimised over the same freed assignments, reach
    the same roster cost. Were the others' coverage counted wrong (or a coverage term left out),
    the optima would differ."""
    inst = read_instance("n012w8_0_3-5-0-2-0-4-5-2", DATASETS)
    whole = Inrc2Model(inst)
    x = dict(whole.x)
    result = solve_inrc2(inst, time_limit=3, seed=0, workers=1)
    values = whole.values_of(result.solution)
    base = objective_of(whole.m, x, values)
    assert base is not None
    build = _sub_models(inst)
    for crew, lo, hi in (({0, 3}, 0, 21), ({1, 5, 7}, 14, 28), ({2, 4, 6, 8}, 49, 56)):
        def free(key: object, crew: set[int] = crew, lo: int = lo, hi: int = hi) -> bool:
            return key[0] in crew and lo <= key[1] < hi  # type: ignore[index]

        def not_free(key: object, free=free) -> bool:  # type: ignore[no-untyped-def]
            return not free(key)

        own = build(values, free)
        assert own is not None and {key[0] for key in own[1]} == crew  # type: ignore[index]
        optima = []
        for model, variables in ((whole.m, x), own):
            solver = new_solver(30, 1, 0)
            solver.parameters.linearization_level = 2
            found = run_search(_fixed(model, variables, values, not_free), solver)
            assert found.status == "OPTIMAL"
            at_base = objective_of(model, variables, values)
            assert at_base is not None
            optima.append(base - at_base + found.objective)
        assert optima[0] == optima[1] <= base


def test_the_kinds_that_improve_the_roster_are_drawn_more_often() -> None:
    """Adaptive choice: after rounds where kind 0 never improves and kind 1 always does, kind 1
    is drawn far more often; kind 0 still keeps a share; sizes shrink on failure."""
    import random

    kinds = _Kinds(2, 0.1)
    for _ in range(20):
        kinds.record(0, improved=False, optimal=False)
        kinds.record(1, improved=True, optimal=True)
    draws = [kinds.pick(random.Random(i)) for i in range(1000)]
    assert draws.count(1) > 5 * draws.count(0) > 0
    assert kinds.size[0] < 0.1 < kinds.size[1]


@needs_inrc2
def test_the_totals_neighbourhood_frees_a_nurse_outside_its_range_with_partners_who_have_room() -> None:
    """The greedy roster of n030w4 leaves nurses above their maximum (S6); the neighbourhood
    must free one of those with nurses who share a skill and are below their own maximum."""
    import random

    inst = read_instance("n030w4_1_6-2-9-1", DATASETS)
    values = Inrc2Model(inst).values_of(greedy_inrc2(inst))
    nurses = inst.scenario.nurses
    worked = [inst.history.of(n.name).worked_days for n in nurses]
    for key, value in values.items():
        worked[key[0]] += value  # type: ignore[index]
    contracts = [inst.scenario.contract_of(n) for n in nurses]
    over = {n for n in range(len(nurses)) if worked[n] > contracts[n].max_total}
    under = {n for n in range(len(nurses)) if worked[n] < contracts[n].min_total}
    assert over, "the greedy roster should leave someone above the maximum"
    kind = _neighbourhoods(inst)[-1]
    rng = random.Random(1)
    centres = set()
    for _ in range(30):
        free = kind(rng, 0.1, values)
        freed = {key[0] for key in values if free(key)}  # type: ignore[index]
        assert {key[1] for key in values if free(key)} == set(range(inst.days))  # type: ignore[index]
        assert len(freed) >= 2
        # one nurse outside its range; every other one shares a skill with it and has room
        fits = [c for c in freed & (over | under) if all(
            set(nurses[m].skills) & set(nurses[c].skills)
            and (worked[m] < contracts[m].max_total if c in over else worked[m] > contracts[m].min_total)
            for m in freed - {c})]
        assert fits, freed
        centres.update(fits)
    assert len(centres) > 1  # drawn among them, not always the same
