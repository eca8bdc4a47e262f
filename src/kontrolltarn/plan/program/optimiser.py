"""The optimised program: who is operated when, where and in what order, for 1–4 weeks.

Decomposition: one CP-SAT model per session (``solve.py``), location-days in date order so the
most pressing cases get the earliest dates; what is shared across location-days (the waiting
list, surgeons' days) is carried forward. Each day's lead surgeons are chosen for all its
locations at once (``leads.py``), which also releases a session its own specialty cannot staff
to another specialty the room takes. Within a location-day the model shares beds and
mobile equipment between specialties. Then each session's list is ordered and timed
(``sequence.py``). Durations are distributions from ``predict``'s ``DurationSource``; every
session keeps its chance of overrunning by ``overrun_min`` or more below ``max_probability``, and
the mean chance over a location-day's sessions at ``target_share``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial

from kontrolltarn.model import (
    Hospital,
    LogNormal,
    ModelError,
    Program,
    ProgramEntry,
    Session,
    Staff,
)
from kontrolltarn.plan.check import LocalRules, ProgramState
from kontrolltarn.predict import CaseDurations, DurationSource

from .candidates import (
    SOON_DAYS,
    Admissions,
    Candidate,
    IncompleteCase,
    incomplete_cases,
    urgency_weight,
)
from .leads import Lead, assign_leads
from .risk import Moments, earliest_staffed_end
from .sequence import Placed, place_session
from .settings import ProgramSettings, Risk
from .solve import (
    MIN_SOLVE_S,
    Limits,
    Outcome,
    SessionSlot,
    equipment_minutes,
    mobile_equipment,
    session_overrun_probability,
    solve_session,
)

Progress = Callable[[str, float], None]
#: a session is solved again at most this often without cases its equipment cannot take
PLACE_ROUNDS = 3


@dataclass
class ProgramPlan:
    """The program with what a coordinator needs beside it."""

    program: Program
    #: the hospital the program is for: the input with the released sessions opened
    #: (``specialty_id=None``); check the program against this one
    hospital: Hospital
    incomplete: list[IncompleteCase]
    rules: list[str]
    overrun_probability: dict[str, float]  # session id -> planned chance of a 30+ min overrun
    stats: dict[str, float] = field(default_factory=dict)
    released: tuple[str, ...] = ()  # sessions their own specialty could not staff, refilled
    #: staffed hours from need: session id -> an earlier staffed end at which its list still
    #: keeps within ``risk.give_back_within`` (whole ``risk.give_back_step_min`` steps; only
    #: sessions that can give back at least one); a proposal for the coordinator, not applied
    staffed_ends: dict[str, int] = field(default_factory=dict)


def plan_program(hospital: Hospital, first: date, days: int = 5, *,
                 settings: ProgramSettings | None = None, rules: LocalRules | None = None,
                 durations: DurationSource | None = None, seed: int = 0,
                 time_limit: float = 60.0, exclude: set[str] | None = None,
                 progress: Progress | None = None, condition: bool = True,
                 release: bool = True, deterministic: bool = False) -> ProgramPlan:
    """Plan the elective sessions from ``first`` for ``days`` days (see the module docstring).

    ``exclude`` holds referral ids already planned elsewhere. ``durations`` defaults to each
    procedure's distribution in the hospital instance; pass ``CaseDurations.from_history``.
    ``condition`` (default): each session sees its cases as done by the surgeon who will
    operate them (the session's surgeon for unnamed cases) at its location, as the simulator
    and the control tower see them; without, by the named surgeon (or an average one) anywhere.
    ``release``: a session its own specialty cannot staff that day may be refilled by another
    specialty the room takes (``ProgramPlan.released``; check against ``ProgramPlan.hospital``).
    ``deterministic``: ``time_limit`` is a work limit in CP-SAT's deterministic seconds, spread
    over the sessions by the work used so far, never by the wall clock: the same instance and
    seed give the same program on an idle or a loaded machine (the simulator plans this way).
    """
    if not isinstance(days, int) or not 1 <= days <= 31:
        raise ModelError("days", days, "must be a whole number of days from 1 to 31")
    if time_limit <= 0:
        raise ModelError("time_limit", time_limit, "must be positive seconds")
    started = time.perf_counter()
    cfg = settings or ProgramSettings()
    local = rules or LocalRules.from_toml()
    source = durations or CaseDurations()
    say = progress or (lambda _step, _share: None)
    last = first + timedelta(days=days - 1)
    taken = set(exclude or ())
    pending: dict[str, dict[str, Candidate]] = defaultdict(dict)  # specialty -> id -> candidate
    ready = [r for r in hospital.referrals if r.ready and r.id not in taken]
    source.prefetch(ready, hospital)  # one batch prediction for the waiting list
    for r in ready:
        dist = source.distribution(r, hospital)
        pending[r.specialty_id][r.id] = Candidate(r, hospital.procedure_by_id[r.procedure_code],
                                                  Moments.of(dist))
    groups: dict[tuple[date, str], list[Session]] = defaultdict(list)
    for s in hospital.sessions_between(first, last):
        if not s.emergency:
            groups[(s.date, hospital.room_by_id[s.room_id].location_id)].append(s)
    order = sorted(groups)
    total_sessions = sum(len(v) for v in groups.values())
    day_leads: dict[date, dict[str, Lead]] = {}
    released: list[str] = []
    busy: dict[date, set[str]] = defaultdict(set)  # surgeons committed to a session that day
    entries: list[ProgramEntry] = []
    risk: dict[str, float] = {}
    staffed_ends: dict[str, int] = {}
    # the program so far, as plan.check's feasibility kernel judges each timed list against it
    kernel = ProgramState(hospital, rules=local)
    rounds = done = optimal = 0
    meter = _Meter()
    conditioned: dict[tuple[str, str | None, str], Candidate] = {}
    admits = Admissions(ProgramState(hospital, rules=local))  # which case may go where (no times)
    risk_used = 0.0
    conditional = source.distribution if condition else None
    for key in order:
        day, location_id = key
        location = hospital.location_by_id[location_id]
        if day not in day_leads:
            day_leads[day] = _day_leads(hospital, [s for (d, _), ss in groups.items() if d == day
                                                   for s in ss], pending, last, release)
            released.extend(sid for sid, lead in day_leads[day].items() if lead.released)
        slots = _slots(hospital, [day_leads[day][s.id] for s in groups[key]], pending, busy[day],
                       cfg, local, last, admits, conditional, conditioned)
        beds_left = {b.value: n for b, n in location.post_op_beds.items()}
        staffed = max(s.staffed_min for s in groups[key])
        minutes = {eq.id: equipment_minutes(eq.count_per_location.get(location_id, 0), staffed)
                   for eq in hospital.equipment if eq.mobile}
        leads = {lead.surgeon.id: sid for sid, lead in day_leads[day].items()
                 if lead.surgeon is not None}
        for slot in slots:
            say(f"{day} {slot.session.room_id}", done / max(1, total_sessions))
            spent = meter.work if deterministic else time.perf_counter() - started
            budget = min(cfg.solver.session_time_s,
                         max(MIN_SOLVE_S, (time_limit * 0.9 - spent) / (total_sessions - done)))
            allowed = cfg.risk.target_share * (done + 1) - risk_used
            solve = partial(_solve_slot, pending=pending, busy=busy[day], leads=leads,
                            limits=Limits(beds_left, minutes, allowed), cfg=cfg, seed=seed,
                            time_limit=budget, deterministic=deterministic, meter=meter)
            attempt = partial(_solve_and_place, kernel, solve=solve,
                              sequencing=cfg.sequencing.rules)
            tried = attempt(slot)
            if not tried.entries and release:
                make_slot = partial(_slots, hospital, pending=pending, busy=busy[day], cfg=cfg,
                                    local=local, last=last, conditional=conditional,
                                    admits=admits, cache=conditioned)
                refilled = _refill_empty(hospital, slot, busy[day] | set(leads), pending,
                                         make_slot, attempt)
                if refilled is not None:
                    if slot.surgeon is not None:  # free again for their own named cases
                        leads.pop(slot.surgeon.id, None)
                    tried = refilled
                    slot = tried.slot
                    assert slot.surgeon is not None
                    leads[slot.surgeon.id] = slot.session.id
                    day_leads[day][slot.session.id] = Lead(slot.session, slot.specialty_id,
                                                           slot.surgeon, True)
                    released.append(slot.session.id)
            outcome, session_entries = tried.outcome, tried.entries
            kernel.use_session(slot.session)
            for e in session_entries:
                kernel.add(e)
            rounds += outcome.rounds
            optimal += outcome.status == "OPTIMAL"
            done += 1
            kept = {e.case_id for e in session_entries}
            final = [c for c in outcome.cases if c.id in kept]
            for c in final:
                pending[c.referral.specialty_id].pop(c.id, None)
                bed = c.procedure.bed_type.value
                if bed in beds_left:
                    beds_left[bed] -= 1
                for eq in mobile_equipment(c, slot.room, minutes):
                    minutes[eq] -= c.moments.mean
            for e in session_entries:
                busy[day].add(e.surgeon_id)
            probability = session_overrun_probability(slot, final)
            risk_used += probability
            risk[slot.session.id] = probability
            entries.extend(session_entries)
            end = staffed_end_from_need(slot, final, session_entries, hospital.allowed_overtime_min,
                                        cfg.risk)
            if end is not None:
                staffed_ends[slot.session.id] = end
    say("done", 1.0)
    specialties = {lead.specialty_id for leads in day_leads.values() for lead in leads.values()}
    locations = {loc for _, loc in groups}
    opened = set(released)
    planned_for = hospital if not opened else hospital.replace(sessions=tuple(
        replace(s, specialty_id=None) if s.id in opened else s for s in hospital.sessions))
    return ProgramPlan(
        program=Program(tuple(entries), method="optimise"),
        hospital=planned_for,
        incomplete=incomplete_cases(hospital, taken),
        rules=local.describe(specialties, locations),
        overrun_probability=risk,
        stats={"solve_seconds": time.perf_counter() - started, "sessions": float(total_sessions),
               "solver_rounds": float(rounds), "cases": float(len(entries)),
               "sessions_solved_to_optimality": float(optimal),
               "mean_overrun_probability": risk_used / max(1, total_sessions),
               "sessions_released": float(len(released)), "solver_work": meter.work,
               "minutes_to_give_back": float(sum(
                   planned_for.session_by_id[s].end_min - end for s, end in staffed_ends.items()))},
        released=tuple(sorted(released)),
        staffed_ends=staffed_ends,
    )


def staffed_end_from_need(slot: SessionSlot, cases: list[Candidate], entries: list[ProgramEntry],
                          allowed_overtime_min: int, risk: Risk) -> int | None:
    """The earliest staffed end, in whole steps, at which the session's list keeps within
    ``risk.give_back_within`` and every planned end within the allowed overtime; None when no
    step can be given back (or the step is 0)."""
    if not cases or risk.give_back_step_min <= 0:
        return None
    return earliest_staffed_end([c.moments for c in cases], slot.turnover * (len(cases) - 1),
                                slot.session, slot.capacity, max(e.end_min for e in entries),
                                allowed_overtime_min, slot.overrun_min, risk.give_back_within,
                                risk.give_back_step_min)


@dataclass
class _Meter:
    """CP-SAT's deterministic time used by every solve of the call (refused and released
    attempts included): what a deterministic budget is spent against."""

    work: float = 0.0


@dataclass
class _Attempt:
    """A session solved and timed against the program so far (its entries are added to the
    kernel only if the attempt is taken)."""

    slot: SessionSlot
    outcome: Outcome
    entries: list[ProgramEntry]

    @property
    def worth(self) -> float:
        kept = {e.case_id for e in self.entries}
        return sum(self.slot.points[c.id] for c in self.outcome.cases if c.id in kept)


def _solve_and_place(kernel: ProgramState, slot: SessionSlot, *,
                     solve: Callable[[SessionSlot, frozenset[str]], Outcome],
                     sequencing: tuple[str, ...]) -> _Attempt:
    """Solve the slot, then order and time its list. A case the kernel refuses at any time in
    any order (its mobile equipment in use elsewhere, above all) is given back and the session
    solved again without it, so its minutes go to another case rather than stay empty."""
    refused: frozenset[str] = frozenset()
    for round_ in range(PLACE_ROUNDS):
        outcome = solve(slot, refused)
        placed = [Placed(c, c.referral.surgeon_id or _surgeon_id(slot.surgeon))
                  for c in outcome.cases]
        entries, dropped = place_session(kernel, slot.session, slot.turnover, placed,
                                         sequencing, slot.rules)
        if not dropped or round_ == PLACE_ROUNDS - 1:
            break
        refused |= {p.candidate.id for p in dropped}
    return _Attempt(slot, outcome, entries)


def _solve_slot(slot: SessionSlot, refused: frozenset[str] = frozenset(), *,
                pending: dict[str, dict[str, Candidate]], busy: set[str],
                leads: dict[str, str], limits: Limits, cfg: ProgramSettings, seed: int,
                time_limit: float, deterministic: bool = False,
                meter: _Meter | None = None) -> Outcome:
    """Offer the slot its open options (less ``refused``) and solve it;
    ``limits.risk_allowed`` is the running budget, capped here by the slot's own ceiling."""
    slot.options = [c for c in _open_options(slot, pending, busy, leads,
                                             cfg.solver.options_per_session)
                    if c.id not in refused]
    own = replace(limits, risk_allowed=min(slot.max_probability, limits.risk_allowed))
    outcome = solve_session(slot, own, seed=seed, time_limit=time_limit,
                            risk_price=cfg.objective.overtime_risk * _worth_per_minute(slot),
                            deterministic=deterministic)
    if meter is not None:
        meter.work += outcome.work
    return outcome


