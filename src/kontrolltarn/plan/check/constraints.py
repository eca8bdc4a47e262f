"""Each planning rule as one named unit: a name, a level, a weight, a unit, a sentence a clinician
can read, and a function that finds its breaches in a program.

Every hard rule also has its incremental form beside it (``Constraint.placement``): the breaches
one new entry would add to a program held in a ``kernel.ProgramState``. Both forms share the
rule's definition (a rule on one entry is one function; a rule over a room-day, a surgeon-day,
a location's equipment or beds shares the function that judges one such group), so ``check``
and the planners' placement test cannot drift apart; ``kernel`` refuses to load while a hard
rule lacks its incremental form.

The functions read only the hospital and the program; they never call a planner.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property, partial
from typing import TYPE_CHECKING, Protocol
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

from .local import LocalRules, SessionRules, shipped_rules
from .report import Level, Violation

if TYPE_CHECKING:
    from .kernel import ProgramState


@dataclass(slots=True, eq=False)  # built for every entry placed: kept light
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

    def __init__(self, hospital: Hospital, program: Program,
                 rules: LocalRules | None = None) -> None:
        self.hospital = hospital
        self.program = program
        self.rules = rules if rules is not None else shipped_rules()
        self.unresolved: list[tuple[ProgramEntry, str, str]] = []  # entry, field, value
        self.resolved: list[ResolvedEntry] = []
        for e in program.entries:
            resolved, missing = resolve_entry(self, e)
            self.unresolved.extend((e, field, value) for field, value in missing)
            if resolved is not None:
                self.resolved.append(resolved)

    # the lookups every rule reads through (``kernel.ProgramState`` offers the same)
    def session(self, session_id: str) -> Session | None:
        return self.hospital.session_by_id.get(session_id)

    def referral(self, case_id: str) -> Referral | None:
        return self.hospital.referral_by_id.get(case_id)

    def surgeon_available(self, surgeon: Staff, day: date) -> bool:
        return surgeon.available_on(day)

    @cached_property
    def by_room_day(self) -> dict[tuple[str, date], list[ResolvedEntry]]:
        grouped: dict[tuple[str, date], list[ResolvedEntry]] = defaultdict(list)
        for r in self.resolved:
            grouped[(r.entry.room_id, r.entry.date)].append(r)
        for entries in grouped.values():
            entries.sort(key=room_order)
        return dict(grouped)

    @cached_property
    def by_session(self) -> dict[str, list[ResolvedEntry]]:
        grouped: dict[str, list[ResolvedEntry]] = defaultdict(list)
        for r in self.resolved:
            grouped[r.session.id].append(r)
        for entries in grouped.values():
            entries.sort(key=room_order)
        return dict(grouped)

    def turnover(self, r: ResolvedEntry) -> int:
        return self.hospital.specialty_by_id[r.specialty_id].turnover_min


class World(Protocol):
    """What a rule reads: the hospital and a few lookups that a planner's state may extend
    (the simulator's referrals and sessions arrive over time, its absences become known)."""

    hospital: Hospital
    rules: LocalRules  # the local planning rules (``local``)

    def session(self, session_id: str) -> Session | None: ...

    def referral(self, case_id: str) -> Referral | None: ...

    def surgeon_available(self, surgeon: Staff, day: date) -> bool: ...


def resolve_entry(world: World, e: ProgramEntry, session: Session | None = None,
                  ) -> tuple[ResolvedEntry | None, list[tuple[str, str]]]:
    """The entry with its references looked up (``session``: the entry's session as given,
    rather than looked up), or None and the (field, value) pairs that do not exist."""
    h = world.hospital
    session = session or world.session(e.session_id)
    room = h.room_by_id.get(e.room_id)
    surgeon = h.staff_by_id.get(e.surgeon_id)
    referral = world.referral(e.case_id)
    emergency = h.emergency_by_id.get(e.case_id) if referral is None else None
    missing: list[tuple[str, str]] = []
    if session is None:
        missing.append(("session_id", e.session_id))
    if room is None:
        missing.append(("room_id", e.room_id))
    if surgeon is None:
        missing.append(("surgeon_id", e.surgeon_id))
    item = referral or emergency
    if item is None:
        missing.append(("case_id", e.case_id))
    if missing or session is None or room is None or surgeon is None or item is None:
        return None, missing
    return ResolvedEntry(e, session, room, surgeon, h.procedure_by_id[item.procedure_code],
                         referral, emergency), missing


def room_order(r: ResolvedEntry) -> tuple[int, int]:
    """How the cases of a room-day follow each other (ties: the order in the program)."""
    return r.entry.start_min, r.entry.order


class Placing:
    """One entry the kernel is asked to place: what a rule's incremental form judges.
    ``ignore`` holds cases of the program that do not count (about to move)."""

    __slots__ = ("entry", "ignore", "memo", "resolved", "unresolved")

    def __init__(self, entry: ProgramEntry, resolved: ResolvedEntry | None,
                 unresolved: list[tuple[str, str]], ignore: Collection[str]) -> None:
        self.entry = entry
        self.resolved = resolved
        self.unresolved = unresolved
        self.ignore = ignore
        #: what several rules look up once (the room neighbours)
        self.memo: dict[str, object] = {}


Finder = Callable[[Context], Iterator[Violation]]
#: a rule on one entry alone (full and incremental form at once)
EntryRule = Callable[["World", ResolvedEntry], "Violation | None"]
#: a rule's incremental form: the breaches ``Placing`` would add to the program in the state
Placement = Callable[["ProgramState", Placing], list[Violation]]


@dataclass(eq=False)
class Constraint:
    """One named rule. ``find`` judges a whole program (``check``); a hard rule also has
    ``placement``, the same rule judged for one new entry against ``kernel.ProgramState``."""

    name: str
    level: Level
    weight: float  # cost per unit for soft constraints; 0 for hard ones
    unit: str
    description: str
    find: Finder
    placement: Placement | None = None
    #: judged on one entry without its times or the rest of the program: whether a case may go
    #: into a session at all (``ProgramState.admissible``)
    static: bool = False
    #: a rule on one entry alone: the one function both forms call
    judge: EntryRule | None = None

    def incremental(self, func: Placement) -> Placement:
        """Decorator: register ``func`` as this rule's incremental form."""
        self.placement = func
        return func


CONSTRAINTS: list[Constraint] = []


def constraint(name: str, level: Level, unit: str, description: str,
               weight: float = 0.0) -> Callable[[Finder], Constraint]:
    def register(func: Finder) -> Constraint:
        rule = Constraint(name, level, weight, unit, description, func)
        CONSTRAINTS.append(rule)
        return rule
    return register


def entry_constraint(name: str, level: Level, unit: str, description: str,
                     static: bool = True) -> Callable[[EntryRule], Constraint]:
    """A rule judged on each entry alone: its full and incremental forms are one function."""
    def register(func: EntryRule) -> Constraint:
        def find(ctx: Context) -> Iterator[Violation]:
            for r in ctx.resolved:
                v = func(ctx, r)
                if v is not None:
                    yield v

        def placement(state: ProgramState, p: Placing) -> list[Violation]:
            v = func(state, p.resolved) if p.resolved is not None else None
            return [] if v is None else [v]

        rule = Constraint(name, level, 0.0, unit, description, find, placement, static, func)
        CONSTRAINTS.append(rule)
        return rule
    return register


def _v(name: str, level: Level, amount: float, detail: str, *refs: str) -> Violation:
    return Violation(name, level, amount, detail, tuple(refs))


HARD = Level.HARD
SOFT = Level.SOFT


def _turnover(h: Hospital, r: ResolvedEntry) -> int:
    return h.specialty_by_id[r.specialty_id].turnover_min


# ---- hard constraints ---------------------------------------------------------------------------
def unknown_reference(entry: ProgramEntry, field: str, value: str) -> Violation:
    return _v("unknown reference", HARD, 1, f"case {entry.case_id}: {field}={value!r} does not exist",
              entry.case_id)


@constraint("unknown reference", HARD, "entries",
            "Every program entry names a case, session, room and surgeon that exist.")
def _unknown_reference(ctx: Context) -> Iterator[Violation]:
    for entry, name, value in ctx.unresolved:
        yield unknown_reference(entry, name, value)


@_unknown_reference.incremental
def _unknown_reference_placed(state: ProgramState, p: Placing) -> list[Violation]:
    return [unknown_reference(p.entry, field, value) for field, value in p.unresolved]


def _twice(case_id: str, n: int) -> Violation:
    return _v("case scheduled twice", HARD, n - 1, f"case {case_id} is in the program {n} times",
              case_id)


@constraint("case scheduled twice", HARD, "entries", "A case appears at most once in a program.")
def _scheduled_twice(ctx: Context) -> Iterator[Violation]:
    seen: dict[str, int] = defaultdict(int)
    for e in ctx.program.entries:
        seen[e.case_id] += 1
    for case_id, n in seen.items():
        if n > 1:
            yield _twice(case_id, n)


@_scheduled_twice.incremental
def _scheduled_twice_placed(state: ProgramState, p: Placing) -> list[Violation]:
    case_id = p.entry.case_id
    return [_twice(case_id, 2)] if case_id in state and case_id not in p.ignore else []


@entry_constraint("entry does not match its session", HARD, "entries",
                  "A case's room and date are those of the session it is placed in.")
def _session_mismatch(world: World, r: ResolvedEntry) -> Violation | None:
    e = r.entry
    if e.room_id != r.session.room_id or e.date != r.session.date:
        return _v("entry does not match its session", HARD, 1,
                  f"case {e.case_id}: room {e.room_id} on {e.date} but session {r.session.id} is "
                  f"room {r.session.room_id} on {r.session.date}", e.case_id, r.session.id)
    return None


def _overlap(room_id: str, day: date, a: ResolvedEntry, b: ResolvedEntry) -> Violation | None:
    """``b`` follows ``a`` in the room: do they overlap?"""
    overlap = a.entry.end_min - b.entry.start_min
    if overlap > 0:
        return _v("room double-booked", HARD, overlap,
                  f"room {room_id} on {day}: cases {a.entry.case_id} and {b.entry.case_id} "
                  f"overlap by {overlap} min", a.entry.case_id, b.entry.case_id)
    return None


def _neighbours(state: ProgramState, p: Placing) -> list[tuple[ResolvedEntry, ResolvedEntry]]:
    """The pairs of cases next to each other in the room that the new entry forms."""
    if "neighbours" in p.memo:
        return p.memo["neighbours"]  # type: ignore[return-value]
    r = p.resolved
    assert r is not None
    listed = state.room_day(r.entry.room_id, r.entry.date, p.ignore)
    at = bisect.bisect_right(listed, room_order(r), key=room_order) if listed else 0
    pairs = []
    if at > 0:
        pairs.append((listed[at - 1], r))
    if at < len(listed):
        pairs.append((r, listed[at]))
    p.memo["neighbours"] = pairs
    return pairs


#: judges a pair of cases next to each other in one room on one day (``b`` follows ``a``)
PairJudge = Callable[[str, date, ResolvedEntry, ResolvedEntry], Violation | None]


def _each_room_pair(ctx: Context, judge: PairJudge) -> Iterator[Violation]:
    """The full form of a rule on neighbouring cases: every consecutive pair of every room-day."""
    for (room_id, day), entries in ctx.by_room_day.items():
        for a, b in zip(entries, entries[1:], strict=False):
            v = judge(room_id, day, a, b)
            if v is not None:
                yield v


def _new_room_pairs(state: ProgramState, p: Placing, judge: PairJudge) -> list[Violation]:
    """The incremental form: only the pairs the new entry forms with its room's neighbours."""
    if p.resolved is None:
        return []
    e = p.resolved.entry
    return [v for a, b in _neighbours(state, p)
            if (v := judge(e.room_id, e.date, a, b)) is not None]


@constraint("room double-booked", HARD, "minutes",
            "Two cases never overlap in one room.")
def _room_double_booked(ctx: Context) -> Iterator[Violation]:
    return _each_room_pair(ctx, _overlap)


@_room_double_booked.incremental
def _room_double_booked_placed(state: ProgramState, p: Placing) -> list[Violation]:
    return _new_room_pairs(state, p, _overlap)


def _short_turnover(h: Hospital, room_id: str, day: date, a: ResolvedEntry,
                    b: ResolvedEntry) -> Violation | None:
    """``b`` follows ``a`` in the room: is there ``a``'s turnover between them?"""
    gap = b.entry.start_min - a.entry.end_min
    need = _turnover(h, a)
    if 0 <= gap < need:
        return _v("turnover too short", HARD, need - gap,
                  f"room {room_id} on {day}: {gap} min between {a.entry.case_id} and "
                  f"{b.entry.case_id}, {need} min needed", a.entry.case_id, b.entry.case_id)
    return None


@constraint("turnover too short", HARD, "minutes",
            "Between two cases in a room there is the specialty's turnover time for cleaning and "
            "preparation.")
def _turnover_rule(ctx: Context) -> Iterator[Violation]:
    return _each_room_pair(ctx, partial(_short_turnover, ctx.hospital))


@_turnover_rule.incremental
def _turnover_placed(state: ProgramState, p: Placing) -> list[Violation]:
    return _new_room_pairs(state, p, partial(_short_turnover, state.hospital))


def _surgeon_sweep(surgeon_id: str, day: date, entries: list[ResolvedEntry]) -> Iterator[Violation]:
    """Overlaps in one surgeon's day (``entries`` by start), each against the case that ends last."""
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


def _start(r: ResolvedEntry) -> int:
    return r.entry.start_min


@constraint("surgeon in two places", HARD, "minutes",
            "A surgeon operates on one patient at a time.")
def _surgeon_two_places(ctx: Context) -> Iterator[Violation]:
    by_surgeon: dict[tuple[str, date], list[ResolvedEntry]] = defaultdict(list)
    for r in ctx.resolved:
        by_surgeon[(r.entry.surgeon_id, r.entry.date)].append(r)
    for (surgeon_id, day), entries in by_surgeon.items():
        entries.sort(key=_start)
        yield from _surgeon_sweep(surgeon_id, day, entries)


@_surgeon_two_places.incremental
def _surgeon_two_places_placed(state: ProgramState, p: Placing) -> list[Violation]:
    r = p.resolved
    if r is None:
        return []
    e = r.entry
    listed = state.surgeon_day(e.surgeon_id, e.date, p.ignore)
    start, end = e.start_min, e.end_min
    for o in listed:
        if o.entry.start_min < end and start < o.entry.end_min:
            break
    else:
        return []  # the common case, without building the sweep
    at = bisect.bisect_right(listed, e.start_min, key=_start)
    swept = _surgeon_sweep(e.surgeon_id, e.date, [*listed[:at], r, *listed[at:]])
    return [v for v in swept if e.case_id in v.refs]


@entry_constraint("surgeon unavailable", HARD, "entries",
                  "A surgeon operates only on days they are available.")
def _surgeon_unavailable(world: World, r: ResolvedEntry) -> Violation | None:
    if not world.surgeon_available(r.surgeon, r.entry.date):
        return _v("surgeon unavailable", HARD, 1,
                  f"surgeon {r.surgeon.id} is not available on {r.entry.date} (case {r.entry.case_id})",
                  r.entry.case_id, r.surgeon.id)
    return None


@entry_constraint("surgeon outside their locations", HARD, "entries",
                  "A surgeon who works at named locations operates only in rooms there (none "
                  "named: any).")
def _surgeon_location(world: World, r: ResolvedEntry) -> Violation | None:
    places = r.surgeon.location_ids
    location_id = r.room.location_id
    if places and location_id not in places:
        return _v("surgeon outside their locations", HARD, 1,
                  f"surgeon {r.surgeon.id} works at {', '.join(sorted(places))}, not at "
                  f"{location_id} (case {r.entry.case_id})", r.entry.case_id, r.surgeon.id)
    return None


@entry_constraint("surgeon lacks competence", HARD, "entries",
                  "The operating surgeon belongs to the case's specialty and has the procedure's "
                  "competence.")
def _surgeon_competence(world: World, r: ResolvedEntry) -> Violation | None:
    if not world.hospital.can_operate(r.surgeon, r.procedure):
        return _v("surgeon lacks competence", HARD, 1,
                  f"surgeon {r.surgeon.id} ({r.surgeon.specialty_id}) cannot operate "
                  f"{r.procedure.code} (case {r.entry.case_id})", r.entry.case_id, r.surgeon.id)
    return None


@entry_constraint("room or session cannot take the case", HARD, "entries",
                  "A case goes into a session of its specialty (or an open session), in a room "
                  "that takes the specialty and has, or can borrow, the equipment it needs; "
                  "electives do not use emergency rooms.")
def _eligibility(world: World, r: ResolvedEntry) -> Violation | None:
    e = r.entry
    problems = []
    if r.session.specialty_id is not None and r.session.specialty_id != r.specialty_id:
        problems.append(f"session is for {r.session.specialty_id}, case is {r.specialty_id}")
    if r.referral is not None and r.session.emergency:
        problems.append("elective case in an emergency session")
    if not world.hospital.room_takes(r.room, r.procedure):
        problems.append(f"room {r.room.id} cannot take {r.procedure.code} (specialty or equipment)")
    if problems:
        return _v("room or session cannot take the case", HARD, 1,
                  f"case {e.case_id}: " + "; ".join(problems), e.case_id, r.session.id)
    return None


def borrowed_equipment(h: Hospital, r: ResolvedEntry) -> list[str]:
    """The mobile equipment the case uses that its room does not have: shared at the location."""
    return [eq for eq in r.procedure.equipment
            if h.equipment_by_id[eq].mobile and eq not in r.room.equipment]


def _equipment_peak(h: Hospital, eq_id: str, loc: str, day: date,
                    intervals: list[tuple[int, int, str]]) -> Violation | None:
    """The most units of ``eq_id`` in use at once at ``loc`` on ``day``, if above its count."""
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
        return _v("equipment over its count", HARD, worst - capacity,
                  f"{eq_id} at {loc} on {day}: {worst} in use, {capacity} available",
                  *sorted(cases))
    return None


@constraint("equipment over its count", HARD, "units",
            "Mobile equipment (robots, C-arms, …) in use at one time at a location never exceeds "
            "the number the location has.")
def _equipment(ctx: Context) -> Iterator[Violation]:
    uses: dict[tuple[str, str, date], list[tuple[int, int, str]]] = defaultdict(list)
    for r in ctx.resolved:
        for eq_id in borrowed_equipment(ctx.hospital, r):
            uses[(eq_id, r.room.location_id, r.entry.date)].append(
                (r.entry.start_min, r.entry.end_min, r.entry.case_id))
    for (eq_id, loc, day), intervals in uses.items():
        v = _equipment_peak(ctx.hospital, eq_id, loc, day, intervals)
        if v is not None:
            yield v


@_equipment.incremental
def _equipment_placed(state: ProgramState, p: Placing) -> list[Violation]:
    r = p.resolved
    if r is None:
        return []
    e, loc = r.entry, r.room.location_id
    found = []
    for eq_id in borrowed_equipment(state.hospital, r):
        intervals = [*state.equipment_use(eq_id, loc, e.date, p.ignore),
                     (e.start_min, e.end_min, e.case_id)]
        v = _equipment_peak(state.hospital, eq_id, loc, e.date, intervals)
        if v is not None and e.case_id in v.refs:
            found.append(v)
    return found


@entry_constraint("outside staffed hours", HARD, "minutes",
                  "Cases start no earlier than the session and end no later than its staffed end "
                  "plus the allowed overtime.", static=False)
def _outside_hours(world: World, r: ResolvedEntry) -> Violation | None:
    allowed = world.hospital.allowed_overtime_min
    e, s = r.entry, r.session
    early = s.start_min - e.start_min
    late = e.end_min - (s.end_min + allowed)
    if early > 0 or late > 0:
        return _v("outside staffed hours", HARD, max(early, 0) + max(late, 0),
                  f"case {e.case_id} runs {e.start_min}-{e.end_min} min, session {s.id} is "
                  f"{s.start_min}-{s.end_min} (+{allowed} allowed overtime)", e.case_id, s.id)
    return None


def bed_capacity(h: Hospital, loc: str, bed: str) -> int | None:
    """New admissions a day the location has beds of type ``bed`` for (None: not limited)."""
    return h.location_by_id[loc].post_op_beds.get(bed)  # type: ignore[call-overload]  # StrEnum keys


def _bed_excess(h: Hospital, loc: str, day: date, bed: str, n: int) -> Violation | None:
    """``n`` cases at ``loc`` on ``day`` need a ``bed`` bed: more than the location has?"""
    capacity = bed_capacity(h, loc, bed)
    if capacity is not None and n > capacity:
        return _v("post-operative beds over capacity", HARD, n - capacity,
                  f"{loc} on {day}: {n} cases need a {bed} bed, {capacity} available", loc)
    return None


@constraint("post-operative beds over capacity", HARD, "beds",
            "Cases operated at a location on a day need no more post-operative beds of each type "
            "than the location has for new admissions that day.")
def _beds(ctx: Context) -> Iterator[Violation]:
    need: dict[tuple[str, date, str], int] = defaultdict(int)
    for r in ctx.resolved:
        need[(r.room.location_id, r.entry.date, r.procedure.bed_type.value)] += 1
    for (loc, day, bed), n in need.items():
        v = _bed_excess(ctx.hospital, loc, day, bed, n)
        if v is not None:
            yield v


@_beds.incremental
def _beds_placed(state: ProgramState, p: Placing) -> list[Violation]:
    r = p.resolved
    if r is None:
        return []
    loc, day, bed = r.room.location_id, r.entry.date, r.procedure.bed_type
    if bed_capacity(state.hospital, loc, bed) is None:
        return []  # not limited: nothing to count
    v = _bed_excess(state.hospital, loc, day, bed, state.beds_used(loc, day, bed, p.ignore) + 1)
    return [] if v is None else [v]


@entry_constraint("emergency time limit missed", HARD, "minutes",
                  "An emergency case is in the room within its urgency category's limit.",
                  static=False)
def _emergency_limit(world: World, r: ResolvedEntry) -> Violation | None:
    if r.emergency is None:
        return None
    local = r.emergency.requested_at.astimezone(ZoneInfo(world.hospital.timezone))
    requested = (local.date() - r.entry.date).days * 1440 + local.hour * 60 + local.minute
    delay = r.entry.start_min - requested
    limit = r.emergency.urgency.limit_min
    if delay > limit:
        return _v("emergency time limit missed", HARD, delay - limit,
                  f"emergency {r.emergency.id} ({r.emergency.urgency.value}) in room after {delay} "
                  f"min, limit {limit}", r.emergency.id)
    if delay < 0:
        return _v("emergency time limit missed", HARD, -delay,
                  f"emergency {r.emergency.id} is planned {-delay} min before it was requested",
                  r.emergency.id)
    return None


@entry_constraint("case not ready", HARD, "entries",
                  "An elective case gets a date only when its description is complete (procedure, "
                  "equipment, pre-operative assessment, bed need, consent).")
def _not_ready(world: World, r: ResolvedEntry) -> Violation | None:
    if r.referral is not None and not r.referral.ready:
        missing = ", ".join(sorted(i.value for i in r.referral.readiness_missing))
        return _v("case not ready", HARD, 1, f"case {r.referral.id} is missing: {missing}",
                  r.referral.id)
    return None


# ---- local rules (``local``: per location and specialty, from the hospital's rule file) ----------
def local_rules_of(world: World, r: ResolvedEntry) -> SessionRules:
    return world.rules.for_session(r.room.location_id, r.specialty_id)


@entry_constraint("local rule: case not allowed here", HARD, "entries",
                  "Local rules (rule file): a surgeon with fixed days operates there only on those "
                  "weekdays; a procedure paired with equipment goes only where that equipment is "
                  "in the room or can be borrowed at the location.")
def _local_case(world: World, r: ResolvedEntry) -> Violation | None:
    if r.referral is None:  # emergencies follow their own rules
        return None
    local = local_rules_of(world, r)
    problems = []
    days = local.surgeon_days.get(r.surgeon.id)
    if days is not None and r.entry.date.weekday() not in days:
        problems.append(f"surgeon {r.surgeon.id} does not operate there on "
                        f"{r.entry.date:%A}s")
    h = world.hospital
    for eq in sorted(local.equipment_with.get(r.procedure.code, ())):
        kind = h.equipment_by_id.get(eq)
        borrowable = kind is not None and kind.mobile and kind.count_per_location.get(
            r.room.location_id, 0) > 0
        if eq not in r.room.equipment and not borrowable:
            problems.append(f"{r.procedure.code} needs {eq}, not in room {r.room.id} nor at "
                            f"{r.room.location_id}")
    if problems:
        return _v("local rule: case not allowed here", HARD, len(problems),
                  f"case {r.entry.case_id}: " + "; ".join(problems) + f" ({', '.join(local.scopes)})",
                  r.entry.case_id)
    return None


def _room_day_mix(world: World, room_id: str, day: date,
                  entries: list[ResolvedEntry]) -> list[Violation]:
    """The local caps and order of one room-day's electives (``entries`` in room order):
    cases per session, a procedure per session and per room-day, ``first_only`` first."""
    found = []
    electives = [r for r in entries if r.referral is not None]
    per_session: dict[tuple[str, str], list[ResolvedEntry]] = defaultdict(list)
    per_code_session: dict[tuple[str, str], list[ResolvedEntry]] = defaultdict(list)
    per_code: dict[str, list[ResolvedEntry]] = defaultdict(list)
    for r in electives:
        per_session[(r.session.id, r.specialty_id)].append(r)
        per_code_session[(r.session.id, r.procedure.code)].append(r)
        per_code[r.procedure.code].append(r)

    def broken(amount: int, detail: str, cases: list[ResolvedEntry], scopes: tuple[str, ...]) -> None:
        found.append(_v("local rule: room list", HARD, amount,
                        f"room {room_id} on {day}: {detail} ({', '.join(scopes)})",
                        *(r.entry.case_id for r in cases)))

    for (session_id, _), cases in per_session.items():
        local = local_rules_of(world, cases[0])
        if local.max_cases is not None and len(cases) > local.max_cases:
            broken(len(cases) - local.max_cases,
                   f"{len(cases)} cases in session {session_id}, at most {local.max_cases}",
                   cases, local.scopes)
    for (session_id, code), cases in per_code_session.items():
        local = local_rules_of(world, cases[0])
        cap = local.max_per_procedure.get(code)
        if cap is not None and code not in local.max_per_room_day and len(cases) > cap:
            broken(len(cases) - cap, f"{len(cases)} × {code} in session {session_id}, at most {cap}",
                   cases, local.scopes)
    for code, cases in per_code.items():
        local = local_rules_of(world, cases[0])
        cap = local.max_per_room_day.get(code)
        if cap is not None and len(cases) > cap:
            broken(len(cases) - cap, f"{len(cases)} × {code} in the room that day, at most {cap}",
                   cases, local.scopes)
    for i, r in enumerate(entries):
        if i > 0 and r.referral is not None and r.procedure.code in local_rules_of(world, r).first_only:
            broken(1, f"{r.procedure.code} ({r.entry.case_id}) must be the first case of the day, "
                      f"{entries[i - 1].entry.case_id} is before it", [entries[i - 1], r],
                   local_rules_of(world, r).scopes)
    return found


@constraint("local rule: room list", HARD, "cases",
            "Local rules (rule file): at most n cases per session, a procedure at most n times per "
            "session or per room and day, and procedures that must be first of the day come first.")
def _local_room_day(ctx: Context) -> Iterator[Violation]:
    for (room_id, day), entries in ctx.by_room_day.items():
        yield from _room_day_mix(ctx, room_id, day, entries)


@_local_room_day.incremental
def _local_room_day_placed(state: ProgramState, p: Placing) -> list[Violation]:
    r = p.resolved
    if r is None:
        return []
    e = r.entry
    listed = state.room_day(e.room_id, e.date, p.ignore)
    at = bisect.bisect_right(listed, room_order(r), key=room_order) if listed else 0
    together = [*listed[:at], r, *listed[at:]]
    return [v for v in _room_day_mix(state, e.room_id, e.date, together) if e.case_id in v.refs]


@constraint("emergency buffer used", SOFT, "minutes",
            "Minutes an elective session's list runs into the buffer its local rules keep free for "
            "emergencies (reserve_min).", weight=1.0)
def _buffer(ctx: Context) -> Iterator[Violation]:
    for session_id, entries in ctx.by_session.items():
        session = entries[0].session
        if session.emergency:
            continue
        reserve = max(local_rules_of(ctx, r).reserve_min for r in entries)
        used = max(r.entry.end_min for r in entries) - (session.end_min - reserve)
        if reserve and used > 0:
            yield _v("emergency buffer used", SOFT, min(used, reserve),
                     f"session {session_id}: {min(used, reserve)} of the {reserve} min kept free "
                     f"for emergencies are planned", session_id)


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
