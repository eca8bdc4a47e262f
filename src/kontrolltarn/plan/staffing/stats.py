"""Soft qualities of a roster: contract hours, fairness of weekends and unsocial shifts, and
wishes honoured. Computed from the roster alone, like the checker."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass

from .roster import Roster

#: a shift counts as unsocial (evening or night) when it starts at 14:00 or later
UNSOCIAL_START_HOUR = 14


@dataclass(frozen=True)
class RosterStats:
    people: int
    shifts: int
    hours_vs_contract_mean_h: float  # mean of (worked - contracted) hours over the roster
    hours_vs_contract_abs_h: float  # mean absolute deviation from contracted hours
    weekend_shifts_max: int
    weekend_shifts_mean: float
    weekend_shifts_sd: float
    unsocial_shifts_max: int
    unsocial_shifts_mean: float
    unsocial_shifts_sd: float
    wishes_off: int
    wishes_off_honoured: float  # share of asked-off days not worked
    avoided_shifts_worked: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def roster_stats(roster: Roster) -> RosterStats:
    weekend, unsocial, deviation = [], [], []
    wishes = honoured = avoided = 0
    for p in roster.people:
        shifts = roster.shifts_by_person[p.id]
        days = {s.start.date() for s in shifts}
        weekend.append(sum(1 for s in shifts if s.start.weekday() >= 5))
        unsocial.append(sum(1 for s in shifts if s.start.hour >= UNSOCIAL_START_HOUR))
        worked = sum(s.worked_min for s in shifts)
        deviation.append((worked - p.contract_week_min * roster.weeks) / 60)
        in_period = [d for d in p.wants_off if roster.first_day <= d <= roster.days[-1]]
        wishes += len(in_period)
        honoured += sum(1 for d in in_period if d not in days)
        avoided += sum(1 for s in shifts if s.code and s.code in p.avoid_shifts)

    def sd(values: list[int]) -> float:
        return round(statistics.pstdev(values), 2) if values else 0.0

    def mean(values: list[int] | list[float]) -> float:
        return round(statistics.fmean(values), 2) if values else 0.0

    return RosterStats(
        people=len(roster.people),
        shifts=len(roster.shifts),
        hours_vs_contract_mean_h=mean(deviation),
        hours_vs_contract_abs_h=mean([abs(d) for d in deviation]),
        weekend_shifts_max=max(weekend, default=0),
        weekend_shifts_mean=mean(weekend),
        weekend_shifts_sd=sd(weekend),
        unsocial_shifts_max=max(unsocial, default=0),
        unsocial_shifts_mean=mean(unsocial),
        unsocial_shifts_sd=sd(unsocial),
        wishes_off=wishes,
        wishes_off_honoured=round(honoured / wishes, 3) if wishes else 1.0,
        avoided_shifts_worked=avoided,
    )
