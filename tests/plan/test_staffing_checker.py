"""One hand-made breaking roster and one not-breaking roster per working-time rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from kontrolltarn.model import ModelError, StaffRole
from kontrolltarn.plan.staffing import (
    RULES,
    Demand,
    Person,
    Roster,
    Shift,
    WorkingTimeRules,
    check_roster,
    load_rules,
    roster_from_dict,
    roster_to_dict,
)

MONDAY = date(2026, 12, 14)
ACT = WorkingTimeRules()


def at(day: int, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime.combine(MONDAY + timedelta(days=day), datetime.min.time()) + timedelta(
        hours=h, minutes=m
    )


def shift(day: int, start: str, hours: float, break_min: int = 0, who: str = "A") -> Shift:
    begin = at(day, start)
    return Shift(who, begin, begin + timedelta(minutes=round(hours * 60)), break_min, "SEN", "X")


def roster(
    shifts: list[Shift],
    weeks: int = 1,
    person: Person | None = None,
    demand: tuple[Demand, ...] = (),
    published: date | None = MONDAY - timedelta(days=14),
    extra: tuple[Person, ...] = (),
) -> Roster:
    person = person or Person("A", StaffRole.OR_NURSE, "SEN")
    return Roster(MONDAY, weeks, (person, *extra), tuple(shifts), demand, published)


def week_days(
    week: int, start: str, hours: float, break_min: int = 0, days: int = 5
) -> list[Shift]:
    return [shift(7 * week + d, start, hours, break_min) for d in range(days)]


def ordinary_weeks(weeks: int) -> list[Shift]:
    """Mon-Fri 07:30-15:30 with a 30 min break: 37.5 h a week, inside every rule."""
    return [s for w in range(weeks) for s in week_days(w, "07:30", 8, 30)]


def broken(r: Roster, rules: WorkingTimeRules = ACT) -> set[str]:
    return check_roster(r, rules).rules_broken()


def test_ordinary_roster_breaks_nothing() -> None:
    assert broken(roster(ordinary_weeks(4), weeks=4)) == set()


def test_every_rule_has_a_test_below() -> None:
    tested = {
        "overlap",
        "unavailable",
        "break",
        "total_day",
        "daily_rest",
        "weekly_rest",
        "overtime_week",
        "overtime_4weeks",
        "overtime_year",
        "total_week",
        "averaging",
        "night_work",
        "sunday_work",
        "publication",
        "coverage",
        "competence_mix",
    }
    assert tested == set(RULES)


def test_overlap() -> None:
    assert "overlap" in broken(roster([shift(0, "07:30", 8, 30), shift(0, "15:00", 7.5)]))
    assert "overlap" not in broken(roster([shift(0, "07:30", 8, 30), shift(1, "07:30", 8, 30)]))


def test_unavailable() -> None:
    away = Person("A", StaffRole.OR_NURSE, "SEN", unavailable=frozenset({MONDAY}))
    assert "unavailable" in broken(roster([shift(0, "07:30", 8, 30)], person=away))
    assert "unavailable" not in broken(roster([shift(1, "07:30", 8, 30)], person=away))


def test_break() -> None:
    report = check_roster(roster([shift(0, "07:30", 8, 0)]))
    assert report.rules_broken() == {"break"}
    assert report.breaches[0].person_id == "A" and report.breaches[0].first == MONDAY
    assert broken(roster([shift(0, "07:30", 8, 30)])) == set()
    assert broken(roster([shift(0, "07:30", 7.5, 0)])) == set()  # under 8 h: no break required


def test_total_day() -> None:
    assert "total_day" in broken(roster([shift(0, "07:00", 14, 30)]))  # 13.5 h worked
    assert "total_day" not in broken(roster([shift(0, "07:00", 13.5, 30)]))  # 13 h worked


def test_daily_rest() -> None:
    report = check_roster(roster([shift(0, "14:00", 8, 30), shift(1, "07:00", 8, 30)]))
    assert report.rules_broken() == {"daily_rest"}
    (b,) = report.breaches
    assert (b.person_id, b.first, b.last, b.amount) == (
        "A",
        MONDAY,
        MONDAY + timedelta(days=1),
        120,
    )
    assert broken(roster([shift(0, "14:00", 8, 30), shift(1, "09:00", 8, 30)])) == set()


def test_daily_rest_floor_by_agreement() -> None:
    nine = load_rules(daily_rest_h=9)
    assert broken(roster([shift(0, "14:00", 8, 30), shift(1, "07:00", 8, 30)]), nine) == set()
    with pytest.raises(ModelError) as err:
        load_rules(daily_rest_h=7)
    assert (err.value.field, err.value.value) == ("rules.daily_rest_h", 7)  # as typed


def test_weekly_rest() -> None:
    every_day = [shift(d, "08:00", 5) for d in range(7)]  # longest rest 19 h
    assert broken(roster(every_day)) == {"weekly_rest"}
    assert broken(roster([shift(d, "08:00", 5) for d in range(6)])) == set()  # Sat 13:00 → Mon


def test_weekly_rest_counts_a_night_shift_into_the_next_week() -> None:
    # Sunday night into Monday, then Mon..Sat nights: no 35 h off in the 7 days from Sunday 22:00
    nights = [shift(6, "22:00", 9, 30)] + [shift(7 + d, "22:00", 9, 30) for d in range(6)]
    report = check_roster(roster(nights, weeks=2))
    (b,) = [b for b in report.breaches if b.rule == "weekly_rest"]
    assert (b.first, b.last) == (MONDAY + timedelta(days=6), MONDAY + timedelta(days=13))
    assert "in the 7 days from 20.12 22:00" in b.detail


def forty_hours_off_across_monday(weeks: int) -> list[Shift]:
    """Mon 08:00 - Sat 16:00 every week (Mon-Fri 08:00-15:00, Sat 08:00-16:00): the 40 h off
    from Saturday 16:00 to Monday 08:00 straddle the calendar week's boundary."""
    return [
        shift(7 * w + d, "08:00", 8 if d == 5 else 7, 30 if d == 5 else 0)
        for w in range(weeks)
        for d in range(6)
    ]


