"""The control practice (issue 18): a coordinator who follows the control tower's board.

It lives here, above both ``simulate`` and ``control`` (the layers keep those two apart), because
it runs the board's code inside the simulator.

Every decision comes from the product's own code, the one the live board uses:

- **durations**: ``predict.CaseDurations`` (the one duration source of the planner and the
  tower), for the planned surgeon at the room's location; the program and the in-day decisions
  judge a list on the same distributions;
- **robust capacity**: a session's list is kept while the chance that it runs past the staffed
  end by more than ``overrun_line_min`` stays at most ``risk_allowed`` (learnt per hospital
  from how often its rooms run over today, as far as its history vouches for it, ``fit_to``,
  with the in-day tolerance); the chance is
  ``plan.program.risk.exceed_probability`` (the optimiser's Fenton–Wilkinson check) over the
  cases' predicted distributions **plus the room's late start** (learnt from the history),
  held against how the specialty's lists really end (``plan.program.OverrunCalibration``);
- **readiness gate**: only complete cases get a date (the ready list); every waiting referral
  with missing items is chased with a date as soon as it is on the list;
- **stable telling**: patients are told ``tell_days_ahead`` days before (7: no short-notice
  penalty); disruptions with notice go through ``plan.repair`` with the told patients passed
  as ``told`` (the optimised practice's repair), so untold patients move first; a list the
  repair overfills gives back untold cases first (robust capacity holds after repairs too);
  a told patient the hospital cannot keep (staff with notice, or a cancellation on the day for
  capacity, beds, emergencies or staff) gets a new date on the same call (``new_date``), in
  the weeks not yet planned, which the weekly planner then plans around; so does a told
  patient who calls to cancel their own date, if they take one (``new_date_on_patient_call``);
  a patient whose named surgeon is away on their date is asked to take another surgeon of the
  team with the competence, same date (``stand_in_for_named``);
- **deadlines that can still be met first**: the program, the week's refill and the standby
  calls offer a session's time first to ready patients whose deadline the session's date still
  meets, then to those already past it, each group in deadline order (``met_deadlines_first``;
  ``plan.baseline.deadline_met_order``): a late date cannot undo a breach, a date on time
  prevents one;
- **block release** (planning from need): at the week's planning the board offers every free
  session the top ``planning_candidates_per_gap`` of its specialty's ready list (fit under the
  risk, not only the first few; of the first four who fit, the longest); a session still empty
  goes to another specialty of its room with a longer ready list, and one nobody can use (no
  surgeon free, no ready patient) is released 11–17 days ahead, not staffed;
- **staffed hours from need**: at the week's planning each session gives back the end of its
  staffed hours, in whole hours (half hours for a specialty whose lists the hospital has seen
  end 500 times or more: ``give_back_step``), while its list's overrun chance against the
  earlier end stays within the allowed risk (the staff have other work after;
  ``PlanState.shorten``); two days ahead, after that day's refill, lists that cancellations
  with notice have shortened since give back again, and a session left empty is released
  (``late_give_back_days``);
- **staff shortages**: a shortage announced for a session (ahead, or on the morning) closes the
  list of that date and location whose patients lose least (fewest ever told, then fewest
  patients), its staff covering the announced room (``session_to_close``);
- **the morning board**: a room closed on the day (staff sick) sends its cases to other rooms of
  the location with time left, same day (``CoordinatorRules.move_from_closed_room``);
- **rooms balanced in the day**: a list expected to end past its staffed end sends its last
  waiting case to a room of the location that would otherwise stand idle, and a room whose list
  is done takes it (``CoordinatorRules.balance_between_rooms``; same day, no change for the
  patient);
- **idle rooms ready for emergencies**: a room whose list is done before its staffed end stays
  free for urgent emergencies the emergency rooms cannot take in time, until that end
  (``CoordinatorRules.idle_rooms_take_emergencies``);
- **once told, always told**: every change of date after a patient was first told counts, so
  the repair, the undoing of overfull lists and the new date on the call treat a patient ever
  told as told (``PlanState.ever_told``);
- **standby**: freed time (tomorrow's, and today's after the late window and the bed meeting)
  is filled from the ready list of the session's specialty at its location, patients who take
  short notice only, through ``plan.repair``'s ``AddCase`` (the refill the board's accepted
  suggestion applies), after ``CloseUp`` has moved the list up into the time cases left;
- **confirmation contact**: planned patients whose late-cancellation risk (``predict``'s
  ``CancellationModel`` through the board's ``control.predictors.cancellation_risks``) is at
  least ``contact_risk`` get a contact ``contact_days_ahead`` days before;
- **beds and absences**: the program respects post-operative beds (the planner's kernel) and
  surgeons' known absences (known six weeks ahead, so planned around, never repaired after
  telling).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kontrolltarn.model import (
    CancellationReason,
    ChangeKind,
    Hospital,
    LogNormal,
    ModelError,
    PastBooking,
    PastOperation,
    PlannedCase,
    Program,
    ProgramEntry,
    Referral,
    Session,
)
from kontrolltarn.plan.baseline import BaselineOptions, plan_baseline
from kontrolltarn.plan.program import (
    Moments,
    OverrunCalibration,
    earliest_staffed_end,
    exceed_probability,
)
from kontrolltarn.simulate.policies import (
    POLICIES,
    SHORT_NOTICE_DAYS,
    BaselinePolicy,
    OptimisedPolicy,
    make_policy,
    new_date_at_once,
    refill,
)
from kontrolltarn.simulate.policy import CoordinatorRules

if TYPE_CHECKING:
    from kontrolltarn.simulate.state import PlanState
    from kontrolltarn.synth import SyntheticHospital

#: every practice the simulator compares: the simulator's own policies and the control practice
PRACTICES = (*POLICIES, "control")


def _usual_session(hospital: Hospital) -> dict[str, tuple[int, int]]:
    """Per room, its most common elective session start and end in the calendar."""
    starts: dict[str, Counter[int]] = {}
    ends: dict[str, Counter[int]] = {}
    for s in hospital.sessions:
        if not s.emergency:
            starts.setdefault(s.room_id, Counter())[s.start_min] += 1
            ends.setdefault(s.room_id, Counter())[s.end_min] += 1
    return {room: (starts[room].most_common(1)[0][0], ends[room].most_common(1)[0][0]) for room in starts}


def late_start_moments(history: list[PastOperation] | tuple[PastOperation, ...],
                       hospital: Hospital) -> Moments:
    """Mean and variance of the first case's late start, learnt from the history: the first
    case's start against the room's usual session start in the calendar."""
    usual = _usual_session(hospital)
    late = [max(0, op.start_min - usual[op.room_id][0]) for op in history
            if op.order == 1 and not op.emergency and op.room_id in usual]
    if len(late) < 2:
        return Moments(0.0, 0.0)
    return Moments(statistics.fmean(late), statistics.pvariance(late))


@dataclass(frozen=True)
class OverrunHabit:
    """How the hospital's rooms end their days today, learnt from its history: the share of
    room-days whose last elective case ended more than ``line_min`` after the room's usual
    session end, and how far past the end the days that ran over went (their 85th centile, as
    far as the history vouches for it: ``centile_lower_bound``)."""

    share_over_line: float
    far_over_min: int
    room_days: int

    def share_vouched(self, level: float = 0.95) -> float:
        """``share_over_line`` as far as the history vouches for it: the lower end of its
        ``level`` confidence interval over ``room_days`` (normal approximation, as
        ``centile_lower_bound``). Thousands of room-days leave it as it is; a new hospital's
        few dozen take it well below, so lists are not filled on a habit not yet proven."""
        z = _two_sided_z(level)
        p = self.share_over_line
        return max(0.0, p - z * math.sqrt(p * (1 - p) / max(1, self.room_days)))


def overrun_habit(history: list[PastOperation] | tuple[PastOperation, ...], hospital: Hospital,
                  line_min: int = 30) -> OverrunHabit | None:
    """``OverrunHabit`` from the history (None with fewer than 20 room-days or none over)."""
    usual = _usual_session(hospital)
    last: dict[tuple[date, str], int] = {}
    for op in history:
        if not op.emergency and op.room_id in usual:
            key = (op.date, op.room_id)
            last[key] = max(last.get(key, 0), op.start_min + op.actual_min)
    over = [end - usual[room][1] for (_, room), end in last.items()]
    past = sorted(o for o in over if o > 0)
    if len(over) < 20 or not past:
        return None
    return OverrunHabit(sum(o > line_min for o in over) / len(over),
                        centile_lower_bound(past, 0.85), len(over))


def centile_lower_bound(ordered: Sequence[int], q: float, level: float = 0.95) -> int:
    """The ``q`` centile of the sorted ``ordered`` values, or less where few values leave it
    uncertain: the order statistic at the lower end of the ``level`` confidence interval of its
    rank (two-sided, as every interval the project reports; normal approximation to the
    binomial count below the centile). With thousands of values it is the centile itself; with
    a few dozen (a new hospital's history) a lower centile, so a practice never assumes its
    rooms go further than the evidence shows."""
    if not ordered:
        raise ValueError("ordered: no values")
    n = len(ordered)
    z = _two_sided_z(level)
    rank = math.floor(q * n - z * math.sqrt(n * q * (1 - q)))
    return ordered[min(n - 1, max(0, rank))]


def _two_sided_z(level: float) -> float:
    """The normal quantile at the lower end of a two-sided ``level`` interval (1.96 at 95 %)."""
    return statistics.NormalDist().inv_cdf((1 + level) / 2)


def lists_per_specialty(history: list[PastOperation] | tuple[PastOperation, ...]) -> dict[str, int]:
    """Elective lists (room-days) per specialty in the history: how often the hospital has
    seen a list of the specialty end."""
    lists = {(op.date, op.room_id, op.specialty_id) for op in history if not op.emergency}
    return dict(Counter(specialty for _, _, specialty in lists))


@dataclass
class ControlPolicy(OptimisedPolicy):
    """The control practice. Its figures are practice (what the board asks), tuned only on the
    development seeds 0–9 (docs/simulation.md)."""

    name: str = "control"
    planner: str = "baseline"
    tell_days_ahead: int = 7
    refill_days_ahead: int = 2
    buffer_min: int = 0
    refill_empty_sessions: bool = True
    #: in the day a case starts if its predicted median end is within 180 minutes of the
    #: staffed end: finishing beats sending home a prepared patient, and a session whose end
    #: was given back ahead still has its staff's day behind it (overtime stays under today's,
    #: measured)
    rules: CoordinatorRules = field(default_factory=lambda: CoordinatorRules(
        overrun_tolerance_min=180, move_from_closed_room=True, balance_between_rooms=True,
        idle_rooms_take_emergencies=True))
    #: the chance a list may run past its staffed end by more than ``overrun_line_min`` (set
    #: per hospital from its history by ``fit_to``; this default where there is none)
    risk_allowed: float = 0.2
    overrun_line_min: int = 30
    #: ``fit_to``: the allowed risk over today's share of room-days past the line, its bounds,
    #: and the in-day tolerance's bounds (minutes)
    risk_of_habit: float = 0.7
    risk_bounds: tuple[float, float] = (0.05, 0.25)
    tolerance_bounds: tuple[int, int] = (60, 240)
    #: the in-day point estimate of a case: "mean" or "median" of its predicted distribution
    in_day_estimate: str = "median"
    #: a staff shortage announced for a session closes the list of that day and location whose
    #: patients lose least (fewest ever told, then fewest cases), its staff covering the announced
    #: room, as a coordinator chooses which room to close
    close_least_told: bool = True
    #: the first case's late start (mean, variance), learnt from the history
    late_start: Moments = field(default_factory=lambda: Moments(0.0, 0.0))
    #: ``predict.CancellationModel`` trained on past bookings (None: contact every told patient)
    cancellation: Any = None
    contact_risk: float = 0.04
    contact_days_ahead: int = 5
    #: patients phoned per free session from the standby list (the board lists them)
    calls_per_gap: int = 60
    #: a free session takes the longest of the first four callers who fit (fuller lists, the
    #: most pressing patients still first in line)
    refill_best_of: int = 4
    #: at the week's planning (11–17 days ahead: a letter, not a call) the board offers a free
    #: session this many patients from the top of its specialty's ready list
    planning_candidates_per_gap: int = 250
    #: a session's time goes first to the ready patients whose deadline its date still meets,
    #: then to those already past theirs (each group in deadline order; the program, the week's
    #: refill and the standby calls alike): a date after the deadline cannot undo the breach,
    #: a date on time prevents one
    met_deadlines_first: bool = True
    #: empty sessions of the planned week go to another specialty of the room (block release)
    give_unused_sessions: bool = True
    #: ready patients a specialty needs waiting to be given an empty session
    give_min_ready: int = 4
    #: sessions still empty after the week's planning and refill are released (not staffed)
    release_unused_sessions: bool = True
    #: staffed time planned from need: at the week's planning a session gives back the end of
    #: its staffed hours, in whole steps of this many minutes, while its list's overrun chance
    #: against the earlier end stays within the allowed risk (0: sessions keep their hours)
    give_back_step_min: int = 60
    #: a specialty whose lists the hospital has seen end ``fine_step_after_lists`` times or more
    #: (its history and this practice's own, ``calibration``) gives back in these finer steps:
    #: a staffed end closer to the list needs its overrun chance known well (500 lists: the
    #: realised share within about ±3.5 points); with less, the coarse step is the buffer
    fine_give_back_step_min: int = 30
    fine_step_after_lists: int = 500
    #: elective lists per specialty in the hospital's history (``lists_per_specialty``)
    lists_in_history: dict[str, int] = field(default_factory=dict)
    #: the same give-back (and the release of a session left empty) again this many days before
    #: the day, after that day's refill: lists that patients' and staff's cancellations with
    #: notice have shortened since the week's planning give their free end back too (0: only at
    #: the week's planning)
    late_give_back_days: int = 2
    #: a told patient whose date the hospital takes away (with notice, or on the day) gets a new
    #: date on the same call, not a cancellation now and a date later (one change, not two)
    new_date_at_once: bool = True
    #: a told patient who calls to cancel their own date is offered a new one on the same call
    #: (``new_date``); the environment decides whether they take it
    #: (``EnvironmentParams.date_on_call_accept_share``)
    new_date_on_patient_call: bool = True
    #: a patient whose named surgeon is away on their date is asked to take another surgeon of
    #: the team with the competence, same date (the board lists who is free); the environment
    #: decides whether they accept (``EnvironmentParams.stand_in_accept_share``)
    stand_in_for_named: bool = True
    #: each list's predicted overrun chance held against its end, per specialty (None: the
    #: model's chance as it is)
    calibration: OverrunCalibration | None = field(default_factory=OverrunCalibration)
    redated: int = 0
    sessions_given: int = 0
    minutes_given_back: int = 0
    overfull_undone: int = 0
    sessions_released: int = 0
    closures_moved: int = 0
    contacts: int = 0
    chases: int = 0
    standby_placed: int = 0
    _dist: dict[tuple[str, str | None, str | None], LogNormal] = field(default_factory=dict, repr=False)
    _state: PlanState | None = field(default=None, repr=False)
    #: lists of the day whose end is still to be held against their predicted chance
    _watched: list[tuple[str, date, float, tuple[str, ...]]] = field(default_factory=list, repr=False)
    #: per referral, the hospital its prediction was made on (it knows the patient)
    _ctx_of: dict[str, Hospital] = field(default_factory=dict, repr=False)

    def fit_to(self, habit: OverrunHabit) -> None:
        """Fill lists as boldly as the hospital's rooms are used to run over, no more: the
        allowed risk is ``risk_of_habit`` times today's share of room-days over the line
        (within ``risk_bounds``; fuller lists run over more often than planned, because the day
        starts cases that fit by the median), and the in-day tolerance is how far today's days
        go when they run over (their 85th centile, in half hours, within ``tolerance_bounds``);
        both only as far as the history vouches for them (the lower ends of their 95 %
        intervals). Learnt on the development seeds (docs/simulation.md): 17.7 % and 180 min on
        the default hospital (19,362 room-days in its history, 6,594 over), 7.6 % and 90 min on
        the small one (140 room-days, 32 over: its 17 % share and 115-min centile not proven)."""
        low, high = self.risk_bounds
        self.risk_allowed = round(min(high, max(low, self.risk_of_habit * habit.share_vouched())), 3)
        shortest, longest = self.tolerance_bounds
        tolerance = min(longest, max(shortest, 30 * round(habit.far_over_min / 30)))
        self.rules = replace(self.rules, overrun_tolerance_min=tolerance)

    # ---- durations: one source for the program and the day ----------------------------------
    def distribution(self, referral: Referral, surgeon_id: str | None,
                     location_id: str | None) -> LogNormal:
        """The case's predicted in-room minutes, kept once asked (the patient's age moves by
        days, not enough to ask again)."""
        key = (referral.id, surgeon_id, location_id)
        hit = self._dist.get(key)
        if hit is None:
            if self.durations is None or self._state is None:
                return LogNormal(float(referral.booked_min), 0.0)
            context = self._ctx_of.get(referral.id)
            if context is None:
                self.prefetch([referral])
                context = self._ctx_of[referral.id]
            hit = self._dist[key] = self.durations.distribution(
                referral, context, surgeon_id=surgeon_id, location_id=location_id)
        return hit

    def prefetch(self, referrals: list[Referral]) -> None:
        """Predict the day's cases in one batch, on a hospital that knows their patients (the
        model reads age, ASA and BMI); its day stays the start's, so the source keeps them."""
        state = self._state
        if self.durations is None or state is None:
            return
        new = [r for r in referrals if r.id not in self._ctx_of]
        if not new:
            return
        patients = dict.fromkeys(r.patient_id for r in new)
        context = state.base.replace(referrals=(), sessions=(), cases=(), emergencies=(),
                                     patients=tuple(state.patients[p] for p in patients))
        self.durations.prefetch(new, context)
        for r in new:
            self._ctx_of[r.id] = context

    def _where(self, referral: Referral) -> tuple[str | None, str | None]:
        state = self._state
        planned = state.planned.get(referral.id) if state is not None else None
        if planned is None or state is None:
            return referral.surgeon_id, None
        return planned.entry.surgeon_id, state.base.room_by_id[planned.entry.room_id].location_id

    def estimate_min(self, referral: Referral) -> int:
        """The coordinator's point estimate of a case's in-room minutes in the day (and for a
        list's expected end): the predicted median (``in_day_estimate`` "median") or mean, for
        the planned surgeon at the room's location."""
        dist = self.distribution(referral, *self._where(referral))
        return max(1, round(dist.median if self.in_day_estimate == "median" else dist.mean))

    def list_parts(self, session: Session, cases: list[tuple[Referral, str | None]]) -> list[Moments]:
        """The list's random parts: the cases' predicted distributions and the late start."""
        location = self._state.base.room_by_id[session.room_id].location_id if self._state else None
        parts = [Moments.of(self.distribution(r, s, location)) for r, s in cases]
        if self.late_start.mean > 0:
            parts.append(self.late_start)
        return parts

    def model_risk(self, session: Session, cases: list[tuple[Referral, str | None]],
                   turnover: int) -> float:
        """The chance the list runs past the staffed end by more than ``overrun_line_min``:
        the cases' predicted distributions plus the late start (Fenton–Wilkinson)."""
        if not cases:
            return 0.0
        return exceed_probability(self.list_parts(session, cases), turnover * (len(cases) - 1),
                                  session.staffed_min + self.overrun_line_min)

    def list_risk(self, session: Session, cases: list[tuple[Referral, str | None]],
                  turnover: int) -> float:
        """``model_risk`` held against what happened: times its specialty's calibration factor
        (realised over predicted overruns of its lists so far, ``calibration``)."""
        return min(1.0, self.model_risk(session, cases, turnover) * self._factor(session))

    def _factor(self, session: Session) -> float:
        return self.calibration.factor(session.specialty_id) if self.calibration is not None else 1.0

    # ---- the weekly program -----------------------------------------------------------------
    def plan_week(self, state: PlanState, first: date) -> None:
        """The week's program (the parent's, one day at a time, nobody told yet), then each
        day's time left within the allowed risk offered to the ready list, empty sessions
        included, as the board's refill does (11–17 days ahead: not short notice)."""
        self._prefetch_day(state)  # the start's bootstrap plans weeks before any plan()
        super().plan_week(state, first)
        if self.give_unused_sessions:
            self._give_unused(state, first)
        for k in range(7):
            refill(state, first + timedelta(days=k), self, tell=False,
                   calls_per_gap=self.planning_candidates_per_gap)
        if self.release_unused_sessions:
            for k in range(7):
                for session in state.open_sessions(first + timedelta(days=k)):
                    if not session.emergency and not state.by_session.get(session.id):
                        state.release(session.id, by=f"policy:{self.name}")
                        self.sessions_released += 1
        if self.give_back_step_min > 0:
            for k in range(7):
                self._staff_from_need(state, first + timedelta(days=k), release=False)

    def _staff_from_need(self, state: PlanState, day: date, *, release: bool) -> None:
        """Each list of ``day`` gives back its free end within the allowed risk; with
        ``release``, a session left empty is released (not staffed)."""
        for session in state.open_sessions(day):
            if session.emergency:
                continue
            if state.by_session.get(session.id):
                self._give_back_end(state, session)
            elif release:
                state.release(session.id, by=f"policy:{self.name}")
                self.sessions_released += 1

    def _give_back_end(self, state: PlanState, session: Session) -> None:
        """The earliest staffed end, a whole number of steps earlier, at which the list still
        keeps within the allowed risk; the session is shortened to it (if any step is free)."""
        turnover = state.base.specialty_by_id[session.specialty_id or "ORT"].turnover_min
        entries = [state.planned[c].entry for c in state.by_session[session.id]]
        cases: list[tuple[Referral, str | None]] = [(state.referrals[e.case_id], e.surgeon_id)
                                                    for e in entries]
        # the program stays valid: every booked end within the new end plus the allowed overtime
        end = earliest_staffed_end(self.list_parts(session, cases), turnover * (len(cases) - 1),
                                   session, session.staffed_min, max(e.end_min for e in entries),
                                   state.base.allowed_overtime_min, self.overrun_line_min,
                                   self.risk_allowed / self._factor(session), self.give_back_step(session))
        if end is not None:
            state.shorten(session.id, end, by=f"policy:{self.name}")
            self.minutes_given_back += session.end_min - end

    def give_back_step(self, session: Session) -> int:
        """The give-back step of the session's specialty: ``fine_give_back_step_min`` once the
        hospital has seen ``fine_step_after_lists`` of its lists end, else
        ``give_back_step_min``."""
        specialty = session.specialty_id or ""
        seen = self.lists_in_history.get(specialty, 0) + \
            (self.calibration.lists.get(specialty, 0) if self.calibration is not None else 0)
        if self.fine_give_back_step_min and seen >= self.fine_step_after_lists:
            return self.fine_give_back_step_min
        return self.give_back_step_min

    def _give_unused(self, state: PlanState, first: date) -> None:
        """Block release: a session the week's program leaves empty goes to another specialty
        the room takes, the one with the longest ready list (at least ``give_min_ready``
        patients), as coordinators release unused block time to other lists ahead of the day."""
        ready = {s: len(rs) for s, rs in state.ready_by_specialty().items()}
        for k in range(7):
            for session in state.open_sessions(first + timedelta(days=k)):
                if session.emergency or session.specialty_id is None or state.by_session.get(session.id):
                    continue
                room = state.base.room_by_id[session.room_id]
                others = sorted((ready.get(s, 0), s) for s in room.specialties
                                if s != session.specialty_id)
                if not others or others[-1][0] < self.give_min_ready:
                    continue
                count, specialty = others[-1]
                state.reassign(session.id, specialty, by=f"policy:{self.name}")
                ready[specialty] = count - self.give_min_ready  # what one session will take
                self.sessions_given += 1

    def make_program(self, hospital: Hospital, day: date, exclude: set[str],
                     fixed: Sequence[tuple[ProgramEntry, Session, Referral]] = ()) -> Program:
        """The lead's planner filling each session by bookings to the staffed end (around the
        cases ``fixed`` there already), then each list cut (least pressing case first) until
        its overrun chance is within the allowed risk; the freed time is the standby list's."""
        program = plan_baseline(hospital, day, 1, BaselineOptions(
                                    buffer_min=self.buffer_min, met_deadlines_first=self.met_deadlines_first),
                                exclude=exclude, fixed=fixed)
        kept = []
        by_session: dict[str, list[Any]] = {}
        for entry in program.entries:
            by_session.setdefault(entry.session_id, []).append(entry)
        for session_id, entries in by_session.items():
            session = hospital.session_by_id[session_id]
            turnover = hospital.specialty_by_id[session.specialty_id or "ORT"].turnover_min
            chosen = sorted(entries, key=lambda e: e.order)
            while len(chosen) > 1 and self.list_risk(
                    session, [(hospital.referral_by_id[e.case_id], e.surgeon_id) for e in chosen],
                    turnover) > self.risk_allowed:
                drop = max(chosen, key=lambda e: (hospital.referral_by_id[e.case_id].deadline, e.order))
                chosen.remove(drop)
            kept.extend(chosen)
        return Program(tuple(kept), method=program.method)

    def room_for(self, state: PlanState, session: Session, referral: Referral,
                 expected_end: int) -> int | None:
        """Standby fill: the case joins the end of the list if the list's overrun chance stays
        within the allowed risk; the latest end ``AddCase`` may accept (None: no room)."""
        hospital = state.base
        turnover = hospital.specialty_by_id[session.specialty_id or "ORT"].turnover_min
        cases: list[tuple[Referral, str | None]] = [
            (state.referrals[c], state.planned[c].entry.surgeon_id)
            for c in state.by_session.get(session.id, ())]
        cases.append((referral, referral.surgeon_id or (cases[0][1] if cases else None)))
        if self.list_risk(session, cases, turnover) > self.risk_allowed:
            return None
        return session.end_min + self.rules.overrun_tolerance_min

    def displaced(self, state: PlanState, day: date, case_ids: list[str],
                  reason: CancellationReason) -> None:
        """The optimised practice's repair, then robust capacity kept where it costs no told
        patient a change: a list the repair moved cases into that now runs past the allowed
        risk gives its untold cases back to the waiting list, least pressing first (an overfull
        list may cancel one late instead; a told patient keeps the date the repair gave)."""
        before = {c: p.entry.session_id for c, p in state.planned.items()}
        super().displaced(state, day, case_ids, reason)
        moved_into: dict[str, list[str]] = {}
        for case_id, planned in state.planned.items():
            if before.get(case_id) != planned.entry.session_id:
                moved_into.setdefault(planned.entry.session_id, []).append(case_id)
        hospital = state.base
        for session_id in moved_into:
            session = state.sessions[session_id]
            turnover = hospital.specialty_by_id[session.specialty_id or "ORT"].turnover_min
            untold = sorted((c for c in state.by_session[session_id]
                             if not state.ever_told(c)),
                            key=lambda c: state.referrals[c].deadline)
            while untold and len(state.by_session[session_id]) > 1 and self.list_risk(
                    session, [(state.referrals[c], state.planned[c].entry.surgeon_id)
                              for c in state.by_session[session_id]], turnover) > self.risk_allowed:
                state.unschedule(untold.pop(), by=f"policy:{self.name}", reason=reason)
                self.overfull_undone += 1

    def session_to_close(self, state: PlanState, day: date, announced: str) -> str:
        """The session to close for a staff shortage announced for ``announced``: of the
        open elective sessions of its date and location, the one whose closure takes a date from
        the fewest patients ever told (then the fewest patients, then the fewest planned minutes);
        the announced one unless another costs strictly less."""
        if not self.close_least_told:
            return announced
        hospital = state.base
        session = state.sessions[announced]
        location = hospital.room_by_id[session.room_id].location_id

        def loss(s: Session) -> tuple[int, int, int]:
            cases = state.by_session.get(s.id, ())
            return (sum(state.ever_told(c) for c in cases), len(cases),
                    sum(state.planned[c].entry.end_min - state.planned[c].entry.start_min for c in cases))

        others = [s for s in state.open_sessions(session.date) if not s.emergency
                  and hospital.room_by_id[s.room_id].location_id == location]
        best = min(others, key=lambda s: (loss(s), s.id), default=session)
        if loss(best) < loss(session):
            self.closures_moved += 1
            return best.id
        return announced

    def lost(self, state: PlanState, day: date, case_id: str, reason: CancellationReason) -> None:
        """A told patient the disruption leaves without a place gets a new date on the same
        call (``new_date``); else, and for an untold patient, back to the waiting list."""
        if not state.ever_told(case_id) or not self.new_date(state, day, case_id, reason):
            super().lost(state, day, case_id, reason)

    def new_date(self, state: PlanState, day: date, case_id: str, reason: CancellationReason,
                 at: datetime | None = None) -> bool:
        """A new date for a told patient whose date the hospital takes away, given on the same
        call (one change instead of a cancellation now and a date later): in the first two
        weeks not yet planned, at least a week ahead (not short notice). The simulator asks it
        for the day's own cancellations by the hospital too."""
        if not self.new_date_at_once or self.planned_until is None:
            return False
        first = max(self.planned_until, day + timedelta(days=SHORT_NOTICE_DAYS - 1)) + timedelta(days=1)
        self._prefetch_day(state)
        if new_date_at_once(state, case_id, self, first, first + timedelta(days=13), reason, at):
            self.redated += 1
            return True
        return False

    # ---- each day ---------------------------------------------------------------------------
    def _prefetch_day(self, state: PlanState) -> None:
        self._state = state
        self.prefetch([*state.ready_waiting(), *(state.referrals[c] for c in state.planned)])

    def plan(self, state: PlanState, day: date) -> None:
        self._prefetch_day(state)
        self._settle(state, day)
        self._chase(state)
        super().plan(state, day)
        if self.late_give_back_days > 0 and self.give_back_step_min > 0:
            self._staff_from_need(state, day + timedelta(days=self.late_give_back_days), release=True)
        self._contact(state, day + timedelta(days=self.contact_days_ahead))

    def before_the_day(self, state: PlanState, day: date) -> None:
        """After the late window and the 07:30 bed meeting: freed time today is offered to the
        standby list (patients who take short notice, ready, of the specialty and location);
        then each list's predicted overrun chance is noted, to be held against its end."""
        self._prefetch_day(state)
        self.standby_placed += refill(state, day, self, tell=True,
                                      calls_per_gap=self.calls_per_gap)
        if self.calibration is None:
            return
        for session in state.open_sessions(day):
            cases = state.by_session.get(session.id)
            if session.emergency or not cases:
                continue
            turnover = state.base.specialty_by_id[session.specialty_id or "ORT"].turnover_min
            chance = self.model_risk(session, [(state.referrals[c], state.planned[c].entry.surgeon_id)
                                               for c in cases], turnover)
            self._watched.append((session.id, day, chance, tuple(cases)))

    def _settle(self, state: PlanState, today: date) -> None:
        """Each watched list of an earlier day against its end: did its last case leave the
        room more than ``overrun_line_min`` after the staffed end (the session as it ran)?"""
        if self.calibration is None:
            return
        pending = []
        for session_id, day, chance, cases in self._watched:
            if day >= today:
                pending.append((session_id, day, chance, cases))
                continue
            midnight = state.stamp(day, 0)
            ends = [(c.at - midnight).total_seconds() / 60 for case_id in cases
                    for c in state.history[case_id] if c.kind is ChangeKind.DONE and c.new_date == day]
            if ends:
                session = state.sessions[session_id]
                self.calibration.observe(session.specialty_id or "", chance,
                                         max(ends) > session.end_min + self.overrun_line_min)
        self._watched = pending

    def _chase(self, state: PlanState) -> None:
        for rid in state.waiting:
            if rid not in state.chased and state.referrals[rid].readiness_missing:
                state.chase(rid)
                self.chases += 1

    def _contact(self, state: PlanState, day: date) -> None:
        cases = [c for c in state.planned_on(day) if not state.was_contacted(c)]
        if not cases:
            return
        chosen = set(cases)
        if self.cancellation is not None:
            from kontrolltarn.control.predictors import cancellation_risks  # deferred: pandas

            hospital = state.checking_hospital(day)
            planned = [PlannedCase(state.planned[c].entry) for c in cases]
            risks = cancellation_risks(self.cancellation, hospital, day, planned, top=0)
            chosen = {c for c, r in risks.items() if r.risk >= self.contact_risk}
        for case_id in sorted(chosen):
            state.contact(case_id)
            self.contacts += 1


