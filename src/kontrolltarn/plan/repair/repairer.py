"""Minimal-change re-planning: one event in, a feasible program out, moving as few patients as
it can — above all, as few patients who were already told their date.

    repair(hospital, program, event, *, told=None, now=None, refill=True) -> RepairResult

Events: ``LateCancellation``, ``EmergencyInsert``, ``SurgeonAbsent``, ``RoomClosed``,
``CaseOverrun``, and a coordinator's ``MoveCase``, ``SwapOrder`` and ``AddCase`` (refused with
the rule of ``plan.check`` they would break, rather than repaired around). The result holds the
new hospital (an emergency added, a closed room's session removed, an absent surgeon marked
unavailable, each decision recorded in the case histories), the new program, every change,
and the two counts the hospital measures: date changes for told patients and moves (cases
whose session changed).

How it chooses: every way of absorbing the event has a cost from ``RepairCosts`` (a told
patient's date change costs far more than anything else; then taking a case off the program;
then moves to another room; retimes within the same room cost almost nothing). Cases that must
leave a session are relocated greedily, most important first, to the cheapest place that keeps
every hard rule of ``plan.check``: the same day in another room of the specialty, else the
nearest later date. A relocated case goes at the end of its new session and must end within the
staffed hours there, so nobody already on that list moves. Greedy with explicit costs is
interactive (well under a second on a 90-room day) and every choice can be explained.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from kontrolltarn.model import (
    EmergencyRequest,
    Hospital,
    ModelError,
    Program,
    ProgramEntry,
    Referral,
    Session,
    Staff,
)
from kontrolltarn.plan.check import LocalRules

from .costs import RepairCosts
from .events import (
    AddCase,
    CaseOverrun,
    CloseUp,
    EmergencyInsert,
    Event,
    LateCancellation,
    MoveCase,
    RoomClosed,
    SurgeonAbsent,
    SwapOrder,
)
from .recording import record
from .refusal import RepairRefused
from .result import Change, RepairResult
from .state import RepairState


def repair(hospital: Hospital, program: Program, event: Event, *, told: set[str] | None = None,
           now: datetime | None = None, refill: bool = True, horizon_days: int = 14,
           costs: RepairCosts | None = None, rules: LocalRules | None = None) -> RepairResult:
    """A feasible program after ``event`` that changes as little as possible (module docstring).

    ``told`` holds the case ids whose patients know their date; by default the cases in
    ``hospital.cases`` with a recorded TOLD decision. ``refill`` lets a cancellation's freed time
    go to a ready case from the waiting list when it fits without moving anyone. ``rules``:
    the local planning rules every move keeps (default: the shipped file, as ``check``).
    """
    repairs = Repairs(hospital, program, told=told, horizon_days=horizon_days, costs=costs,
                      rules=rules)
    repairs.apply(event, refill=refill)
    return repairs.result(now)


class Repairs:
    """Several events absorbed in turn by one program, its indexes built once: a run of a
    coordinator's decisions (the simulator's afternoon refill phones one patient after another
    and adds each who fits). ``repair`` is one event of it. A refused ``AddCase`` or
    ``MoveCase`` changes nothing, so the run goes on; after another refused event start again
    from the last ``result``."""

    def __init__(self, hospital: Hospital, program: Program, *, told: set[str] | None = None,
                 horizon_days: int = 14, costs: RepairCosts | None = None,
                 rules: LocalRules | None = None) -> None:
        self._started = time.perf_counter()
        self._method = program.method
        knows = set(told) if told is not None else {c.referral_id for c in hospital.cases
                                                      if c.told_at is not None}
        self._fixer = _Repairer(hospital, program, knows, costs or RepairCosts(), horizon_days,
                                 rules)
        self._applied: list[tuple[Event, list[Change]]] = []

    def apply(self, event: Event, *, refill: bool = True) -> list[Change]:
        """Absorb ``event``; its changes (``RepairRefused`` when a hard rule would break)."""
        fixer = self._fixer
        before = len(fixer.changes)
        if isinstance(event, LateCancellation):
            fixer.cancel(event, refill)
        elif isinstance(event, EmergencyInsert):
            fixer.emergency(event.emergency)
        elif isinstance(event, SurgeonAbsent):
            fixer.surgeon_absent(event)
        elif isinstance(event, RoomClosed):
            fixer.room_closed(event)
        elif isinstance(event, CaseOverrun):
            fixer.overrun(event)
        elif isinstance(event, MoveCase):
            fixer.move(event)
        elif isinstance(event, AddCase):
            fixer.add(event)
        elif isinstance(event, SwapOrder):
            fixer.swap(event)
        elif isinstance(event, CloseUp):
            fixer.close_up(event)
        else:
            raise ModelError("event", type(event).__name__, "unknown event kind")
        changes = fixer.changes[before:]
        self._applied.append((event, changes))
        return changes

    def find(self, case_id: str) -> ProgramEntry | None:
        """The case's entry in the program as it stands."""
        return self._fixer.state.find(case_id)

    def result(self, now: datetime | None = None) -> RepairResult:
        """The program and hospital after every event applied, each decision recorded in its
        case's history at ``now`` (07:00 of the hospital's day by default)."""
        fixer = self._fixer
        zone = ZoneInfo(fixer.state.h.timezone)
        moment = now or datetime.combine(fixer.state.h.today, clock_time(7, 0), tzinfo=zone)
        new_program = Program(tuple(sorted(fixer.state.entries(),
                                           key=lambda e: (e.date, e.room_id, e.start_min))),
                              method=f"{self._method}+repair")
        new_hospital = fixer.state.h
        for event, changes in self._applied:
            new_hospital = record(new_hospital, changes, moment, event)
        return RepairResult(new_hospital, new_program, list(fixer.changes),
                            time.perf_counter() - self._started)


