"""The policies the simulator compares.

``BaselinePolicy`` is today's practice as a competent coordinator runs it by hand (documented in
docs/simulation.md): every Thursday the program for the week after next is made with the
registry's ``baseline`` planner (deadline order, surgeons' bookings, beds and equipment
respected) and every patient on it is told the date at once; a session that closes or a surgeon
who falls ill sends the cases back to the waiting list for a later week; each afternoon the
coordinator fills tomorrow's freed time from the top of the ready list, by phone.

``OptimisedPolicy`` plans the same weeks with a registered optimising planner, repairs
disruptions with minimal change (same day first, patients not yet told before those told), tells
patients their date only once the program is stable, and starts a case only if its predicted
(not booked) duration fits.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from kontrolltarn.model import (
    CancellationReason,
    Hospital,
    ModelError,
    PastOperation,
    Program,
    ProgramEntry,
    Referral,
    Session,
)
from kontrolltarn.plan.baseline import BaselineOptions, deadline_met_order, plan_baseline
from kontrolltarn.plan.registry import get_planner
from kontrolltarn.plan.repair import AddCase, CloseUp, Repairs, RoomClosed, SurgeonAbsent, repair

from .policy import CoordinatorRules
from .state import PlanState

if TYPE_CHECKING:  # the annotation only; the import is deferred in make_policy
    from kontrolltarn.predict import DurationSource

THURSDAY = 3
#: a date offered with less notice than this is short notice (the patient may decline)
SHORT_NOTICE_DAYS = 7


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class BaselinePolicy:
    """Today's practice. Parameters are practice, not calibration knobs (see the docs)."""

    name: str = "baseline"
    planner: str = "baseline"
    #: the program for week W+2 is made on Thursday of week W (11–15 days' notice)
    weeks_ahead: int = 2
    #: tomorrow's freed time is refilled by phoning patients from the top of the ready list;
    #: in practice a share of gaps cannot be filled at such short notice
    refill_days_ahead: int = 1
    #: the coordinator starts a case whose booked end is within the hospital's allowed overtime
    rules: CoordinatorRules = field(default_factory=lambda: CoordinatorRules(overrun_tolerance_min=60))
    time_limit: float = 5.0
    seed: int = 0
    #: minutes left unbooked at the end of each session, as coordinators do today (the generator
    #: builds its history with the same figure, ``synth.generator.PLANNING_BUFFER_MIN``; a test
    #: keeps the two equal)
    buffer_min: int = 60
    #: patients phoned per free session when refilling (today's practice: 8)
    calls_per_gap: int = 8
    #: refill sessions left with no case too (today's practice: only lists already started)
    refill_empty_sessions: bool = False
    #: a free session takes, of the first this-many callers who fit, the one with the longest
    #: estimate (1: the first who fits, as by hand)
    refill_best_of: int = 1
    #: free time on a day is offered first to the patients whose deadline that day still meets,
    #: then to those past theirs (``plan.baseline.deadline_met_order``; today's practice: deadline
    #: order alone)
    met_deadlines_first: bool = False

    def estimate_min(self, referral: Referral) -> int:
        return referral.booked_min

    def room_for(self, state: PlanState, session: Session, referral: Referral,
                 expected_end: int) -> int | None:
        """Whether a phoned patient fits at the end of a session's list expected to end at
        ``expected_end``: the latest end ``AddCase`` may accept, or None. By hand: the booking
        ends before the session's reserve, by the policy's estimate."""
        until = session.end_min - self.buffer_min - (self.estimate_min(referral) - referral.booked_min)
        return None if expected_end + referral.booked_min > until else until

    def plan(self, state: PlanState, day: date) -> None:
        if day.weekday() == THURSDAY:
            first = week_start(day) + timedelta(weeks=self.weeks_ahead)
            self.plan_week(state, first)
        for k in range(1, self.refill_days_ahead + 1):
            refill(state, day + timedelta(days=k), self, tell=True, calls_per_gap=self.calls_per_gap)

    def plan_week(self, state: PlanState, first: date) -> None:
        """The week's program, made one day at a time: the planner fills sessions in date order
        anyway, and a day's instance (its sessions and the top of each list) keeps calls small."""
        placed: set[str] = set()
        for k in range(7):
            day = first + timedelta(days=k)
            if not any(not s.emergency for s in state.open_sessions(day)):
                continue
            hospital = state.planning_hospital(day, 1)
            gaps = {r.id: len(r.readiness_missing) for r in hospital.referrals}
            program = self.make_program(hospital, day, placed, state.held(day, 1))
            for entry in sorted(program.entries, key=lambda e: (e.date, e.session_id, e.order)):
                if entry.case_id in state.waiting and entry.session_id not in state.closed:
                    state.place(entry, by=f"policy:{self.name}", tell=self.tells_at_planning,
                                gaps=gaps.get(entry.case_id, 0))
                    placed.add(entry.case_id)

    def make_program(self, hospital: Hospital, day: date, exclude: set[str],
                     fixed: Sequence[tuple[ProgramEntry, Session, Referral]] = ()) -> Program:
        """Today's practice: the lead's baseline planner, leaving the end of each session
        unbooked as coordinators do (the generator's documented practice buffer), around the
        cases ``fixed`` there already (``PlanState.held``)."""
        if self.planner == "baseline":
            options = BaselineOptions(buffer_min=self.buffer_min,
                                      met_deadlines_first=self.met_deadlines_first)
            return plan_baseline(hospital, day, 1, options, exclude=exclude, fixed=fixed)
        if fixed:
            raise ModelError("planner", self.planner, "cannot plan around cases already given a date")
        return get_planner(self.planner)(hospital, day, 1, seed=self.seed,
                                         time_limit=self.time_limit, exclude=exclude)

    @property
    def tells_at_planning(self) -> bool:
        return True

    def displaced(self, state: PlanState, day: date, case_ids: list[str],
                  reason: CancellationReason) -> None:
        """By hand: the patients are called off and go back on the list for a later week."""
        for case_id in case_ids:
            state.unschedule(case_id, by=f"policy:{self.name}", reason=reason)