def _worth_per_minute(slot: SessionSlot) -> float:
    """The mean points per planned minute of the slot's options. The overrun price is in
    ordinary minutes; scaled by this, a percentage point of overrun chance costs every session
    the same minutes, so the risk budget goes where it buys the most use rather than to the
    sessions with the most urgent lists (whose points would otherwise buy any risk)."""
    minutes = sum(c.moments.mean + slot.turnover for c in slot.options)
    if minutes <= 0:
        return 1.0
    return sum(slot.points[c.id] for c in slot.options) / minutes


def _refill_empty(hospital: Hospital, slot: SessionSlot, working: set[str],
                  pending: dict[str, dict[str, Candidate]],
                  make_slot: Callable[[list[Lead]], list[SessionSlot]],
                  attempt: Callable[[SessionSlot], _Attempt]) -> _Attempt | None:
    """A session its own specialty leaves empty (no waiting case fits its beds, equipment or
    risk) is released to the other specialty the room takes whose list fills it best, with a
    surgeon of it who works nowhere else that day (``working``)."""
    named = {c.referral.surgeon_id for cases in pending.values() for c in cases.values()
             if c.referral.surgeon_id is not None}
    location_id = slot.room.location_id
    best: _Attempt | None = None
    for specialty_id in sorted(slot.room.specialties - {slot.specialty_id}):
        free = [s for s in hospital.surgeons(specialty_id)
                if s.id not in working and s.available_on(slot.session.date)
                and (not s.location_ids or location_id in s.location_ids)]
        if not free or not pending.get(specialty_id):
            continue
        surgeon = min(free, key=lambda s: (s.id in named, -len(s.competences), s.id))
        tried = attempt(make_slot([Lead(slot.session, specialty_id, surgeon, True)])[0])
        if tried.entries and (best is None or tried.worth > best.worth):
            best = tried
    return best


