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
    "share_sessions_over_30_min_overtime": Kpi("share of sessions over 30 min past staffed end", _S),
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


#: families of KPI ids made per reason or urgency (``late_cancellations_no_bed``,
#: ``emergency_within_6h_mean_delay_min``): how their label starts and their unit
_FAMILIES = (
    ("late_cancellations_", "late cancellations: ", _C),
    ("changes_after_date_", "changes after date: ", _C),
    ("emergency_", "emergencies ", None),
)
_UNIT_ENDINGS = (("_share", _S), ("_min", _M), ("_minutes", _M), ("_days", _D))


def label(kpi: str) -> str:
    """The KPI's name in words."""
    known = KPIS.get(kpi)
    if known:
        return known.label
    for prefix, words, _ in _FAMILIES:
        if kpi.startswith(prefix):
            return words + _plain(kpi[len(prefix):])
    return _plain(kpi)


def _plain(rest: str) -> str:
    for ending, _ in _UNIT_ENDINGS:  # the unit is written with the value
        if rest.endswith(ending):
            rest = rest[: -len(ending)]
    return rest.replace("_", " ")


def unit(kpi: str) -> Unit | None:
    """The KPI's unit: from the table, else from its family or the ending of its id."""
    known = KPIS.get(kpi)
    if known:
        return known.unit
    for prefix, _, kind in _FAMILIES:
        if kpi.startswith(prefix) and kind is not None:
            return kind
    for ending, kind in _UNIT_ENDINGS:
        if kpi.endswith(ending):
            return kind
    return None


def format_value(kpi: str, value: float, spread: float | None = None, lang: Language = "en") -> str:
    """``value`` as its unit is written (a count as a whole number, a share as a percentage),
    with ``± spread`` in the same unit when given; numbers in ``lang``'s style
    (``present.format_number``)."""
    numbers = _numbers(kpi, [value] if spread is None else [value, spread], lang)
    return " ± ".join(numbers) + _suffix(kpi)


def format_interval(kpi: str, mean: float, low: float, high: float, lang: Language = "en") -> str:
    """A mean with its interval, ``60.4 % [58.5, 62.2]``: the three with the same decimals."""
    shown = _numbers(kpi, [mean, low, high], lang)
    return f"{shown[0]}{_suffix(kpi)} [{shown[1]}, {shown[2]}]"


def _suffix(kpi: str) -> str:
    kind = unit(kpi)
    return _SUFFIX.get(kind, "") if kind is not None else ""


def _numbers(kpi: str, values: list[float], lang: Language) -> list[str]:
    """``values`` of one KPI written alike: all whole, or all with the unit's decimals (never
    "11 ± 38.1")."""
    kind = unit(kpi)
    if kind is Unit.SHARE:
        scale, places = 100.0, 1
    elif kind is Unit.MINUTES:
        scale, places = 1.0, 0
    elif kind in (Unit.COUNT, Unit.DAYS):  # a count's mean over replications has a decimal
        scale, places = 1.0, 1
    else:
        scale, places = 1.0, 3
    shown = [round(scale * x, places) for x in values]
    fixed = not all(float(x).is_integer() for x in shown)
    return [format_number(x, places, lang, fixed) for x in shown]
