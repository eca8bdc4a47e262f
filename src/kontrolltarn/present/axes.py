"""Axes that read as what they measure: times of day as HH:MM, counts from 0 in whole steps."""

from __future__ import annotations

import math
from typing import Any


def clock_label(minutes: float) -> str:
    """Minutes after midnight as a clock time, ``HH:MM``."""
    whole = int(round(minutes))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def _nice_step(top: float, ticks: int = 8) -> int:
    """A whole step of 1, 2 or 5 × 10^k giving at most about ``ticks`` ticks up to ``top``."""
    raw = max(1.0, top / ticks)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def plotly_integer_axis(top: float) -> dict[str, Any]:
    """A plotly axis of whole numbers (weeks, counts) up to ``top``."""
    return {"tick0": 0, "dtick": _nice_step(top), "tickformat": "d"}


def plotly_count_axis(top: float) -> dict[str, Any]:
    """A plotly count axis: starts at 0 (never −0.21), whole-number ticks."""
    return {**plotly_integer_axis(top), "rangemode": "tozero", "range": [0, max(1.0, top) * 1.05]}


def plotly_clock_axis(start_min: float, end_min: float, step_min: int = 60) -> dict[str, Any]:
    """A plotly axis in minutes after midnight labelled with clock times every ``step_min``."""
    first = int(start_min // step_min * step_min)
    values = list(range(first, int(end_min) + step_min, step_min))
    return {"tickmode": "array", "tickvals": values, "ticktext": [clock_label(v) for v in values]}


def mpl_count_axis(ax: Any) -> None:
    """A matplotlib y axis of counts: from 0, whole-number ticks."""
    from matplotlib.ticker import MaxNLocator  # deferred: heavy (matplotlib)

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0, top=max(1.0, ax.get_ylim()[1]))