def test_weekly_rest_across_the_week_boundary_is_legal() -> None:
    # inside each calendar week (Mon 00:00 - Mon 00:00) the longest rest is 32 h, yet every
    # 7 days from any shift hold the 40 h off: the Act's 7 days are not the calendar week
    assert "weekly_rest" not in broken(roster(forty_hours_off_across_monday(4), weeks=4))


def test_weekly_rest_more_than_seven_days_between_rests() -> None:
    # the same weeks, but week 2's Saturday extends to Sunday 07:00 and Monday starts at 00:30:
    # the rest is 17.5 h + 17.5 h, none of 35 h from week 2's Monday 08:00 to week 3's Saturday
    shifts = forty_hours_off_across_monday(3)
    shifts += [shift(13, "00:00", 7), shift(14, "00:30", 5)]
    report = check_roster(roster(shifts, weeks=3))
    (b,) = [b for b in report.breaches if b.rule == "weekly_rest"]
    assert b.first == MONDAY + timedelta(days=7)
    assert b.amount > 0 and "35 h 00 min required" in b.detail


def test_weekly_rest_window_from_each_shift_has_the_exact_limit() -> None:
    # work from Mon 08:00; a 35 h rest that ends exactly 7 days later is legal, 1 min later not
    rest_start = 7 * 24 * 60 - 35 * 60  # minutes after Mon 08:00
    for extra, expected in ((0, set()), (1, {"weekly_rest"})):
        first = shift(0, "08:00", 4)
        last_begin = at(0, "08:00") + timedelta(minutes=rest_start + extra - 240)
        last = Shift("A", last_begin, last_begin + timedelta(minutes=240), 0, "SEN")
        middle = [shift(d, "08:00", 4) for d in range(1, 5)]
        assert broken(roster([first, *middle, last], weeks=2)) == expected


def test_overtime_week() -> None:
    fifty = week_days(0, "07:00", 10.5, 30)  # 50 h: 12 h over the 38 h week
    assert "overtime_week" in broken(roster(fifty))
    assert broken(roster(week_days(0, "07:00", 10, 30))) == set()  # 47.5 h: 9.5 h overtime


def test_overtime_4weeks() -> None:
    # 45 h a week: 7 h overtime a week (<= 10), 28 h in four weeks (> 25)
    heavy = [s for w in range(4) for s in week_days(w, "07:00", 9.5, 30)]
    assert broken(roster(heavy, weeks=4)) == {"overtime_4weeks"}
    three_heavy = [s for w in range(3) for s in week_days(w, "07:00", 9.5, 30)] + ordinary_weeks(4)[
        15:
    ]
    assert broken(roster(three_heavy, weeks=4)) == set()


def test_overtime_year() -> None:
    tired = Person("A", StaffRole.OR_NURSE, "SEN", overtime_year_min=195 * 60)
    heavy = week_days(0, "07:00", 9.5, 30)  # 7 h overtime
    assert broken(roster(heavy, person=tired)) == {"overtime_year"}
    rested = Person("A", StaffRole.OR_NURSE, "SEN", overtime_year_min=190 * 60)
    assert broken(roster(heavy, person=rested)) == set()


def test_total_week_with_a_stretched_overtime_limit() -> None:
    agreement = load_rules(overtime_week_h=20, overtime_4weeks_h=50)
    fifty = week_days(0, "07:00", 10.5, 30)  # 50 h: inside 20 h overtime, over the 48 h total
    assert broken(roster(fifty), agreement) == {"total_week"}
    assert broken(roster(week_days(0, "07:00", 10, 30)), agreement) == set()  # 47.5 h


def test_averaging_agreement() -> None:
    agreement = load_rules(averaging_weeks=2)
    week1 = week_days(0, "07:00", 10, 30)  # 47.5 h, within the averaged 10 h / 48 h
    assert broken(roster(week1 + week_days(1, "07:00", 8.5, 30), weeks=2), agreement) == {
        "averaging"
    }
    assert broken(roster(week1 + week_days(1, "07:00", 6, 30), weeks=2), agreement) == set()
    long_week = week_days(0, "07:00", 11, 30)  # 52.5 h
    assert "overtime_week" in broken(roster(long_week))  # 14.5 h over the 38 h week
    assert "overtime_week" not in broken(roster(long_week), agreement)  # 4.5 h over 48 h


