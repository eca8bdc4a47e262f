"""What 'now' is for the forecasts: the wall clock in production, the latest event in tests and
benchmarks (deterministic), or an accelerated clock when a simulated day is replayed."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

from kontrolltarn.control import Tower


class TowerClock(Protocol):
    def now(self, tower: Tower) -> datetime: ...


class WallClock:
    def now(self, tower: Tower) -> datetime:
        return datetime.now(UTC)


class EventClock:
    """The time of the latest event, or the start of the day's first session before any."""

    def now(self, tower: Tower) -> datetime:
        if tower.live.last_event_at is not None:
            return tower.live.last_event_at
        first = min((s.start_min for s in tower.sessions.values()), default=8 * 60)
        return tower.clock.at(first - 30)


class ReplayClock:
    """Simulated time running ``speed`` times faster than the wall clock from ``start``."""

    def __init__(self, start: datetime, speed: float) -> None:
        self.start, self.speed, self.wall0 = start, speed, time.monotonic()

    def now(self, tower: Tower) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.wall0) * self.speed)
