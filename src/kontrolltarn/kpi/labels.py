"""What each KPI is called for people, and how its value is written: one table for every KPI id
the project reports (``headline``, the validator's planned KPIs, the expected KPIs of a
program), so that no table shows a raw id like ``utilisation_in_room`` or a count as 122.000."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from kontrolltarn.present import Language, format_number


class Unit(Enum):
    COUNT = "count"  # a whole number: cases, sessions, breaches
    SHARE = "share"  # 0..1, written as a percentage
    MINUTES = "minutes"
    DAYS = "days"


@dataclass(frozen=True)
class Kpi:
    label: str
    unit: Unit


_C, _S, _M, _D = Unit.COUNT, Unit.SHARE, Unit.MINUTES, Unit.DAYS

#: KPI id -> its label and unit (English; ids not here are shown with their words spaced)
KPIS: dict[str, Kpi] = {
    # executed (kpi.headline, simulation)
    "elective_sessions": Kpi("elective sessions", _C),
    "staffed_minutes": Kpi("staffed time", _M),
    "utilisation_in_room": Kpi("utilisation (in room)", _S),
    "utilisation_with_turnover": Kpi("utilisation (turnover as used)", _S),
    "idle_minutes": Kpi("idle time", _M),
    "overtime_minutes": Kpi("overtime", _M),
    "sessions_over_30_min_overtime": Kpi("sessions over 30 min past staffed end", _C),
    "share_sessions_over_30_min_overtime": Kpi("sessions over 30 min past staffed end", _S),
    "late_cancellations": Kpi("late cancellations", _C),
    "changes_after_date": Kpi("changes after the patient got a date", _C),
    "elective_operations": Kpi("elective operations", _C),
    "mean_wait_days": Kpi("mean wait from referral", _D),
    "median_wait_days": Kpi("median wait from referral", _D),
    "deadline_breaches": Kpi("cases after their deadline", _C),
    "waiting_past_deadline_at_end": Kpi("waiting past their deadline at the end", _C),
    "emergency_operations": Kpi("emergency operations", _C),
    "emergency_within_limit_share": Kpi("emergencies in room within their limit", _S),
    "activity_against_budget": Kpi("activity against budget", _S),
    # planned (plan.check) and expected (a program run on true durations)
    "cases": Kpi("elective cases planned", _C),
    "emergency_cases": Kpi("emergency cases planned", _C),
    "planned_utilisation": Kpi("planned utilisation (in room)", _S),
    "planned_utilisation_with_turnover": Kpi("planned utilisation (turnover as used)", _S),
    "planned_overtime_minutes": Kpi("planned overtime", _M),
    "planned_idle_minutes": Kpi("planned idle time", _M),
    "overtime_min_per_session": Kpi("overtime per session", _M),
}


_SUFFIX = {Unit.SHARE: " %", Unit.MINUTES: " min", Unit.DAYS: " days"}


def label(kpi: str) -> str:
    """The KPI's name in words."""
    known = KPIS.get(kpi)
    return known.label if known else kpi.replace("_", " ")


def unit(kpi: str) -> Unit | None:
    known = KPIS.get(kpi)
    return known.unit if known else None


def format_value(kpi: str, value: float, spread: float | None = None, lang: Language = "en") -> str:
    """``value`` as its unit is written (a count as a whole number, a share as a percentage),
    with ``± spread`` in the same unit when given; numbers in ``lang``'s style
    (``present.format_number``)."""
    kind = unit(kpi)

    def number(x: float) -> str:
        if kind is Unit.SHARE:
            return format_number(round(100 * x, 1), 1, lang)
        if kind is Unit.MINUTES:
            return format_number(round(x), 0, lang)
        if kind in (Unit.COUNT, Unit.DAYS):  # a count's mean over replications has a decimal
            return format_number(round(x, 1), 1, lang)
        return format_number(round(x, 3), 3, lang)

    suffix = _SUFFIX.get(kind, "") if kind is not None else ""
    text = number(value) if spread is None else f"{number(value)} ± {number(spread)}"
    return text + suffix
