"""Planners by name, so the CLI, simulator and service choose one with a string.

A planner makes a program for the sessions from ``first`` for ``days`` days. ``exclude`` holds
referral ids already planned elsewhere; ``seed`` and ``time_limit`` are for planners that search.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date
from typing import Protocol

from kontrolltarn.model import Hospital, Program

from .baseline import plan_baseline


class Planner(Protocol):
    def __call__(self, hospital: Hospital, first: date, days: int, *, seed: int = 0,
                 time_limit: float = 60.0, exclude: set[str] | None = None) -> Program: ...


def _baseline(hospital: Hospital, first: date, days: int, *, seed: int = 0,
              time_limit: float = 60.0, exclude: set[str] | None = None) -> Program:
    return plan_baseline(hospital, first, days, exclude=exclude)


PLANNERS: dict[str, Callable[..., Program]] = {"baseline": _baseline}


def register_planner(name: str, planner: Callable[..., Program]) -> None:
    PLANNERS[name] = planner


def get_planner(name: str) -> Callable[..., Program]:
    """The planner called ``name``; optional planners register themselves on import."""
    if name not in PLANNERS:
        _load_optional()
    if name not in PLANNERS:
        raise KeyError(f"method={name!r}: unknown planner, choose one of {sorted(PLANNERS)}")
    return PLANNERS[name]


def _load_optional() -> None:
    """Import modules that register further planners (e.g. ``optimise`` in plan.program)."""
    for module in ("kontrolltarn.plan.program",):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
