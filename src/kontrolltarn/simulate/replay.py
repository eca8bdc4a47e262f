"""Simulated days for the control tower: the program of a day and its events in time order.

    from kontrolltarn.simulate import simulate, BaselinePolicy
    from kontrolltarn.simulate.replay import day_stream
    result = simulate(synthetic, BaselinePolicy(), days=7, seed=1)
    for day in day_stream(result):
        service.load_program(day.program)          # as fixed at 16:00 the day before
        for event in day.events:                   # late cancellations from 16:00 the day before,
            service.receive(event)                 # then every milestone, emergencies included

Events are ``kontrolltarn.model.Event`` with ``source="sim"`` and stable ids (a replay is
idempotent). The day's program holds the elective cases as they stood before the late window;
emergencies are not on it (they arrive as EMERGENCY_REQUESTED events).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from kontrolltarn.model import Event, Program

from .engine import SimulationResult


@dataclass(frozen=True)
class SimulatedDay:
    day: date
    program: Program
    events: tuple[Event, ...]


def day_stream(result: SimulationResult, first: date | None = None,
               last: date | None = None) -> Iterator[SimulatedDay]:
    """Each simulated day from ``first`` to ``last`` (default: the whole run) with its program
    and its events in time order: the late cancellations from 16:00 the day before, then the
    day's milestones and emergencies (a late evening may run past midnight)."""
    if not result.programs:
        raise ValueError("result.programs: empty; run simulate(..., keep_programs=True)")
    by_day: dict[str, list[Event]] = defaultdict(list)
    for event in result.events:  # every event id starts with the simulated day it belongs to
        by_day[event.id.split(":", 1)[0]].append(event)
    for day in sorted(result.programs):
        if (first and day < first) or (last and day > last):
            continue
        events = sorted(by_day.get(f"{day:%Y%m%d}", ()), key=lambda e: (e.at, e.id))
        yield SimulatedDay(day, result.programs[day], tuple(events))
