"""Properties of the independent checker, over random rosters."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kontrolltarn.model import StaffRole
from kontrolltarn.plan.staffing import Person, Roster, Shift, check_roster, load_rules

MONDAY = date(2026, 12, 14)
ORIGIN = datetime.combine(MONDAY, datetime.min.time())
shift_strategy = st.builds(
    lambda day, start, length, pause: Shift(
        "A",
        ORIGIN + timedelta(days=day, minutes=start),
        ORIGIN + timedelta(days=day, minutes=start + length),
        pause,
        "SEN",
    ),
    st.integers(0, 13),
    st.integers(0, 24 * 60 - 15).map(lambda m: m - m % 15),
    st.integers(4 * 4, 14 * 4).map(lambda q: q * 15),
    st.sampled_from([0, 30]),
)


def _broken(shifts: list[Shift], weeks: int = 2, monday: date = MONDAY) -> set[str]:
    roster = Roster(
        monday,
        weeks,
        (Person("A", StaffRole.OR_NURSE, "SEN"),),
        tuple(shifts),
        (),
        monday - timedelta(days=14),
    )
    # an overlap is the extreme of too little rest; one may turn into the other
    return {"daily_rest" if b.rule == "overlap" else b.rule for b in check_roster(roster).breaches}


@settings(max_examples=150, deadline=None)
@given(shifts=st.lists(shift_strategy, max_size=10), extra=shift_strategy)
def test_one_more_shift_never_removes_a_breach(shifts: list[Shift], extra: Shift) -> None:
    assert _broken(shifts) <= _broken([*shifts, extra])


@settings(max_examples=100, deadline=None)
@given(shifts=st.lists(shift_strategy, max_size=10), weeks=st.integers(1, 5))
def test_moving_a_roster_by_whole_weeks_keeps_its_breaches(shifts: list[Shift], weeks: int) -> None:
    moved = [
        Shift(
            s.person_id,
            s.start + timedelta(weeks=weeks),
            s.end + timedelta(weeks=weeks),
            s.break_min,
            s.location_id,
        )
        for s in shifts
    ]
    assert _broken(shifts) == _broken(moved, monday=MONDAY + timedelta(weeks=weeks))


QUARTER = 15
WEEK_Q = 7 * 24 * 4
REST_Q = 35 * 4


def _weekly_rest_by_brute_force(shifts: list[Shift]) -> bool:
    """True when some 7-day window that begins while the person is at work holds no 35 h off,
    on a quarter-hour grid (the strategies use whole quarters); free beyond the last shift."""
    if not shifts:
        return False
    origin = min(s.start for s in shifts)
    horizon = max(int((s.end - origin).total_seconds()) // 60 // QUARTER for s in shifts)
    busy = [False] * (horizon + WEEK_Q + 1)
    for s in shifts:
        first = int((s.start - origin).total_seconds()) // 60 // QUARTER
        for q in range(first, first + s.span_min // QUARTER):
            busy[q] = True
    for t in range(horizon):
        if not busy[t]:
            continue
        run = best = 0
        for q in range(t, t + WEEK_Q):
            run = 0 if busy[q] else run + 1
            best = max(best, run)
        if best < REST_Q:
            return True
    return False


def _weekly_rest_broken(shifts: list[Shift], weeks: int = 3) -> bool:
    person = Person("A", StaffRole.OR_NURSE, "SEN")
    roster = Roster(MONDAY, weeks, (person,), tuple(shifts), (), MONDAY - timedelta(days=14))
    return "weekly_rest" in check_roster(roster).rules_broken()


# shifts packed densely enough that weekly rest is often at stake: a day each, some days off
dense_day = st.builds(
    lambda day, start, length: Shift(
        "A",
        ORIGIN + timedelta(days=day, minutes=start),
        ORIGIN + timedelta(days=day, minutes=start + length),
        0,
        "SEN",
    ),
    st.integers(0, 16),
    st.integers(0, 24 * 4 - 1).map(lambda q: q * QUARTER),
    st.integers(2 * 4, 12 * 4).map(lambda q: q * QUARTER),
)


@settings(max_examples=60, deadline=None)
@given(shifts=st.lists(dense_day, min_size=1, max_size=16))
def test_weekly_rest_equals_a_brute_force_over_every_window(shifts: list[Shift]) -> None:
    """Neither direction: flagged exactly when a window of 7 days from a moment at work holds
    no 35 h continuous rest."""
    assert _weekly_rest_broken(shifts) == _weekly_rest_by_brute_force(sorted(shifts, key=lambda s: s.start))


@settings(max_examples=100, deadline=None)
@given(
    rest_start_q=st.integers(0, WEEK_Q - 1),
    rest_q=st.integers(REST_Q, 60 * 4),
    lengths=st.lists(st.integers(4 * 4, 10 * 4), min_size=30, max_size=30),
    gaps=st.lists(st.integers(11 * 4, 20 * 4), min_size=30, max_size=30),
)
def test_a_rest_of_35_h_every_seven_days_is_never_flagged(
    rest_start_q: int, rest_q: int, lengths: list[int], gaps: list[int]
) -> None:
    """The same weekly rest, wherever it falls (across Monday 00:00 too), every 7 days over
    four weeks, with any shifts between the rests: a legal roster."""
    shifts: list[Shift] = []
    for w in range(4):
        rest_begin = w * WEEK_Q + rest_start_q
        cursor = rest_begin + rest_q
        limit = (w + 1) * WEEK_Q + rest_start_q  # next week's rest
        for length, gap in zip(lengths, gaps, strict=True):
            if cursor + length > limit:
                break
            shifts.append(
                Shift(
                    "A",
                    ORIGIN + timedelta(minutes=cursor * QUARTER),
                    ORIGIN + timedelta(minutes=(cursor + length) * QUARTER),
                    0,
                    "SEN",
                )
            )
            cursor += length + gap
    assert not _weekly_rest_broken(shifts, weeks=5)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([None, -360, 0, 450, 900, 1260]), min_size=1, max_size=6),
       st.integers(1, 3))
def test_sunday_work_flagged_exactly_when_a_run_is_too_long(starts: list[int | None],
                                                            limit: int) -> None:
    """One shift per weekend (or none), starting at a minute relative to the Sunday's
    midnight between 18:00 Saturday and 21:00 Sunday, so each is Sunday work (§ 10-10):
    flagged iff some ``limit`` + 1 weekends in a row all have one."""
    shifts = [Shift("A", ORIGIN + timedelta(days=7 * w + 6, minutes=m),
                    ORIGIN + timedelta(days=7 * w + 6, minutes=m + 60), 0, "SEN")
              for w, m in enumerate(starts) if m is not None]
    roster = Roster(MONDAY, len(starts), (Person("A", StaffRole.OR_NURSE, "SEN"),), tuple(shifts),
                    (), MONDAY - timedelta(days=14))
    rules = load_rules(sundays_in_a_row_max=limit)
    worked = [m is not None for m in starts]
    too_long = any(all(worked[w:w + limit + 1]) for w in range(len(worked) - limit))
    assert ("sunday_work" in check_roster(roster, rules).rules_broken()) == too_long
