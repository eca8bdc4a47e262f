"""The control tower's core: the day's plan and live state, forecasts and alerts per room.

It holds no database and no web code: the service feeds it events and plan changes and asks it
for rooms; the alert evaluation drives it with a simulated day the same way.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from kontrolltarn.model import Event, Hospital, LogNormal, PlannedCase, Session
from kontrolltarn.predict import Case, CaseDurations, DurationSource

from .alerts import Alert, Thresholds, room_alerts
from .forecast import Clock, RoomForecast, forecast_room
from .live import LiveDay

#: a planned case the hospital does not know (no referral, no emergency request): its planned
#: minutes with a wide spread, and a typical turnover
UNKNOWN_SIGMA = 0.4
UNKNOWN_TURNOVER_MIN = 25


class Tower:
    #: ``predict``'s one duration source (with no history: each procedure's distribution)
    durations: DurationSource

    def __init__(self, hospital: Hospital, day: date, planned: list[PlannedCase],
                 durations: DurationSource | None = None,
                 thresholds: Thresholds | None = None) -> None:
        self.hospital = hospital
        self.day = day
        self.live = LiveDay(day, planned, ZoneInfo(hospital.timezone))
        self.use_durations(durations or CaseDurations())
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

    def use_durations(self, durations: DurationSource) -> None:
        """Forecast with ``durations`` from now on; the day's cases are predicted in one pass."""
        durations.prefetch(self.cases(), self.hospital)
        self.durations = durations

    def cases(self) -> list[Case]:
        """The day's planned cases the hospital knows (referrals and emergency requests)."""
        return [c for c in map(self._case, self.live.planned) if c is not None]

    def distribution(self, case_id: str) -> LogNormal:
        """A case's in-room minutes as today's plan has it done: by its planned surgeon at its
        room's location (the source's distribution for that context)."""
        case = self._case(case_id)
        plan = self.live.planned.get(case_id)
        if case is None:
            return LogNormal(float(plan.planned_min if plan else 90), UNKNOWN_SIGMA)
        room = self.hospital.room_by_id.get(plan.room_id) if plan is not None else None
        return self.durations.distribution(
            case, self.hospital, surgeon_id=plan.surgeon_id if plan is not None else None,
            location_id=room.location_id if room is not None else None)

    def turnover(self, case_id: str) -> int:
        case = self._case(case_id)
        return UNKNOWN_TURNOVER_MIN if case is None else self.durations.turnover(case, self.hospital)

    def _case(self, case_id: str) -> Case | None:
        return self.hospital.referral_by_id.get(case_id) or \
            self.hospital.emergency_by_id.get(case_id)

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
                             self.distribution, self.turnover, self.clock, self.clock.minutes(now),
                             self.hospital.allowed_overtime_min)

    def alerts(self, forecast: RoomForecast, now: datetime) -> list[Alert]:
        return room_alerts(forecast, self.clock.minutes(now), self.thresholds)
