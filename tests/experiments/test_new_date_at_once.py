"""Two decisions of the control practice (issue 18): a told patient whose date the hospital
takes away gets a new date on the same call (one change, not a cancellation and a later date),
and the allowed overrun risk and in-day tolerance are learnt from how the hospital's rooms run
over today."""

from __future__ import annotations

import statistics
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from kontrolltarn.experiments.control_practice import (
    ControlPolicy,
    OverrunHabit,
    centile_lower_bound,
    make_practice,
    overrun_habit,
)
from kontrolltarn.model import CancellationReason, Case, ChangeKind, PastOperation
from kontrolltarn.plan.check import check
from kontrolltarn.simulate import EnvironmentParams, SimulationResult, simulate
from kontrolltarn.simulate.execution import patient_takes_new_date
from kontrolltarn.simulate.policies import BaselinePolicy, new_date_at_once
from kontrolltarn.simulate.state import PlanState
from kontrolltarn.synth import SyntheticHospital, generate


@pytest.fixture(scope="module")
def small() -> SyntheticHospital:
    return generate("small", seed=3)


def _told_case(small: SyntheticHospital, policy: BaselinePolicy) -> tuple[PlanState, str, date]:
    """A state with one case placed (by the refill's own decision) and told, eight days ahead."""
    from kontrolltarn.simulate.policies import refill

    state = PlanState(small.hospital, list(small.hospital.sessions), [])
    day = small.hospital.today + timedelta(days=8)
    while not any(not s.emergency for s in state.open_sessions(day)):
        day += timedelta(days=1)
    assert refill(state, day, replace(policy, refill_empty_sessions=True, buffer_min=0), tell=True,
                  calls_per_gap=5) > 0
    case_id = sorted(state.planned)[0]
    return state, case_id, day


def _case(state: PlanState, case_id: str) -> Case:
    return Case(case_id, tuple(state.history[case_id]))


def test_a_told_patient_moved_by_the_hospital_has_one_change_and_a_valid_new_day(
        small: SyntheticHospital) -> None:
    policy = BaselinePolicy()
    state, case_id, day = _told_case(small, policy)
    first, last = day + timedelta(days=7), day + timedelta(days=20)
    assert new_date_at_once(state, case_id, policy, first, last, CancellationReason.STAFF)
    entry = state.planned[case_id].entry
    assert first <= entry.date <= last
    assert state.planned[case_id].told_date == entry.date  # told on the same call
    case = _case(state, case_id)
    assert case.changes_after_told() == 1
    assert case.history[-1].kind is ChangeKind.RESCHEDULED
    assert case.history[-1].reason is CancellationReason.STAFF
    hospital, program = state.repair_view(entry.date, 1)
    report = check(hospital, program)
    assert report.feasible, report.hard_counts()


def test_without_a_session_that_takes_it_nothing_changes(small: SyntheticHospital) -> None:
    policy = BaselinePolicy()
    state, case_id, day = _told_case(small, policy)
    before = (state.planned[case_id].entry, list(state.history[case_id]))
    far = max(s.date for s in small.hospital.sessions) + timedelta(days=30)  # no sessions there
    assert not new_date_at_once(state, case_id, policy, far, far + timedelta(days=13),
                                CancellationReason.STAFF)
    assert (state.planned[case_id].entry, state.history[case_id]) == before


def test_a_new_date_is_a_new_placement_for_the_environment(small: SyntheticHospital) -> None:
    """The patient may cancel with notice before the new date as before any other (a draw of
    its own), and a session already holding the case is not offered to the weekly planner,
    whose surgeon is busy there that day."""
    policy = BaselinePolicy()
    state, case_id, day = _told_case(small, policy)
    state.new_placements.clear()
    attempt = state.planned[case_id].attempt
    assert new_date_at_once(state, case_id, policy, day + timedelta(days=7), day + timedelta(days=20),
                            CancellationReason.STAFF)
    entry = state.planned[case_id].entry
    assert state.planned[case_id].attempt == attempt + 1
    assert state.new_placements == [(case_id, attempt + 1, entry.date)]
    planning = state.planning_hospital(entry.date, 1)
    assert entry.session_id not in {s.id for s in planning.sessions}
    assert entry.date in planning.staff_by_id[entry.surgeon_id].unavailable


