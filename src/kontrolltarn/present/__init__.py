"""How reports show things: numbers, colours, clock-time and count axes, in the report's language.

Every report (the plan's week chart, the capacity plan, the simulation report) draws through
this one place, so a count is written the same way, a specialty has the same colour and a time
of day reads as a clock in all of them. Imports nothing of the project: every layer may use it.
"""

from .axes import (
    clock_label,
    mpl_count_axis,
    plotly_clock_axis,
    plotly_count_axis,
    plotly_integer_axis,
)
from .colours import PALETTE, colour_map
from .numbers import Language, format_number, plotly_separators, weekday_name

__all__ = [
    "PALETTE",
    "Language",
    "clock_label",
    "colour_map",
    "format_number",
    "mpl_count_axis",
    "plotly_clock_axis",
    "plotly_count_axis",
    "plotly_integer_axis",
    "plotly_separators",
    "weekday_name",
]
