"""The optimised operating-room program (``plan --method optimise``).

``plan_program`` returns a ``ProgramPlan`` (program, incomplete cases with what is missing, the
local rules that applied, each session's overrun chance, the sessions it released to another
specialty and the hospital with that release recorded, which the program is valid for).
``plan_optimised`` is the registry form (``plan --method optimise``, the simulator, the service);
it releases nothing::

    get_planner("optimise")(hospital, first, days, seed=0, time_limit=60.0, exclude=None)

It takes an optional ``durations=`` (a ``DurationSource``); without one it uses the source set
with ``set_default_durations`` or the catalogue fallback.
"""

from __future__ import annotations

from datetime import date

from kontrolltarn.model import Hospital, Program
from kontrolltarn.plan.registry import register_planner

from .cadence import Phase, lock_down, phase_of, release_unused
from .candidates import IncompleteCase, incomplete_cases
from .durations import CatalogueDurations, DurationSource, HistoryDurations, PredictAdapter
from .optimiser import ProgramPlan, plan_program
from .rules import LocalRules
from .settings import ProgramSettings

__all__ = ["CatalogueDurations", "DurationSource", "HistoryDurations", "IncompleteCase",
           "LocalRules", "Phase", "PredictAdapter", "ProgramPlan", "ProgramSettings",
           "incomplete_cases", "lock_down", "phase_of", "plan_optimised", "plan_program",
           "release_unused", "set_default_durations"]

_DEFAULT_SOURCE: list[DurationSource] = []


def set_default_durations(source: DurationSource | None) -> None:
    """The duration source ``plan_optimised`` uses when none is passed (None: catalogue)."""
    _DEFAULT_SOURCE.clear()
    if source is not None:
        _DEFAULT_SOURCE.append(source)


def plan_optimised(hospital: Hospital, first: date, days: int, *, seed: int = 0,
                   time_limit: float = 60.0, exclude: set[str] | None = None,
                   durations: DurationSource | None = None,
                   settings: ProgramSettings | None = None) -> Program:
    """The registry planner: ``plan_program(...).program``. It releases no sessions: callers
    get a program only, valid for the hospital they passed."""
    source = durations or (_DEFAULT_SOURCE[0] if _DEFAULT_SOURCE else None)
    return plan_program(hospital, first, days, seed=seed, time_limit=time_limit, exclude=exclude,
                        durations=source, settings=settings, release=False).program


register_planner("optimise", plan_optimised)
