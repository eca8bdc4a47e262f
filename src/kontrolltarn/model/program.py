"""The program (operasjonsprogram): which case, which day, which room, what start and order."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from .errors import require, require_id, require_minutes


@dataclass(frozen=True, slots=True)
class ProgramEntry:
    """One case placed in a session. ``case_id`` is a referral id (elective) or an emergency
    request id. ``start_min`` is minutes past the date's midnight; ``planned_min`` the in-room
    minutes the planner reserved; ``order`` is 1 for the first case of the session."""

    case_id: str
    session_id: str
    room_id: str
    date: date
    start_min: int
    planned_min: int
    surgeon_id: str
    order: int

    def __post_init__(self) -> None:
        require_id(self.case_id, "entry.case_id")
        require_id(self.session_id, f"entry[{self.case_id}].session_id")
        require_id(self.surgeon_id, f"entry[{self.case_id}].surgeon_id")
        require_minutes(self.start_min, f"entry[{self.case_id}].start_min")
        require_minutes(self.planned_min, f"entry[{self.case_id}].planned_min", allow_zero=False)
        require(isinstance(self.order, int) and self.order >= 1, f"entry[{self.case_id}].order",
                self.order, "must be 1 or more")

    @property
    def end_min(self) -> int:
        return self.start_min + self.planned_min


@dataclass(frozen=True, slots=True)
class Program:
    """A set of program entries, as a planner produced it. Judged only by ``plan.check``."""

    entries: tuple[ProgramEntry, ...]
    method: str = "unknown"

    def by_session(self) -> dict[str, list[ProgramEntry]]:
        grouped: dict[str, list[ProgramEntry]] = defaultdict(list)
        for entry in self.entries:
            grouped[entry.session_id].append(entry)
        for entries in grouped.values():
            entries.sort(key=lambda e: (e.start_min, e.order))
        return dict(grouped)

    def case_ids(self) -> set[str]:
        return {e.case_id for e in self.entries}


@dataclass(frozen=True, slots=True)
class PlannedCase:
    """A program entry as it stands in the live plan: the entry, its ``status`` (planned |
    cancelled | done | unscheduled, set by decisions) and the ``version`` that guards concurrent
    edits. The one planned-case type of the store, the control tower and the service."""

    entry: ProgramEntry
    status: str = "planned"
    version: int = 1

    @property
    def case_id(self) -> str:
        return self.entry.case_id

    @property
    def session_id(self) -> str:
        return self.entry.session_id

    @property
    def room_id(self) -> str:
        return self.entry.room_id

    @property
    def day(self) -> date:
        return self.entry.date

    @property
    def start_min(self) -> int:
        return self.entry.start_min

    @property
    def planned_min(self) -> int:
        return self.entry.planned_min

    @property
    def surgeon_id(self) -> str:
        return self.entry.surgeon_id

    @property
    def position(self) -> int:
        """The entry's order in its session (1 = first)."""
        return self.entry.order