def test_the_control_practice_gives_a_new_date_when_a_closed_session_leaves_a_told_patient_out(
        small: SyntheticHospital) -> None:
    policy = make_practice("control", small)
    assert isinstance(policy, ControlPolicy)
    state, case_id, day = _told_case(small, policy)
    policy.planned_until = day + timedelta(days=3)
    session_id = state.planned[case_id].entry.session_id
    # every session of that day closes (staff with notice): the repair finds no place that day
    for session in state.open_sessions(day):
        state.closed.add(session.id)
    policy.displaced(state, small.hospital.today, list(state.by_session[session_id]),
                     CancellationReason.STAFF)
    assert policy.redated >= 1
    entry = state.planned[case_id].entry
    assert entry.date > policy.planned_until
    assert _case(state, case_id).changes_after_told() == 1


def test_a_patient_who_calls_to_cancel_takes_a_new_date_only_if_offered_and_willing(
        small: SyntheticHospital) -> None:
    """The practice offers (``new_date_on_patient_call``), the environment's trait decides
    (``accepts_date_on_call``); taken, it is one change with the patient's reason."""
    for offered, willing in ((False, True), (True, False), (True, True)):
        policy = make_practice("control", small)
        assert isinstance(policy, ControlPolicy)
        policy.new_date_on_patient_call = offered
        state, case_id, day = _told_case(small, policy)
        policy.planned_until = day + timedelta(days=3)
        state.accepts_date_on_call = lambda _referral_id, answer=willing: answer
        before = (state.planned[case_id].entry, list(state.history[case_id]))
        taken = patient_takes_new_date(state, policy, small.hospital.today, case_id)
        assert taken is (offered and willing)
        if not taken:
            assert (state.planned[case_id].entry, state.history[case_id]) == before
            continue
        assert state.planned[case_id].entry.date > policy.planned_until
        case = _case(state, case_id)
        assert case.changes_after_told() == 1
        assert case.history[-1].kind is ChangeKind.RESCHEDULED
        assert case.history[-1].reason is CancellationReason.PATIENT


def _with_lever(small: SyntheticHospital, lever: str, on: bool, days: int,
                params: EnvironmentParams, seed: int = 5) -> SimulationResult:
    """The control practice on the small hospital with one of its levers on or off."""
    policy = make_practice("control", small)
    assert isinstance(policy, ControlPolicy)
    setattr(policy, lever, on)
    return simulate(small.hospital, small.truth, policy, days=days, seed=seed, warmup_days=7, params=params)


def _events(result: SimulationResult) -> list[tuple[str, datetime]]:
    return [(e.id, e.at) for e in result.events]


def test_nobody_takes_a_date_on_the_call_when_the_environment_says_none_do(
        small: SyntheticHospital) -> None:
    """Offering a date on the call changes nothing in a world where no patient takes one: the
    practice's figure cannot move a KPI by itself (common random numbers, same events)."""
    runs = [_with_lever(small, "new_date_on_patient_call", offered, 14,
                        EnvironmentParams(date_on_call_accept_share=share))
            for offered, share in ((False, 0.0), (True, 0.0), (True, 1.0))]
    redated = [sum(c.kind is ChangeKind.RESCHEDULED and c.reason is CancellationReason.PATIENT
                   for case in result.cases for c in case.history) for result in runs]
    assert _events(runs[0]) == _events(runs[1])
    assert redated[:2] == [0, 0]
    assert redated[2] > 0  # where every patient takes one, some calls did end in a new date