def _surgeon_id(surgeon: Staff | None) -> str:
    assert surgeon is not None, "unnamed cases are offered only to sessions with a surgeon"
    return surgeon.id


def _open_options(slot: SessionSlot, pending: dict[str, dict[str, Candidate]], busy: set[str],
                  leads: dict[str, str], size: int) -> list[Candidate]:
    """The slot's options still waiting, whose named surgeon is free for this session; the
    best ``size`` by points per minute, plus the best of each procedure (sizes to fill with)."""
    waiting = pending.get(slot.specialty_id, {})
    open_ = []
    for c in slot.options:
        if c.id not in waiting:
            continue
        surgeon = c.referral.surgeon_id
        if surgeon is not None and (surgeon in busy or leads.get(surgeon, slot.session.id)
                                    != slot.session.id):
            continue
        open_.append(c)
    open_.sort(key=lambda c: (-slot.points[c.id] / (c.moments.mean + slot.turnover), c.id))
    chosen = open_[:size]
    codes = {c.referral.procedure_code for c in chosen}
    for c in open_[size:]:
        if c.referral.procedure_code not in codes:
            chosen.append(c)
            codes.add(c.referral.procedure_code)
    return chosen


def _slots(hospital: Hospital, leads: list[Lead], pending: dict[str, dict[str, Candidate]],
           busy: set[str], cfg: ProgramSettings, local: LocalRules, last: date,
           admits: Admissions | None = None, conditional: Callable[..., LogNormal] | None = None,
           cache: dict[tuple[str, str | None, str], Candidate] | None = None) -> list[SessionSlot]:
    """The location-day's sessions with their lead surgeon and every case they could take; with
    ``conditional``, each case's moments for the surgeon who would operate it there."""
    memo = cache if cache is not None else {}
    admits = admits or Admissions(ProgramState(hospital, rules=local))

    def as_done(c: Candidate, surgeon: Staff | None, location_id: str) -> Candidate:
        if conditional is None:
            return c
        who = c.referral.surgeon_id or (surgeon.id if surgeon is not None else None)
        key = (c.id, who, location_id)
        done = memo.get(key)
        if done is None or done.referral is not c.referral:
            done = memo[key] = replace(c, moments=Moments.of(conditional(
                c.referral, hospital, surgeon_id=who, location_id=location_id)))
        return done

    day = leads[0].session.date
    location_id = hospital.room_by_id[leads[0].session.room_id].location_id
    per_specialty: dict[str, list[Lead]] = defaultdict(list)
    for lead in leads:
        per_specialty[lead.specialty_id].append(lead)
    slots: list[SessionSlot] = []
    for specialty_id, spec_leads in sorted(per_specialty.items()):
        # the sessions as they are filled (one released to this specialty is open to it)
        spec_sessions = [lead.session if lead.session.specialty_id == specialty_id
                         else replace(lead.session, specialty_id=None) for lead in spec_leads]
        surgeons = [lead.surgeon for lead in spec_leads]
        rooms = [hospital.room_by_id[s.room_id] for s in spec_sessions]
        pool = _pool(hospital, admits, pending.get(specialty_id, {}), day, busy, cfg, last,
                     list(zip(spec_sessions, surgeons, strict=True)))
        turnover = hospital.specialty_by_id[specialty_id].turnover_min
        session_rules = local.for_session(location_id, specialty_id)
        ceiling = min(cfg.risk.max_probability,
                      session_rules.max_probability or cfg.risk.max_probability)
        for s, room, surgeon in zip(spec_sessions, rooms, surgeons, strict=True):
            slot = SessionSlot(s, room, specialty_id, turnover, session_rules, ceiling,
                               cfg.risk.overrun_min, surgeon)
            for c in pool:
                if not admits(c, s, surgeon):
                    continue
                c = as_done(c, surgeon, location_id)
                if c.moments.mean + 1 > s.staffed_min + hospital.allowed_overtime_min:
                    continue
                weight = urgency_weight(c.referral, day, last, hospital.today, cfg.objective)
                slot.options.append(c)
                slot.points[c.id] = (cfg.objective.utilisation * (1.0 + weight)
                                     * (c.moments.mean + turnover))
            slots.append(slot)
    return slots


