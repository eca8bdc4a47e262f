"""``kpi.expected`` gives, for one sample, exactly what ``kpi.measures`` gives on the event log of
the same back-to-back run."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kontrolltarn import kpi
from kontrolltarn.kpi.expected import expected_use, summarise
from kontrolltarn.model import Event, EventKind, Session

OSLO = ZoneInfo("Europe/Oslo")
DAY = date(2026, 3, 10)
START_MIN, STAFFED_MIN = 7 * 60, 7 * 60  # a run never crosses midnight (KPIs are per day)


def _log(durations: list[int], turnovers: list[int]) -> kpi.ExecutionLog:
    clock = datetime(DAY.year, DAY.month, DAY.day, tzinfo=OSLO) + timedelta(minutes=START_MIN)
    events = []
    for j, (minutes, turnover) in enumerate(zip(durations, turnovers, strict=True)):
        for kind, offset in ((EventKind.IN_ROOM, 0), (EventKind.OUT_OF_ROOM, minutes),
                             (EventKind.ROOM_READY, minutes + turnover)):
            events.append(Event(f"C{j}-{kind.value}", kind, clock + timedelta(minutes=offset),
                                f"C{j}", "R1", None, "test"))
        clock += timedelta(minutes=minutes + turnover)
    session = Session("S1", "R1", DAY, START_MIN, START_MIN + STAFFED_MIN, "ORT")
    return kpi.ExecutionLog(DAY, DAY, events, [session], [], {}, [], {"R1": "SEN"}, {})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(5, 150), st.integers(0, 40)), min_size=1, max_size=5))
def test_one_sample_matches_the_kpi_of_its_event_log(cases: list[tuple[int, int]]) -> None:
    durations, turnovers = [m for m, _ in cases], [t for _, t in cases]
    measured = kpi.session_use(_log(durations, turnovers))[0]
    expected = expected_use(STAFFED_MIN, np.array([durations], dtype=float), np.array(turnovers))
    assert expected.in_room_min == pytest.approx(measured.in_room_min)
    assert expected.turnover_min == pytest.approx(measured.turnover_min)
    assert expected.overtime_min == pytest.approx(measured.overtime_min)
    flagged = kpi.utilisation(_log(durations, turnovers))["sessions_over_30_min_overtime"]
    assert expected.share_flagged == flagged


def test_turnover_after_the_last_case_counts_inside_staffed_hours_only() -> None:
    inside = expected_use(STAFFED_MIN, np.array([[200.0, 150.0]]), np.array([30, 30]))
    assert inside.turnover_min == 60 and inside.overtime_min == 0
    spilling = expected_use(STAFFED_MIN, np.array([[200.0, 200.0]]), np.array([30, 30]))
    assert spilling.turnover_min == 30 + 0 and spilling.overtime_min == 10  # 430 − 420


def test_summary_weights_sessions_by_staffed_minutes_and_rejects_bad_shapes() -> None:
    busy = expected_use(400, np.array([[380.0], [420.0]]), np.array([20]))
    empty = expected_use(200, np.empty((2, 0)), np.array([]))
    result = summarise([busy, empty])
    assert result["utilisation_in_room"] == pytest.approx(390 / 600)
    assert result["utilisation_with_turnover"] == pytest.approx((390 + 10) / 600)
    assert result["sessions"] == 2
    with pytest.raises(ValueError, match="durations"):
        expected_use(400, np.array([[1.0, 2.0]]), np.array([20]))
