"""Rosters for OR nurses and anaesthesia staff within the Working Environment Act.

What a user calls: ``build_roster`` (the CP-SAT builder) on the ``people_from_hospital`` and
``demand_from_sessions`` of a session plan, ``check_roster`` (the independent rule checker,
which imports no solver), ``roster_stats`` (fairness and wishes), ``load_rules`` and the
roster's types and files; ``RosterChange`` and ``check_change`` (a staff request and the
breaches it would add), ``load_unit_rules`` (the Act's defaults and each unit's agreement);
for the INRC-II benchmark, ``evaluate_inrc2`` (its judge, equal to the organisers' validator)
and ``solve_inrc2`` (its static problem, built from the same CP-SAT blocks as the roster).

Modules: ``rules`` (the Act's limits), ``roster`` (types and I/O), ``demand`` (session plan →
demand), ``checker`` (the judge), ``changes`` (staff requests), ``stats``, ``greedy`` and
``solver`` (the builder);
``cpsat`` (the CP-SAT blocks both builders share), ``inrc2_checker``, ``inrc2_greedy``,
``inrc2_anneal`` (compiled by ``make``, see ``plan.native``) and ``inrc2_solver``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kontrolltarn.plan import native as _native  # noqa: F401  (first: drops a stale compiled build)

from .changes import REQUEST_KINDS, RosterChange, check_change
from .checker import RULES, Breach, CheckReport, breaches_added, check_people, check_roster
from .demand import (
    ROSTER_ROLES,
    StaffingNorm,
    demand_from_sessions,
    first_monday_on_or_after,
    people_from_hospital,
)
from .inrc2_checker import Inrc2Evaluation, evaluate_inrc2, run_cost
from .roster import (
    DEFAULT_SHIFT_TYPES,
    Demand,
    Person,
    Roster,
    Shift,
    ShiftType,
    load_roster,
    roster_from_dict,
    roster_to_dict,
    save_roster,
)
from .rules import UnitRules, WorkingTimeRules, load_rules, load_unit_rules, unit_rules_from
from .stats import RosterStats, roster_stats

if TYPE_CHECKING:
    from .inrc2_solver import Inrc2Result, solve_inrc2
    from .solver import GroupResult, RosterResult, build_roster

#: loaded on first use: the builders need OR-Tools, which takes most of a second to import
_FROM_SOLVER = {"GroupResult": "solver", "RosterResult": "solver", "build_roster": "solver",
                "Inrc2Result": "inrc2_solver", "solve_inrc2": "inrc2_solver"}

__all__ = [
    "DEFAULT_SHIFT_TYPES",
    "REQUEST_KINDS",
    "ROSTER_ROLES",
    "RULES",
    "Breach",
    "CheckReport",
    "Demand",
    "GroupResult",
    "Inrc2Evaluation",
    "Inrc2Result",
    "Person",
    "Roster",
    "RosterChange",
    "RosterResult",
    "RosterStats",
    "Shift",
    "ShiftType",
    "StaffingNorm",
    "UnitRules",
    "WorkingTimeRules",
    "breaches_added",
    "build_roster",
    "check_change",
    "check_people",
    "check_roster",
    "demand_from_sessions",
    "evaluate_inrc2",
    "first_monday_on_or_after",
    "load_roster",
    "load_rules",
    "load_unit_rules",
    "people_from_hospital",
    "roster_from_dict",
    "roster_stats",
    "roster_to_dict",
    "run_cost",
    "save_roster",
    "solve_inrc2",
    "unit_rules_from",
]


def __getattr__(name: str) -> Any:
    if name in _FROM_SOLVER:
        from importlib import import_module  # deferred: the builders are heavy (OR-Tools)

        return getattr(import_module(f".{_FROM_SOLVER[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
