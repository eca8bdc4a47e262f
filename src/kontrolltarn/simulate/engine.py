"""The planning cycle around the days: the waiting list evolves, the policy plans and re-plans,
the world disrupts, and each day is executed. One call simulates a period under one policy.

Each simulated day runs in this order:
  06:00  surgeon absences that became known; readiness items completed; referrals arrive
  16:00 the day before … 07:30  late patient cancellations, sessions closed on the day, bed meeting
  07:30 …  the day in the rooms (``execution.DayRunner``), emergencies around the clock
  10:00  news for later days: sessions closed by staff shortage, patients who cancel with notice
  13:00  the policy plans (weekly program, daily re-plan, telling patients)
"""

from __future__ import annotations

import time as wallclock
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from kontrolltarn.kpi import ExecutionLog
from kontrolltarn.model import (
    CancellationReason,
    Case,
    EmergencyRequest,
    Event,
    EventKind,
    Hospital,
    ModelError,
    Program,
    Referral,
    Session,
    TruthModel,
)
from kontrolltarn.plan.check import check

from .absences import Absence, surgeon_absences
from .draws import Draws
from .execution import DayRunner, PendingEmergency, patient_takes_new_date
from .params import EnvironmentParams
from .policy import Policy
from .state import PlanState, SessionChange

Progress = Callable[[date, int, int], None]


@dataclass
class SimulationResult:
    """Everything the KPIs, the report and a replay need: the event log and the plan history."""

    policy: str
    seed: int
    hospital: Hospital
    first: date  # first measured day (after the warm-up)
    last: date
    events: list[Event]
    cases: list[Case]
    sessions: list[Session]  # staffed sessions that ran (closed ones left out)
    referrals: dict[str, Referral]
    emergencies: list[EmergencyRequest]
    programs: dict[date, Program] = field(default_factory=dict)  # each day's program at 16:00 the day before
    #: with ``check_programs``: each day's program at 16:00 the day before judged by
    #: ``plan.check``: hard violations per constraint (empty when the program is valid)
    program_checks: dict[date, dict[str, int]] = field(default_factory=dict)
    params: EnvironmentParams = field(default_factory=EnvironmentParams)
    seconds: float = 0.0
    check_cpu_seconds: float = 0.0  # CPU time spent in ``plan.check`` (``check_programs``)
    budget: dict[str, float] = field(default_factory=dict)  # expected operations per specialty in the period
    #: the policy's decisions on sessions ahead of their day (given, released, shortened)
    session_log: list[SessionChange] = field(default_factory=list)


