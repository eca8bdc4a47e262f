"""The control tower's core: the day's plan and live state, forecasts and alerts per room.

It holds no database and no web code: the service feeds it events and plan changes and asks it
for rooms; the alert evaluation drives it with a simulated day the same way.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from kontrolltarn.model import Event, Hospital, Session

from .alerts import Alert, Thresholds, room_alerts
from .durations import DurationSource, HospitalDurations
from .forecast import Clock, RoomForecast, forecast_room
from .live import LiveDay, PlannedCase


class Tower:
    def __init__(self, hospital: Hospital, day: date, planned: list[PlannedCase],
                 durations: DurationSource | None = None,
                 thresholds: Thresholds | None = None) -> None:
        self.hospital = hospital
        self.day = day
        self.live = LiveDay(day, planned)
        self.durations = durations or HospitalDurations(
            hospital, {p.case_id: p.planned_min for p in planned})
        self.thresholds = thresholds or Thresholds()
        self.clock = Clock(day, hospital.timezone)
        self.sessions: dict[str, Session] = {}
        by_room: dict[str, list[Session]] = defaultdict(list)
        for s in hospital.sessions:
            if s.date == day:
                by_room[s.room_id].append(s)
        for room_id, found in by_room.items():
            # one staffed span per room and day (split sessions are merged for the board)
            first = min(found, key=lambda s: s.start_min)
            last = max(found, key=lambda s: s.end_min)
            self.sessions[room_id] = first if first is last else Session(
                first.id, room_id, day, first.start_min, last.end_min, first.specialty_id,
                first.emergency)
        self.released: set[str] = set()
        #: late-cancellation probability per case from ``predict.cancellation`` (if in use)
        self.case_risks: dict[str, float] = {}

    def apply(self, events: list[Event]) -> set[str]:
        """Apply events (any order, repeats ignored); returns the rooms whose state changed."""
        dirty: set[str] = set()
        for event in events:
            dirty |= self.live.apply(event)
        return dirty

    def snapshot(self) -> Tower:
        """A copy of the day's state for a long read (the suggestion agent's what-ifs)."""
        copy = Tower.__new__(Tower)
        copy.__dict__.update(self.__dict__)
        copy.live = self.live.snapshot()
        copy.released = set(self.released)
        copy.case_risks = dict(self.case_risks)
        return copy

    def room_ids(self) -> list[str]:
        return [r.id for r in self.hospital.rooms]

    def order(self, room_id: str) -> list[str]:
        return self.live.cases_in_room(room_id)

    def forecast(self, room_id: str, now: datetime, order: list[str] | None = None) -> RoomForecast:
        return forecast_room(room_id, self.sessions.get(room_id),
                             self.order(room_id) if order is None else order, self.live,
                             self.durations, self.clock, self.clock.minutes(now),
                             self.hospital.allowed_overtime_min)

    def alerts(self, forecast: RoomForecast, now: datetime) -> list[Alert]:
        return room_alerts(forecast, self.clock.minutes(now), self.thresholds)
