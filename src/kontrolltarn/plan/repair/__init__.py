"""Minimal-change re-planning: one event in, a feasible program out, moving as few patients as
it can — above all, as few patients who were already told their date.

    from kontrolltarn.plan.repair import LateCancellation, repair
    result = repair(hospital, program, LateCancellation("R-17"), told=told)
    result.program, result.changes, result.date_changes_told

Modules: ``events`` (what happened), ``costs`` (what each change costs), ``state`` (the program
being repaired, on ``plan.check``'s feasibility kernel), ``repairer`` (how each event is absorbed),
``recording`` (decisions into the case histories), ``refusal`` (the rule a decision would
break), ``result`` (what comes back). The control tower's accepted suggestions and the
simulator's coordinator go through the same ``repair``: a move is ``MoveCase``, a swap
``SwapOrder``, an early cancellation ``LateCancellation`` with ``refill=False``, free time
filled from the waiting list ``AddCase`` (after ``CloseUp`` has moved the list up into the time
cases left); ``Repairs`` applies several events in turn to one
program (its indexes built once).
"""

from .costs import RepairCosts
from .events import (
    AddCase,
    CaseOverrun,
    CloseUp,
    EmergencyInsert,
    Event,
    LateCancellation,
    MoveCase,
    RoomClosed,
    SurgeonAbsent,
    SwapOrder,
    benchmark_events,
)
from .refusal import RepairRefused
from .repairer import Repairs, repair
from .result import Change, RepairResult

__all__ = ["AddCase", "CaseOverrun", "Change", "CloseUp", "EmergencyInsert", "Event", "LateCancellation",
           "MoveCase",
           "RepairCosts", "RepairRefused", "RepairResult", "Repairs", "RoomClosed", "SurgeonAbsent",
           "SwapOrder", "benchmark_events", "repair"]
