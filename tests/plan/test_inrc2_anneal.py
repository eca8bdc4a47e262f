"""The INRC-II annealer counts the competition's cost exactly as the checker does (border rules
included), never breaks a hard constraint, and repeats itself for a seed and a move budget."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kontrolltarn.formats.inrc2 import read_instance
from kontrolltarn.model.inrc2 import Assignment, Instance, Solution
from kontrolltarn.plan.staffing import evaluate_inrc2
from kontrolltarn.plan.staffing.inrc2_anneal import OFF, RosterAnnealer, RosterArrays, RosterState
from kontrolltarn.plan.staffing.inrc2_greedy import greedy_inrc2
from tests.inrc2_data import DATASETS, needs_inrc2
from tests.plan.test_inrc2_solver import one_nurse_weeks

NEVER = 1e18  # a deadline out of reach: the move budget alone ends the run


def random_roster(instance: Instance, rng: random.Random, off_share: float = 0.35) -> Solution:
    """One (shift type, skill the nurse has) or a day off per nurse and day; hard constraints
    other than H1 and H4 are left to chance."""
    shifts = [t.name for t in instance.scenario.shift_types]
    return Solution(tuple(
        Assignment(nurse.name, d, rng.choice(shifts), rng.choice(nurse.skills))
        for nurse in instance.scenario.nurses for d in range(instance.days)
        if rng.random() >= off_share))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_nurse_weeks(), st.integers(0, 2**32 - 1))
def test_cost_equals_the_checkers_at_the_border(instance: Instance, seed: int) -> None:
    roster = random_roster(instance, random.Random(seed), off_share=0.4)
    assert RosterState(RosterArrays(instance), roster).cost() == evaluate_inrc2(instance, roster).total_cost


@needs_inrc2
def test_cost_equals_the_checkers_on_random_rosters_of_real_instances() -> None:
    rng = random.Random(7)
    for instance_id in ("n005w4_0_1-2-3-3", "n012w8_0_3-5-0-2-0-4-5-2", "n030w4_1_6-2-9-1"):
        inst = read_instance(instance_id, DATASETS)
        arrays = RosterArrays(inst)
        for share in (0.1, 0.4, 0.8):
            roster = random_roster(inst, rng, share)
            assert RosterState(arrays, roster).cost() == evaluate_inrc2(inst, roster).total_cost, instance_id


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_nurse_weeks(), st.integers(0, 2**32 - 1))
def test_a_block_rescored_in_step_equals_a_rescore_from_scratch(instance: Instance, seed: int) -> None:
    """``cost_after`` rescans only until the run counters are back in step; after any block
    of changed days it must give the cost a scan of the whole row gives."""
    rng = random.Random(seed)
    arrays = RosterArrays(instance)
    state = RosterState(arrays, random_roster(instance, rng))
    row, skills = state.shift[0], state.skill[0]
    for _ in range(20):
        length = rng.randint(1, 7)
        first = rng.randrange(arrays.days - length + 1)
        old = row[first:first + length]
        for d in range(first, first + length):
            row[d] = rng.choice([OFF, *range(arrays.n_shifts)])
            skills[d] = OFF if row[d] == OFF else arrays.skills[0][0]
        cost = state.cost_after(0, first, first + length - 1, old, first)
        from_scratch = RosterState(arrays, state.solution())
        assert cost == from_scratch.nurse_cost[0]
        assert cost + from_scratch.coverage_cost() == evaluate_inrc2(instance, state.solution()).total_cost
        state.commit(0, first, first + length - 1, cost)


@needs_inrc2
def test_annealing_improves_without_hard_violations_and_repeats_for_a_seed() -> None:
    inst = read_instance("n030w4_1_6-2-9-1", DATASETS)
    start = greedy_inrc2(inst)
    start_eval = evaluate_inrc2(inst, start)
    assert start_eval.feasible
    arrays = RosterArrays(inst)
    rosters = []
    for _ in range(2):
        annealer = RosterAnnealer(arrays, start, seed=3)
        annealer.run(NEVER, 300_000, 60.0, 0.5, 0.3, lambda: False)
        assert annealer.moves >= 300_000
        # the running count matches a recount from scratch, nurse by nurse and in all
        fresh = RosterState(arrays, annealer.r.solution())
        assert annealer.r.nurse_cost == fresh.nurse_cost
        assert annealer.cost == fresh.cost()
        best = annealer.best()
        judged = evaluate_inrc2(inst, best)
        assert judged.feasible, judged.details[:5]
        assert judged.total_cost == annealer.best_cost < start_eval.total_cost
        rosters.append(sorted(best.assignments, key=lambda a: (a.nurse, a.day)))
    assert rosters[0] == rosters[1]


@needs_inrc2
def test_rotations_alone_keep_the_count_exact_and_the_roster_feasible() -> None:
    """A rotation slides a nurse's days by one inside a window; only rotations here, so a
    wrong H3 check at the wrap or a wrong coverage update would show."""
    inst = read_instance("n030w4_1_6-2-9-1", DATASETS)
    arrays = RosterArrays(inst)
    annealer = RosterAnnealer(arrays, greedy_inrc2(inst), seed=5)
    annealer.rotate_share = 1.0
    annealer.run(NEVER, 200_000, 60.0, 5.0, 0.0, lambda: False)
    assert annealer.accepted > 1_000
    now = annealer.r.solution()
    judged = evaluate_inrc2(inst, now)
    assert judged.feasible, judged.details[:5]
    assert annealer.cost == judged.total_cost == RosterState(arrays, now).cost()
    assert annealer.r.cover == RosterState(arrays, now).cover


@needs_inrc2
def test_stop_ends_the_run_at_once() -> None:
    inst = read_instance("n005w4_0_1-2-3-3", DATASETS)
    annealer = RosterAnnealer(RosterArrays(inst), greedy_inrc2(inst), seed=0)
    annealer.run(NEVER, 0, 60.0, 0.5, 0.3, lambda: True)
    assert 0 < annealer.moves <= 2_000