@dataclass
class OptimisedPolicy(BaselinePolicy):
    name: str = "optimised"
    planner: str = "optimise"
    #: patients are told their date this many days ahead (the program is stable by then); at
    #: least 7, because shorter notice makes patients cancel more
    tell_days_ahead: int = 8
    refill_days_ahead: int = 3
    #: planning on unbiased estimates needs a smaller reserve than on biased bookings
    buffer_min: int = 15
    rules: CoordinatorRules = field(default_factory=lambda: CoordinatorRules(overrun_tolerance_min=60))
    #: ratio of expected to booked minutes, learnt from the hospital's history per surgeon
    #: (bookings are biased short); 1.0 where unknown
    booking_ratio: dict[str, float] = field(default_factory=dict)
    #: the planner's durations (``predict``'s one source), trained once on the history
    durations: DurationSource | None = None
    #: CP-SAT work (deterministic seconds, not the wall clock: the same seed gives the same
    #: result on a loaded machine) the planner may use for one week's program (one call a week)
    time_limit: float = 5.0
    #: waiting cases offered to the planner per session of the week (the top of each list)
    candidates_per_session: int = 15
    #: repair disruptions with ``plan.repair`` (else: back to the list)
    use_repair: bool = True
    repairs: int = 0
    repair_failures: int = 0
    planner_seconds: float = 0.0
    #: the last day the weekly planning has covered (repairs stay within it)
    planned_until: date | None = None

    def estimate_min(self, referral: Referral) -> int:
        return round(referral.booked_min * self.booking_ratio.get(referral.surgeon_id or "", 1.0))

    def plan_week(self, state: PlanState, first: date) -> None:
        """With the ``optimise`` planner: one call for the whole week (Monday–Sunday), with a
        time limit, on an instance holding the week's open sessions and the top of each
        specialty's ready list; other planners: one day at a time (the parent's way)."""
        self.planned_until = first + timedelta(days=6)
        if self.planner != "optimise":
            super().plan_week(state, first)
            return
        if not any(not s.emergency for k in range(7) for s in state.open_sessions(first + timedelta(days=k))):
            return
        hospital = state.planning_hospital(first, 7, self.candidates_per_session)
        gaps = {r.id: len(r.readiness_missing) for r in hospital.referrals}
        started = time.perf_counter()
        extra = {"durations": self.durations} if self.durations is not None else {}
        program = get_planner(self.planner)(hospital, first, 7, seed=self.seed,
                                            time_limit=self.time_limit, exclude=set(),
                                            deterministic=True, **extra)
        self.planner_seconds += time.perf_counter() - started
        for entry in sorted(program.entries, key=lambda e: (e.date, e.session_id, e.order)):
            if entry.case_id in state.waiting and entry.session_id not in state.closed:
                state.place(entry, by=f"policy:{self.name}", tell=False, gaps=gaps.get(entry.case_id, 0))

    @property
    def tells_at_planning(self) -> bool:
        return False

    def plan(self, state: PlanState, day: date) -> None:
        super().plan(state, day)
        # tell the patients whose date is now close enough to be stable
        horizon = day + timedelta(days=self.tell_days_ahead)
        for k in range(1, self.tell_days_ahead + 1):
            for case_id in state.planned_on(day + timedelta(days=k)):
                if state.planned[case_id].told_at is None and state.planned[case_id].entry.date <= horizon:
                    state.tell(case_id, by=f"policy:{self.name}")

    def displaced(self, state: PlanState, day: date, case_ids: list[str],
                  reason: CancellationReason) -> None:
        """Minimal change: ``plan.repair`` (the same day in another room first, else the
        cheapest later date within two weeks, told patients moved last) for a session closed or a
        named surgeon away; without it, or when it refuses the disruption, back to the list."""
        if self.use_repair and case_ids:
            try:
                self._repair(state, day, case_ids, reason)
                return
            except ModelError:
                self.repair_failures += 1
        for case_id in case_ids:
            if case_id in state.planned:
                self.lost(state, day, case_id, reason)

    def lost(self, state: PlanState, day: date, case_id: str, reason: CancellationReason) -> None:
        """A planned case the disruption leaves without a place: back to the waiting list."""
        state.unschedule(case_id, by=f"policy:{self.name}", reason=reason)

    def _repair(self, state: PlanState, day: date, case_ids: list[str],
                reason: CancellationReason) -> None:
        first = min(state.planned[c].entry.date for c in case_ids)
        last = self.planned_until or first
        horizon = max(1, min(14, (last - first).days + 1))
        sessions = sorted({state.planned[c].entry.session_id for c in case_ids})
        closed = tuple(state.sessions[s] for s in sessions if s in state.closed)
        hospital, program = state.repair_view(first, horizon, closed)
        # a patient once told counts every later change of date, told or not: moved last
        told = {c for c in program.case_ids() if state.ever_told(c)}
        events: list[RoomClosed | SurgeonAbsent] = [RoomClosed(s.room_id, s.date) for s in closed]
        if not closed:
            absent = {(state.planned[c].entry.date, state.planned[c].entry.surgeon_id) for c in case_ids}
            events = [SurgeonAbsent(surgeon, when) for when, surgeon in sorted(absent)]
        for event in events:
            result = repair(hospital, program, event, told=told, now=state.now, refill=False,
                            horizon_days=horizon)
            hospital, program = result.hospital, result.program
        self.repairs += len(events)
        after = {e.case_id: e for e in program.entries}
        for case_id in sorted(set(state.planned) & {e.case_id for e in state.program(first, horizon).entries}
                              | set(case_ids)):
            if case_id not in state.planned:
                continue
            old, new = state.planned[case_id].entry, after.get(case_id)
            if new is None:
                self.lost(state, day, case_id, reason)
            elif (new.session_id, new.start_min, new.surgeon_id, new.order) != \
                    (old.session_id, old.start_min, old.surgeon_id, old.order):
                state.move(case_id, new, by=f"policy:{self.name}",
                           reason=reason if new.date != old.date else None)


