"""RosterColumn generation for INRC-II: the pricing programme counts a row's own cost as the checker
does and finds the cheapest row (against a brute force over one-nurse weeks); the phase never
returns a worse roster or one with a hard violation."""

from __future__ import annotations

import itertools
import os
import random
import signal
import threading
import time

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kontrolltarn.formats.inrc2 import read_instance
from kontrolltarn.model.inrc2 import WEIGHT_OPTIMAL_COVERAGE, Assignment, Instance, Solution
from kontrolltarn.plan.staffing import evaluate_inrc2, solve_inrc2
from kontrolltarn.plan.staffing.cpsat import CtrlC
from kontrolltarn.plan.staffing.inrc2_anneal import OFF, RosterArrays, RosterState
from kontrolltarn.plan.staffing.inrc2_checker import H3, S1
from kontrolltarn.plan.staffing.inrc2_colgen import ColumnGeneration, assign_skills
from kontrolltarn.plan.staffing.inrc2_greedy import greedy_inrc2
from kontrolltarn.plan.staffing.inrc2_pricing import NursePricer
from kontrolltarn.plan.staffing.inrc2_solver import _columns
from tests.inrc2_data import DATASETS, needs_inrc2
from tests.plan.test_inrc2_anneal import random_roster
from tests.plan.test_inrc2_solver import one_nurse_weeks


def _rows(state: RosterState) -> list[list[int]]:
    return [row[:] for row in state.shift]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_nurse_weeks(), st.integers(0, 2**32 - 1))
def test_own_cost_equals_the_checkers_at_the_border(instance: Instance, seed: int) -> None:
    roster = random_roster(instance, random.Random(seed), off_share=0.4)
    ev = evaluate_inrc2(instance, roster)
    if ev.violations[H3]:
        return
    arrays = RosterArrays(instance)
    row = _rows(RosterState(arrays, roster))[0]
    assert NursePricer(arrays, 0).own_cost(row) == ev.total_cost - ev.costs[S1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_nurse_weeks())
def test_the_programmes_optimum_equals_a_brute_force_over_the_checker(instance: Instance) -> None:
    """Priced at the weight of S1 on each slot with an optimal level, a nurse's row pays its
    own cost less what it covers: the checker's cost less a constant (its coverage of no one)."""
    arrays = RosterArrays(instance)
    shifts = arrays.shift_names
    prices = np.zeros((instance.days, len(shifts)))
    for r in instance.weeks[0].requirements:
        for d in range(7):
            prices[d, shifts.index(r.shift)] += WEIGHT_OPTIMAL_COVERAGE * min(1, r.optimal[d])
    uncovered = sum(WEIGHT_OPTIMAL_COVERAGE * o for r in instance.weeks[0].requirements for o in r.optimal)
    best = None
    for days in itertools.product((None, *shifts), repeat=7):
        sol = Solution(tuple(Assignment("x", d, s, "A") for d, s in enumerate(days) if s))
        ev = evaluate_inrc2(instance, sol)
        if ev.violations[H3] == 0 and (best is None or ev.total_cost < best):
            best = ev.total_cost
    pricer = NursePricer(arrays, 0)
    value, row = pricer.cheapest(prices)
    assert best is not None
    assert round(value) == best - uncovered
    reached = pricer.own_cost(row) - sum(prices[d, s] for d, s in enumerate(row) if s != OFF)
    assert round(reached) == round(value)


@needs_inrc2
def test_own_costs_and_coverage_add_up_to_the_checkers_on_real_instances() -> None:
    rng = random.Random(3)
    for instance_id in ("n005w4_0_1-2-3-3", "n012w8_0_3-5-0-2-0-4-5-2"):
        inst = read_instance(instance_id, DATASETS)
        arrays = RosterArrays(inst)
        pricers = [NursePricer(arrays, n) for n in range(arrays.n_nurses)]
        for _ in range(3):
            # random prices: the programme's row must cost what its value says
            prices = rng.random() * 60 * np.array([[rng.random() for _ in range(arrays.n_shifts)]
                                                    for _ in range(arrays.days)])
            for pricer in pricers:
                value, row = pricer.cheapest(prices)
                paid = sum(prices[d, s] for d, s in enumerate(row) if s != OFF)
                assert abs(pricer.own_cost(row) - paid - value) < 1e-6, instance_id


@needs_inrc2
def test_skills_chosen_for_fixed_rows_cover_as_well_as_the_rosters_own() -> None:
    inst = read_instance("n012w8_0_3-5-0-2-0-4-5-2", DATASETS)
    arrays = RosterArrays(inst)
    roster = greedy_inrc2(inst)
    state = RosterState(arrays, roster)
    rows = {n: tuple(row) for n, row in enumerate(state.shift)}
    skills = assign_skills(arrays, rows)
    for n in rows:
        state.skill[n] = skills[n]
    rebuilt = evaluate_inrc2(inst, state.solution())
    before = evaluate_inrc2(inst, roster)
    assert rebuilt.feasible and before.feasible
    assert rebuilt.costs[S1] <= before.costs[S1]
    assert rebuilt.total_cost - rebuilt.costs[S1] == before.total_cost - before.costs[S1]


@needs_inrc2
def test_the_column_phase_never_returns_a_worse_or_infeasible_roster() -> None:
    for instance_id in ("n005w4_0_1-2-3-3", "n012w8_0_3-5-0-2-0-4-5-2", "n021w4_0_5-4-1-2"):
        inst = read_instance(instance_id, DATASETS)
        start = greedy_inrc2(inst)
        judged = evaluate_inrc2(inst, start)
        with CtrlC() as ctrl_c:
            roster, bound = _columns(inst, start, time.monotonic() + 3.0, ctrl_c)
        if bound is not None:
            assert bound <= judged.total_cost, instance_id
        if roster is not None:
            better = evaluate_inrc2(inst, roster)
            assert better.feasible, instance_id
            assert better.total_cost < judged.total_cost, instance_id


