"""Properties of the independent checker, over random rosters."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kontrolltarn.model import StaffRole
from kontrolltarn.plan.staffing import Person, Roster, Shift, check_roster

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
