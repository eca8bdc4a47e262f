"""The simulator on the small hospital: conservation, reproducibility, common random numbers,
and events that a live day could have produced."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kontrolltarn import kpi
from kontrolltarn.formats.native import load_hospital, save_hospital
from kontrolltarn.model import CaseStatus, ChangeKind, EventKind, ModelError
from kontrolltarn.simulate import (
    BaselinePolicy,
    EnvironmentParams,
    OptimisedPolicy,
    SimulationResult,
    execution_log,
    simulate,
)
from kontrolltarn.simulate.policies import make_policy
from kontrolltarn.synth import SyntheticHospital, generate
from kontrolltarn.synth.generator import PLANNING_BUFFER_MIN
from kontrolltarn.synth.truth import Truth

DAYS = 21


@pytest.fixture(scope="module")
def small() -> SyntheticHospital:
    return generate("small", seed=3)


@pytest.fixture(scope="module")
def run(small: SyntheticHospital) -> SimulationResult:
    return simulate(small.hospital, small.truth, BaselinePolicy(),
                    days=DAYS, seed=5, warmup_days=7, check_programs=True)


def test_every_case_ends_operated_cancelled_or_still_waiting(run: SimulationResult,
                                                              small: SyntheticHospital) -> None:
    cases = {c.referral_id: c for c in run.cases}
    assert set(cases) == set(run.referrals)  # none lost, one case per referral
    assert len(run.cases) == len(cases)  # none duplicated
    assert set(run.referrals) >= {r.id for r in small.hospital.referrals}
    statuses = Counter(c.status for c in cases.values())
    assert statuses[CaseStatus.DONE] > 0 and statuses[CaseStatus.CANCELLED] + statuses[CaseStatus.REMOVED] > 0
    assert set(statuses) <= {CaseStatus.DONE, CaseStatus.CANCELLED, CaseStatus.REMOVED,
                             CaseStatus.WAITING, CaseStatus.SCHEDULED, CaseStatus.DATED}
    in_room = Counter(e.case_id for e in run.events if e.kind is EventKind.IN_ROOM)
    for rid, case in cases.items():
        done = sum(ch.kind is ChangeKind.DONE for ch in case.history)
        assert done <= 1, f"{rid} operated twice"
        assert in_room.get(rid, 0) == done, f"{rid}: {in_room.get(rid, 0)} in-room events, {done} done"
        if case.status in (CaseStatus.DONE, CaseStatus.REMOVED):
            assert case.history[-1].kind in (ChangeKind.DONE, ChangeKind.REMOVED)


def test_every_emergency_is_operated_once_or_still_waiting(run: SimulationResult) -> None:
    in_room = Counter(e.case_id for e in run.events if e.kind is EventKind.IN_ROOM)
    requested = Counter(e.case_id for e in run.events if e.kind is EventKind.EMERGENCY_REQUESTED)
    assert set(requested) == {e.id for e in run.emergencies}
    assert all(in_room.get(e.id, 0) <= 1 for e in run.emergencies)
    assert sum(in_room.get(e.id, 0) for e in run.emergencies) >= 0.9 * len(run.emergencies)


def test_milestones_of_each_case_are_in_order(run: SimulationResult) -> None:
    order = [EventKind.CALLED, EventKind.ARRIVED, EventKind.IN_ROOM, EventKind.ANAESTHESIA_START,
             EventKind.INCISION, EventKind.CLOSURE, EventKind.OUT_OF_ROOM, EventKind.ROOM_READY]
    seen: dict[str, dict[EventKind, object]] = {}
    for event in run.events:
        if event.case_id is not None and event.kind in order:
            seen.setdefault(event.case_id, {})[event.kind] = event.at
    for case_id, times in seen.items():
        stamps = [times[k] for k in order if k in times]
        assert stamps == sorted(stamps), case_id
    assert len({e.id for e in run.events}) == len(run.events)  # ids are unique (idempotent replay)


def test_same_seed_gives_the_same_event_log(small: SyntheticHospital, run: SimulationResult) -> None:
    again = simulate(small.hospital, small.truth, BaselinePolicy(), days=DAYS, seed=5, warmup_days=7)
    assert [(e.id, e.kind, e.at, e.reason) for e in again.events] == \
        [(e.id, e.kind, e.at, e.reason) for e in run.events]
    other = simulate(small.hospital, small.truth, BaselinePolicy(), days=DAYS, seed=6, warmup_days=7)
    assert [e.id for e in other.events] != [e.id for e in run.events]


def test_policies_meet_the_same_world(small: SyntheticHospital, run: SimulationResult) -> None:
    """Common random numbers: the arrivals do not depend on what the policy decides."""
    optimised = simulate(small.hospital, small.truth, OptimisedPolicy(planner="baseline"),
                         days=DAYS, seed=5, warmup_days=7)
    assert set(optimised.referrals) == set(run.referrals)
    assert [e.id for e in optimised.emergencies] == [e.id for e in run.emergencies]
    told_later = sum(1 for c in optimised.cases for ch in c.history if ch.kind is ChangeKind.TOLD)
    assert told_later > 0


def test_each_days_program_as_fixed_the_day_before_passes_check(run: SimulationResult) -> None:
    """Every simulated program, as it stood at 16:00 the day before, is valid for the
    independent validator ``plan.check``: no hard violation on any day."""
    assert len(run.program_checks) == DAYS + 7
    assert {day: hard for day, hard in run.program_checks.items() if hard} == {}
    assert set(run.programs) == set(run.program_checks)


def test_the_optimised_practice_keeps_programs_valid(small: SyntheticHospital) -> None:
    """Repair by moving to another session the same day and refilling three days ahead must not
    break a rule either (the optimised practice around today's planner, which is quick)."""
    result = simulate(small.hospital, small.truth, OptimisedPolicy(planner="baseline"),
                      days=DAYS, seed=5, warmup_days=7,
                      check_programs=True, keep_programs=False)
    assert {day: hard for day, hard in result.program_checks.items() if hard} == {}


def test_kpis_of_a_simulated_period_are_in_range(run: SimulationResult) -> None:
    figures = kpi.headline(execution_log(run))
    assert 0.2 < figures["utilisation_in_room"] < figures["utilisation_with_turnover"] <= 1.0
    assert figures["elective_operations"] > 0
    assert figures["late_cancellations"] == sum(v for k, v in figures.items()
                                                if k.startswith("late_cancellations_"))


def test_bad_parameters_are_refused_with_the_field_named(small: SyntheticHospital) -> None:
    with pytest.raises(ModelError, match="environment.bed_crunch_share"):
        EnvironmentParams(bed_crunch_share=1.5)
    with pytest.raises(ModelError, match="days"):
        simulate(small.hospital, small.truth, BaselinePolicy(), days=0)


def test_day_stream_gives_each_day_its_program_and_all_its_events(run: SimulationResult) -> None:
    from kontrolltarn.simulate.replay import day_stream

    days = list(day_stream(run))
    assert sum(len(d.events) for d in days) == len(run.events)
    for day in days:
        assert [e.at for e in day.events] == sorted(e.at for e in day.events)
        in_room = {e.case_id for e in day.events if e.kind is EventKind.IN_ROOM}
        planned = day.program.case_ids()
        emergencies = {e.id for e in run.emergencies}
        assert in_room <= planned | emergencies  # electives operated were on the day's program


def test_the_optimise_planner_weekly_with_repair_keeps_programs_valid(small: SyntheticHospital) -> None:
    """The optimised policy as compared in the docs: one ``optimise`` call per week (short time
    limit here), ``plan.repair`` for closures and absences; every day's program stays valid."""
    policy = make_policy("optimised", small.history)
    assert isinstance(policy, OptimisedPolicy) and policy.planner == "optimise"
    policy.time_limit = 0.5
    result = simulate(small.hospital, small.truth, policy, days=10, seed=5, warmup_days=0,
                      check_programs=True, keep_programs=False)
    assert {day: hard for day, hard in result.program_checks.items() if hard} == {}
    assert policy.planner_seconds > 0 and policy.repair_failures == 0
    operated = {e.case_id for e in result.events if e.kind is EventKind.IN_ROOM}
    assert operated & set(result.referrals)


def test_a_session_plan_replaces_the_calendars_elective_sessions_on_its_days(
        small: SyntheticHospital, run: SimulationResult) -> None:
    from dataclasses import replace
    from datetime import timedelta

    start = small.hospital.today
    calendar = small.truth.sessions(small.hospital, start, 7 + DAYS + 28)
    first, last = start + timedelta(days=7), start + timedelta(days=20)
    own = [s for s in calendar if not s.emergency and first <= s.date <= last]
    same = simulate(small.hospital, small.truth, BaselinePolicy(),
                    days=DAYS, seed=5, warmup_days=7, check_programs=True,
                    sessions=own)
    assert [e.id for e in same.events] == [e.id for e in run.events]  # the calendar as plan: no change
    plan = [replace(s, id=f"P-{s.id}") for s in own[::2]]  # half the sessions, own ids
    planned = simulate(small.hospital, small.truth, BaselinePolicy(),
                       days=DAYS, seed=5, warmup_days=7, sessions=plan)
    inside = {s.id for s in planned.sessions if not s.emergency and first <= s.date <= last}
    assert inside and inside <= {s.id for s in plan}
    assert any(s.id.startswith("S-") and s.date > last for s in planned.sessions if not s.emergency)
    with pytest.raises(ModelError):
        simulate(small.hospital, small.truth, BaselinePolicy(),
                 days=3, sessions=[replace(plan[0], room_id="nowhere")])


def test_an_imported_hospital_is_rehearsed_like_the_generated_one(
        small: SyntheticHospital, run: SimulationResult, tmp_path: Path) -> None:
    """``simulate`` takes a hospital and a truth model, not the generator's object: the small
    hospital written out and read back in gives the same event log with the same truth."""
    path = tmp_path / "hospital.json"
    save_hospital(small.hospital, path)
    imported = load_hospital(path)
    again = simulate(imported, small.truth, BaselinePolicy(), days=DAYS, seed=5, warmup_days=7,
                     check_programs=True)
    assert [e.id for e in again.events] == [e.id for e in run.events]
    assert again.program_checks == run.program_checks


def test_todays_planning_buffer_is_the_generators() -> None:
    """Today's practice in the simulator leaves the unbooked end of session the generator's
    history was made with (the figure is written in both packages, which may not import each other)."""
    assert BaselinePolicy().buffer_min == PLANNING_BUFFER_MIN


def test_a_truth_without_calendar_rules_is_refused_with_the_field_named(small: SyntheticHospital) -> None:
    """The truth of a hospital without a generator plays given days (``play_day``) but has no
    calendar rules or arrivals to simulate a period with: refused, naming the field."""
    with pytest.raises(ModelError) as refused:
        simulate(small.hospital, Truth.of_hospital(small.hospital), BaselinePolicy(), days=3)
    assert refused.value.field == "truth.scale"
