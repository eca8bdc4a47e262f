"""The feasibility kernel: can case c go in session s at time t with surgeon x, given the
program so far? Answered by the hard rules of ``check``'s registry, each in its incremental form
(``Constraint.placement``, written beside its full form in ``constraints.py``), so a placement
the kernel accepts leaves ``check`` without hard violations, and one it refuses produces exactly
the named violations it reported when forced in.

Every planner, repair, policy and suggestion asks here::

    state = ProgramState(hospital, program)          # the program so far (or empty)
    entry = state.entry_for(case_id, session, start_min, surgeon_id)  # room, date from session
    state.violations(entry)      # [] = OK, else the hard Violations it would add, with amounts
    state.fits(entry)            # the same as a bool, stopping at the first breach
    state.add(entry)             # put it in (unchecked: the caller decided); a case is held
    state.remove(case_id)        #   once, so adding it again moves it
    state.violations(entry, ignore={"c1"})   # as if c1 (about to move) were not there
    state.next_start(session_id) # when a case added at the end of the list could start
    state.beds_left(location_id, day, bed)         # post-operative beds still free (None: any)
    state.use_session(session)  # judge a session as the planner fills it (released: opened)
    state.admissible(case_id, session, surgeon_id)  # the rules that keep it out of the session
                                 #   whatever the time: the planners' pre-filter
    state.find(case_id); state.session_entries(session_id); state.day_entries(day)
    state.program()              # the entries, in the order they were added

``ProgramState`` keeps the program indexed by room-day, session, surgeon-day, mobile equipment
at a location-day and post-operative beds at a location-day, so a test costs a few lookups and
the cases of one room or one surgeon that day. ``sessions``, ``referrals`` and ``absent`` extend
the hospital's own lists for a state whose world grows (the simulator's referrals and sessions
arrive over time, its absences become known): a surgeon listed absent on a day is unavailable
as if the staff calendar said so.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import date

from kontrolltarn.model import (
    Hospital,
    ModelError,
    Program,
    ProgramEntry,
    Referral,
    Session,
    Staff,
)

from .constraints import (
    CONSTRAINTS,
    Placing,
    ResolvedEntry,
    bed_capacity,
    borrowed_equipment,
    resolve_entry,
    room_order,
    unknown_reference,
)
from .local import LocalRules, shipped_rules
from .report import Level, Violation

#: the hard rules, each with its incremental form (checked when this module loads)
HARD_RULES = [c for c in CONSTRAINTS if c.level is Level.HARD]
_missing = [c.name for c in HARD_RULES if c.placement is None]
if _missing:
    raise ImportError(f"hard constraints without an incremental form: {_missing}")
#: rules on the entry alone, called directly (the cheapest and the most often broken, first)
_JUDGES = [c.judge for c in HARD_RULES if c.judge is not None]
#: the others, in their incremental form
_PLACEMENTS = [c.placement for c in HARD_RULES if c.judge is None and c.placement is not None]
#: the rules judged on the entry alone, without times (``Constraint.static``)
_STATIC = [c.judge for c in HARD_RULES if c.static and c.judge is not None]


def _start(r: ResolvedEntry) -> int:
    return r.entry.start_min


def _probe(case_id: str, session: Session, surgeon_id: str) -> ProgramEntry:
    """A one-minute entry at the session's start, for the rules that read no times. Built
    without ``ProgramEntry``'s validation: planners ask this tens of thousands of times, and
    every field comes from a valid session or is judged by the rules themselves."""
    probe = object.__new__(ProgramEntry)
    put = object.__setattr__
    put(probe, "case_id", case_id)
    put(probe, "session_id", session.id)
    put(probe, "room_id", session.room_id)
    put(probe, "date", session.date)
    put(probe, "start_min", session.start_min)
    put(probe, "planned_min", 1)
    put(probe, "surgeon_id", surgeon_id)
    put(probe, "order", 1)
    return probe


class ProgramState:
    """A program being built or changed, indexed for the placement test (module docstring)."""

    def __init__(self, hospital: Hospital, program: Program | Iterable[ProgramEntry] = (), *,
                 sessions: Mapping[str, Session] | None = None,
                 referrals: Mapping[str, Referral] | None = None,
                 absent: Mapping[date, Collection[str]] | None = None,
                 rules: LocalRules | None = None) -> None:
        self.hospital = hospital
        #: the local planning rules every placement keeps (default: the shipped file)
        self.rules = rules if rules is not None else shipped_rules()
        self._sessions = sessions
        self._referrals = referrals
        self._absent = absent
        self._entries: dict[str, ResolvedEntry] = {}
        self._room_day: dict[tuple[str, date], list[ResolvedEntry]] = defaultdict(list)
        self._session: dict[str, list[ResolvedEntry]] = defaultdict(list)
        self._surgeon_day: dict[tuple[str, date], list[ResolvedEntry]] = defaultdict(list)
        self._equipment: dict[tuple[str, str, date], list[tuple[int, int, str]]] = defaultdict(list)
        self._beds: dict[tuple[str, date, str], int] = defaultdict(int)
        self._day: dict[date, dict[str, ResolvedEntry]] = defaultdict(dict)
        for e in program.entries if isinstance(program, Program) else program:
            self.add(e)

    # ---- the lookups the rules read through (as ``constraints.Context``) ----------------------
    def session(self, session_id: str) -> Session | None:
        if self._sessions is not None:
            return self._sessions.get(session_id)
        return self.hospital.session_by_id.get(session_id)

    def referral(self, case_id: str) -> Referral | None:
        if self._referrals is not None:
            return self._referrals.get(case_id)
        return self.hospital.referral_by_id.get(case_id)

    def use_session(self, session: Session) -> None:
        """Judge entries of ``session.id`` against this version of it (a planner that opens a
        session to another specialty says so here)."""
        if self._sessions is None:
            self._sessions = dict(self.hospital.session_by_id)
        if not isinstance(self._sessions, dict):
            self._sessions = dict(self._sessions)
        self._sessions[session.id] = session

    def surgeon_available(self, surgeon: Staff, day: date) -> bool:
        if not surgeon.available_on(day):
            return False
        return self._absent is None or surgeon.id not in self._absent.get(day, ())

    # ---- the placement test ------------------------------------------------------------------
    def violations(self, entry: ProgramEntry, *, ignore: Collection[str] = (),
                   first: bool = False) -> list[Violation]:
        """The hard violations ``entry`` would add to the program ([] = it fits). ``ignore``:
        cases of the program that do not count (about to move); ``first``: stop at the first
        rule broken."""
        resolved, missing = resolve_entry(self, entry)
        found: list[Violation] = []
        if resolved is not None:
            for judge in _JUDGES:
                v = judge(self, resolved)
                if v is not None:
                    found.append(v)
                    if first:
                        return found
        placing = Placing(entry, resolved, missing, ignore)
        for placement in _PLACEMENTS:
            broken = placement(self, placing)
            if broken:
                found.extend(broken)
                if first:
                    break
        return found

    def fits(self, entry: ProgramEntry, *, ignore: Collection[str] = ()) -> bool:
        """Whether ``entry`` keeps every hard rule given the rest of the program."""
        return not self.violations(entry, ignore=ignore, first=True)

    def admissible(self, case_id: str, session: Session, surgeon_id: str) -> list[Violation]:
        """The hard rules that keep the case out of ``session`` with that surgeon whatever its
        time and the rest of the program (specialty, room, equipment, readiness, the surgeon's
        competence, days and locations): the planners' pre-filter. [] = it may go there.
        ``session`` is taken as given (a session a planner opens to another specialty)."""
        return self._static(case_id, session, surgeon_id, first=False)

    def admits(self, case_id: str, session: Session, surgeon_id: str) -> bool:
        """``admissible`` as a bool, stopping at the first rule broken."""
        return not self._static(case_id, session, surgeon_id, first=True)

    def _static(self, case_id: str, session: Session, surgeon_id: str,
                first: bool) -> list[Violation]:
        probe = _probe(case_id, session, surgeon_id)
        resolved, missing = resolve_entry(self, probe, session)
        if resolved is None:
            return [unknown_reference(probe, field, value) for field, value in missing]
        found = []
        for judge in _STATIC:
            v = judge(self, resolved)
            if v is not None:
                found.append(v)
                if first:
                    break
        return found

    def entry_for(self, case_id: str, session: Session | str, start_min: int, surgeon_id: str,
                  planned_min: int | None = None, order: int | None = None) -> ProgramEntry:
        """An entry for ``case_id`` in ``session`` (room and date from it); ``planned_min``
        defaults to the case's booked minutes, ``order`` to after the session's list."""
        if isinstance(session, str):
            found = self.session(session)
            if found is None:
                raise ModelError("session_id", session, "does not exist")
            session = found
        if planned_min is None:
            item = self.referral(case_id) or self.hospital.emergency_by_id.get(case_id)
            if item is None:
                raise ModelError("case_id", case_id, "does not exist")
            planned_min = item.booked_min
        if order is None:
            order = len(self._session.get(session.id, ())) + 1
        return ProgramEntry(case_id, session.id, session.room_id, session.date, start_min,
                            planned_min, surgeon_id, order)

    def next_start(self, session_id: str, *, ignore: Collection[str] = ()) -> int | None:
        """When a case added at the end of the session's list could start: after the last case
        and its turnover (None when the session does not exist)."""
        session = self.session(session_id)
        if session is None:
            return None
        listed = [r for r in self._session.get(session_id, ()) if r.entry.case_id not in ignore]
        if not listed:
            return session.start_min
        return max(r.entry.end_min + self.turnover(r.entry.case_id) for r in listed)

    def turnover(self, case_id: str) -> int:
        """Minutes of cleaning and preparation after the case (its specialty's turnover)."""
        item = self.referral(case_id) or self.hospital.emergency_by_id.get(case_id)
        if item is None:
            raise ModelError("case_id", case_id, "does not exist")
        return self.hospital.specialty_by_id[item.specialty_id].turnover_min

    # ---- changes -----------------------------------------------------------------------------
    def add(self, entry: ProgramEntry) -> None:
        """Put ``entry`` in, unchecked (the caller decided); a case already held is moved."""
        resolved, missing = resolve_entry(self, entry)
        if resolved is None:
            field, value = missing[0]
            raise ModelError(f"entry[{entry.case_id}].{field}", value, "does not exist")
        if entry.case_id in self._entries:
            self.remove(entry.case_id)
        e, loc = entry, resolved.room.location_id
        self._entries[e.case_id] = resolved
        bisect.insort_right(self._room_day[(e.room_id, e.date)], resolved, key=room_order)
        bisect.insort_right(self._session[e.session_id], resolved, key=room_order)
        bisect.insort_right(self._surgeon_day[(e.surgeon_id, e.date)], resolved, key=_start)
        for eq in borrowed_equipment(self.hospital, resolved):
            self._equipment[(eq, loc, e.date)].append((e.start_min, e.end_min, e.case_id))
        self._beds[(loc, e.date, resolved.procedure.bed_type)] += 1
        self._day[e.date][e.case_id] = resolved

    def remove(self, case_id: str) -> ProgramEntry:
        """Take a case out; returns its entry."""
        resolved = self._entries.pop(case_id, None)
        if resolved is None:
            raise ModelError("case_id", case_id, "is not in the program")
        e, loc = resolved.entry, resolved.room.location_id
        self._room_day[(e.room_id, e.date)].remove(resolved)
        self._session[e.session_id].remove(resolved)
        self._surgeon_day[(e.surgeon_id, e.date)].remove(resolved)
        for eq in borrowed_equipment(self.hospital, resolved):
            self._equipment[(eq, loc, e.date)].remove((e.start_min, e.end_min, e.case_id))
        self._beds[(loc, e.date, resolved.procedure.bed_type)] -= 1
        del self._day[e.date][case_id]
        return e

    # ---- reading -----------------------------------------------------------------------------
    def __contains__(self, case_id: object) -> bool:
        return case_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, case_id: str) -> ProgramEntry | None:
        resolved = self._entries.get(case_id)
        return resolved.entry if resolved is not None else None

    def resolved(self, case_id: str) -> ResolvedEntry | None:
        return self._entries.get(case_id)

    def entries(self) -> list[ProgramEntry]:
        """Every entry, in the order added."""
        return [r.entry for r in self._entries.values()]

    def program(self, method: str = "unknown") -> Program:
        return Program(tuple(self.entries()), method=method)

    def session_entries(self, session_id: str) -> list[ProgramEntry]:
        """The session's cases by start."""
        return [r.entry for r in self._session.get(session_id, ())]

    def day_entries(self, day: date) -> list[ProgramEntry]:
        return [r.entry for r in self._day.get(day, {}).values()]

    # ---- the indexes the incremental forms read ----------------------------------------------
    def room_day(self, room_id: str, day: date, ignore: Collection[str] = ()) -> list[ResolvedEntry]:
        """The room's cases that day, in the order they follow each other."""
        listed = self._room_day.get((room_id, day), [])
        return [r for r in listed if r.entry.case_id not in ignore] if ignore else listed

    def surgeon_day(self, surgeon_id: str, day: date,
                    ignore: Collection[str] = ()) -> list[ResolvedEntry]:
        """The surgeon's cases that day, by start."""
        listed = self._surgeon_day.get((surgeon_id, day), [])
        return [r for r in listed if r.entry.case_id not in ignore] if ignore else listed

    def equipment_use(self, equipment_id: str, location_id: str, day: date,
                      ignore: Collection[str] = ()) -> list[tuple[int, int, str]]:
        """(start, end, case) of each use of a mobile unit borrowed at the location that day."""
        listed = self._equipment.get((equipment_id, location_id, day), [])
        return [u for u in listed if u[2] not in ignore] if ignore else listed

    def beds_left(self, location_id: str, day: date, bed: str) -> int | None:
        """Beds of type ``bed`` still free for new admissions at the location that day (None:
        not limited); a planner reserving beds before it times its cases reads this."""
        capacity = bed_capacity(self.hospital, location_id, bed)
        return None if capacity is None else capacity - self.beds_used(location_id, day, bed)

    def beds_used(self, location_id: str, day: date, bed: str, ignore: Collection[str] = ()) -> int:
        """Cases at the location that day needing a post-operative bed of type ``bed``."""
        n = self._beds.get((location_id, day, bed), 0)
        for case_id in ignore:
            r = self._entries.get(case_id)
            if r is not None and r.entry.date == day and r.room.location_id == location_id \
                    and r.procedure.bed_type == bed:
                n -= 1
        return n
