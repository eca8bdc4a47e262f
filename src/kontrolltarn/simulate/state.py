"""The plan as it evolves: waiting list, the program of every future day, and each case's history.

Every change a policy makes goes through ``PlanState``, which appends a ``CaseChange`` (who,
when, why, date before and after). Changes after date and late cancellations are then counted
from that history by ``kontrolltarn.kpi``, exactly as on live data.
"""

from __future__ import annotations

import bisect
import heapq
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kontrolltarn.model import (
    CancellationReason,
    Case,
    CaseChange,
    ChangeKind,
    Hospital,
    ModelError,
    Patient,
    Program,
    ProgramEntry,
    Referral,
    Session,
    Staff,
)

from .absences import Absence


@dataclass(frozen=True)
class SessionChange:
    """A decision on a session ahead of its day: given to another specialty, released, or its
    end given back (``shortened``, with the staffed end before and after)."""

    at: datetime
    session_id: str
    kind: str  # reassigned | released | shortened
    old_specialty: str | None
    new_specialty: str | None
    by: str
    old_end_min: int | None = None
    new_end_min: int | None = None


@dataclass
class Planned:
    """Where a case is in the current plan, and whether the patient has been told."""

    entry: ProgramEntry
    told_at: datetime | None = None
    told_date: date | None = None
    #: readiness items still open when the case was planned (raises the medical risk)
    gaps_when_planned: int = 0
    #: how many times this case has been put on a program (1 = first); keys its random draws
    attempt: int = 1