def make_control_policy(history: list[PastOperation] | tuple[PastOperation, ...],
                        bookings: list[PastBooking] | tuple[PastBooking, ...] = (),
                        hospital: Hospital | None = None) -> ControlPolicy:
    """The control practice with the product's models trained on the hospital's history."""
    from kontrolltarn.control.predictors import train_models  # deferred: heavy (pandas, sklearn)

    models = train_models(list(history), list(bookings))
    policy = ControlPolicy(durations=models.durations, cancellation=models.cancellation)
    if hospital is not None:
        policy.late_start = late_start_moments(history, hospital)
        policy.lists_in_history = lists_per_specialty(history)
        habit = overrun_habit(history, hospital, policy.overrun_line_min)
        if habit is not None:
            policy.fit_to(habit)
    return policy


def make_practice(name: str, synthetic: SyntheticHospital) -> BaselinePolicy:
    """A practice by name on a synthetic hospital (``PRACTICES``): the control practice with
    its models trained on the hospital's history, else ``simulate.policies.make_policy``."""
    if name == "control":
        return make_control_policy(synthetic.history, synthetic.bookings, synthetic.hospital)
    if name not in POLICIES:
        raise ModelError("policy", name, f"unknown policy, choose one of {list(PRACTICES)}")
    return make_policy(name, synthetic.history)
