"""Small rosters in which one staff request breaks one rule of the checker, shared by the plan
tests (``check_change``) and the service tests (an approval through the API is refused).

Each scenario's roster breaks nothing before the request (it can be published); person A asks,
B is the colleague. ``break`` and ``publication`` are not here: a request moves whole shifts
(breaks included) and never changes when the roster was published."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kontrolltarn.model import StaffRole
from kontrolltarn.plan.staffing import (
    DEFAULT_SHIFT_TYPES,
    Demand,
    Person,
    Roster,
    RosterChange,
    Shift,
    WorkingTimeRules,
    load_rules,
)

MONDAY = date(2026, 12, 14)
UNIT = "SEN"
TYPES = {t.code: t for t in DEFAULT_SHIFT_TYPES}


def shift(who: str, day: int, code: str) -> Shift:
    start, end = TYPES[code].on(MONDAY + timedelta(days=day))
    return Shift(who, start, end, TYPES[code].break_min, UNIT, code)


def nurse(pid: str, **kw: object) -> Person:
    return Person(pid, StaffRole.OR_NURSE, UNIT, name=f"Nurse {pid}", **kw)  # type: ignore[arg-type]


def roster(shifts: list[Shift], weeks: int = 1, people: tuple[Person, ...] | None = None,
           demand: tuple[Demand, ...] = ()) -> Roster:
    people = people or (nurse("A"), nurse("B"))
    return Roster(MONDAY, weeks, people, tuple(shifts), demand, MONDAY - timedelta(days=14))


def day_shifts(who: str, days: range | list[int], code: str = "D") -> list[Shift]:
    return [shift(who, d, code) for d in days]


def at(day: int, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime.combine(MONDAY + timedelta(days=day), datetime.min.time()) + timedelta(hours=h, minutes=m)


@dataclass(frozen=True)
class Scenario:
    roster: Roster
    change: RosterChange
    rules: WorkingTimeRules = WorkingTimeRules()
    #: the unit's agreement as TOML values (for the service's rules file)
    agreement: dict[str, int] | None = None


def swap(day: int, colleague_day: int | None = None) -> RosterChange:
    return RosterChange("swap", "A", MONDAY + timedelta(days=day), None, "B",
                        None if colleague_day is None else MONDAY + timedelta(days=colleague_day))


def _competence_mix() -> Scenario:
    need = Demand(UNIT, StaffRole.OR_NURSE, at(0, "08:00"), at(0, "15:30"), 1, {"barn": 1}, "D")
    people = (nurse("A"), nurse("B", competences=frozenset({"barn"})))
    return Scenario(roster([shift("A", 1, "D"), shift("B", 0, "D")], people=people,
                           demand=(need,)), swap(1, 0))


def _night_work() -> Scenario:
    # a unit agreement tightens the night workers' average to 5 h per 24 h (35 h a week)
    agreement = {"night_worker_avg_per_24h_h": 5}
    return Scenario(roster(day_shifts("A", [0, 2, 4], "N") + [shift("B", 6, "N")]), swap(6),
                    load_rules(**agreement), agreement)


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    # B's Monday evening to A, who starts at 07:30 on Tuesday: 9 h rest
    "daily_rest": lambda: Scenario(roster([shift("A", 1, "D"), shift("B", 0, "E")]), swap(0)),
    # B's Tuesday evening to A, who works the Tuesday day shift
    "overlap": lambda: Scenario(roster([shift("A", 1, "D"), shift("B", 1, "E")]), swap(0, 1)),
    # A works Mon-Sat; B's Sunday makes 7 days in a row without 35 h off
    "weekly_rest": lambda: Scenario(roster(day_shifts("A", range(6)) + [shift("B", 6, "D")]), swap(6)),
    # B's Monday night on top of A's Monday day shift: 16.5 h on one day
    "total_day": lambda: Scenario(roster([shift("A", 0, "D"), shift("B", 0, "N")]), swap(1, 0)),
    # Mon-Sat (45 h, 7 h overtime) plus Sunday: 14.5 h overtime in a week
    "overtime_week": lambda: Scenario(roster(day_shifts("A", range(6)) + [shift("B", 6, "D")]), swap(6)),
    # 7 h overtime in each of weeks 1-3, then a Saturday in week 4 as well: 28 h in 4 weeks
    "overtime_4weeks": lambda: Scenario(roster(
        day_shifts("A", [d for w in range(3) for d in range(7 * w, 7 * w + 6)])
        + day_shifts("A", range(21, 26)) + [shift("B", 26, "D")], weeks=4), swap(26)),
    # 195 h overtime earlier this year; a sixth day shift brings 7 h more
    "overtime_year": lambda: Scenario(roster(
        day_shifts("A", range(5)) + [shift("B", 5, "D")],
        people=(nurse("A", overtime_year_min=195 * 60), nurse("B"))), swap(5)),
    # 52.5 h in a one-week roster: over 48 h
    "total_week": lambda: Scenario(roster(day_shifts("A", range(6)) + [shift("B", 6, "D")]), swap(6)),
    # an averaging agreement over 2 weeks: 45 h + 37.5 h averages over 38 h of normal hours
    "averaging": lambda: Scenario(
        roster(day_shifts("A", [0, 1, 2, 3, 4, 7, 8, 9, 10, 11]) + [shift("B", 5, "D")], weeks=2),
        swap(5), load_rules(averaging_weeks=2), {"averaging_weeks": 2}),
    "night_work": _night_work,
    # A worked the first Sunday; B's second Sunday would make two in a row (§ 10-10 (4))
    "sunday_work": lambda: Scenario(roster([shift("A", 6, "D"), shift("B", 13, "D")], weeks=2),
                                    swap(13)),
    # A is on a course on Wednesday
    "unavailable": lambda: Scenario(roster(
        [shift("B", 2, "D")], people=(nurse("A", unavailable=frozenset({MONDAY + timedelta(days=2)})),
                                     nurse("B"))), swap(2)),
    # A away on Monday, the only OR nurse on the Monday day shift
    "coverage": lambda: Scenario(
        roster([shift("A", 0, "D"), shift("B", 1, "D")], demand=(
            Demand(UNIT, StaffRole.OR_NURSE, at(0, "08:00"), at(0, "15:30"), 1, {}, "D"),)),
        RosterChange("absence", "A", MONDAY)),
    # A (no children's competence) takes B's Monday, where one with 'barn' is needed
    "competence_mix": _competence_mix,
}


def legal_swap() -> Scenario:
    """A swap that breaks nothing: A's Monday day shift for B's Tuesday day shift."""
    return Scenario(roster([shift("A", 0, "D"), shift("B", 1, "D")]), swap(0, 1))
