"""The planning cadence: release, fix and lock-down points before each operating day.

- **release** (``release_days`` before): session time the owning specialty cannot fill from its
  ready waiting list is released; the session becomes open (``specialty_id=None``) and the
  planner refills it from the list of any specialty the room takes.
- **fix** (``fix_days``): the lists are fixed; later changes go through ``plan.repair``.
- **lock** (``lock_days``): the list is locked and each patient is told the date, once.

These functions return new values (the hospital and cases are immutable) and record each
decision with who, when and why, so changes after a patient was told stay countable.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from kontrolltarn.model import Case, CaseChange, ChangeKind, Hospital, Program, Session

from .settings import Cadence


class Phase(StrEnum):
    OPEN = "open"  # further out than the release point: anything may change
    RELEASED = "released"  # unused time has been released to other specialties
    FIXED = "fixed"  # lists fixed; changes only through repair
    LOCKED = "locked"  # patients told; changes count as changes after the date was given


def phase_of(session_date: date, today: date, cadence: Cadence | None = None) -> Phase:
    c = cadence or Cadence()
    ahead = (session_date - today).days
    if ahead <= c.lock_days:
        return Phase.LOCKED
    if ahead <= c.fix_days:
        return Phase.FIXED
    if ahead <= c.release_days:
        return Phase.RELEASED
    return Phase.OPEN


def release_unused(hospital: Hospital, first: date, days: int, *, fill_share: float = 0.85,
                   cadence: Cadence | None = None) -> tuple[Hospital, list[str]]:
    """Open the sessions a specialty's ready list cannot fill (latest first), among sessions
    past their release point. Returns the new hospital and the ids of the released sessions.

    Demand is the ready cases' booked minutes plus turnover; a session holds ``fill_share`` of
    its staffed minutes on average.
    """
    c = cadence or Cadence()
    last = first + timedelta(days=days - 1)
    sessions = [s for s in hospital.sessions_between(first, last)
                if not s.emergency and s.specialty_id is not None
                and phase_of(s.date, hospital.today, c) is not Phase.OPEN]
    demand: dict[str, float] = defaultdict(float)
    for r in hospital.referrals:
        if r.ready:
            demand[r.specialty_id] += r.booked_min + hospital.specialty_by_id[r.specialty_id].turnover_min
    by_specialty: dict[str, list[Session]] = defaultdict(list)
    for s in sessions:
        assert s.specialty_id is not None
        by_specialty[s.specialty_id].append(s)
    released: set[str] = set()
    for specialty_id, own in by_specialty.items():
        capacity = sum(s.staffed_min for s in own) / len(own) * fill_share
        needed = math.ceil(demand[specialty_id] / capacity) if capacity else 0
        for s in sorted(own, key=lambda s: (s.date, s.room_id))[needed:]:
            released.add(s.id)
    if not released:
        return hospital, []
    new_sessions = tuple(replace(s, specialty_id=None) if s.id in released else s
                         for s in hospital.sessions)
    return hospital.replace(sessions=new_sessions), sorted(released)


def lock_down(hospital: Hospital, program: Program, now: datetime, *,
              cadence: Cadence | None = None, by: str = "planner") -> Hospital:
    """Record the program in the cases: every entry gets SCHEDULED when its date is new; entries
    inside the lock window are TOLD (once: a patient already told is not told again unless the
    date changed, which ``plan.repair`` records as a change after the date was given)."""
    c = cadence or Cadence()
    cases = dict(hospital.case_by_id)
    for e in program.entries:
        if e.case_id not in hospital.referral_by_id:
            continue  # emergencies are not told a date
        case = cases.get(e.case_id, Case(e.case_id))
        if case.planned_date != e.date:
            kind = ChangeKind.SCHEDULED if case.planned_date is None else ChangeKind.RESCHEDULED
            case = case.record(CaseChange(now, kind, e.date, case.planned_date, by=by,
                                          note="program"))
        if phase_of(e.date, now.date(), c) is Phase.LOCKED and case.told_at is None:
            case = case.record(CaseChange(now, ChangeKind.TOLD, e.date, by=by, note="lock-down"))
        cases[e.case_id] = case
    return hospital.replace(cases=tuple(cases.values()))