@needs_inrc2
def test_ctrl_c_during_the_column_phase_keeps_the_annealers_roster() -> None:
    inst = read_instance("n030w4_1_6-2-9-1", DATASETS)
    seen: list[float] = []

    def interrupt_in_the_column_phase(objective: float, bound: float, seconds: float) -> None:
        if len(seen) == 1:  # the annealer's roster: the column phase starts now
            threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()
        seen.append(objective)

    result = solve_inrc2(inst, time_limit=60, workers=1, anneal_share=0.02,
                         progress=interrupt_in_the_column_phase)
    assert result.interrupted and result.seconds < 15
    ev = evaluate_inrc2(inst, result.solution)
    assert ev.feasible and ev.total_cost <= seen[1]


@needs_inrc2
def test_every_round_of_the_root_bounds_the_optimum_and_a_dive_keeps_the_lp_feasible() -> None:
    """The start's rows are columns, so the master's LP is at most the checker's cost of the
    start. The Lagrangian bound of each root round (LP value plus the nurses' least reduced
    costs) never passes the converged LP's value; a dive's LPs stay feasible and never fall
    below the root's bound, and its roster is feasible and no cheaper than the bound."""
    inst = read_instance("n005w4_0_1-2-3-3", DATASETS)
    start = greedy_inrc2(inst)
    colgen = ColumnGeneration(inst, start)
    bounds = []
    # each call prices one round; the root stops when converged (seconds on a quiet machine;
    # the long deadline only keeps a loaded CI machine from cutting it short)
    while not colgen.report.lp_converged:
        colgen.generate(time.monotonic() + 120.0, lambda: False, 1)
        assert colgen.report.bound is not None
        bounds.append(colgen.report.bound)
    assert bounds == sorted(bounds)  # the best so far
    assert bounds[-1] <= colgen.report.lp_value + 1e-6
    assert colgen.report.lp_value <= evaluate_inrc2(inst, start).total_cost + 1e-6
    statuses: list[str] = []
    solve = colgen.master.solve_lp

    def judged_solve() -> tuple[float, np.ndarray]:
        value, duals = solve()
        statuses.append(str(colgen.master.h.getModelStatus()))
        assert value >= bounds[-1] - 1e-6
        return value, duals

    colgen.master.solve_lp = judged_solve  # type: ignore[method-assign]
    columns = colgen.dive(time.monotonic() + 60.0, lambda: False)
    assert statuses and all("Optimal" in status for status in statuses), set(statuses)
    assert columns is not None
    judged = evaluate_inrc2(inst, colgen.roster(columns))
    assert judged.feasible
    assert judged.total_cost >= bounds[-1]


@needs_inrc2
def test_a_nurse_whose_columns_are_all_held_leaves_the_lp_feasible_at_the_slacks_price() -> None:
    inst = read_instance("n005w4_0_1-2-3-3", DATASETS)
    colgen = ColumnGeneration(inst, greedy_inrc2(inst))
    start_value, _ = colgen.master.solve_lp()
    only = colgen.master.columns[0]  # nurse 0's one column, the start's row
    other = 0 if only.shifts[0] != OFF else 1  # another value on day 0: off, or shift type 0
    colgen.master.hold(colgen._fix([(only.nurse, 0, other)]))
    value, duals = colgen.master.solve_lp()
    assert "Optimal" in str(colgen.master.h.getModelStatus())
    assert colgen.master.short_used()
    assert value > start_value + 1000  # the nurse without a row costs far above any roster


@needs_inrc2
def test_undoing_fixings_releases_exactly_the_columns_they_held() -> None:
    inst = read_instance("n005w4_0_1-2-3-3", DATASETS)
    colgen = ColumnGeneration(inst, greedy_inrc2(inst))
    colgen.generate(time.monotonic() + 120.0, lambda: False, 5)
    start_value, _ = colgen.master.solve_lp()
    keep = (1, 3, int(colgen.master.columns[1].shifts[3]) + 1)  # nurse 1 on day 3 as its start
    colgen.master.hold(colgen._fix([keep]))
    held_by_keep = set(colgen.held)
    step = [(0, 0, 0 if colgen.master.columns[0].shifts[0] != OFF else 1), (1, 5, 0), (2, 2, 1)]
    colgen.master.hold(colgen._fix(step))
    assert colgen.held > held_by_keep
    colgen._unfix(step)
    assert colgen.held == held_by_keep
    assert colgen.fixed_days.sum() == 1 and colgen.fixed_days[1, 3]
    colgen._unfix([keep])
    value, _ = colgen.master.solve_lp()
    assert not colgen.held and abs(value - start_value) < 1e-6


@needs_inrc2
def test_a_dive_out_of_time_reads_one_row_per_nurse_from_the_lp() -> None:
    """Past its deadline a dive prices nothing more: each nurse's row is read from the last LP
    at once (one per nurse, each a row the nurse may work)."""
    inst = read_instance("n005w4_0_1-2-3-3", DATASETS)
    colgen = ColumnGeneration(inst, greedy_inrc2(inst))
    colgen.generate(time.monotonic() + 120.0, lambda: False)
    columns = colgen.dive(time.monotonic() - 1.0, lambda: False)
    assert columns is not None
    assert sorted(c.nurse for c in columns) == list(range(len(inst.scenario.nurses)))
    assert colgen.dive_steps == 1
    judged = evaluate_inrc2(inst, colgen.roster(columns))
    assert judged.total_cost >= colgen.report.bound
    assert colgen.dive(time.monotonic() + 60.0, lambda: True) is None  # stopped: nothing
