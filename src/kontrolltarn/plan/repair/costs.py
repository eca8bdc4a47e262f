"""What each kind of change costs; the repair picks the cheapest way to absorb an event."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RepairCosts:
    """What each kind of change costs; the repair picks the cheapest way to absorb an event."""

    told_date_change: float = 1000.0
    told_unscheduled: float = 2000.0
    date_change: float = 10.0
    unscheduled: float = 100.0
    move_told: float = 50.0  # same date, another room
    move: float = 5.0
    other_location: float = 20.0  # extra for a move to another site
    per_day_later: float = 1.0
    priority_step: float = 10.0  # unscheduling a P1 costs 3 steps more than a P4
