"""The control practice (issue 18) on the small hospital: valid programs every day, every lever
used, patients told a week ahead, and the same world as today's practice."""

from __future__ import annotations

import pytest

from kontrolltarn import kpi
from kontrolltarn.experiments.control_practice import PRACTICES, ControlPolicy, make_practice
from kontrolltarn.model import ChangeKind, ModelError
from kontrolltarn.simulate import SimulationResult, execution_log, simulate
from kontrolltarn.synth import SyntheticHospital, generate


@pytest.fixture(scope="module")
def small() -> SyntheticHospital:
    return generate("small", seed=3)


@pytest.fixture(scope="module")
def control_run(small: SyntheticHospital) -> tuple[ControlPolicy, SimulationResult]:
    policy = make_practice("control", small)
    assert isinstance(policy, ControlPolicy)
    result = simulate(small.hospital, small.truth, policy, days=21, seed=5, warmup_days=7,
                      check_programs=True)
    return policy, result


def test_every_days_program_passes_the_independent_check(
        control_run: tuple[ControlPolicy, SimulationResult]) -> None:
    _, result = control_run
    assert result.program_checks
    assert all(not v for v in result.program_checks.values()), \
        {d: v for d, v in result.program_checks.items() if v}


def test_every_lever_is_used(control_run: tuple[ControlPolicy, SimulationResult]) -> None:
    policy, result = control_run
    assert policy.chases > 0 and policy.contacts > 0
    assert policy.durations is not None and policy.late_start.mean > 0  # learnt from the history
    assert policy.repair_failures == 0
    # items never reopen: a told patient whose items are still missing would breach the gate
    for case in result.cases:
        if any(c.kind is ChangeKind.TOLD for c in case.history):
            assert not result.referrals[case.referral_id].readiness_missing


def test_patients_are_told_a_week_ahead_not_at_planning(
        control_run: tuple[ControlPolicy, SimulationResult]) -> None:
    _, result = control_run
    notices = []
    for case in result.cases:
        told = next((c for c in case.history if c.kind is ChangeKind.TOLD), None)
        scheduled = next((c for c in case.history if c.kind is ChangeKind.SCHEDULED), None)
        if told is not None and scheduled is not None and told.new_date is not None \
                and scheduled.at.date() < told.at.date():  # planned weekly, told later
            notices.append((told.new_date - told.at.date()).days)
    assert notices and max(notices) <= 7


def test_the_kpis_break_changes_after_date_down_by_cause(
        control_run: tuple[ControlPolicy, SimulationResult]) -> None:
    _, result = control_run
    figures = kpi.headline(execution_log(result))
    causes = {k: v for k, v in figures.items() if k.startswith("changes_after_date_")}
    assert sum(causes.values()) == figures["changes_after_date"]


def test_an_unknown_practice_is_refused_with_the_choices(small: SyntheticHospital) -> None:
    assert "control" in PRACTICES and "baseline" in PRACTICES
    with pytest.raises(ModelError, match="control"):
        make_practice("controll", small)


def test_staffed_hours_are_given_back_in_whole_steps_within_the_risk(
        control_run: tuple[ControlPolicy, SimulationResult]) -> None:
    """Sessions shortened at the week's planning end a whole number of steps earlier, and the
    KPIs count only the hours that stayed staffed."""
    policy, result = control_run
    shortened = [c for c in result.session_log if c.kind == "shortened"]
    assert shortened and policy.minutes_given_back == sum(c.old_end_min - c.new_end_min for c in shortened)
    steps = {policy.give_back_step_min, policy.fine_give_back_step_min}
    assert all(any((c.old_end_min - c.new_end_min) % step == 0 for step in steps) for c in shortened)
    ran = {s.id: s for s in result.sessions}
    last = {c.session_id: c for c in shortened}  # a list may give back again two days ahead
    for change in last.values():
        if change.session_id in ran:
            assert ran[change.session_id].end_min == change.new_end_min


def test_lists_shortened_since_the_weeks_planning_give_back_their_end_two_days_ahead(
        control_run: tuple[ControlPolicy, SimulationResult]) -> None:
    """After the refill two days ahead, a list that cancellations with notice have shortened
    gives back its free end (within the risk) and an empty session is released: decisions of
    that afternoon, never of the day itself, each session's end only ever earlier."""
    policy, result = control_run
    start = result.hospital.today  # the start plans its first weeks at once
    day_of = {s.id: s.date for s in result.sessions}
    ahead = [(day_of[c.session_id] - c.at.date()).days for c in result.session_log
             if c.kind == "shortened" and c.session_id in day_of and c.at.date() > start]
    assert policy.late_give_back_days in ahead  # some lists gave back two days ahead
    assert min(ahead) >= policy.late_give_back_days  # none later than that
    ends: dict[str, int] = {}
    for change in (c for c in result.session_log if c.kind == "shortened"):
        assert change.new_end_min is not None and change.old_end_min is not None
        assert change.new_end_min < change.old_end_min
        assert ends.get(change.session_id, change.old_end_min) == change.old_end_min  # a chain
        ends[change.session_id] = change.new_end_min



def test_each_lists_chance_is_held_against_its_end(
        control_run: tuple[ControlPolicy, SimulationResult]) -> None:
    """The practice notes each list's predicted overrun chance in the morning and, once the day
    is over, whether it ran past the line; a list's chance is the model's times its
    specialty's factor (realised over predicted so far)."""
    policy, result = control_run
    calibration = policy.calibration
    assert calibration is not None and sum(calibration.lists.values()) > 0
    assert all(calibration.realised[g] <= calibration.lists[g] for g in calibration.lists)
    session = next(s for s in result.sessions if not s.emergency and s.specialty_id in calibration.lists)
    state = policy._state
    assert state is not None
    referral = next(r for r in result.referrals.values() if r.specialty_id == session.specialty_id)
    cases = [(referral, referral.surgeon_id)]
    turnover = state.base.specialty_by_id[session.specialty_id or ""].turnover_min
    assert policy.list_risk(session, cases, turnover) == pytest.approx(
        min(1.0, policy.model_risk(session, cases, turnover) * calibration.factor(session.specialty_id)))


def test_finer_give_back_steps_only_for_specialties_whose_lists_the_hospital_has_seen_end(
        small: SyntheticHospital) -> None:
    """The step follows the evidence: a specialty with few lists seen (history and the
    practice's own calibration) keeps the coarse step, one with enough gets the fine one."""
    policy = make_practice("control", small)
    assert isinstance(policy, ControlPolicy) and policy.calibration is not None
    session = next(s for s in small.hospital.sessions if not s.emergency and s.specialty_id)
    specialty = session.specialty_id or ""
    seen = policy.lists_in_history.get(specialty, 0)
    assert 0 < seen < policy.fine_step_after_lists  # a short history: the coarse step
    assert policy.give_back_step(session) == policy.give_back_step_min
    for _ in range(policy.fine_step_after_lists - seen - 1):
        policy.calibration.observe(specialty, 0.1, False)
    assert policy.give_back_step(session) == policy.give_back_step_min  # one list short
    policy.calibration.observe(specialty, 0.1, True)
    assert policy.give_back_step(session) == policy.fine_give_back_step_min
    other = next(s for s in small.hospital.sessions if not s.emergency and s.specialty_id
                 and s.specialty_id != specialty)
    assert policy.give_back_step(other) == policy.give_back_step_min  # per specialty
