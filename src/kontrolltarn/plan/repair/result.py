"""What a repair returns: the new hospital and program, and every change it made."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kontrolltarn.model import Hospital, Program, ProgramEntry


@dataclass(frozen=True)
class Change:
    case_id: str
    kind: str  # cancelled | moved | date_changed | unscheduled | retimed | surgeon | added
    old: ProgramEntry | None
    new: ProgramEntry | None
    told: bool


@dataclass
class RepairResult:
    hospital: Hospital
    program: Program
    changes: list[Change] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def date_changes_told(self) -> int:
        """Told patients whose operation date changed or who lost their date."""
        return sum(1 for c in self.changes if c.told and c.kind in ("date_changed", "unscheduled"))

    @property
    def date_changes(self) -> int:
        return sum(1 for c in self.changes if c.kind in ("date_changed", "unscheduled"))

    @property
    def moves(self) -> int:
        """Cases whose session (room or date) changed."""
        return sum(1 for c in self.changes if c.kind in ("moved", "date_changed"))

    def summary(self) -> str:
        kinds: dict[str, int] = defaultdict(int)
        for c in self.changes:
            kinds[c.kind] += 1
        parts = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or "no changes"
        return (f"{parts}; date changes for told patients: {self.date_changes_told}; "
                f"moves: {self.moves}; {self.seconds:.2f} s")