def session_load(state: PlanState, session: Session, estimate: BaselinePolicy) -> int:
    """Estimated in-room plus turnover minutes already planned in a session."""
    turnover = state.base.specialty_by_id[session.specialty_id or "ORT"].turnover_min
    cases = state.by_session.get(session.id, ())
    return sum(estimate.estimate_min(state.referrals[c]) for c in cases) + turnover * max(0, len(cases) - 1)


def refill(state: PlanState, day: date, policy: BaselinePolicy, *, tell: bool,
           calls_per_gap: int = 8) -> int:
    """Fill free time on ``day`` from the top of the ready waiting list, by phone: patients not
    yet in any program, whose named surgeon, if any, operates that day, whose room has all the
    equipment they need (borrowing mobile equipment is not tracked by hand). The coordinator
    phones at most ``calls_per_gap`` patients per free session. Each placement is
    ``plan.repair``'s ``AddCase``, the decision the control tower applies too: at the end of the
    list, every hard rule kept, ending before the session's reserve by the policy's estimate.
    Returns how many were placed."""
    free: dict[str, list[Session]] = {}
    for session in state.open_sessions(day):
        if session.emergency or session.specialty_id is None or \
                not (policy.refill_empty_sessions or state.by_session.get(session.id)):
            continue
        load = session_load(state, session, policy)
        if session.staffed_min - policy.buffer_min - load > 45:
            free.setdefault(session.specialty_id, []).append(session)
    if not free:
        return 0
    absent = state.absent.get(day, set())
    busy_surgeons = {state.planned[c].entry.surgeon_id for c in state.planned_on(day)}
    waiting = state.ready_by_specialty()
    if policy.met_deadlines_first:
        waiting = {s: deadline_met_order(rs, day) for s, rs in waiting.items()}
    short_notice = (day - state.now.date()).days < SHORT_NOTICE_DAYS
    # a phoned patient who cannot come at such short notice declines (the environment's share)
    calls = {specialty: [r for r in waiting.get(specialty, [])[:calls_per_gap]
                         if (r.surgeon_id is None or (r.surgeon_id not in absent
                                                      and r.surgeon_id in busy_surgeons))
                         and (not short_notice or state.accepts_short_notice(r.id))]
             for specialty in free}
    hospital, program = state.repair_view(day, 1, waiting=tuple(r for rs in calls.values() for r in rs))
    repairs = Repairs(hospital, program, told=set())  # one view for the afternoon's calls
    placed = 0
    for specialty, sessions in free.items():
        for session in sessions:
            close_up(state, repairs, session, policy)
            room = hospital.room_by_id[session.room_id]
            turnover = hospital.specialty_by_id[specialty].turnover_min
            skip: set[str] = set()  # callers who were asked and cannot come to this session
            while True:
                # when the list is expected to be done, and the end by the policy's estimate
                expected_end = session.start_min + session_load(state, session, policy) + turnover
                fitting: list[tuple[Referral, int]] = []
                for referral in calls[specialty]:
                    procedure = hospital.procedure_by_id[referral.procedure_code]
                    if referral.id not in state.waiting or referral.id in skip or \
                            any(eq not in room.equipment for eq in procedure.equipment):
                        continue
                    until = policy.room_for(state, session, referral, expected_end)
                    if until is None:
                        skip.add(referral.id)  # cannot end in time: a fuller list will not help
                        continue
                    fitting.append((referral, until))
                    if len(fitting) >= policy.refill_best_of:
                        break
                fitting.sort(key=lambda f: -policy.estimate_min(f[0]))  # stable: list order ties
                for referral, until in fitting:
                    try:
                        repairs.apply(AddCase(referral.id, session.id, expected_end, until),
                                      refill=False)
                    except ModelError:  # it would break a rule or not end in time: the next
                        skip.add(referral.id)
                        continue
                    entry = repairs.find(referral.id)
                    assert entry is not None
                    state.place(entry, by=f"policy:{policy.name}", tell=tell)
                    placed += 1
                    break
                else:
                    break  # nobody of those asked could come: the session is done
    return placed


