"""What 'now' is for the forecasts. Production runs on the wall clock; the latest event's time
(``EventClock``) is an explicit choice of tests and benchmarks (deterministic), and an
accelerated clock (``ReplayClock``) one of the demo, when a simulated day is replayed.

Whatever the clock says, the board shows one hospital day: ``board_now`` holds its "now" inside
that day, so a board of a past day stands at the day's end and one of a future day before its
start, and no forecast is thousands of minutes late because the clock is on another date.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

from kontrolltarn.control import Tower

#: how far after the service's now an event may be stamped (clocks of the feeds differ a little)
FUTURE_TOLERANCE = timedelta(minutes=5)
#: the last instant of a day that is still that day (the board of a past day stands there)
_DAY_END = timedelta(days=1) - timedelta(microseconds=1)


class TowerClock(Protocol):
    def now(self, tower: Tower) -> datetime: ...


class WallClock:
    """The real time (the default)."""

    def now(self, tower: Tower) -> datetime:
        return datetime.now(UTC)


class EventClock:
    """The time of the latest event, or the start of the day's first session before any
    (tests and benchmarks only: a feed's clock then steers the board's)."""

    def now(self, tower: Tower) -> datetime:
        if tower.live.last_event_at is not None:
            return tower.live.last_event_at
        first = min((s.start_min for s in tower.sessions.values()), default=8 * 60)
        return tower.clock.at(first - 30)


class ReplayClock:
    """Simulated time running ``speed`` times faster than the wall clock from ``start``
    (the demo's replay of a simulated day)."""

    def __init__(self, start: datetime, speed: float) -> None:
        self.start, self.speed, self.wall0 = start, speed, time.monotonic()

    def now(self, tower: Tower) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.wall0) * self.speed)


def board_now(tower: Tower, now: datetime) -> datetime:
    """``now`` held inside the tower's day in the hospital's zone: a later time is the day's
    last instant (a past day is seen as it stood at its end), an earlier one the day's
    midnight (a future day is seen before its first session, as planned)."""
    start = tower.clock.midnight
    return min(max(now, start), start + _DAY_END)


def latest_allowed(tower: Tower, clock: TowerClock) -> datetime:
    """The latest ``at`` an event may carry: the later of the wall clock and the service's
    clock (a replayed or test day may run ahead of the wall clock), plus the tolerance."""
    return max(datetime.now(UTC), clock.now(tower)) + FUTURE_TOLERANCE