def test_a_named_surgeons_patient_keeps_the_date_with_a_stand_in_only_if_asked_and_willing(
        small: SyntheticHospital) -> None:
    """The practice asks (``stand_in_for_named``), the environment's trait decides: where no
    patient accepts, asking changes nothing; where all do, some named surgeons' patients are
    operated on their own date by another surgeon of the team."""
    # seed 6: a world where named surgeons are away on their patients' dates within 120 days
    runs = [_with_lever(small, "stand_in_for_named", asked, 120,
                        EnvironmentParams(stand_in_accept_share=share), seed=6)
            for asked, share in ((False, 1.0), (True, 0.0), (True, 1.0))]
    stood_in = [sum(  # the coordinator's surgeon change ahead of the day, same date
        1 for case in result.cases if result.referrals[case.referral_id].surgeon_id is not None
        for c in case.history if c.kind is ChangeKind.RESCHEDULED and c.by == "coordinator"
        and c.new_date == c.old_date and c.new_date is not None and c.at.date() < c.new_date)
        for result in runs]
    assert _events(runs[0]) == _events(runs[1])  # nobody accepts: asking changes nothing
    assert stood_in[2] > stood_in[0]


def _operation(day: date, room: str, start: int, minutes: int, n: int) -> PastOperation:
    return PastOperation(f"op{n}", day, "L1", room, "ORT", "P1", "S1", 60, "F", 2, 25.0,
                         minutes, minutes, start, 1)


def test_the_overrun_habit_is_the_share_of_room_days_past_the_line(small: SyntheticHospital) -> None:
    hospital = small.hospital
    session = next(s for s in hospital.sessions if not s.emergency)
    room, start = session.room_id, session.start_min
    usual_end = statistics.mode(s.end_min for s in hospital.sessions
                                if s.room_id == room and not s.emergency)
    history = []
    for k in range(40):  # 10 room-days end 60 min over, 30 end an hour early
        over = 60 if k < 10 else -60
        history.append(_operation(date(2025, 1, 1) + timedelta(days=k), room, start,
                                  usual_end + over - start, k))
    habit = overrun_habit(history, hospital)
    assert habit == OverrunHabit(0.25, 60, 40)
    assert overrun_habit(history[:10], hospital) is None  # too few room-days to judge


def test_the_tolerance_centile_is_only_as_far_as_the_history_vouches_for() -> None:
    many = list(range(1, 10_001))  # 10,000 days over: the 85th centile itself, within 1 %
    assert 8_400 <= centile_lower_bound(many, 0.85) < 8_500
    few = list(range(1, 33))  # 32 days over (the small hospital's history): a lower centile
    assert centile_lower_bound(few, 0.85) < few[int(0.85 * 32)]
    assert centile_lower_bound(few, 0.85, level=0.0) == few[int(0.85 * 32)]
    assert centile_lower_bound([7], 0.85) == 7
    with pytest.raises(ValueError, match="ordered"):
        centile_lower_bound([], 0.85)


def test_the_fitted_tolerance_and_risk_are_lower_on_the_small_hospital_than_on_the_default(
        small_synthetic: SyntheticHospital, default_synthetic: SyntheticHospital) -> None:
    fitted = {}
    for scale, synthetic in (("small", small_synthetic), ("default", default_synthetic)):
        habit = overrun_habit(synthetic.history, synthetic.hospital)
        assert habit is not None
        policy = ControlPolicy()
        policy.fit_to(habit)
        fitted[scale] = (policy.rules.overrun_tolerance_min, policy.risk_allowed)
    assert fitted == {"small": (90, 0.076), "default": (180, 0.177)}


def test_risk_and_tolerance_follow_the_habit_within_their_bounds() -> None:
    policy = ControlPolicy()
    policy.fit_to(OverrunHabit(0.25, 172, 1_000_000))
    assert policy.risk_allowed == 0.174  # 0.7 × 0.25, less the 95 % interval's half-width (0.0008)
    assert policy.rules.overrun_tolerance_min == 180
    policy.fit_to(OverrunHabit(0.25, 172, 140))  # a new hospital's few room-days: 0.7 × 0.178
    assert policy.risk_allowed == 0.125
    policy.fit_to(OverrunHabit(0.9, 1000, 1000))
    assert (policy.risk_allowed, policy.rules.overrun_tolerance_min) == (0.25, 240)
    policy.fit_to(OverrunHabit(0.01, 5, 1000))
    assert (policy.risk_allowed, policy.rules.overrun_tolerance_min) == (0.05, 60)
