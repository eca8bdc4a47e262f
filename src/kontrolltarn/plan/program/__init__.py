"""The optimised operating-room program (``plan --method optimise``).

``plan_program`` returns a ``ProgramPlan`` (program, incomplete cases with what is missing, the
local rules that applied, each session's overrun chance, the sessions it released to another
specialty and the hospital with that release recorded, which the program is valid for).
``plan_optimised`` is the registry form (``plan --method optimise``, the simulator, the service);
it releases nothing::

    get_planner("optimise")(hospital, first, days, seed=0, time_limit=60.0, exclude=None)

It takes an optional ``durations=`` (``kontrolltarn.predict.DurationSource``, usually
``CaseDurations.from_history(history)``); without one each procedure's distribution in the
hospital instance.
"""

from __future__ import annotations

from datetime import date

from kontrolltarn.model import Hospital, Program
from kontrolltarn.plan.check import LocalRules
from kontrolltarn.plan.registry import register_planner
from kontrolltarn.predict import DurationSource

from .cadence import Phase, lock_down, phase_of, release_unused
from .candidates import IncompleteCase, incomplete_cases
from .optimiser import ProgramPlan, Progress, plan_program
from .risk import (
    Moments,
    OverrunCalibration,
    earliest_staffed_end,
    exceed_probability,
    program_overrun_chances,
    program_staffed_ends,
    shortest_capacity_within,
)
from .settings import ProgramSettings

__all__ = ["IncompleteCase", "LocalRules", "Moments", "OverrunCalibration", "Phase", "ProgramPlan",
           "ProgramSettings", "earliest_staffed_end",
           "exceed_probability", "incomplete_cases", "lock_down", "phase_of", "plan_optimised",
           "plan_program", "program_overrun_chances", "program_staffed_ends", "release_unused",
           "shortest_capacity_within"]


def plan_optimised(hospital: Hospital, first: date, days: int, *, seed: int = 0,
                   time_limit: float = 60.0, exclude: set[str] | None = None,
                   durations: DurationSource | None = None,
                   settings: ProgramSettings | None = None,
                   progress: Progress | None = None, rules: LocalRules | None = None,
                   deterministic: bool = False) -> Program:
    """The registry planner: ``plan_program(...).program``. It releases no sessions: callers
    get a program only, valid for the hospital they passed. ``progress(step, share)`` is called
    before each session (the service's jobs report it, and stop by raising from it).
    ``deterministic``: ``time_limit`` is CP-SAT work, not the wall clock (``plan_program``)."""
    return plan_program(hospital, first, days, seed=seed, time_limit=time_limit, exclude=exclude,
                        durations=durations, settings=settings, release=False,
                        progress=progress, rules=rules, deterministic=deterministic).program


register_planner("optimise", plan_optimised)
