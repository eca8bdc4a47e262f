"""KPIs of DOMAIN.md over an event log and the plan history: one implementation for simulated
and live days. ``headline(log)`` gives the figures a hospital steers by; the functions in
``measures`` give each KPI and its breakdowns."""

from __future__ import annotations

from .labels import KPIS, Kpi, Unit, format_interval, format_value, label
from .log import ExecutionLog
from .measures import (
    SessionUse,
    activity_against_budget,
    changes_after_date,
    changes_after_date_by_reason,
    emergency_delay,
    late_cancellations,
    operations,
    session_use,
    utilisation,
    utilisation_by,
    waiting,
    waiting_by,
)

__all__ = ["KPIS", "ExecutionLog", "Kpi", "SessionUse", "Unit", "activity_against_budget",
           "changes_after_date", "changes_after_date_by_reason", "emergency_delay",
           "format_interval", "format_value", "headline", "label", "late_cancellations",
           "operations", "session_use", "utilisation", "utilisation_by", "waiting", "waiting_by"]


def headline(log: ExecutionLog) -> dict[str, float]:
    """The headline KPIs of a period as one flat mapping (name -> value)."""
    uses = session_use(log)
    result = utilisation(log, uses)
    late = late_cancellations(log)
    result["late_cancellations"] = float(sum(late.values()))
    for reason, count in sorted(late.items()):
        result[f"late_cancellations_{reason.value}"] = float(count)
    result["changes_after_date"] = float(changes_after_date(log))
    for cause, count in sorted(changes_after_date_by_reason(log).items()):
        result[f"changes_after_date_{cause}"] = float(count)
    result.update(waiting(log))
    result.update(emergency_delay(log))
    budget = activity_against_budget(log)
    if budget:
        done = sum(v["operations"] for v in budget.values())
        target = sum(v["budget"] for v in budget.values())
        result["activity_against_budget"] = done / target if target else 0.0
    return result