def _pool(hospital: Hospital, admits: Admissions, waiting: dict[str, Candidate], day: date,
          busy: set[str], cfg: ProgramSettings, last: date,
          sessions: list[tuple[Session, Staff | None]]) -> list[Candidate]:
    """The most urgent ready cases that could go in one of the sessions (with their named
    surgeon, not yet committed elsewhere that day, or the session's lead), plus a few of each
    procedure so the solver has sizes to fill with."""
    eligible = []
    for c in waiting.values():
        if c.referral.surgeon_id in busy:
            continue
        if not any(admits(c, s, lead) for s, lead in sessions):
            continue
        eligible.append(c)
    eligible.sort(key=lambda c: (-urgency_weight(c.referral, day, last, hospital.today, cfg.objective),
                                 c.referral.deadline, c.id))
    size = cfg.solver.candidates_per_session * len(sessions)
    chosen = eligible[:size]
    seen = {c.id for c in chosen}
    per_procedure: dict[str, int] = defaultdict(int)
    for c in chosen:
        per_procedure[c.referral.procedure_code] += 1
    for c in eligible[size:]:
        code = c.referral.procedure_code
        if per_procedure[code] < 2 and c.id not in seen:
            chosen.append(c)
            per_procedure[code] += 1
    return chosen


def _refill_specialty(hospital: Hospital, session: Session,
                      pending: dict[str, dict[str, Candidate]], last: date) -> str:
    """An open session (released time) goes to the specialty the room takes with the most
    ready cases due soon: refilled from any specialty's list that can use the room."""
    room = hospital.room_by_id[session.room_id]
    soon = last + timedelta(days=SOON_DAYS)

    def demand(specialty_id: str) -> tuple[int, int]:
        waiting = pending.get(specialty_id, {}).values()
        usable = [c for c in waiting if hospital.room_takes(room, c.procedure)]
        return sum(c.referral.deadline <= soon for c in usable), len(usable)

    return max(sorted(room.specialties), key=demand)


def _day_leads(hospital: Hospital, sessions: list[Session], pending: dict[str, dict[str, Candidate]],
               last: date, release: bool) -> dict[str, Lead]:
    """The day's lead surgeons for all its locations at once (``leads.py``)."""
    own = {s.id: s.specialty_id or _refill_specialty(hospital, s, pending, last) for s in sessions}
    named = {c.referral.surgeon_id for cases in pending.values() for c in cases.values()
             if c.referral.surgeon_id is not None}
    waiting = {specialty: cases.values() for specialty, cases in pending.items()} if release else {}
    return assign_leads(hospital, sessions, own, waiting, named)