def test_sunday_work_two_sundays_in_a_row() -> None:
    # Sunday day shifts in weeks 1 and 2: the second breaks § 10-10 (4)
    report = check_roster(roster([shift(6, "07:30", 8, 30), shift(13, "07:30", 8, 30)], weeks=2))
    assert report.rules_broken() == {"sunday_work"}
    (b,) = report.breaches
    assert (b.person_id, b.first, b.last, b.amount) == ("A", MONDAY + timedelta(days=6),
                                                        MONDAY + timedelta(days=13), 450)


def test_sunday_work_every_other_sunday_is_legal() -> None:
    every_other = [shift(d, "07:30", 8, 30) for d in (6, 20, 34)]
    assert broken(roster(every_other, weeks=6)) == set()


def test_sunday_work_starts_at_18_the_day_before() -> None:
    saturday_evening = shift(5, "15:00", 7.5)  # until 22:30 Saturday: inside the Sunday's time
    friday_night = shift(4, "22:15", 9.5, 30)  # ends 07:45 Saturday: not Sunday work
    sunday = shift(13, "07:30", 8, 30)
    assert broken(roster([saturday_evening, sunday], weeks=2)) == {"sunday_work"}
    assert broken(roster([friday_night, sunday], weeks=2)) == set()
    sunday_night = shift(6, "22:15", 9.5, 30)  # starts after 22:00 Sunday: the Monday's work
    assert broken(roster([sunday_night, sunday], weeks=2)) == set()


def test_sunday_work_agreement_allows_two_in_a_row() -> None:
    sundays = [shift(d, "07:30", 8, 30) for d in (6, 13, 20)]
    two = load_rules(sundays_in_a_row_max=2)
    report = check_roster(roster(sundays, weeks=3), two)
    assert [(b.rule, b.first, b.last) for b in report.breaches] == [
        ("sunday_work", MONDAY + timedelta(days=6), MONDAY + timedelta(days=20))]
    assert broken(roster(sundays[:2], weeks=3), two) == set()


def test_night_work() -> None:
    strict = load_rules(night_worker_avg_per_24h_h=4)
    nights = [s for w in range(4) for s in week_days(w, "22:00", 9.5, 30, days=4)]  # 144 h
    assert broken(roster(nights, weeks=4), strict) == {"night_work"}
    evenings = [s for w in range(4) for s in week_days(w, "13:00", 8, 30, days=4)]  # ends 21:00
    assert broken(roster(evenings, weeks=4), strict) == set()  # not a night worker


def test_publication() -> None:
    assert broken(roster([], published=MONDAY - timedelta(days=13))) == {"publication"}
    assert broken(roster([], published=None)) == {"publication"}
    assert broken(roster([], published=MONDAY - timedelta(days=14))) == set()


def _need(count: int, comps: dict[str, int] | None = None) -> Demand:
    return Demand("SEN", StaffRole.OR_NURSE, at(0, "08:00"), at(0, "15:30"), count, comps or {})


def test_coverage_and_competence_mix() -> None:
    plain = Person("A", StaffRole.OR_NURSE, "SEN")
    thorax = Person("B", StaffRole.OR_NURSE, "SEN", frozenset({"thorax"}))
    one = [shift(0, "07:30", 8, 30)]
    assert broken(roster(one, person=plain, demand=(_need(2),))) == {"coverage"}
    assert broken(roster(one, person=plain, demand=(_need(1, {"thorax": 1}),))) == {
        "competence_mix"
    }
    both = one + [shift(0, "07:30", 8, 30, who="B")]
    assert (
        broken(roster(both, person=plain, extra=(thorax,), demand=(_need(2, {"thorax": 1}),)))
        == set()
    )
    late = [shift(0, "09:00", 8, 30)]  # arrives after the session starts: does not cover it
    assert broken(roster(late, person=plain, demand=(_need(1),))) == {"coverage"}
    # two demand lines for the same slot add up; one person cannot fill both
    assert broken(roster(one, person=plain, demand=(_need(1), _need(1)))) == {"coverage"}


def test_json_round_trip_keeps_the_verdict() -> None:
    r = roster([shift(0, "14:00", 8, 30), shift(1, "07:00", 8, 30)], demand=(_need(1),))
    again = roster_from_dict(roster_to_dict(r))
    assert again == r
    assert check_roster(again).by_rule() == check_roster(r).by_rule()


def test_bad_input_names_the_field() -> None:
    data = roster_to_dict(roster([shift(0, "07:30", 8, 30)]))
    data["shifts"][0]["start"] = "yesterday"
    with pytest.raises(ModelError) as err:
        roster_from_dict(data)
    assert err.value.field == "shifts[0].start"
    with pytest.raises(ModelError) as err2:
        load_rules(weekly_rest_hours=36)
    assert err2.value.field == "rules.weekly_rest_hours"
