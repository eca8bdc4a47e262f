"""Alerts a coordinator can trust (issue 19 finding 4): a finished room raises none, an alert
closes when its problem is gone, and there is one alert per (case or room, problem). A real
``Tower`` is driven with milestone events, as the service drives it."""

from __future__ import annotations

from datetime import datetime

from kontrolltarn.control import Tower, board_view, unique_alerts
from kontrolltarn.model import Event, EventKind

from .conftest import planned_cases


def _event(tower: Tower, kind: EventKind, case_id: str, room_id: str, minute: float) -> Event:
    return Event(f"t:{case_id}:{kind.value}", kind, tower.clock.at(minute), case_id=case_id,
                 room_id=room_id, source="test")


def _room_run_late(small_day):  # type: ignore[no-untyped-def]
    """A tower and one elective room whose cases run back to back from session start, each two
    and a half times its planned minutes, so the room's last case ends long past staffed end."""
    hospital, day, program = small_day
    tower = Tower(hospital, day, planned_cases(program))
    room = next(r for r, s in tower.sessions.items()
                if not s.emergency and len(tower.order(r)) >= 2)
    session = tower.sessions[room]
    events: list[Event] = []
    at = float(session.start_min)
    for case_id in tower.order(room):
        minutes = tower.live.planned[case_id].planned_min * 2.5
        events += [_event(tower, EventKind.IN_ROOM, case_id, room, at),
                   _event(tower, EventKind.OUT_OF_ROOM, case_id, room, at + minutes)]
        at += minutes + 20
    return tower, room, events


def _kinds(tower: Tower, room: str, now: datetime) -> set[str]:
    return {a.kind for a in tower.alerts(tower.forecast(room, now), now)}


def test_a_finished_room_raises_no_overtime_alert(small_day) -> None:  # type: ignore[no-untyped-def]
    """Issue 19 finding 4: about 30 "100 % overtime risk" alerts were still open at 20:41 on
    rooms whose day was over. While the last case is in the room past staffed end the overtime
    alert is open; once it is out, the room is finished: the overtime stays in the forecast (a
    fact of the day) but the alert is closed, on the room and on the board."""
    tower, room, events = _room_run_late(small_day)
    *before, last_out = events
    tower.apply(before)
    end = tower.sessions[room].end_min
    late = tower.clock.at(tower.clock.minutes(last_out.at) - 5)
    assert tower.clock.minutes(late) > end + 30
    assert "overtime" in _kinds(tower, room, late)
    tower.apply([last_out])
    evening = tower.clock.at(20 * 60 + 41)
    forecast = tower.forecast(room, evening)
    assert forecast.overtime_risk == 1.0  # the room did run over ...
    assert tower.alerts(forecast, evening) == []  # ... but nothing is left to act on
    board = board_view(tower, evening)
    assert board["rooms"][room]["alerts"] == []
    assert all(a["room_id"] != room for a in board["alerts"])


def test_a_late_start_alert_closes_when_the_patient_is_in(small_day) -> None:  # type: ignore[no-untyped-def]
    """Issue 19 finding 4: an alert is closed when its problem is gone."""
    tower, room, events = _room_run_late(small_day)
    start = tower.sessions[room].start_min
    twenty_late = tower.clock.at(start + 20)
    assert "late_start" in _kinds(tower, room, twenty_late)
    first_in = events[0]
    tower.apply([first_in])
    assert "late_start" not in _kinds(tower, room, twenty_late)


def test_one_alert_per_case_or_room_and_problem(small_day) -> None:  # type: ignore[no-untyped-def]
    """Issue 19 finding 4: one alert per (case or room, problem), the most urgent kept, most
    urgent first; the board's list has each id once."""
    tower, room, events = _room_run_late(small_day)
    tower.apply(events[:-1])
    now = tower.clock.at(tower.clock.minutes(events[-1].at) - 5)
    (overtime,) = [a for a in tower.alerts(tower.forecast(room, now), now)
                   if a.kind == "overtime"]
    warning = type(overtime)(overtime.id, "overtime", room, None, "warning", 0.91)
    assert unique_alerts([warning, overtime, warning]) == [overtime]
    board = board_view(tower, now)
    ids = [a["id"] for a in board["alerts"]]
    assert len(ids) == len(set(ids)) and overtime.id in ids
    assert ids == [a["id"] for a in unique_alerts(
        a for r in board["rooms"].values() for a in r["alerts"])]
