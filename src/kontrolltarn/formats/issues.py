"""What every reader collects: the issues it found (all of them, not the first) and the model
objects it built, each remembered with the place it came from so a later check can name it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kontrolltarn.model import (
    Case,
    EmergencyRequest,
    EquipmentType,
    Location,
    ModelError,
    Patient,
    Procedure,
    ProgramEntry,
    Referral,
    Room,
    Session,
    Specialty,
    Staff,
)
from kontrolltarn.model.history import PastOperation


class Level(StrEnum):
    ERROR = "error"  # the import is refused
    WARNING = "warning"  # accepted, shown to the user and kept in the result


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: where (a resource such as ``Patient/p1`` or a row such as ``referrals row 7``),
    which field, the offending value and why."""

    place: str
    field: str
    value: Any
    reason: str
    level: Level = Level.ERROR

    def __str__(self) -> str:
        shown = "" if self.value is None else f" {_short(self.value)!r}"
        return f"{self.level}: {self.place}: {self.field}{shown}: {self.reason}"


def _short(value: Any) -> Any:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Issues:
    """Collects issues; readers keep going after an error so the user sees all of them."""

    def __init__(self) -> None:
        self.items: list[Issue] = []

    def error(self, place: str, field: str, value: Any, reason: str) -> None:
        self.items.append(Issue(place, field, value, reason, Level.ERROR))

    def warn(self, place: str, field: str, value: Any, reason: str) -> None:
        self.items.append(Issue(place, field, value, reason, Level.WARNING))

    def from_model_error(self, place: str, exc: ModelError) -> None:
        self.error(place, exc.field, exc.value, exc.reason)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.items if i.level is Level.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.items if i.level is Level.WARNING]

    def __bool__(self) -> bool:
        return any(i.level is Level.ERROR for i in self.items)


def summarise_warnings(warnings: list[Issue], limit: int = 20) -> list[str]:
    """Warnings for a terminal: the first ``limit`` in full, then counts per reason."""
    lines = [str(w) for w in warnings[:limit]]
    rest = Counter(w.reason for w in warnings[limit:])
    lines += [f"warning: ... and {n} more: {reason}" for reason, n in rest.most_common()]
    return lines


#: model collections a reader may fill, in the order a Hospital lists them, with the key field
KINDS: dict[str, tuple[type, str]] = {
    "locations": (Location, "id"),
    "specialties": (Specialty, "id"),
    "equipment": (EquipmentType, "id"),
    "rooms": (Room, "id"),
    "staff": (Staff, "id"),
    "procedures": (Procedure, "code"),
    "patients": (Patient, "id"),
    "referrals": (Referral, "id"),
    "sessions": (Session, "id"),
    "emergencies": (EmergencyRequest, "id"),
    "cases": (Case, "referral_id"),
}

#: hospital-wide settings a file may carry: name, today, timezone, allowed_overtime_min, meta
SETTINGS = ("name", "today", "timezone", "allowed_overtime_min", "meta")


@dataclass
class Parts:
    """Model objects read from one file, not yet a Hospital. ``places`` maps (kind, id) to the
    row or resource it came from, so reference errors found later can name it."""

    settings: dict[str, Any] = field(default_factory=dict)
    items: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in KINDS})
    places: dict[tuple[str, str], str] = field(default_factory=dict)
    entries: list[ProgramEntry] = field(default_factory=list)
    program_method: str | None = None
    history: list[PastOperation] = field(default_factory=list)

    def add(self, kind: str, item: Any, place: str, issues: Issues) -> None:
        """Add one item; a second item with the same id in the same file is an error."""
        key = getattr(item, KINDS[kind][1])
        if (kind, key) in self.places:
            issues.error(place, f"{kind}.{KINDS[kind][1]}", key,
                         f"duplicate: already given by {self.places[(kind, key)]}")
            return
        self.places[(kind, key)] = place
        self.items[kind].append(item)

    def count(self) -> dict[str, int]:
        counts = {k: len(v) for k, v in self.items.items() if v}
        if self.entries:
            counts["program_entries"] = len(self.entries)
        if self.history:
            counts["past_operations"] = len(self.history)
        return counts

    def is_empty(self) -> bool:
        """Nothing a planner uses: a name or a date alone (any Organization has a name) is not
        enough; the hospital settings a Kontrolltårn export carries are."""
        return not (any(self.items.values()) or self.entries or self.history
                    or set(self.settings) - {"name", "today"})