def simulate(hospital: Hospital, truth: TruthModel, policy: Policy, *, days: int = 365, seed: int = 0,
             params: EnvironmentParams | None = None, warmup_days: int = 14,
             progress: Progress | None = None, keep_programs: bool = True,
             check_programs: bool = False,
             sessions: Sequence[Session] | None = None) -> SimulationResult:
    """Simulate ``days`` days of ``hospital`` (after ``warmup_days`` not measured) under ``policy``,
    sampling what really happens from ``truth``: durations, no-shows, arrivals and the sessions
    staffed beyond the hospital's calendar. Any hospital with a truth model can be rehearsed.

    The same hospital, truth, seed and parameters give the same world under every policy
    (common random numbers); the same policy as well gives the same event log. Each day's
    program is kept (``keep_programs``) and judged by ``plan.check`` (``check_programs``) as it
    stood at 16:00 the day before, after the policy's planning.

    ``sessions`` is a session plan (e.g. ``plan.capacity``'s): on the days from its first to its
    last date its elective sessions replace the calendar's; emergency sessions and the days
    outside it stay the calendar's. Without it the calendar alone is used."""
    if days < 1:
        raise ModelError("days", days, "must be at least 1")
    if warmup_days < 0:
        raise ModelError("warmup_days", warmup_days, "must be 0 or more")
    started = wallclock.perf_counter()
    env = params or EnvironmentParams()
    start = hospital.today
    total = warmup_days + days
    measured_first = start + timedelta(days=warmup_days)
    last = start + timedelta(days=total - 1)
    # planning needs sessions a few weeks beyond the last day
    calendar = truth.sessions(hospital, start, total + 28)
    sessions = calendar if sessions is None else _with_plan(calendar, sessions, hospital)
    absences = surgeon_absences(hospital, start, total + 28, seed, env.surgeon_short_notice_share,
                                truth.surgeon_away_share)
    state = PlanState(hospital, sessions, absences)
    draws = Draws(seed)
    stream = truth.arrivals(hospital, seed, env.referral_rate_factor, env.emergency_rate_factor)
    closures = _closures_with_notice(sessions, draws, env.session_closed_notice_share)
    readiness: dict[date, list[str]] = defaultdict(list)
    for referral in hospital.referrals:
        _schedule_readiness(referral, start, draws, env, readiness)
    state.accepts_short_notice = _patient_trait(draws, "short-notice", env.short_notice_accept_share)
    state.accepts_date_on_call = _patient_trait(draws, "date-on-call", env.date_on_call_accept_share)
    state.accepts_stand_in = _patient_trait(draws, "stand-in", env.stand_in_accept_share)
    early: dict[date, list[tuple[str, int, date]]] = defaultdict(list)

    events: list[Event] = []
    emergencies: list[EmergencyRequest] = []
    programs: dict[date, Program] = {}
    carried: list[PendingEmergency] = []
    emergency_free_at: dict[str, float] = {}
    bootstrap = getattr(policy, "plan_week", None)
    state.advance(state.stamp(start, 0) - timedelta(days=1))
    if bootstrap is not None:  # the hospital starts with programs for the coming weeks
        weeks = getattr(policy, "weeks_ahead", 2)
        monday = start - timedelta(days=start.weekday())
        for w in range(weeks):
            bootstrap(state, monday + timedelta(weeks=w))
    checks: dict[date, dict[str, int]] = {}
    check_cpu = [0.0]

    def fixed(day: date) -> None:  # 16:00 the day before: the program as it goes to the floor
        if keep_programs:
            programs[day] = state.program(day, 1)
        if check_programs:
            cpu = wallclock.process_time()
            checks[day] = _hard_violations(state, day)
            check_cpu[0] += wallclock.process_time() - cpu

    fixed(start)
    for k in range(total):
        day = start + timedelta(days=k)
        # 06:00 — news about surgeons, readiness, arrivals
        for absence in state.advance(state.stamp(day, 6 * 60)):
            events.extend(_surgeon_away(state, policy, absence, day))
        for rid in readiness.pop(day, ()):
            if rid in state.referrals and state.referrals[rid].readiness_missing:
                state.update_referral(replace(state.referrals[rid], readiness_missing=frozenset()))
        arrivals = stream.day(day)
        state.add_referrals(arrivals.referrals, arrivals.patients)
        for referral in arrivals.referrals:
            _schedule_readiness(referral, day, draws, env, readiness)
        emergencies.extend(arrivals.emergencies)
        _drain_placements(state, draws, env, early, day)
        # the day itself
        runner = DayRunner(state, day, env, truth, draws, policy)
        outcome = runner.run(arrivals.emergencies, carried, emergency_free_at)
        events.extend(outcome.events)
        carried, emergency_free_at = outcome.carried, outcome.emergency_free_at
        # 10:00 — news for later days
        state.advance(state.stamp(day, 10 * 60))
        choose = getattr(policy, "session_to_close", None)
        for announced in closures.pop(day, ()):
            if announced in state.closed:
                continue
            # a practice may close another list of that day and location instead (its staff
            # cover the announced room)
            session_id = announced if choose is None else choose(state, day, announced)
            state.closed.add(session_id)
            affected = list(state.by_session.get(session_id, ()))
            if affected:
                policy.displaced(state, day, affected, CancellationReason.STAFF)
        for case_id, attempt, planned_date in early.pop(day, ()):
            planned = state.planned.get(case_id)
            still_that_date = planned is not None and planned.attempt == attempt \
                and planned.entry.date == planned_date
            if still_that_date and not patient_takes_new_date(state, policy, day, case_id):
                state.unschedule(case_id, by="patient", reason=CancellationReason.PATIENT)
        # 13:00 — the policy plans
        state.advance(state.stamp(day, 13 * 60))
        policy.plan(state, day)
        _drain_placements(state, draws, env, early, day)
        _drain_chased(state, draws, env, readiness, day)
        if k + 1 < total:
            fixed(day + timedelta(days=1))
        if progress is not None:
            progress(day, k + 1, total)

    events.sort(key=lambda e: (e.at, e.id))
    # as they ran: a session given to another specialty ahead counts under its new one
    ran = [state.sessions[s.id] for s in sessions if start <= s.date <= last and s.id not in state.closed]
    budget = stream.expected_referrals(days)
    return SimulationResult(
        policy=policy.name, seed=seed, hospital=hospital, first=measured_first, last=last,
        events=events, cases=state.cases(), sessions=ran, referrals=state.referrals,
        emergencies=emergencies, programs=programs, program_checks=checks, params=env,
        seconds=wallclock.perf_counter() - started, budget=budget, check_cpu_seconds=check_cpu[0],
        session_log=state.session_log)


