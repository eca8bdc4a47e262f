"""Sessions (økter): one room, one day, staffed hours, usually one specialty."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .errors import require, require_id, require_minutes

MINUTES_PER_DAY = 24 * 60


def clock(minute_of_day: int) -> str:
    """'08:30' for 510; minutes past midnight may exceed a day for sessions running late."""
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


@dataclass(frozen=True, slots=True)
class Session:
    """Staffed hours in one room on one date, in minutes past that date's midnight.

    ``specialty_id`` None means the session is open to any specialty the room takes (an
    emergency room, or released time refilled from any waiting list).
    """

    id: str
    room_id: str
    date: date
    start_min: int
    end_min: int
    specialty_id: str | None
    emergency: bool = False

    def __post_init__(self) -> None:
        require_id(self.id, "session.id")
        require_id(self.room_id, f"session[{self.id}].room_id")
        require_minutes(self.start_min, f"session[{self.id}].start_min")
        require_minutes(self.end_min, f"session[{self.id}].end_min")
        require(self.end_min > self.start_min, f"session[{self.id}].end_min", self.end_min,
                f"must be after start_min {self.start_min}")
        require(self.end_min <= 2 * MINUTES_PER_DAY, f"session[{self.id}].end_min", self.end_min,
                "a session cannot last into a third day")

    @property
    def staffed_min(self) -> int:
        return self.end_min - self.start_min

    def __hash__(self) -> int:
        return hash(self.id)
