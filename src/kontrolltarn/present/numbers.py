"""Numbers and dates as a reader of the report's language writes them."""

from __future__ import annotations

from datetime import date
from typing import Literal

#: "nb" bokmål (1 234,5), "en" English (1,234.5)
Language = Literal["nb", "en"]

_WEEKDAYS = {
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def format_number(value: float, decimals: int = 1, lang: Language = "en", fixed: bool = False) -> str:
    """``value`` with a thousands separator; a whole number is written as one (``10``, never
    ``10.000``) unless ``fixed``, anything else with ``decimals`` decimals. Bokmål writes
    ``1 234,5``."""
    places = 0 if float(value).is_integer() and not fixed else decimals
    text = f"{value:,.{places}f}"
    if lang == "nb":
        # no-break space between thousands (a line never breaks inside a number), decimal comma
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def plotly_separators(lang: Language) -> str:
    """Plotly's ``layout.separators`` (decimal mark, then thousands mark) for ``lang``."""
    return ", " if lang == "nb" else ".,"


def weekday_name(day: date, lang: Language, short: bool = False) -> str:
    """The weekday in the report's language (``strftime("%A")`` follows the machine's locale)."""
    name = _WEEKDAYS[lang][day.weekday()]
    return name[:3] if short else name