def _with_plan(calendar: list[Session], plan: Sequence[Session], hospital: Hospital) -> list[Session]:
    """The calendar with the plan's elective sessions in place of its own on the plan's days."""
    elective = [s for s in plan if not s.emergency]
    if not elective:
        return calendar
    rooms = {r.id for r in hospital.rooms}
    seen: set[str] = set()
    for s in elective:
        if s.room_id not in rooms:
            raise ModelError(f"sessions[{s.id}].room_id", s.room_id, "unknown room")
        if s.id in seen:
            raise ModelError(f"sessions[{s.id}].id", s.id, "duplicate session id")
        seen.add(s.id)
    first, last = min(s.date for s in elective), max(s.date for s in elective)
    kept = [s for s in calendar if s.emergency or not first <= s.date <= last]
    clash = seen & {s.id for s in kept}
    if clash:
        raise ModelError("sessions", sorted(clash)[:3], "ids clash with the calendar's sessions")
    return sorted(kept + elective, key=lambda s: (s.date, s.room_id))


def _hard_violations(state: PlanState, day: date) -> dict[str, int]:
    return check(state.checking_hospital(day), state.program(day, 1)).hard_counts()


def _closures_with_notice(sessions: list[Session], draws: Draws, share: float) -> dict[date, list[str]]:
    """Sessions closed by staff shortage, announced 1–10 days ahead (after the program was made)."""
    closures: dict[date, list[str]] = defaultdict(list)
    for session in sessions:
        if session.emergency:
            continue
        rng = draws.stream("closed-notice", session.id)
        if rng.random() < share:
            closures[session.date - timedelta(days=rng.randint(1, 10))].append(session.id)
    return closures


def _schedule_readiness(referral: Referral, day: date, draws: Draws, env: EnvironmentParams,
                        readiness: dict[date, list[str]]) -> None:
    """The day the last missing readiness item is in place (each takes an exponential time)."""
    if not referral.readiness_missing:
        return
    rng = draws.stream("readiness", referral.id)
    wait = max(rng.expovariate(1 / env.readiness_mean_days) for _ in referral.readiness_missing)
    readiness[day + timedelta(days=max(1, round(wait)))].append(referral.id)


def _patient_trait(draws: Draws, stream: str, share: float) -> Callable[[str], bool]:
    """Whether a patient does something (takes a date at short notice, a new date on the
    call, a stand-in surgeon): a trait of the patient's referral, drawn once from its own
    stream (the same under every policy)."""
    known: dict[str, bool] = {}

    def has(referral_id: str) -> bool:
        if referral_id not in known:
            known[referral_id] = draws.stream(stream, referral_id).random() < share
        return known[referral_id]
    return has


