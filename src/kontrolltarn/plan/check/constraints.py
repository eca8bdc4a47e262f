"""Each planning rule as one named unit: a name, a level, a weight, a unit, a sentence a clinician
can read, and a function that finds its breaches in a program.

The functions read only the hospital and the program; they never call a planner.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from zoneinfo import ZoneInfo

from kontrolltarn.model import (
    EmergencyRequest,
    Hospital,
    Procedure,
    Program,
    ProgramEntry,
    Referral,
    Room,
    Session,
    Staff,
)

from .report import Level, Violation


@dataclass(frozen=True)
class ResolvedEntry:
    """An entry with its references looked up (only entries whose references all resolve)."""

    entry: ProgramEntry
    session: Session
    room: Room
    surgeon: Staff
    procedure: Procedure
    referral: Referral | None
    emergency: EmergencyRequest | None

    @property
    def specialty_id(self) -> str:
        item = self.referral or self.emergency
        assert item is not None
        return item.specialty_id


class Context:
    """The program with references resolved once, shared by all constraint functions."""

    def __init__(self, hospital: Hospital, program: Program) -> None:
        self.hospital = hospital
        self.program = program
        self.unresolved: list[tuple[ProgramEntry, str, str]] = []  # entry, field, value
        self.resolved: list[ResolvedEntry] = []
        h = hospital
        for e in program.entries:
            session = h.session_by_id.get(e.session_id)
            room = h.room_by_id.get(e.room_id)
            surgeon = h.staff_by_id.get(e.surgeon_id)
            referral = h.referral_by_id.get(e.case_id)
            emergency = h.emergency_by_id.get(e.case_id) if referral is None else None
            if session is None:
                self.unresolved.append((e, "session_id", e.session_id))
            if room is None:
                self.unresolved.append((e, "room_id", e.room_id))
            if surgeon is None:
                self.unresolved.append((e, "surgeon_id", e.surgeon_id))
            if referral is None and emergency is None:
                self.unresolved.append((e, "case_id", e.case_id))
            if session and room and surgeon and (referral or emergency):
                code = (referral or emergency).procedure_code  # type: ignore[union-attr]
                self.resolved.append(ResolvedEntry(e, session, room, surgeon,
                                                   h.procedure_by_id[code], referral, emergency))

    @cached_property
    def by_room_day(self) -> dict[tuple[str, date], list[ResolvedEntry]]:
        grouped: dict[tuple[str, date], list[ResolvedEntry]] = defaultdict(list)
        for r in self.resolved:
            grouped[(r.entry.room_id, r.entry.date)].append(r)
        for entries in grouped.values():
            entries.sort(key=lambda r: (r.entry.start_min, r.entry.order))
        return dict(grouped)

    @cached_property
    def by_session(self) -> dict[str, list[ResolvedEntry]]:
        grouped: dict[str, list[ResolvedEntry]] = defaultdict(list)
        for r in self.resolved:
            grouped[r.session.id].append(r)
        for entries in grouped.values():
            entries.sort(key=lambda r: (r.entry.start_min, r.entry.order))
        return dict(grouped)

    def turnover(self, r: ResolvedEntry) -> int:
        return self.hospital.specialty_by_id[r.specialty_id].turnover_min


Finder = Callable[[Context], Iterator[Violation]]


@dataclass(frozen=True)
class Constraint:
    name: str
    level: Level
    weight: float  # cost per unit for soft constraints; 0 for hard ones
    unit: str
    description: str
    find: Finder


CONSTRAINTS: list[Constraint] = []


def constraint(name: str, level: Level, unit: str, description: str,
               weight: float = 0.0) -> Callable[[Finder], Finder]:
    def register(func: Finder) -> Finder:
        CONSTRAINTS.append(Constraint(name, level, weight, unit, description, func))
        return func
    return register


def _v(name: str, level: Level, amount: float, detail: str, *refs: str) -> Violation:
    return Violation(name, level, amount, detail, tuple(refs))


HARD = Level.HARD
SOFT = Level.SOFT


# ---- hard constraints ---------------------------------------------------------------------------
@constraint("unknown reference", HARD, "entries",
            "Every program entry names a case, session, room and surgeon that exist.")
def _unknown_reference(ctx: Context) -> Iterator[Violation]:
    for entry, field, value in ctx.unresolved:
        yield _v("unknown reference", HARD, 1, f"case {entry.case_id}: {field}={value!r} does not exist",
                 entry.case_id)


@constraint("case scheduled twice", HARD, "entries", "A case appears at most once in a program.")
def _scheduled_twice(ctx: Context) -> Iterator[Violation]:
    seen: dict[str, int] = defaultdict(int)
    for e in ctx.program.entries:
        seen[e.case_id] += 1
    for case_id, n in seen.items():
        if n > 1:
            yield _v("case scheduled twice", HARD, n - 1, f"case {case_id} is in the program {n} times",
                     case_id)


@constraint("entry does not match its session", HARD, "entries",
            "A case's room and date are those of the session it is placed in.")
def _session_mismatch(ctx: Context) -> Iterator[Violation]:
    for r in ctx.resolved:
        e = r.entry
        if e.room_id != r.session.room_id or e.date != r.session.date:
            yield _v("entry does not match its session", HARD, 1,
                     f"case {e.case_id}: room {e.room_id} on {e.date} but session {r.session.id} is "
                     f"room {r.session.room_id} on {r.session.date}", e.case_id, r.session.id)


@constraint("room double-booked", HARD, "minutes",
            "Two cases never overlap in one room.")
def _room_double_booked(ctx: Context) -> Iterator[Violation]:
    for (room_id, day), entries in ctx.by_room_day.items():
        for a, b in zip(entries, entries[1:], strict=False):
            overlap = a.entry.end_min - b.entry.start_min
            if overlap > 0:
                yield _v("room double-booked", HARD, overlap,
                         f"room {room_id} on {day}: cases {a.entry.case_id} and {b.entry.case_id} "
                         f"overlap by {overlap} min", a.entry.case_id, b.entry.case_id)


@constraint("turnover too short", HARD, "minutes",
            "Between two cases in a room there is the specialty's turnover time for cleaning and "
            "preparation.")
def _turnover(ctx: Context) -> Iterator[Violation]:
    for (room_id, day), entries in ctx.by_room_day.items():
        for a, b in zip(entries, entries[1:], strict=False):
            gap = b.entry.start_min - a.entry.end_min
            need = ctx.turnover(a)
            if 0 <= gap < need:
                yield _v("turnover too short", HARD, need - gap,
                         f"room {room_id} on {day}: {gap} min between {a.entry.case_id} and "
                         f"{b.entry.case_id}, {need} min needed", a.entry.case_id, b.entry.case_id)


@constraint("surgeon in two places", HARD, "minutes",
            "A surgeon operates on one patient at a time.")
def _surgeon_two_places(ctx: Context) -> Iterator[Violation]:
    by_surgeon: dict[tuple[str, date], list[ResolvedEntry]] = defaultdict(list)
    for r in ctx.resolved:
        by_surgeon[(r.entry.surgeon_id, r.entry.date)].append(r)
    for (surgeon_id, day), entries in by_surgeon.items():
        entries.sort(key=lambda r: r.entry.start_min)
        latest_end: ResolvedEntry | None = None
        for r in entries:
            if latest_end is not None and r.entry.start_min < latest_end.entry.end_min:
                overlap = min(latest_end.entry.end_min, r.entry.end_min) - r.entry.start_min
                yield _v("surgeon in two places", HARD, overlap,
                         f"surgeon {surgeon_id} on {day}: {latest_end.entry.case_id} "
                         f"({latest_end.entry.room_id}) and {r.entry.case_id} ({r.entry.room_id}) overlap",
                         latest_end.entry.case_id, r.entry.case_id)
            if latest_end is None or r.entry.end_min > latest_end.entry.end_min:
                latest_end = r


@constraint("surgeon unavailable", HARD, "entries",
            "A surgeon operates only on days they are available.")
def _surgeon_unavailable(ctx: Context) -> Iterator[Violation]:
    for r in ctx.resolved:
        if not r.surgeon.available_on(r.entry.date):
            yield _v("surgeon unavailable", HARD, 1,
                     f"surgeon {r.surgeon.id} is not available on {r.entry.date} (case {r.entry.case_id})",
                     r.entry.case_id, r.surgeon.id)


@constraint("surgeon outside their locations", HARD, "entries",
            "A surgeon who works at named locations operates only in rooms there (none named: any).")
def _surgeon_location(ctx: Context) -> Iterator[Violation]:
    for r in ctx.resolved:
        places = r.surgeon.location_ids
        location_id = ctx.hospital.room_by_id[r.entry.room_id].location_id
        if places and location_id not in places:
            yield _v("surgeon outside their locations", HARD, 1,
                     f"surgeon {r.surgeon.id} works at {', '.join(sorted(places))}, not at "
                     f"{location_id} (case {r.entry.case_id})", r.entry.case_id, r.surgeon.id)


@constraint("surgeon lacks competence", HARD, "entries",
            "The operating surgeon belongs to the case's specialty and has the procedure's competence.")
def _surgeon_competence(ctx: Context) -> Iterator[Violation]:
    for r in ctx.resolved:
        if not ctx.hospital.can_operate(r.surgeon, r.procedure):
            yield _v("surgeon lacks competence", HARD, 1,
                     f"surgeon {r.surgeon.id} ({r.surgeon.specialty_id}) cannot operate "
                     f"{r.procedure.code} (case {r.entry.case_id})", r.entry.case_id, r.surgeon.id)


@constraint("room or session cannot take the case", HARD, "entries",
            "A case goes into a session of its specialty (or an open session), in a room that "
            "takes the specialty and has, or can borrow, the equipment it needs; electives do not "
            "use emergency rooms.")
def _eligibility(ctx: Context) -> Iterator[Violation]:
    for r in ctx.resolved:
        e = r.entry
        problems = []
        if r.session.specialty_id is not None and r.session.specialty_id != r.specialty_id:
            problems.append(f"session is for {r.session.specialty_id}, case is {r.specialty_id}")
        if r.referral is not None and r.session.emergency:
            problems.append("elective case in an emergency session")
        if not ctx.hospital.room_takes(r.room, r.procedure):
            problems.append(f"room {r.room.id} cannot take {r.procedure.code} "
                            f"(specialty or equipment)")
        if problems:
            yield _v("room or session cannot take the case", HARD, 1,
                     f"case {e.case_id}: " + "; ".join(problems), e.case_id, r.session.id)


@constraint("equipment over its count", HARD, "units",
            "Mobile equipment (robots, C-arms, …) in use at one time at a location never exceeds "
            "the number the location has.")
def _equipment(ctx: Context) -> Iterator[Violation]:
    h = ctx.hospital
    uses: dict[tuple[str, str, date], list[tuple[int, int, str]]] = defaultdict(list)
    for r in ctx.resolved:
        for eq_id in r.procedure.equipment:
            eq = h.equipment_by_id[eq_id]
            if eq.mobile and eq_id not in r.room.equipment:
                uses[(eq_id, r.room.location_id, r.entry.date)].append(
                    (r.entry.start_min, r.entry.end_min, r.entry.case_id))
    for (eq_id, loc, day), intervals in uses.items():
        capacity = h.equipment_by_id[eq_id].count_per_location.get(loc, 0)
        points = sorted([(s, 1, c) for s, _, c in intervals] + [(e, -1, c) for _, e, c in intervals],
                        key=lambda p: (p[0], p[1]))
        in_use, worst, cases = 0, 0, set()
        active: set[str] = set()
        for _, step, case_id in points:
            in_use += step
            if step > 0:
                active.add(case_id)
            else:
                active.discard(case_id)
            if in_use > capacity and in_use > worst:
                worst, cases = in_use, set(active)
        if worst > capacity:
            yield _v("equipment over its count", HARD, worst - capacity,
                     f"{eq_id} at {loc} on {day}: {worst} in use, {capacity} available",
                     *sorted(cases))


@constraint("outside staffed hours", HARD, "minutes",
            "Cases start no earlier than the session and end no later than its staffed end plus "
            "the allowed overtime.")
def _outside_hours(ctx: Context) -> Iterator[Violation]:
    allowed = ctx.hospital.allowed_overtime_min
    for r in ctx.resolved:
        e, s = r.entry, r.session
        early = s.start_min - e.start_min
        late = e.end_min - (s.end_min + allowed)
        if early > 0 or late > 0:
            yield _v("outside staffed hours", HARD, max(early, 0) + max(late, 0),
                     f"case {e.case_id} runs {e.start_min}-{e.end_min} min, session {s.id} is "
                     f"{s.start_min}-{s.end_min} (+{allowed} allowed overtime)", e.case_id, s.id)


@constraint("post-operative beds over capacity", HARD, "beds",
            "Cases operated at a location on a day need no more post-operative beds of each type "
            "than the location has for new admissions that day.")
def _beds(ctx: Context) -> Iterator[Violation]:
    need: dict[tuple[str, date, str], int] = defaultdict(int)
    for r in ctx.resolved:
        need[(r.room.location_id, r.entry.date, r.procedure.bed_type.value)] += 1
    for (loc, day, bed), n in need.items():
        location = ctx.hospital.location_by_id[loc]
        capacity = {k.value: v for k, v in location.post_op_beds.items()}.get(bed)
        if capacity is not None and n > capacity:
            yield _v("post-operative beds over capacity", HARD, n - capacity,
                     f"{loc} on {day}: {n} cases need a {bed} bed, {capacity} available", loc)


@constraint("emergency time limit missed", HARD, "minutes",
            "An emergency case is in the room within its urgency category's limit.")
def _emergency_limit(ctx: Context) -> Iterator[Violation]:
    zone = ZoneInfo(ctx.hospital.timezone)
    for r in ctx.resolved:
        if r.emergency is None:
            continue
        local = r.emergency.requested_at.astimezone(zone)
        requested = (local.date() - r.entry.date).days * 1440 + local.hour * 60 + local.minute
        delay = r.entry.start_min - requested
        limit = r.emergency.urgency.limit_min
        if delay > limit:
            yield _v("emergency time limit missed", HARD, delay - limit,
                     f"emergency {r.emergency.id} ({r.emergency.urgency.value}) in room after {delay} "
                     f"min, limit {limit}", r.emergency.id)
        elif delay < 0:
            yield _v("emergency time limit missed", HARD, -delay,
                     f"emergency {r.emergency.id} is planned {-delay} min before it was requested",
                     r.emergency.id)


@constraint("case not ready", HARD, "entries",
            "An elective case gets a date only when its description is complete (procedure, "
            "equipment, pre-operative assessment, bed need, consent).")
def _not_ready(ctx: Context) -> Iterator[Violation]:
    for r in ctx.resolved:
        if r.referral is not None and not r.referral.ready:
            missing = ", ".join(sorted(i.value for i in r.referral.readiness_missing))
            yield _v("case not ready", HARD, 1, f"case {r.referral.id} is missing: {missing}",
                     r.referral.id)


# ---- soft constraints ---------------------------------------------------------------------------
@constraint("overtime", SOFT, "minutes",
            "Minutes of planned room activity after the session's staffed end.", weight=2.0)
def _overtime(ctx: Context) -> Iterator[Violation]:
    for session_id, entries in ctx.by_session.items():
        session = entries[0].session
        over = max(r.entry.end_min for r in entries) - session.end_min
        if over > 0 and not session.emergency:
            yield _v("overtime", SOFT, over, f"session {session_id} planned {over} min past its end",
                     session_id)


@constraint("idle time", SOFT, "minutes",
            "Staffed minutes of an elective session with no case and no turnover planned.", weight=1.0)
def _idle(ctx: Context) -> Iterator[Violation]:
    for session_id, entries in ctx.by_session.items():
        session = entries[0].session
        if session.emergency:
            continue
        busy = _busy_minutes(ctx, entries, session, with_turnover=True)
        idle = session.staffed_min - busy
        if idle > 0:
            yield _v("idle time", SOFT, idle, f"session {session_id}: {idle} staffed min unused",
                     session_id)


@constraint("deadline breach", SOFT, "days",
            "Days an elective case is planned after its legal deadline.", weight=50.0)
def _deadline(ctx: Context) -> Iterator[Violation]:
    for r in ctx.resolved:
        if r.referral is not None and r.entry.date > r.referral.deadline:
            days = (r.entry.date - r.referral.deadline).days
            yield _v("deadline breach", SOFT, days,
                     f"case {r.referral.id} planned {days} days after its deadline {r.referral.deadline}",
                     r.referral.id)


@constraint("child not first", SOFT, "cases",
            "Children (under 16) go first on a room's list.", weight=30.0)
def _children_first(ctx: Context) -> Iterator[Violation]:
    h = ctx.hospital
    for entries in ctx.by_room_day.values():
        seen_adult = False
        for r in entries:
            if r.referral is None:
                continue
            child = h.patient_by_id[r.referral.patient_id].age_on(r.entry.date) < 16
            if child and seen_adult:
                yield _v("child not first", SOFT, 1,
                         f"child {r.referral.id} follows an adult in room {r.entry.room_id}",
                         r.referral.id)
            seen_adult = seen_adult or not child


@constraint("infected case not last", SOFT, "cases",
            "Cases with contact precautions go last in the room, so the room is cleaned once.",
            weight=30.0)
def _infected_last(ctx: Context) -> Iterator[Violation]:
    for entries in ctx.by_room_day.values():
        for r in entries[:-1]:
            if r.referral is not None and r.referral.infected:
                yield _v("infected case not last", SOFT, 1,
                         f"infected case {r.referral.id} is followed by another case in room "
                         f"{r.entry.room_id}", r.referral.id)


def _busy_minutes(ctx: Context, entries: list[ResolvedEntry], session: Session,
                  with_turnover: bool) -> int:
    """Minutes of the session covered by cases (and the turnovers after all but the last)."""
    intervals = []
    for i, r in enumerate(entries):
        end = r.entry.end_min
        if with_turnover and i < len(entries) - 1:
            end += ctx.turnover(r)
        intervals.append((max(r.entry.start_min, session.start_min), min(end, session.end_min)))
    covered, cursor = 0, session.start_min
    for start, end in sorted(intervals):
        start = max(start, cursor)
        if end > start:
            covered += end - start
            cursor = end
    return covered