class PlanState:
    """Mutable plan of the simulated hospital. Policies read it and change it through its
    methods; the simulator executes what it holds for each day."""

    def __init__(self, hospital: Hospital, sessions: list[Session], absences: list[Absence]) -> None:
        self.base = hospital
        self.zone = ZoneInfo(hospital.timezone)
        self._midnights: dict[date, datetime] = {}
        self.now: datetime = self.stamp(hospital.today, 0)
        self.referrals: dict[str, Referral] = {r.id: r for r in hospital.referrals}
        self.patients: dict[str, Patient] = {p.id: p for p in hospital.patients}
        self.history: dict[str, list[CaseChange]] = {r.id: [] for r in hospital.referrals}
        self.waiting: set[str] = set(self.referrals)  # on the list, not in any program
        self.done: set[str] = set()
        self.removed: set[str] = set()
        self.planned: dict[str, Planned] = {}
        self.by_session: dict[str, list[str]] = defaultdict(list)  # session id -> case ids
        self.sessions: dict[str, Session] = {s.id: s for s in sessions}
        self.sessions_by_date: dict[date, list[Session]] = defaultdict(list)
        for s in sorted(sessions, key=lambda s: (s.date, s.room_id)):
            self.sessions_by_date[s.date].append(s)
        self.closed: set[str] = set()  # session ids closed (staff shortage, or released)
        self.session_log: list[SessionChange] = []  # sessions reassigned or released ahead
        self._absences = sorted(absences, key=lambda a: a.known_from)
        self._absence_cursor = 0
        self.absent: dict[date, set[str]] = defaultdict(set)  # known absences
        self.surgeons: tuple[Staff, ...] = tuple(hospital.surgeons())
        self.program_log: list[ProgramEntry] = []  # every entry the plan ever held
        self.new_placements: list[tuple[str, int, date]] = []  # drained by the simulator
        self._attempts: dict[str, int] = defaultdict(int)
        #: per specialty, the waiting referrals that are ready, in deadline order: kept up to
        #: date by every change of the list (filtering the whole list per call was 6 % of a year)
        self._ready: dict[str, list[Referral]] = defaultdict(list)
        for referral in sorted(self.referrals.values(), key=_deadline_order):
            if not referral.readiness_missing:
                self._ready[referral.specialty_id].append(referral)
        #: (case, attempt) whose patient had a pre-operative confirmation contact
        self.contacted: set[tuple[str, int]] = set()
        #: referrals whose missing readiness items are being chased (drained by the simulator)
        self.chased: set[str] = set()
        self.chased_new: list[str] = []
        #: whether a patient accepts a date offered at short notice; the simulator sets it from
        #: the environment (``EnvironmentParams.short_notice_accept_share``)
        self.accepts_short_notice: Callable[[str], bool] = lambda _referral_id: True
        #: whether a patient who cancels their own date takes a new one offered on the same
        #: call (``EnvironmentParams.date_on_call_accept_share``)
        self.accepts_date_on_call: Callable[[str], bool] = lambda _referral_id: True
        #: whether a patient whose named surgeon is away accepts another surgeon of the team on
        #: the same date (``EnvironmentParams.stand_in_accept_share``)
        self.accepts_stand_in: Callable[[str], bool] = lambda _referral_id: True

    # ---- time --------------------------------------------------------------------------------
    def stamp(self, day: date, minute: float) -> datetime:
        """A timezone-aware moment ``minute`` minutes (wall clock) past ``day``'s midnight."""
        midnight = self._midnights.get(day)
        if midnight is None:
            midnight = self._midnights[day] = datetime.combine(day, time(), self.zone)
        return midnight + timedelta(minutes=int(minute))

    def advance(self, now: datetime) -> list[Absence]:
        """Move the clock; returns the surgeon absences that became known."""
        self.now = max(self.now, now)
        news = []
        while self._absence_cursor < len(self._absences) and \
                self._absences[self._absence_cursor].known_from <= self.now.date():
            absence = self._absences[self._absence_cursor]
            self.absent[absence.day].add(absence.surgeon_id)
            news.append(absence)
            self._absence_cursor += 1
        return news

    # ---- the waiting list --------------------------------------------------------------------
    def add_referrals(self, referrals: list[Referral], patients: list[Patient]) -> None:
        for patient in patients:
            self.patients[patient.id] = patient
        for referral in referrals:
            if referral.id in self.referrals:
                raise ModelError("referral.id", referral.id, "duplicate referral in the simulation")
            self.referrals[referral.id] = referral
            self.history[referral.id] = []
            self.waiting.add(referral.id)
            self._enter(referral)

    def update_referral(self, referral: Referral) -> None:
        """A referral changed (readiness completed, say)."""
        old = self.referrals[referral.id]
        if old.id in self.waiting:
            self._leave(old)
        self.referrals[referral.id] = referral
        if referral.id in self.waiting:
            self._enter(referral)

    def ready_waiting(self) -> list[Referral]:
        """Waiting referrals that may be offered a date, in deadline order."""
        return list(heapq.merge(*self._ready.values(), key=_deadline_order))

    def ready_by_specialty(self) -> dict[str, list[Referral]]:
        """``ready_waiting`` per specialty (each list a copy, in deadline order)."""
        return defaultdict(list, {s: list(rs) for s, rs in self._ready.items() if rs})

    def _enter(self, referral: Referral) -> None:
        """The referral is (back) on the waiting list."""
        if not referral.readiness_missing:
            bisect.insort(self._ready[referral.specialty_id], referral, key=_deadline_order)

    def _leave(self, referral: Referral) -> None:
        """The referral left the waiting list (planned, or changed)."""
        ready = self._ready[referral.specialty_id]
        i = bisect.bisect_left(ready, _deadline_order(referral), key=_deadline_order)
        if i < len(ready) and ready[i].id == referral.id:
            del ready[i]

    # ---- the program -------------------------------------------------------------------------
    def open_sessions(self, day: date) -> list[Session]:
        return [s for s in self.sessions_by_date.get(day, ()) if s.id not in self.closed]

    def entries(self, session_id: str) -> list[ProgramEntry]:
        return sorted((self.planned[c].entry for c in self.by_session.get(session_id, ())),
                      key=lambda e: (e.order, e.start_min))

    def program(self, first: date, days: int) -> Program:
        """The current program for a window of days."""
        entries = [self.planned[c].entry for d in range(days)
                   for s in self.sessions_by_date.get(first + timedelta(days=d), ())
                   for c in self.by_session.get(s.id, ())]
        return Program(tuple(entries), method="simulation")

    def planned_on(self, day: date) -> list[str]:
        return [c for s in self.sessions_by_date.get(day, ()) for c in self.by_session.get(s.id, ())]

    def planning_hospital(self, first: date, days: int, candidates_per_session: int = 12) -> Hospital:
        """The instance a planner sees: the open sessions of the window, surgeons with their
        known absences, and the top of each specialty's ready waiting list (a coordinator looks
        at the top of the list; the rest could not be chosen before them anyway)."""
        window = [first + timedelta(days=k) for k in range(days)]
        # a session already holding cases (a patient given a new date there ahead of the
        # planning) is not offered; its surgeons operate there that day (their beds and
        # equipment: ``held``, for a planner that plans around them)
        held = {d: {self.planned[c].entry.surgeon_id for s in self.open_sessions(d)
                    for c in self.by_session.get(s.id, ())} for d in window}
        sessions = [s for d in window for s in self.open_sessions(d) if not self.by_session.get(s.id)]
        need: dict[str, int] = defaultdict(int)
        for s in sessions:
            if s.specialty_id is not None:
                need[s.specialty_id] += candidates_per_session
        referrals = sorted((r for specialty, n in need.items() for r in self._ready[specialty][:n]),
                           key=_deadline_order)
        staff = tuple(replace(s, unavailable=frozenset(d for d in window if s.id in self.absent.get(d, ())
                                                       or s.id in held[d]))
                      for s in self.surgeons)
        return self.base.replace(today=self.now.date(), referrals=tuple(referrals),
                                 patients=self._patients_of(referrals),
                                 sessions=tuple(sessions), staff=staff, cases=(), emergencies=())

    def held(self, first: date, days: int) -> list[tuple[ProgramEntry, Session, Referral]]:
        """The cases already in the window's open sessions (given a date there ahead of the
        planning), with their session and referral: what a planner plans around."""
        window = [first + timedelta(days=k) for k in range(days)]
        return [(self.planned[c].entry, s, self.referrals[c]) for d in window
                for s in self.open_sessions(d) for c in self.by_session.get(s.id, ())]

    def checking_hospital(self, day: date) -> Hospital:
        """The hospital as the plan knows it now, for judging ``day``'s program with
        ``plan.check``: the day's open sessions, the program's referrals and patients, surgeons
        with the absences known so far."""
        cases = self.planned_on(day)
        referrals = tuple(self.referrals[c] for c in cases)
        staff = tuple(replace(s, unavailable=frozenset((day,)) if s.id in self.absent.get(day, ())
                              else frozenset()) for s in self.surgeons)
        return self.base.replace(today=self.now.date(), referrals=referrals,
                                 patients=self._patients_of(referrals),
                                 sessions=tuple(self.open_sessions(day)), staff=staff, cases=(),
                                 emergencies=())

    def _patients_of(self, referrals: tuple[Referral, ...] | list[Referral]) -> tuple[Patient, ...]:
        """The referrals' patients, each once (a patient may wait for two operations)."""
        return tuple(self.patients[p] for p in dict.fromkeys(r.patient_id for r in referrals))

    def repair_view(self, first: date, days: int, extra_sessions: tuple[Session, ...] = (),
                    waiting: tuple[Referral, ...] = ()) -> tuple[Hospital, Program]:
        """The hospital and program ``plan.repair`` sees for the days ``first``.. ``first+days-1``:
        the open sessions (plus ``extra_sessions``: the closed ones still holding cases), the
        referrals and patients of the program (plus ``waiting``: referrals that may be added),
        surgeons with the absences known so far."""
        window = [first + timedelta(days=k) for k in range(days)]
        sessions = tuple(s for d in window for s in self.open_sessions(d)) + tuple(extra_sessions)
        program = self.program(first, days)  # holds the entries of closed sessions too
        referrals = tuple(self.referrals[e.case_id] for e in program.entries) + waiting
        staff = tuple(replace(s, unavailable=frozenset(d for d in window if s.id in self.absent.get(d, ())))
                      for s in self.surgeons)
        hospital = self.base.replace(today=self.now.date(), referrals=referrals,
                                     patients=self._patients_of(referrals),
                                     sessions=sessions, staff=staff, cases=(), emergencies=())
        return hospital, program

    # ---- decisions (each appends to the case's history) --------------------------------------
    def _record(self, case_id: str, kind: ChangeKind, *, new_date: date | None = None,
                old_date: date | None = None, reason: CancellationReason | None = None,
                by: str, at: datetime | None = None, note: str = "") -> None:
        history = self.history[case_id]
        moment = max(at or self.now, history[-1].at) if history else (at or self.now)
        history.append(CaseChange(moment, kind, new_date, old_date, reason, by, note))

    def place(self, entry: ProgramEntry, *, by: str, tell: bool, gaps: int = 0) -> None:
        """Put a waiting case into a session (SCHEDULED), and tell the patient if ``tell``."""
        cid = entry.case_id
        if cid not in self.waiting:
            raise ModelError("entry.case_id", cid, "is not on the waiting list")
        self.waiting.discard(cid)
        self._leave(self.referrals[cid])
        self._attempts[cid] += 1
        self.planned[cid] = Planned(entry, gaps_when_planned=gaps, attempt=self._attempts[cid])
        self.new_placements.append((cid, self._attempts[cid], entry.date))
        self.by_session[entry.session_id].append(cid)
        self.program_log.append(entry)
        self._record(cid, ChangeKind.SCHEDULED, new_date=entry.date, by=by)
        if tell:
            self.tell(cid, by=by)

    def ever_told(self, case_id: str) -> bool:
        """Whether the patient was ever told a date: from then on every change of the case's
        date counts as a change after date (``kpi.changes_after_date``), told or not."""
        planned = self.planned.get(case_id)
        return (planned is not None and planned.told_at is not None) or \
            any(c.kind is ChangeKind.TOLD for c in self.history[case_id])

    def tell(self, case_id: str, *, by: str) -> None:
        planned = self.planned[case_id]
        if planned.told_date == planned.entry.date:
            return
        planned.told_at, planned.told_date = self.now, planned.entry.date
        self._record(case_id, ChangeKind.TOLD, new_date=planned.entry.date, by=by)

    def move(self, case_id: str, entry: ProgramEntry, *, by: str,
             reason: CancellationReason | None = None, at: datetime | None = None,
             tell: bool = True) -> None:
        """Change a planned case's date, room or order (RESCHEDULED). A new date is a new
        placement for the environment: the patient may cancel with notice before it, as after
        any date given (the draws of the old date no longer apply)."""
        planned = self.planned[case_id]
        old = planned.entry
        self.by_session[old.session_id].remove(case_id)
        self.by_session[entry.session_id].append(case_id)
        planned.entry = entry
        if entry.date != old.date:
            self._attempts[case_id] += 1
            planned.attempt = self._attempts[case_id]
            self.new_placements.append((case_id, planned.attempt, entry.date))
        self.program_log.append(entry)
        self._record(case_id, ChangeKind.RESCHEDULED, new_date=entry.date, old_date=old.date,
                     reason=reason, by=by, at=at)
        if planned.told_at is not None and tell:
            planned.told_date = entry.date
        elif planned.told_at is not None:
            planned.told_date = None

    def unschedule(self, case_id: str, *, by: str, reason: CancellationReason | None = None,
                   at: datetime | None = None) -> None:
        """Take a case off the program with notice; it goes back to the waiting list."""
        planned = self.planned.pop(case_id)
        self.by_session[planned.entry.session_id].remove(case_id)
        self.waiting.add(case_id)
        self._enter(self.referrals[case_id])
        self._record(case_id, ChangeKind.UNSCHEDULED, old_date=planned.entry.date, reason=reason,
                     by=by, at=at)

    def cancel(self, case_id: str, reason: CancellationReason, *, at: datetime, by: str,
               remove: bool = False) -> None:
        """Strike a case from its day's program; it returns to the waiting list unless removed."""
        planned = self.planned.pop(case_id)
        self.by_session[planned.entry.session_id].remove(case_id)
        self._record(case_id, ChangeKind.CANCELLED, old_date=planned.entry.date, reason=reason,
                     by=by, at=at)
        if remove:
            self.removed.add(case_id)
            self._record(case_id, ChangeKind.REMOVED, by=by, at=at)
        else:
            self.waiting.add(case_id)
            self._enter(self.referrals[case_id])

    # ---- sessions: the block plan's decisions ahead of the day ----------------------------------
    def reassign(self, session_id: str, specialty_id: str, *, by: str) -> Session:
        """Give an empty session to another specialty the room takes (block time released to
        another list ahead of the day); recorded in ``session_log``."""
        session = self._empty_session(session_id, "reassign")
        room = self.base.room_by_id[session.room_id]
        if specialty_id not in room.specialties:
            raise ModelError("specialty_id", specialty_id,
                             f"room {room.id} takes only {sorted(room.specialties)}")
        new = replace(session, specialty_id=specialty_id)
        self.sessions[session_id] = new
        day = self.sessions_by_date[session.date]
        day[day.index(session)] = new
        self.session_log.append(SessionChange(self.now, session_id, "reassigned",
                                              session.specialty_id, specialty_id, by))
        return new

    def release(self, session_id: str, *, by: str) -> None:
        """Give an empty session back ahead of the day: it is not staffed (its staff have other
        work), so it neither runs nor counts in staffed hours; recorded in ``session_log``."""
        session = self._empty_session(session_id, "release")
        self.closed.add(session_id)
        self.session_log.append(SessionChange(self.now, session_id, "released",
                                              session.specialty_id, None, by))

    def shorten(self, session_id: str, end_min: int, *, by: str) -> Session:
        """Give back the end of a session ahead of the day, its list expected done well before:
        staffed hours end at ``end_min`` (the staff have other work after), so the rest neither
        runs nor counts in staffed hours; recorded in ``session_log``."""
        session = self.sessions.get(session_id)
        if session is None:
            raise ModelError("session_id", session_id, "unknown session")
        if session.emergency or session_id in self.closed:
            raise ModelError("session_id", session_id, "cannot shorten an emergency or closed session")
        if not session.start_min < end_min < session.end_min:
            raise ModelError("end_min", end_min, f"must be inside session {session_id} "
                             f"({session.start_min}-{session.end_min})")
        new = replace(session, end_min=end_min)
        self.sessions[session_id] = new
        day = self.sessions_by_date[session.date]
        day[day.index(session)] = new
        self.session_log.append(SessionChange(self.now, session_id, "shortened", session.specialty_id,
                                              session.specialty_id, by, session.end_min, end_min))
        return new

    def _empty_session(self, session_id: str, what: str) -> Session:
        session = self.sessions.get(session_id)
        if session is None:
            raise ModelError("session_id", session_id, "unknown session")
        if session.emergency or session_id in self.closed:
            raise ModelError("session_id", session_id, f"cannot {what} an emergency or closed session")
        if self.by_session.get(session_id):
            raise ModelError("session_id", session_id, f"cannot {what} a session holding cases")
        return session

    def contact(self, case_id: str) -> None:
        """A pre-operative confirmation contact with the patient of a planned case (not a plan
        change: nothing is recorded in the case's history)."""
        planned = self.planned[case_id]
        self.contacted.add((case_id, planned.attempt))

    def was_contacted(self, case_id: str) -> bool:
        planned = self.planned.get(case_id)
        return planned is not None and (case_id, planned.attempt) in self.contacted

    def chase(self, referral_id: str) -> None:
        """Chase a waiting referral's missing readiness items with dates (once)."""
        if referral_id not in self.chased and self.referrals[referral_id].readiness_missing:
            self.chased.add(referral_id)
            self.chased_new.append(referral_id)

    def finish(self, case_id: str, *, at: datetime) -> None:
        planned = self.planned.pop(case_id)
        self.by_session[planned.entry.session_id].remove(case_id)
        self.done.add(case_id)
        self._record(case_id, ChangeKind.DONE, new_date=planned.entry.date,
                     old_date=planned.entry.date, by="theatre", at=at)

    def cases(self) -> list[Case]:
        return [Case(cid, tuple(changes)) for cid, changes in self.history.items()]


def _deadline_order(referral: Referral) -> tuple[date, date, str]:
    return referral.deadline, referral.referral_date, referral.id
