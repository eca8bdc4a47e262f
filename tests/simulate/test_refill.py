"""The refill of free session time from the ready list (``simulate.policies.refill``): by hand
the first caller who fits is placed; with ``refill_best_of`` the longest of the first few."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kontrolltarn.plan.check import check
from kontrolltarn.simulate.policies import BaselinePolicy, refill
from kontrolltarn.simulate.state import PlanState
from kontrolltarn.synth import SyntheticHospital, generate


@pytest.fixture(scope="module")
def small() -> SyntheticHospital:
    return generate("small", seed=3)


def _first_cases(small: SyntheticHospital, best_of: int) -> tuple[PlanState, dict[str, int]]:
    """Refill a week ahead (not short notice) into empty sessions; the booked minutes of the
    first case in the first session of each specialty (later sessions see a list the earlier
    ones have taken from, so only the first are comparable)."""
    state = PlanState(small.hospital, list(small.hospital.sessions), [])
    day = small.hospital.today + timedelta(days=8)
    while not any(not s.emergency for s in state.open_sessions(day)):
        day += timedelta(days=1)
    policy = BaselinePolicy(buffer_min=0, refill_empty_sessions=True, refill_best_of=best_of)
    placed = refill(state, day, policy, tell=False, calls_per_gap=40)
    assert placed > 0
    first: dict[str, int] = {}
    for session in state.open_sessions(day):
        if session.specialty_id and session.specialty_id not in first and state.by_session.get(session.id):
            first[session.specialty_id] = state.referrals[state.by_session[session.id][0]].booked_min
    return state, first


def test_the_best_of_several_callers_is_never_shorter_than_the_first_who_fits(
        small: SyntheticHospital) -> None:
    _, by_hand = _first_cases(small, 1)
    state, best = _first_cases(small, 6)
    assert by_hand.keys() == best.keys()
    assert all(best[s] >= by_hand[s] for s in by_hand)
    assert any(best[s] > by_hand[s] for s in by_hand)  # it chose a longer case somewhere
    day = next(iter(state.planned.values())).entry.date
    hospital, program = state.repair_view(day, 1)
    report = check(hospital, program)
    assert report.feasible, report.hard_counts()


def test_met_deadlines_first_gives_free_time_to_patients_the_day_is_still_on_time_for(
        small: SyntheticHospital) -> None:
    """Three weeks ahead some ready patients are past their deadline: in deadline order alone
    they are called first; with ``met_deadlines_first`` the time goes to patients whose deadline
    the day still meets, and the day's program still passes the check."""
    day = small.hospital.today + timedelta(days=21)
    while not any(not s.emergency and s.date == day for s in small.hospital.sessions):
        day += timedelta(days=1)
    on_time = {}
    for flag in (False, True):
        state = PlanState(small.hospital, list(small.hospital.sessions), [])
        policy = BaselinePolicy(buffer_min=0, refill_empty_sessions=True, met_deadlines_first=flag)
        assert refill(state, day, policy, tell=False, calls_per_gap=40) > 0
        placed = [state.referrals[c] for c in state.planned]
        on_time[flag] = sum(r.deadline >= day for r in placed) / len(placed)
        hospital, program = state.repair_view(day, 1)
        assert check(hospital, program).feasible
    assert on_time[False] < 1.0  # the test needs patients past their deadline on the list
    assert on_time[True] > on_time[False]