def close_up(state: PlanState, repairs: Repairs, session: Session, policy: BaselinePolicy) -> None:
    """The session's list moved up into the time cases have left (``plan.repair``'s
    ``CloseUp``), before free time is offered: a case that left the middle or the start of a
    list leaves its time at the end, where ``AddCase`` can fill it. Same dates: no patient is
    told anything new."""
    for change in repairs.apply(CloseUp(session.id)):
        if change.new is not None:
            state.move(change.case_id, change.new, by=f"policy:{policy.name}")


def new_date_at_once(state: PlanState, case_id: str, policy: BaselinePolicy, first: date, last: date,
                     reason: CancellationReason, at: datetime | None = None) -> bool:
    """A told patient whose date the hospital takes away is given a new date on the same call:
    the first session from ``first`` to ``last`` of the case's specialty, in a room with the
    equipment it needs, where it fits at the end of the list by the policy's judgement
    (``room_for``) and every hard rule holds (``plan.repair``'s ``AddCase``, the refill's
    decision). The case moves there: one change for the patient instead of a date taken away
    and a new one later. False, with nothing changed, when no session takes it."""
    referral = state.referrals[case_id]
    hospital = state.base
    procedure = hospital.procedure_by_id[referral.procedure_code]
    turnover = hospital.specialty_by_id[referral.specialty_id].turnover_min
    current = state.planned[case_id].entry.date
    for k in range((last - first).days + 1):
        day = first + timedelta(days=k)
        if day == current:  # a new date, never the one being given up
            continue
        if referral.surgeon_id is not None and referral.surgeon_id in state.absent.get(day, set()):
            continue
        sessions = [s for s in state.open_sessions(day)
                    if not s.emergency and s.specialty_id == referral.specialty_id
                    and all(eq in hospital.room_by_id[s.room_id].equipment for eq in procedure.equipment)]
        if not sessions:
            continue
        view, program = state.repair_view(day, 1, waiting=(referral,))
        repairs = Repairs(view, program, told=set())
        for session in sessions:
            close_up(state, repairs, session, policy)
            load = session_load(state, session, policy)
            expected_end = session.start_min + load + (turnover if load else 0)
            until = policy.room_for(state, session, referral, expected_end)
            if until is None:
                continue
            try:
                repairs.apply(AddCase(case_id, session.id, expected_end, until), refill=False)
            except ModelError:  # a hard rule or the end: the next session
                continue
            entry = repairs.find(case_id)
            assert entry is not None
            state.move(case_id, entry, by=f"policy:{policy.name}", reason=reason, at=at)
            return True
    return False