class _Repairer:
    def __init__(self, hospital: Hospital, program: Program, told: set[str], costs: RepairCosts,
                 horizon_days: int, rules: LocalRules | None = None) -> None:
        self.state = RepairState(hospital, program, rules)
        self.told = told
        self.costs = costs
        self.horizon = horizon_days
        self.changes: list[Change] = []
        self.waiting = {r.id for r in hospital.referrals} - program.case_ids()

    # -- events
    def cancel(self, event: LateCancellation, refill: bool) -> None:
        entry = self._entry(event.case_id)
        self.state.remove(entry)
        self.changes.append(Change(entry.case_id, "cancelled", entry, None, entry.case_id in self.told))
        if refill:
            self._refill(entry)

    def emergency(self, em: EmergencyRequest) -> None:
        h = self.state.h
        if em.id not in h.emergency_by_id:
            h = h.replace(emergencies=(*h.emergencies, em))
            self.state.h = h
        zone = ZoneInfo(h.timezone)
        local = em.requested_at.astimezone(zone)
        day, request_min = local.date(), local.hour * 60 + local.minute
        best: tuple[float, ProgramEntry, list[ProgramEntry]] | None = None
        # its own location first; only when no room there can take it in time, the patient is
        # transferred to another location (priced as a move to another site)
        for here in (True, False):
            for session in h.sessions_between(day, day):
                if (self.state.location(session) == em.location_id) != here:
                    continue
                option = self._emergency_option(em, session, request_min)
                if option is not None and not here:
                    option = (option[0] + self.costs.other_location, *option[1:])
                if option is not None and (best is None or option[0] < best[0]):
                    best = option
            if best is not None:
                break
        if best is None:
            raise ModelError("emergency", em.id, "no room at any location can take it within "
                             f"its limit of {em.urgency.limit_min} min")
        _, new_entry, displaced = best
        self._apply_shift(new_entry, displaced)

    def surgeon_absent(self, event: SurgeonAbsent) -> None:
        h = self.state.h
        surgeon = h.staff_by_id.get(event.surgeon_id)
        if surgeon is None:
            raise ModelError("surgeon_id", event.surgeon_id, "unknown surgeon")
        away = replace(surgeon, unavailable=surgeon.unavailable | {event.date})
        self.state.h = h.replace(staff=tuple(away if s.id == surgeon.id else s for s in h.staff))
        affected = [e for e in self.state.day_entries(event.date) if e.surgeon_id == event.surgeon_id]
        for entry in sorted(affected, key=lambda e: (e.session_id, e.start_min)):
            session = self.state.h.session_by_id[entry.session_id]
            item = self.state.item(entry.case_id)
            named = isinstance(item, Referral) and item.surgeon_id == event.surgeon_id
            if not named:
                stand_in = self.state.surgeon_for(entry, entry.case_id, session)
                if stand_in is not None and stand_in.id != event.surgeon_id:
                    new = replace(entry, surgeon_id=stand_in.id)
                    self.state.put(new)
                    self.changes.append(Change(entry.case_id, "surgeon", entry, new,
                                               entry.case_id in self.told))
                    continue
            self.state.remove(entry)
            self._relocate(entry, not_before=event.date, same_day=not named)

    def room_closed(self, event: RoomClosed) -> None:
        h = self.state.h
        closed = [s for s in h.sessions_between(event.date, event.date) if s.room_id == event.room_id]
        if not closed:
            raise ModelError("room_id", event.room_id, f"no session in this room on {event.date}")
        ids = {s.id for s in closed}
        displaced = [e for e in self.state.entries() if e.session_id in ids]
        for e in displaced:
            self.state.remove(e)
        self.state.h = h.replace(sessions=tuple(s for s in h.sessions if s.id not in ids))
        for entry in sorted(displaced, key=self._importance):
            self._relocate(entry, not_before=event.date, same_day=True)

    def overrun(self, event: CaseOverrun) -> None:
        if event.extra_min <= 0:
            raise ModelError("extra_min", event.extra_min, "must be a positive number of minutes")
        entry = self._entry(event.case_id)
        longer = replace(entry, planned_min=entry.planned_min + event.extra_min)
        self.state.remove(entry)
        self.state.put(longer)
        self.changes.append(Change(entry.case_id, "retimed", entry, longer, entry.case_id in self.told))
        session = self.state.h.session_by_id[entry.session_id]
        later = [e for e in self.state.session_entries(session.id) if e.start_min > entry.start_min]
        self._push_back(session, longer, later, allowed=self.state.h.allowed_overtime_min)

    def move(self, event: MoveCase) -> None:
        """The case to the end of the target session's list, operated by its own surgeon when
        free, else by one who is; refused (nothing changes) when a hard rule would break."""
        h = self.state.h
        entry = self._entry(event.case_id)
        session = h.session_by_id.get(event.session_id)
        if session is None:
            raise ModelError("session_id", event.session_id, "unknown session")
        if session.id == entry.session_id:
            raise ModelError("session_id", event.session_id, f"case {entry.case_id} is already there")
        # a decision on the day may use the allowed overtime
        new = self._at_end(entry, session, event.not_before_min, h.allowed_overtime_min)
        self.state.remove(entry)
        self.state.put(new)
        kind = "moved" if new.date == entry.date else "date_changed"
        self.changes.append(Change(entry.case_id, kind, entry, new, entry.case_id in self.told))

    def add(self, event: AddCase) -> None:
        """A waiting case to the end of the session's list for its booked minutes, within the
        staffed hours and ending by ``until_min``; refused (nothing changes) when it would not."""
        h = self.state.h
        referral = h.referral_by_id.get(event.case_id)
        if referral is None:
            raise ModelError("case_id", event.case_id, "unknown referral")
        if self.state.find(event.case_id) is not None:
            raise ModelError("case_id", event.case_id, "is in the program already")
        session = h.session_by_id.get(event.session_id)
        if session is None:
            raise ModelError("session_id", event.session_id, "unknown session")
        listed = self.state.session_entries(session.id)
        surgeon_id = referral.surgeon_id or (listed[0].surgeon_id if listed else None) or \
            next((s.id for s in h.surgeons(referral.specialty_id)), "?")
        draft = ProgramEntry(referral.id, session.id, session.room_id, session.date,
                             session.start_min, referral.booked_min, surgeon_id, 1)
        new = self._at_end(draft, session, event.not_before_min, 0)
        if event.until_min is not None and new.end_min > event.until_min:
            raise RepairRefused("until_min", event.until_min, "ends after the time given",
                                f"case {referral.id} would run {new.start_min}-{new.end_min} min")
        self.state.put(new)
        self.waiting.discard(referral.id)
        self.changes.append(Change(referral.id, "added", None, new, False))

    def _at_end(self, entry: ProgramEntry, session: Session, not_before_min: int | None,
                allowed_over: int) -> ProgramEntry:
        """``entry``'s case at the end of ``session``'s list (not before ``not_before_min``), by
        the entry's surgeon when free, else by one who is; ``RepairRefused`` naming the first
        rule it would break when nobody can."""
        h = self.state.h
        listed = [e for e in self.state.session_entries(session.id) if e.case_id != entry.case_id]
        start = max([session.start_min, not_before_min or 0,
                     *(e.end_min + self.state.turnover(e.case_id) for e in listed)])
        target = replace(entry, session_id=session.id, room_id=session.room_id, date=session.date,
                         start_min=start, order=len(listed) + 1)
        own = h.staff_by_id.get(entry.surgeon_id)
        surgeon: Staff | None = own if own is not None and self.state.fits(
            target, own, allowed_over=allowed_over) else \
            self.state.surgeon_for(target, entry.case_id, session, allowed_over=allowed_over)
        if surgeon is None:
            broken = self.state.why_not(target, own, allowed_over=allowed_over) \
                if own is not None else None
            rule, detail = broken or ("no hard rule (the repair's own limits)",
                                      "no surgeon is free for it there")
            raise RepairRefused("session_id", session.id, rule, detail)
        return replace(target, surgeon_id=surgeon.id)

    def swap(self, event: SwapOrder) -> None:
        """``first`` takes the place of ``then`` in their session's list; from the earlier of the
        two places the cases follow each other as early as turnovers allow (a case after the
        pair never starts earlier than planned). Refused when a hard rule would break."""
        h = self.state.h
        first, then = self._entry(event.first), self._entry(event.then)
        if first.session_id != then.session_id:
            raise ModelError("first", event.first, f"is not in the session of {event.then}")
        listed = list(self.state.session_entries(first.session_id))
        a, b = listed.index(first), listed.index(then)
        if a < b:
            raise ModelError("first", event.first, f"already goes before {event.then}")
        listed[a], listed[b] = listed[b], listed[a]
        clock = then.start_min
        placed: list[ProgramEntry] = []
        for i, e in enumerate(listed[b:], start=b):
            start = clock if i <= a else max(clock, e.start_min)
            placed.append(replace(e, start_min=start))
            clock = start + e.planned_min + self.state.turnover(e.case_id)
        for e in listed[b:]:
            self.state.remove(e)
        for new in placed:  # each against the day so far (the rest of the list is off it)
            broken = self.state.why_not(new, h.staff_by_id[new.surgeon_id],
                                        allowed_over=h.allowed_overtime_min)
            if broken is not None:
                raise RepairRefused("first", event.first, *broken)
            self.state.put(new)
        for old in listed[b:]:
            new = next(p for p in placed if p.case_id == old.case_id)
            if new.start_min != old.start_min:
                self.changes.append(Change(old.case_id, "retimed", old, new, old.case_id in self.told))

    def close_up(self, event: CloseUp) -> None:
        """The session's cases back to back from its start, in their order, each as early as
        the turnovers allow and every hard rule holds (else at its own time): time left by
        cases that went is at the end of the list, not in the middle."""
        h = self.state.h
        session = h.session_by_id.get(event.session_id)
        if session is None:
            raise ModelError("session_id", event.session_id, "unknown session")
        clock = session.start_min
        for old in list(self.state.session_entries(session.id)):
            new = old
            if clock < old.start_min:
                earlier = replace(old, start_min=clock)
                self.state.remove(old)
                surgeon = h.staff_by_id.get(old.surgeon_id)
                fits = surgeon is not None and self.state.fits(earlier, surgeon,
                                                               allowed_over=h.allowed_overtime_min)
                new = earlier if fits else old
                self.state.put(new)
                if fits:
                    self.changes.append(Change(old.case_id, "retimed", old, new, old.case_id in self.told))
            clock = new.end_min + self.state.turnover(new.case_id)

    # -- building blocks
    def _entry(self, case_id: str) -> ProgramEntry:
        entry = self.state.find(case_id)
        if entry is None:
            raise ModelError("case_id", case_id, "is not in the program")
        return entry

    def _importance(self, entry: ProgramEntry) -> tuple[int, int, str]:
        item = self.state.item(entry.case_id)
        priority = int(item.priority) if isinstance(item, Referral) else 0
        return (0 if entry.case_id in self.told else 1, priority, entry.case_id)

    def _unschedule_cost(self, case_id: str) -> float:
        c = self.costs
        item = self.state.item(case_id)
        steps = 4 - int(item.priority) if isinstance(item, Referral) else 10
        base = c.told_unscheduled if case_id in self.told else c.unscheduled
        return base + c.priority_step * steps

    def _placements(self, entry: ProgramEntry, not_before: date, same_day: bool,
                    ignore: Iterable[str] = ()) -> list[tuple[float, ProgramEntry]]:
        """Where ``entry``'s case could go at the end of another session, with the cost."""
        h, c = self.state.h, self.costs
        told = entry.case_id in self.told
        origin = h.room_by_id[entry.room_id].location_id if entry.room_id in h.room_by_id else None
        first = entry.date if same_day else max(entry.date + timedelta(days=1), not_before)
        options: list[tuple[float, ProgramEntry]] = []
        item = self.state.item(entry.case_id)
        for session in h.sessions_between(first, entry.date + timedelta(days=self.horizon)):
            if options and session.date > options[0][1].date:
                break  # the nearest date with room wins (a later date only costs more)
            if session.specialty_id not in (None, item.specialty_id):
                continue
            if session.emergency or session.id == entry.session_id:
                continue
            if session.date == entry.date and not same_day:
                continue
            listed = self.state.session_entries(session.id)
            start = session.start_min if not listed else \
                max(x.end_min + self.state.turnover(x.case_id) for x in listed)
            candidate = replace(entry, session_id=session.id, room_id=session.room_id,
                                date=session.date, start_min=start, order=len(listed) + 1)
            if candidate.end_min > session.end_min:
                continue
            surgeon = self.state.surgeon_for(candidate, entry.case_id, session, ignore=ignore)
            if surgeon is None:
                continue
            candidate = replace(candidate, surgeon_id=surgeon.id)
            if session.date == entry.date:
                cost = c.move_told if told else c.move
            else:
                cost = (c.told_date_change if told else c.date_change) \
                    + c.per_day_later * abs((session.date - entry.date).days)
            if origin is not None and self.state.location(session) != origin:
                cost += c.other_location
            options.append((cost, candidate))
        return options

    def _relocate(self, entry: ProgramEntry, not_before: date, same_day: bool) -> float:
        """Put a displaced case where it costs least; off the program when nowhere fits."""
        options = self._placements(entry, not_before, same_day)
        best = min(options, key=lambda o: (o[0], o[1].date, o[1].session_id), default=None)
        told = entry.case_id in self.told
        if best is None or best[0] >= self._unschedule_cost(entry.case_id):
            self.changes.append(Change(entry.case_id, "unscheduled", entry, None, told))
            return self._unschedule_cost(entry.case_id)
        cost, new = best
        self.state.put(new)
        kind = "moved" if new.date == entry.date else "date_changed"
        self.changes.append(Change(entry.case_id, kind, entry, new, told))
        return cost

    def _relocation_cost(self, entry: ProgramEntry, ignore: Iterable[str]) -> float:
        options = self._placements(entry, entry.date, True, ignore)
        best = min((o[0] for o in options), default=float("inf"))
        return min(best, self._unschedule_cost(entry.case_id))

    def _refill(self, freed: ProgramEntry) -> None:
        """Give the freed time to the most urgent ready waiting case that fits in the gap."""
        h = self.state.h
        session = h.session_by_id[freed.session_id]
        listed = self.state.session_entries(session.id)
        before = [e for e in listed if e.end_min <= freed.start_min]
        after = [e for e in listed if e.start_min >= freed.end_min]
        start = max((e.end_min + self.state.turnover(e.case_id) for e in before),
                    default=session.start_min)
        end_limit = min((e.start_min for e in after), default=session.end_min)
        candidates = sorted((h.referral_by_id[i] for i in self.waiting),
                            key=lambda r: (r.deadline, int(r.priority), r.id))
        for r in candidates:
            if not r.ready or (session.specialty_id not in (None, r.specialty_id)):
                continue
            minutes = r.booked_min
            turnover = self.state.turnover(r.id) if after else 0
            if start + minutes + turnover > end_limit:
                continue
            entry = ProgramEntry(r.id, session.id, session.room_id, session.date, start, minutes,
                                 freed.surgeon_id, freed.order)
            surgeon = self.state.surgeon_for(entry, r.id, session)
            if surgeon is None:
                continue
            entry = replace(entry, surgeon_id=surgeon.id)
            self.state.put(entry)
            self.waiting.discard(r.id)
            self.changes.append(Change(r.id, "added", None, entry, False))
            return

    def _emergency_option(self, em: EmergencyRequest, session: Session, request_min: int,
                          ) -> tuple[float, ProgramEntry, list[ProgramEntry]] | None:
        """Insert the emergency after the case running at the request (or in a free gap) and
        push the rest back; if the list then runs past what is allowed, displace the cheapest
        set of later cases (one at a time, cheapest first)."""
        h = self.state.h
        listed = self.state.session_entries(session.id)
        running = [e for e in listed if e.start_min <= request_min < e.end_min]
        start = max(request_min, session.start_min)
        if running:
            start = running[0].end_min + self.state.turnover(running[0].case_id)
        if start - request_min > em.urgency.limit_min:
            return None
        later = [e for e in listed if e.start_min >= request_min and e not in running]
        entry = ProgramEntry(em.id, session.id, session.room_id, session.date, start,
                             em.booked_min, listed[0].surgeon_id if listed else "?", 1)
        allowed = h.allowed_overtime_min if not session.emergency else 0
        if start + em.booked_min > session.end_min + allowed:
            return None
        ignore = {e.case_id for e in later}
        surgeon = self._emergency_surgeon(em, entry, allowed, ignore)
        if surgeon is None:
            return None
        entry = replace(entry, surgeon_id=surgeon.id)
        cost, displaced = self._displacement(session, entry, later, allowed)
        if cost is None:
            return None
        cost += 0.01 * (start - request_min)  # sooner is better
        return cost, entry, displaced

    def _emergency_surgeon(self, em: EmergencyRequest, entry: ProgramEntry, allowed: int,
                           ignore: set[str]) -> Staff | None:
        """A surgeon of the specialty with whom the emergency fits there (one not operating that
        day first)."""
        h = self.state.h
        free_first = sorted(h.surgeons(em.specialty_id),
                            key=lambda s: (bool(self.state.kernel.surgeon_day(s.id, entry.date)), s.id))
        for s in free_first:
            if self.state.fits(entry, s, allowed_over=allowed, ignore=ignore):
                return s
        return None

    def _displacement(self, session: Session, inserted: ProgramEntry, later: list[ProgramEntry],
                      allowed: int) -> tuple[float | None, list[ProgramEntry]]:
        """Cost of pushing ``later`` back behind ``inserted``; the cheapest cases leave until the
        rest ends within ``session.end_min + allowed``."""
        keep = sorted(later, key=lambda e: e.start_min)
        displaced: list[ProgramEntry] = []
        cost = 0.0
        while True:
            clock = inserted.end_min + self.state.turnover(inserted.case_id)
            end = inserted.end_min
            for e in keep:
                end = clock + e.planned_min
                clock = end + self.state.turnover(e.case_id)
            if end <= session.end_min + allowed:
                break
            movable = [e for e in keep if e.case_id in self.state.h.referral_by_id]
            if not movable:
                return None, []
            ignore = {e.case_id for e in later} | {inserted.case_id}
            priced = [(self._relocation_cost(e, ignore), e) for e in movable]
            price, victim = min(priced, key=lambda p: (p[0], -p[1].start_min))
            keep.remove(victim)
            displaced.append(victim)
            cost += price
        # pushing told patients later on the same day costs a little
        cost += 0.1 * sum(1 for e in keep if e.case_id in self.told)
        return cost, displaced

    def _apply_shift(self, inserted: ProgramEntry, displaced: list[ProgramEntry]) -> None:
        session = self.state.h.session_by_id[inserted.session_id]
        later = [e for e in self.state.session_entries(session.id) if e.start_min >= inserted.start_min]
        for e in later:
            self.state.remove(e)
        self.state.put(inserted)
        self.changes.append(Change(inserted.case_id, "added", None, inserted, False))
        allowed = 0 if session.emergency else self.state.h.allowed_overtime_min
        self._reflow(session, inserted, [e for e in later if e not in displaced], displaced, allowed)

    def _push_back(self, session: Session, anchor: ProgramEntry, later: list[ProgramEntry],
                   allowed: int) -> None:
        """Later cases start after the longer ``anchor``; the cheapest leave if needed."""
        cost, displaced = self._displacement(session, anchor, later, allowed)
        if cost is None:
            displaced = [e for e in later if e.case_id in self.state.h.referral_by_id]
        for e in later:
            self.state.remove(e)
        self._reflow(session, anchor, [e for e in later if e not in displaced], displaced, allowed)

    def _reflow(self, session: Session, anchor: ProgramEntry, keep: list[ProgramEntry],
                displaced: list[ProgramEntry], allowed: int) -> None:
        """Place ``keep`` back to back after ``anchor`` (each checked against the rest of the
        day: a case that would now clash goes with the displaced), then relocate the displaced."""
        clock = anchor.end_min + self.state.turnover(anchor.case_id)
        leaving = list(displaced)
        for e in sorted(keep, key=lambda e: e.start_min):
            new = replace(e, start_min=clock)
            surgeon = self.state.h.staff_by_id[e.surgeon_id]
            if not self.state.fits(new, surgeon, allowed_over=allowed):
                leaving.append(e)
                continue
            self.state.put(new)
            if new.start_min != e.start_min:
                self.changes.append(Change(e.case_id, "retimed", e, new, e.case_id in self.told))
            clock = new.end_min + self.state.turnover(e.case_id)
        for e in sorted(leaving, key=self._importance):
            self._relocate(e, not_before=e.date, same_day=True)
