"""Working-time rules of the Norwegian Working Environment Act (arbeidsmiljøloven ch. 10).

Each rule is one named parameter with the Act's value as default. Collective agreements stretch
some of them; load those from a TOML file (an empty file means the Act's defaults). Values are
kept in minutes so solver and checker compare whole numbers.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from kontrolltarn.model import ModelError

HOUR = 60


@dataclass(frozen=True)
class WorkingTimeRules:
    """The Act's limits. ``averaging_weeks`` 1 means no averaging agreement: the normal limits
    hold every single day and week. With averaging (§ 10-5), normal hours may reach
    ``averaged_max_day_min`` / ``averaged_max_week_min`` as long as the average over
    ``averaging_weeks`` stays within ``normal_week_min``."""

    #: § 10-4: normal working hours per day and per week (38 h for shift and rota work)
    normal_day_min: int = 9 * HOUR
    normal_week_min: int = 38 * HOUR
    #: § 10-5: averaging agreement; 1 week = none; the Act allows 8 (individual agreement)
    averaging_weeks: int = 1
    averaged_max_day_min: int = 10 * HOUR
    averaged_max_week_min: int = 48 * HOUR
    #: § 10-6: overtime limits per week, per 4 weeks and per calendar year
    overtime_week_min: int = 10 * HOUR
    overtime_4weeks_min: int = 25 * HOUR
    overtime_year_min: int = 200 * HOUR
    #: § 10-6 (8): total hours including overtime per day, and per week averaged over 8 weeks
    total_day_min: int = 13 * HOUR
    total_week_min: int = 48 * HOUR
    total_averaging_weeks: int = 8
    #: § 10-8: daily rest between shifts and continuous weekly rest in each calendar week
    daily_rest_min: int = 11 * HOUR
    weekly_rest_min: int = 35 * HOUR
    #: § 10-9: a break of at least ``break_min`` when the working day is ``break_after_min`` or more
    break_after_min: int = 8 * HOUR
    break_min: int = 30
    #: § 10-11: night is 21:00-06:00; regular night workers average at most 8 h per 24 h over
    #: ``night_averaging_days``
    night_start_min: int = 21 * HOUR
    night_end_min: int = 6 * HOUR
    night_worker_avg_per_24h_min: int = 8 * HOUR
    night_averaging_days: int = 28
    #: § 10-3: the rota is known to staff at least this many days before it starts
    publication_notice_days: int = 14

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ModelError(f"rules.{f.name}", value, "must be a non-negative whole number")
        floors = {"daily_rest_min": 8 * HOUR, "weekly_rest_min": 28 * HOUR}
        for name, floor in floors.items():  # the Act's absolute floors, even by agreement
            if getattr(self, name) < floor:
                raise ModelError(
                    f"rules.{name}",
                    getattr(self, name),
                    f"the Act never allows less than {floor // HOUR} h",
                )
        if self.averaging_weeks < 1 or self.total_averaging_weeks < 1:
            raise ModelError("rules.averaging_weeks", self.averaging_weeks, "must be at least 1")

    @property
    def day_limit_min(self) -> int:
        """Normal hours allowed on one day (stretched under an averaging agreement)."""
        return self.averaged_max_day_min if self.averaging_weeks > 1 else self.normal_day_min

    @property
    def week_limit_min(self) -> int:
        """Normal hours allowed in one week (stretched under an averaging agreement)."""
        return self.averaged_max_week_min if self.averaging_weeks > 1 else self.normal_week_min

    def table(self) -> list[tuple[str, str]]:
        """(rule, value) rows that a clinician can read."""
        rows = []
        for f in fields(self):
            value = getattr(self, f.name)
            text = (
                f"{value // HOUR} h" + (f" {value % HOUR} min" if value % HOUR else "")
                if f.name.endswith("_min")
                else str(value)
            )
            rows.append((f.name, text))
        return rows


def load_rules(path: str | Path | None = None, **overrides: Any) -> WorkingTimeRules:
    """Rules from a TOML file of ``name = value`` lines (hours may be given as ``*_h`` keys,
    e.g. ``daily_rest_h = 9``). Unknown names are an error naming the key."""
    data: dict[str, Any] = {}
    if path is not None:
        with Path(path).open("rb") as handle:
            raw = tomllib.load(handle)
        data.update(raw.get("rules", raw))
    data.update(overrides)
    known = {f.name for f in fields(WorkingTimeRules)}
    values: dict[str, int] = {}
    for key, value in data.items():
        name = key
        if key.endswith("_h") and f"{key[:-2]}_min" in known:
            name = f"{key[:-2]}_min"
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ModelError(f"rules.{key}", value, "must be a number of hours")
            value = round(value * HOUR)
        if name not in known:
            raise ModelError(f"rules.{key}", value, f"unknown rule; known: {sorted(known)}")
        values[name] = value
    return replace(WorkingTimeRules(), **values)
