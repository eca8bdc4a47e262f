"""Simulated days for the control tower: the program of a day and its events in time order.

Two ways in, both through the simulator's own day (``execution.DayRunner``): ``day_stream``
over a ``simulate(...)`` run, or ``play_day`` for one day of a program the control tower
already shows (the demo's and the service benchmark's replay).

    from kontrolltarn.simulate import simulate, BaselinePolicy
    from kontrolltarn.simulate.replay import day_stream
    result = simulate(syn.hospital, syn.truth, BaselinePolicy(), days=7, seed=1)
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
from datetime import date, timedelta

from kontrolltarn.model import EmergencyRequest, Event, Hospital, Program, TruthModel

from .draws import Draws
from .engine import SimulationResult
from .execution import DayRunner
from .params import EnvironmentParams
from .policies import BaselinePolicy
from .policy import Policy
from .state import PlanState

#: days before the day the patients of a replayed program were told their date (a normal notice,
#: so the late-cancellation share is the environment's, not the short-notice one)
TOLD_DAYS_BEFORE = 14


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


def play_day(hospital: Hospital, program: Program, day: date, *, truth: TruthModel,
             seed: int = 0, policy: Policy | None = None, params: EnvironmentParams | None = None,
             emergencies: tuple[EmergencyRequest, ...] = ()) -> list[Event]:
    """Every event of ``day`` when the department runs ``program``'s elective cases, in time
    order: late cancellations from 16:00 the day before, then the milestones of each room as the
    simulator plays them (durations and no-shows from ``truth``, e.g.
    ``synth.truth.Truth.of_hospital``; the coordinator's rules of ``policy``, default today's
    practice), and ``emergencies`` if given. The same
    arguments give the same events, with the simulator's stable ids."""
    sessions = [s for s in hospital.sessions if s.date == day]
    state = PlanState(hospital, sessions, [])
    state.now = state.stamp(day - timedelta(days=TOLD_DAYS_BEFORE), 0)
    known = {s.id for s in sessions}
    for entry in sorted(program.entries, key=lambda e: (e.session_id, e.order, e.start_min)):
        if entry.date == day and entry.session_id in known and entry.case_id in state.waiting:
            state.place(entry, by="program", tell=True)
    state.advance(state.stamp(day, -8 * 60))  # 16:00 the day before: the program goes out
    runner = DayRunner(state, day, params or EnvironmentParams(), truth,
                       Draws(seed), policy or BaselinePolicy())
    outcome = runner.run(list(emergencies), [], {})
    return sorted(outcome.events, key=lambda e: (e.at, e.id))
