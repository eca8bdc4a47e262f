"""Rosters for OR nurses and anaesthesia staff within the Working Environment Act.

``rules`` (the Act's limits), ``roster`` (types and I/O), ``demand`` (session plan → demand),
``checker`` (the independent rule checker) and ``solver`` (the CP-SAT builder).
"""

from .checker import RULES, Breach, CheckReport, check_roster
from .roster import Demand, Person, Roster, Shift, ShiftType, load_roster, save_roster
from .rules import WorkingTimeRules, load_rules

__all__ = [
    "RULES",
    "Breach",
    "CheckReport",
    "Demand",
    "Person",
    "Roster",
    "Shift",
    "ShiftType",
    "WorkingTimeRules",
    "check_roster",
    "load_roster",
    "load_rules",
    "save_roster",
]