def booking_ratios(history: list[PastOperation] | tuple[PastOperation, ...]) -> dict[str, float]:
    """Per surgeon, actual over booked in-room minutes in the hospital's history (bookings are
    biased short; the ratio is what a duration model learns first)."""
    booked: dict[str, float] = {}
    actual: dict[str, float] = {}
    for op in history:
        if not op.emergency:
            booked[op.surgeon_id] = booked.get(op.surgeon_id, 0.0) + op.booked_min
            actual[op.surgeon_id] = actual.get(op.surgeon_id, 0.0) + op.actual_min
    return {s: actual[s] / booked[s] for s in booked if booked[s] > 0}


POLICIES = ("baseline", "optimised", "optimised-practice")


def make_policy(name: str, history: list[PastOperation] | tuple[PastOperation, ...]) -> BaselinePolicy:
    """A policy by name: ``baseline`` (today's practice), ``optimised`` (the registry's
    ``optimise`` planner with the optimised practice), ``optimised-practice`` (the optimised
    practice around today's planner, to separate what the practice and the planner each give).
    The control practice, which uses the control tower's code, is made one layer up
    (``experiments.control_practice.make_practice``)."""
    if name == "baseline":
        return BaselinePolicy()
    ratios = booking_ratios(history)
    if name == "optimised":
        from kontrolltarn.predict import CaseDurations  # deferred: heavy (pandas, scipy)

        return OptimisedPolicy(booking_ratio=ratios, durations=CaseDurations.from_history(history))
    if name == "optimised-practice":
        return OptimisedPolicy(name=name, planner="baseline", booking_ratio=ratios)
    raise ModelError("policy", name, f"unknown policy, choose one of {list(POLICIES)}")
