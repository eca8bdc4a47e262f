"""A staff member's request against a roster: a swap with a named colleague, an absence, or a
wish; what it changes, and which rules the changed roster would break.

The answer comes from the independent checker (``check_people``) on the roster as it would be
after the change, limited to the people and days the change touches: only those can break
(a swap cannot move anyone else's rest or hours). A breach the roster already had is not the
request's fault; one it adds, or makes larger, is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from kontrolltarn.model import ModelError

from .checker import Breach, breaches_added, check_people
from .roster import Person, Roster, Shift
from .rules import WorkingTimeRules

RequestKind = Literal["swap", "absence", "wish"]
REQUEST_KINDS: tuple[RequestKind, ...] = ("swap", "absence", "wish")
#: longest absence or wish one request may cover
MAX_REQUEST_DAYS = 28


@dataclass(frozen=True)
class RosterChange:
    """``swap``: ``person_id``'s shifts that start on ``day`` go to ``colleague_id``, whose
    shifts that start on ``colleague_day`` (default ``day``) come back; ``absence``: the
    person's shifts from ``day`` to ``until`` are removed and those days marked unavailable;
    ``wish``: days off wished for (``wants_off``), changing no shift."""

    kind: RequestKind
    person_id: str
    day: date
    until: date | None = None
    colleague_id: str | None = None
    colleague_day: date | None = None

    @property
    def days(self) -> list[date]:
        last = self.until or self.day
        own = [self.day + timedelta(days=k) for k in range((last - self.day).days + 1)]
        return sorted(set(own) | ({self.colleague_day} if self.colleague_day else set()))

    @property
    def people(self) -> set[str]:
        return {self.person_id} | ({self.colleague_id} if self.colleague_id else set())

    def validate(self, roster: Roster) -> None:
        """A ``ModelError`` naming the field and the value when the change cannot be made."""
        if self.kind not in REQUEST_KINDS:
            raise ModelError("kind", self.kind, f"must be one of {list(REQUEST_KINDS)}")
        me = roster.person_by_id.get(self.person_id)
        if me is None:
            raise ModelError("person_id", self.person_id, "not on this roster")
        last_day = roster.first_day + timedelta(days=7 * roster.weeks - 1)
        dates = (("day", self.day), ("until", self.until), ("colleague_day", self.colleague_day))
        for name, value in dates:
            if value is not None and not roster.first_day <= value <= last_day:
                raise ModelError(name, value.isoformat(),
                                 f"outside the roster {roster.first_day}..{last_day}")
        if self.until is not None and not 0 <= (self.until - self.day).days < MAX_REQUEST_DAYS:
            raise ModelError("until", self.until.isoformat(),
                             f"must be 0..{MAX_REQUEST_DAYS - 1} days after day")
        if self.kind != "swap":
            if self.colleague_id is not None or self.colleague_day is not None:
                raise ModelError("colleague_id", self.colleague_id, "only a swap names a colleague")
            if self.kind == "absence" and not self._own_shifts(roster):
                raise ModelError("day", self.day.isoformat(), "no shift of yours to be away from")
            return
        if self.until is not None:
            raise ModelError("until", self.until.isoformat(), "a swap is of one day's shifts")
        other = roster.person_by_id.get(self.colleague_id or "")
        if other is None or other.id == me.id:
            raise ModelError("colleague_id", self.colleague_id, "must be a colleague on this roster")
        if (other.role, other.location_id) != (me.role, me.location_id):
            raise ModelError("colleague_id", self.colleague_id,
                             f"works as {other.role.value} at {other.location_id}, not as "
                             f"{me.role.value} at {me.location_id}")
        if not self._own_shifts(roster) and not self._their_shifts(roster):
            raise ModelError("day", self.day.isoformat(), "neither of you has a shift to swap")

    def _own_shifts(self, roster: Roster) -> list[Shift]:
        days = set(self.days if self.kind != "swap" else [self.day])
        return [s for s in roster.shifts_by_person[self.person_id] if s.start.date() in days]

    def _their_shifts(self, roster: Roster) -> list[Shift]:
        if self.colleague_id is None:
            return []
        day = self.colleague_day or self.day
        return [s for s in roster.shifts_by_person[self.colleague_id] if s.start.date() == day]

    def apply(self, roster: Roster) -> Roster:
        """The roster after the change (validated first)."""
        self.validate(roster)
        people = roster.people
        if self.kind == "wish":
            return replace(roster, people=self._mark(people, "wants_off"))
        mine = self._own_shifts(roster)
        if self.kind == "absence":
            gone = set(map(id, mine))
            return replace(roster, people=self._mark(people, "unavailable"),
                           shifts=tuple(s for s in roster.shifts if id(s) not in gone))
        theirs = self._their_shifts(roster)
        colleague = self.colleague_id or ""  # validated: a swap names one
        moved = {id(s): replace(s, person_id=colleague) for s in mine}
        moved |= {id(s): replace(s, person_id=self.person_id) for s in theirs}
        return replace(roster, shifts=tuple(moved.get(id(s), s) for s in roster.shifts))

    def _mark(self, people: tuple[Person, ...], what: str) -> tuple[Person, ...]:
        days = frozenset(self.days)
        return tuple(replace(p, **{what: getattr(p, what) | days})
                     if p.id == self.person_id else p for p in people)


def check_change(roster: Roster, change: RosterChange, rules: WorkingTimeRules) -> list[Breach]:
    """The breaches ``change`` would add to ``roster`` (empty: it breaks no rule).

    Incremental: the check runs on the part of the roster the change can affect (every shift
    of the people it names, and everyone's shifts on its days and the days before, for the
    coverage), so its time does not grow with the size of the unit."""
    change.validate(roster)
    view = _view(roster, change)
    before = check_people(view, change.people, rules, change.days)
    return breaches_added(before, check_people(change.apply(view), change.people, rules,
                                               change.days))


def _view(roster: Roster, change: RosterChange) -> Roster:
    days = set(change.days)
    around = days | {d - timedelta(days=1) for d in days}
    kept = {id(s): s for pid in change.people for s in roster.shifts_by_person[pid]}
    for day in around:
        kept.update((id(s), s) for s in roster.shifts_by_day.get(day, ()))
    demand = tuple(d for d in roster.demand if d.start.date() in days)
    return replace(roster, shifts=tuple(kept.values()), demand=demand)