def _drain_chased(state: PlanState, draws: Draws, env: EnvironmentParams,
                  readiness: dict[date, list[str]], today: date) -> None:
    """Readiness items chased today complete faster (``readiness_chased_mean_days``); the
    unchased completion day stays scheduled, so chasing never delays a referral."""
    for rid in state.chased_new:
        referral = state.referrals[rid]
        if not referral.readiness_missing:
            continue
        rng = draws.stream("readiness-chased", rid)
        wait = max(rng.expovariate(1 / env.readiness_chased_mean_days)
                   for _ in referral.readiness_missing)
        readiness[today + timedelta(days=max(1, round(wait)))].append(rid)
    state.chased_new.clear()


def _drain_placements(state: PlanState, draws: Draws, env: EnvironmentParams,
                      early: dict[date, list[tuple[str, int, date]]], today: date) -> None:
    """Patients who will cancel with notice: decided by their draws when they get a date."""
    for case_id, attempt, planned_date in state.new_placements:
        d = draws.attempt(case_id, attempt)
        if d.early_cancel < env.patient_early_cancel_share:
            announce = planned_date - timedelta(days=1 + int(d.early_notice * 14))
            if announce > today:
                early[announce].append((case_id, attempt, planned_date))
    state.new_placements.clear()


def _surgeon_away(state: PlanState, policy: Policy, absence: Absence, today: date) -> list[Event]:
    """A surgeon is away on a day with planned cases: another surgeon of the team with the
    competence takes them (same date, no change for the patient); a named surgeon's patients
    lose their slot unless the practice asks them (``stand_in_for_named``) and they accept
    another surgeon (``PlanState.accepts_stand_in``); all lose it when nobody can."""
    if absence.day < today:
        return []
    hospital = state.base
    affected = [c for c in state.planned_on(absence.day)
                if state.planned[c].entry.surgeon_id == absence.surgeon_id]
    if not affected:
        return []
    absent = state.absent.get(absence.day, set())
    busy = {state.planned[c].entry.surgeon_id for c in state.planned_on(absence.day)}
    lost: list[str] = []
    for case_id in affected:
        referral = state.referrals[case_id]
        procedure = hospital.procedure_by_id[referral.procedure_code]
        location_id = hospital.room_by_id[state.planned[case_id].entry.room_id].location_id
        stand_in: str | None = None  # found afresh for each case: competence differs by procedure
        asked = referral.surgeon_id is not None and getattr(policy, "stand_in_for_named", False) \
            and state.accepts_stand_in(case_id)
        if referral.surgeon_id is None or asked:
            for person in hospital.surgeons(referral.specialty_id):
                if person.id not in absent and person.id not in busy and hospital.can_operate(
                        person, procedure) and (not person.location_ids
                                                or location_id in person.location_ids):
                    stand_in = person.id
                    break
        if stand_in is None:
            lost.append(case_id)
            continue
        entry = state.planned[case_id].entry
        state.move(case_id, replace(entry, surgeon_id=stand_in), by="coordinator")
    if not lost:
        return []
    if absence.day > today:
        policy.displaced(state, today, lost, CancellationReason.STAFF)
        return []
    events = []
    at = state.stamp(today, 6 * 60)
    for case_id in lost:  # the morning of the day itself: a late cancellation
        room_id = state.planned[case_id].entry.room_id
        state.cancel(case_id, CancellationReason.STAFF, at=at, by="coordinator")
        events.append(Event(f"{today:%Y%m%d}:{case_id}:{room_id}:cancelled", EventKind.CANCELLED, at,
                            case_id, room_id, CancellationReason.STAFF, source="sim"))
    return events


def execution_log(result: SimulationResult) -> ExecutionLog:
    """The measured period of a simulation as the KPIs' input (built as live data is)."""
    return ExecutionLog.of(result.hospital, result.first, result.last, result.events,
                           sessions=result.sessions, cases=result.cases, referrals=result.referrals,
                           emergencies=result.emergencies, budget=result.budget)
