"""The independent roster checker: every working-time rule of ``WorkingTimeRules`` and every
coverage requirement, evaluated from the roster's datetimes alone.

It imports no solver code on purpose: a roster is published only when this module finds no
breach, whoever built it. Each breach names the rule, the person and the dates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .roster import Person, Roster, Shift
from .rules import HOUR, WorkingTimeRules

#: Every rule the checker knows, with the sentence a planner reads
RULES: dict[str, str] = {
    "overlap": "a person has two shifts at the same time",
    "unavailable": "a person works on a date they are not available (leave, course)",
    "break": "a working day of break_after or more has a break shorter than break_min",
    "total_day": "hours worked on one day, overtime included, exceed total_day",
    "daily_rest": "less than daily_rest between the end of one shift and the start of the next",
    "weekly_rest": "a 7-day window that begins with a shift holds no continuous weekly_rest off",
    "overtime_week": "overtime in one week exceeds overtime_week",
    "overtime_4weeks": "overtime in four consecutive weeks exceeds overtime_4weeks",
    "overtime_year": "overtime this year, earlier overtime included, exceeds overtime_year",
    "total_week": "hours incl. overtime, averaged over total_averaging_weeks, exceed total_week",
    "averaging": "normal hours averaged over averaging_weeks exceed normal_week",
    "sunday_work": "more than sundays_in_a_row_max Sundays in a row with work (§ 10-10 (4))",
    "night_work": "a night worker averages more than night_worker_avg_per_24h per 24 h",
    "publication": "the roster is published less than publication_notice_days before it starts",
    "coverage": "fewer people than demanded are present (role, location, time)",
    "competence_mix": "fewer people with a required competence than demanded are present",
}


@dataclass(frozen=True)
class Breach:
    """One broken rule. ``amount_min`` is how far over (or under) the limit, in minutes or
    people for coverage rules; ``person_id`` is None for rules about the roster as a whole."""

    rule: str
    person_id: str | None
    first: date
    last: date
    amount: int
    detail: str

    def __str__(self) -> str:
        who = self.person_id or "-"
        when = self.first.isoformat() if self.first == self.last else f"{self.first}..{self.last}"
        return f"{self.rule:<16} {who:<10} {when:<22} {self.detail}"


@dataclass
class CheckReport:
    breaches: list[Breach] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaches

    def by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for b in self.breaches:
            counts[b.rule] += 1
        return dict(counts)

    def rules_broken(self) -> set[str]:
        return {b.rule for b in self.breaches}

    @property
    def working_time_breaches(self) -> list[Breach]:
        return [b for b in self.breaches if b.rule not in ("coverage", "competence_mix")]


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _hm(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    return f"{sign}{minutes // HOUR} h {minutes % HOUR:02d} min"


def check_roster(roster: Roster, rules: WorkingTimeRules | None = None) -> CheckReport:
    """All breaches of ``roster`` against ``rules`` (the Act's defaults when None)."""
    rules = rules or WorkingTimeRules()
    report = CheckReport()
    add = report.breaches.append
    if (
        roster.published_on is None
        or (roster.first_day - roster.published_on).days < rules.publication_notice_days
    ):
        notice = None if roster.published_on is None else (roster.first_day - roster.published_on).days
        add(
            Breach(
                "publication",
                None,
                roster.first_day,
                roster.first_day,
                rules.publication_notice_days - (notice or 0),
                f"published {notice} days ahead, {rules.publication_notice_days} required"
                if notice is not None
                else "no publication date",
            )
        )
    for person in roster.people:
        shifts = roster.shifts_by_person[person.id]
        report.breaches.extend(_person_breaches(roster, person, shifts, rules))
    report.breaches.extend(_coverage_breaches(roster))
    return report


def _person_breaches(
    roster: Roster, person: Person, shifts: list[Shift], rules: WorkingTimeRules
) -> Iterable[Breach]:
    pid = person.id
    for prev, nxt in zip(shifts, shifts[1:], strict=False):
        gap = _minutes(nxt.start - prev.end)
        if gap < 0:
            yield Breach(
                "overlap",
                pid,
                prev.start.date(),
                nxt.start.date(),
                -gap,
                f"{prev.start:%d.%m %H:%M}-{prev.end:%H:%M} overlaps {nxt.start:%d.%m %H:%M}",
            )
        elif gap < rules.daily_rest_min:
            yield Breach(
                "daily_rest",
                pid,
                prev.start.date(),
                nxt.start.date(),
                rules.daily_rest_min - gap,
                f"rest {_hm(gap)} from {prev.end:%d.%m %H:%M} to {nxt.start:%d.%m %H:%M}, "
                f"{_hm(rules.daily_rest_min)} required",
            )
    for s in shifts:
        if s.start.date() in person.unavailable:
            yield Breach(
                "unavailable",
                pid,
                s.start.date(),
                s.start.date(),
                s.worked_min,
                f"works {s.start:%H:%M}-{s.end:%H:%M} on a date marked unavailable",
            )
        if s.span_min >= rules.break_after_min and s.break_min < rules.break_min:
            yield Breach(
                "break",
                pid,
                s.start.date(),
                s.start.date(),
                rules.break_min - s.break_min,
                f"{_hm(s.span_min)} day with a {s.break_min} min break, {rules.break_min} min required",
            )

    # minutes worked per calendar day, attributed to the day the shift starts
    per_day: dict[date, int] = defaultdict(int)
    for s in shifts:
        per_day[s.start.date()] += s.worked_min
    for day, worked in sorted(per_day.items()):
        if worked > rules.total_day_min:
            yield Breach(
                "total_day",
                pid,
                day,
                day,
                worked - rules.total_day_min,
                f"{_hm(worked)} worked, at most {_hm(rules.total_day_min)}",
            )

    weeks = [roster.first_day + timedelta(weeks=w) for w in range(roster.weeks)]
    worked_week, overtime_week = [], []
    for monday in weeks:
        days = [monday + timedelta(days=k) for k in range(7)]
        worked = sum(per_day.get(d, 0) for d in days)
        daily_excess = sum(max(0, per_day.get(d, 0) - rules.day_limit_min) for d in days)
        overtime = max(daily_excess, worked - rules.week_limit_min, 0)
        worked_week.append(worked)
        overtime_week.append(overtime)
        sunday = days[-1]
        if overtime > rules.overtime_week_min:
            yield Breach(
                "overtime_week",
                pid,
                monday,
                sunday,
                overtime - rules.overtime_week_min,
                f"{_hm(overtime)} overtime, at most {_hm(rules.overtime_week_min)}",
            )
    yield from _weekly_rest_breaches(pid, shifts, rules)
    span = min(4, len(weeks))  # a shorter roster is checked over all its weeks
    for w in range(len(weeks) - span + 1):
        total = sum(overtime_week[w : w + span])
        if total > rules.overtime_4weeks_min:
            yield Breach(
                "overtime_4weeks",
                pid,
                weeks[w],
                weeks[w] + timedelta(days=7 * span - 1),
                total - rules.overtime_4weeks_min,
                f"{_hm(total)} overtime in 4 weeks, at most {_hm(rules.overtime_4weeks_min)}",
            )
    year_total = person.overtime_year_min + sum(overtime_week)
    if year_total > rules.overtime_year_min:
        yield Breach(
            "overtime_year",
            pid,
            weeks[0],
            weeks[-1] + timedelta(days=6),
            year_total - rules.overtime_year_min,
            f"{_hm(year_total)} overtime this year, at most {_hm(rules.overtime_year_min)}",
        )
    # averages over windows as long as the roster allows (a roster cannot see beyond itself)
    yield from _averaged(
        pid,
        weeks,
        worked_week,
        min(rules.total_averaging_weeks, len(weeks)),
        rules.total_week_min,
        "total_week",
        "hours incl. overtime",
    )
    if rules.averaging_weeks > 1:
        normal = [w - o for w, o in zip(worked_week, overtime_week, strict=True)]
        yield from _averaged(
            pid,
            weeks,
            normal,
            min(rules.averaging_weeks, len(weeks)),
            rules.normal_week_min,
            "averaging",
            "normal hours",
        )
    yield from _night_breaches(roster, person, shifts, rules, per_day)
    yield from sunday_breaches(pid, shifts, roster.days, rules)


def sunday_window(sunday: date, rules: WorkingTimeRules) -> tuple[datetime, datetime]:
    """§ 10-10 (1): the Sunday's protected time, from ``sunday_start`` the day before to
    ``sunday_end`` on the Sunday; a shift that touches it is Sunday work."""
    midnight = datetime.combine(sunday, datetime.min.time())
    return (midnight - timedelta(days=1) + timedelta(minutes=rules.sunday_start_min),
            midnight + timedelta(minutes=rules.sunday_end_min))


def sunday_breaches(
    pid: str, shifts: list[Shift], days: list[date], rules: WorkingTimeRules
) -> Iterable[Breach]:
    """§ 10-10 (4): who worked a Sunday is off the next one, unless an agreement allows
    ``sundays_in_a_row_max`` in a row. One breach per Sunday that makes the run too long,
    dated from the run's first Sunday counted. Sundays before the roster count as free."""
    limit = rules.sundays_in_a_row_max
    run = 0
    for sunday in (d for d in days if d.weekday() == 6):
        begin, end = sunday_window(sunday, rules)
        touching = [s for s in shifts if s.start < end and s.end > begin]
        if not touching:
            run = 0
            continue
        run += 1
        if run > limit:  # how far over: the hours of the Sunday that should have been off
            yield Breach(
                "sunday_work",
                pid,
                sunday - timedelta(weeks=limit),
                sunday,
                sum(s.worked_min for s in touching),
                f"works Sunday {sunday:%d.%m} after {run - 1} Sunday(s) in a row with work, "
                f"at most {limit} in a row",
            )


def _averaged(
    pid: str, weeks: list[date], values: list[int], window: int, limit: int, rule: str, what: str
) -> Iterable[Breach]:
    for w in range(len(weeks) - window + 1):
        average = sum(values[w : w + window]) / window
        if average > limit:
            yield Breach(
                rule,
                pid,
                weeks[w],
                weeks[w + window - 1] + timedelta(days=6),
                round(average - limit),
                f"{what} average {_hm(round(average))} a week over {window} weeks, at most {_hm(limit)}",
            )


def _weekly_rest_breaches(pid: str, shifts: list[Shift], rules: WorkingTimeRules) -> Iterable[Breach]:
    """§ 10-8 (2): a continuous rest of ``weekly_rest`` within seven days, the seven days
    sliding rather than tied to the calendar week. Every 7-day window that begins with a shift
    (or while the person is at work) must hold such a rest. A window that begins inside a rest
    is not asked to hold all of it: otherwise a Mon-Fri day worker with every weekend off
    would break the Act (the window Sun 00:00 - Sun 00:00 holds only 31.5 h + 32.5 h).

    Equivalently: split the shifts into stretches wherever a gap of at least ``weekly_rest``
    lies between them; no stretch may last longer than 7 days minus ``weekly_rest``. Before
    the first and after the last known shift the person counts as free (a roster cannot see
    beyond itself; the neighbouring roster is checked with these shifts as its history)."""
    week = 7 * 24 * HOUR
    longest = week - rules.weekly_rest_min
    stretch: list[Shift] = []

    def judge(stretch: list[Shift]) -> Iterable[Breach]:
        begin, end = stretch[0].start, max(s.end for s in stretch)
        if _minutes(end - begin) <= longest:  # the rest after it fits in the 7 days
            return
        window_end = begin + timedelta(minutes=week)
        # the longest rest inside the window: the gaps of the stretch, then the start of the
        # rest after it, cut at the window's end
        cursor, best = begin, 0
        for s in stretch:
            if s.start >= window_end:
                break
            best = max(best, _minutes(s.start - cursor))
            cursor = max(cursor, s.end)
        best = max(best, _minutes(window_end - cursor))
        yield Breach(
            "weekly_rest",
            pid,
            begin.date(),
            (window_end - timedelta(minutes=1)).date(),
            rules.weekly_rest_min - best,
            f"longest continuous rest in the 7 days from {begin:%d.%m %H:%M} is {_hm(best)}, "
            f"{_hm(rules.weekly_rest_min)} required",
        )

    last_end: datetime | None = None
    for s in shifts:
        if last_end is not None and _minutes(s.start - last_end) >= rules.weekly_rest_min:
            yield from judge(stretch)
            stretch = []
        stretch.append(s)
        last_end = s.end if last_end is None else max(last_end, s.end)
    if stretch:
        yield from judge(stretch)


def _night_minutes(shift: Shift, rules: WorkingTimeRules) -> int:
    """Minutes of ``shift`` inside the night window (21:00-06:00 by default)."""
    total = 0
    day = shift.start.date() - timedelta(days=1)
    while datetime.combine(day, datetime.min.time()) < shift.end:
        night_start = datetime.combine(day, datetime.min.time()) + timedelta(minutes=rules.night_start_min)
        night_end = datetime.combine(day + timedelta(days=1), datetime.min.time()) + timedelta(
            minutes=rules.night_end_min
        )
        overlap = _minutes(min(shift.end, night_end) - max(shift.start, night_start))
        total += max(0, overlap)
        day += timedelta(days=1)
    return total


def _night_breaches(
    roster: Roster,
    person: Person,
    shifts: list[Shift],
    rules: WorkingTimeRules,
    per_day: dict[date, int],
) -> Iterable[Breach]:
    """A night worker regularly works at least 3 h of the night; their hours over each window of
    ``night_averaging_days`` (shortened to the roster) average at most the limit per 24 h."""
    if not any(_night_minutes(s, rules) >= 3 * HOUR for s in shifts):
        return
    days = roster.days
    window = min(rules.night_averaging_days, len(days))
    for k in range(len(days) - window + 1):
        worked = sum(per_day.get(d, 0) for d in days[k : k + window])
        limit = rules.night_worker_avg_per_24h_min * window
        if worked > limit:
            yield Breach(
                "night_work",
                person.id,
                days[k],
                days[k + window - 1],
                worked - limit,
                f"night worker: {_hm(worked)} in {window} days, at most {_hm(limit)}",
            )


def _coverage_breaches(roster: Roster) -> Iterable[Breach]:
    """Demand of the same role, place and time is summed, so it cannot be counted twice."""
    need: dict[tuple[str, str, datetime, datetime], int] = defaultdict(int)
    comp_need: dict[tuple[str, str, datetime, datetime], dict[str, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for d in roster.demand:
        key = (d.location_id, d.role.value, d.start, d.end)
        need[key] += d.count
        for comp, count in d.competences.items():
            comp_need[key][comp] += count
    present: dict[tuple[str, str], list[tuple[Shift, Person]]] = defaultdict(list)
    for s in roster.shifts:
        p = roster.person_by_id[s.person_id]
        present[(s.location_id, p.role.value)].append((s, p))
    for key, count in sorted(need.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])):
        location, role, start, end = key
        there = [p for s, p in present[(location, role)] if s.start <= start and s.end >= end]
        when = f"{role} at {location} {start:%d.%m %H:%M}-{end:%H:%M}"
        if len(there) < count:
            yield Breach(
                "coverage",
                None,
                start.date(),
                start.date(),
                count - len(there),
                f"{len(there)} of {count} {when}",
            )
        for comp, want in sorted(comp_need[key].items()):
            have = sum(1 for p in there if comp in p.competences)
            if have < want:
                yield Breach(
                    "competence_mix",
                    None,
                    start.date(),
                    start.date(),
                    want - have,
                    f"{have} of {want} with '{comp}' among {when}",
                )


def check_people(
    roster: Roster, person_ids: Iterable[str], rules: WorkingTimeRules, days: Iterable[date] = ()
) -> list[Breach]:
    """The breaches of ``roster`` that concern ``person_ids`` (their working-time rules) and
    the coverage of the shifts that start on ``days``: what a change to those people on those
    days can break, checked without the rest of the roster (a request is answered at once)."""
    wanted = set(person_ids)
    found: list[Breach] = []
    for person in roster.people:
        if person.id in wanted:
            found.extend(_person_breaches(roster, person, roster.shifts_by_person[person.id], rules))
    on = set(days)
    if on:
        around = on | {d - timedelta(days=1) for d in on}  # a night started the day before
        local = Roster(
            roster.first_day,
            roster.weeks,
            roster.people,
            tuple(s for s in roster.shifts if s.start.date() in around),
            tuple(d for d in roster.demand if d.start.date() in on),
            roster.published_on,
        )
        found.extend(_coverage_breaches(local))
    return found


def breaches_added(before: list[Breach], after: list[Breach]) -> list[Breach]:
    """The breaches of ``after`` that ``before`` did not have, or had by a smaller amount."""
    had = {(b.rule, b.person_id, b.first, b.last): b.amount for b in before}
    return [b for b in after if b.amount > had.get((b.rule, b.person_id, b.first, b.last), 0)]
