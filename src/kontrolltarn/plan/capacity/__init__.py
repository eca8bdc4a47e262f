"""Tactical capacity planning: which specialty gets which room on which weekday, weeks ahead.

``plan_capacity`` opens the fewest staffed sessions that meet each specialty's need (waiting
list, referral forecast, budget); ``check_capacity_plan`` judges any session plan independently
and measures the gap between need and capacity; the report functions write the gap table, the
sessions and the charts. Modules: ``planner`` (the HiGHS MIP), ``check`` (the judge, imports no
planner), ``report`` (CSV, JSON, charts).
"""

from .check import CapacityReport, SpecialtyGap, check_capacity_plan
from .planner import (
    CapacityPlan,
    CapacitySettings,
    SpecialtyDemand,
    demand_from_hospital,
    plan_capacity,
)
from .report import (
    block_rows,
    blocks_csv,
    gap_rows,
    gaps_csv,
    gaps_figure,
    sessions_from_json,
    sessions_json,
    weekly_figure,
    write_charts,
)

__all__ = [
    "CapacityPlan",
    "CapacityReport",
    "CapacitySettings",
    "SpecialtyDemand",
    "SpecialtyGap",
    "block_rows",
    "blocks_csv",
    "check_capacity_plan",
    "demand_from_hospital",
    "gap_rows",
    "gaps_csv",
    "gaps_figure",
    "plan_capacity",
    "sessions_from_json",
    "sessions_json",
    "weekly_figure",
    "write_charts",
]
