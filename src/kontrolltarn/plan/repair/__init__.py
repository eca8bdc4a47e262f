"""Minimal-change re-planning: one event in, a feasible program out, moving as few patients as
it can — above all, as few patients who were already told their date.

    from kontrolltarn.plan.repair import LateCancellation, repair
    result = repair(hospital, program, LateCancellation("R-17"), told=told)
    result.program, result.changes, result.date_changes_told

Modules: ``events`` (what happened), ``costs`` (what each change costs), ``state`` (the program
by session and the feasibility of one more entry), ``repairer`` (how each event is absorbed),
``recording`` (decisions into the case histories), ``result`` (what comes back).
"""

from .costs import RepairCosts
from .events import (
    CaseOverrun,
    EmergencyInsert,
    Event,
    LateCancellation,
    RoomClosed,
    SurgeonAbsent,
    benchmark_events,
)
from .repairer import repair
from .result import Change, RepairResult

__all__ = ["CaseOverrun", "Change", "EmergencyInsert", "Event", "LateCancellation",
           "RepairCosts", "RepairResult", "RoomClosed", "SurgeonAbsent", "benchmark_events",
           "repair"]
