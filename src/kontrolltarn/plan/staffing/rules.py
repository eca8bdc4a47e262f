"""Working-time rules of the Norwegian Working Environment Act (arbeidsmiljøloven ch. 10).

Each rule is one named parameter with the Act's value as default. Collective agreements stretch
some of them; load those from a TOML file (an empty file means the Act's defaults). Values are
kept in minutes so solver and checker compare whole numbers.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from dataclasses import field as dataclass_field
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
    #: § 10-10: Sunday work is work between 18:00 the day before and 22:00 on the Sunday; who
    #: worked one Sunday is off the next (4), so at most ``sundays_in_a_row_max`` Sundays in a
    #: row. An agreement may allow more (a hospital-wide ``[rules]`` value); a unit only fewer
    sunday_start_min: int = 18 * HOUR
    sunday_end_min: int = 22 * HOUR
    sundays_in_a_row_max: int = 1
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
        raw = _read_toml(path)
        data.update(raw.get("rules", raw))
    data.update(overrides)
    return rules_from(data, WorkingTimeRules(), "rules")


def rules_from(data: dict[str, Any], base: WorkingTimeRules, where: str) -> WorkingTimeRules:
    """``base`` with the values of ``data`` (``*_min`` or ``*_h`` keys); every error names
    ``where.key`` and the value."""
    known = {f.name for f in fields(WorkingTimeRules)}
    values: dict[str, int] = {}
    for key, value in data.items():
        name = key
        if key.endswith("_h") and f"{key[:-2]}_min" in known:
            name = f"{key[:-2]}_min"
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ModelError(f"{where}.{key}", value, "must be a number of hours")
            value = round(value * HOUR)
        if name not in known:
            raise ModelError(f"{where}.{key}", value, f"unknown rule; known: {sorted(known)}")
        values[name] = value
    try:
        return replace(base, **values)
    except ModelError as bad:  # the Act's floors and types, named as the file names them
        key = bad.field.removeprefix("rules.")
        typed = next((k for k in data if k == key or f"{k[:-2]}_min" == key), key)
        raise ModelError(f"{where}.{typed}", data.get(typed, bad.value), bad.reason) from None


@dataclass(frozen=True)
class UnitRules:
    """The Act's defaults (``[rules]``, changed for every unit by a hospital-wide agreement)
    and each unit's local agreement on top (``[units.<unit id>]``). A unit's values may only
    tighten the hospital's: a local agreement cannot give staff less than the hospital-wide
    one (and never less than the Act's floors, checked by ``WorkingTimeRules``)."""

    base: WorkingTimeRules = WorkingTimeRules()
    units: dict[str, WorkingTimeRules] = dataclass_field(default_factory=dict)

    def for_unit(self, unit_id: str) -> WorkingTimeRules:
        return self.units.get(unit_id, self.base)


#: rules where a larger value protects staff (rest, breaks, notice); for the others (hours,
#: overtime, averaging) a smaller value does
_MORE_PROTECTS = {"daily_rest_min", "weekly_rest_min", "break_min", "publication_notice_days"}
#: where a unit's value is a matter of definition, not of protection: any value is accepted
_NEUTRAL = {"night_start_min", "night_end_min", "normal_day_min", "break_after_min",
            "sunday_start_min", "sunday_end_min"}


def unit_rules_from(data: dict[str, Any]) -> UnitRules:
    """``UnitRules`` from parsed TOML: only ``rules`` and ``units`` tables are allowed."""
    unknown = sorted(set(data) - {"rules", "units"})
    if unknown:
        raise ModelError(unknown[0], data[unknown[0]], "unknown table; use [rules] or [units.<id>]")
    table = data.get("rules", {})
    if not isinstance(table, dict):
        raise ModelError("rules", table, "must be a table of rule = value")
    base = rules_from(table, WorkingTimeRules(), "rules")
    units_table = data.get("units", {})
    if not isinstance(units_table, dict):
        raise ModelError("units", units_table, "must hold one table per unit: [units.<id>]")
    units = {}
    for unit_id, values in units_table.items():
        where = f"units.{unit_id}"
        if not isinstance(values, dict):
            raise ModelError(where, values, "must be a table of rule = value")
        rules = rules_from(values, base, where)
        for f in fields(WorkingTimeRules):
            mine, theirs = getattr(rules, f.name), getattr(base, f.name)
            looser = mine < theirs if f.name in _MORE_PROTECTS else mine > theirs
            if f.name not in _NEUTRAL and looser:
                key = next((k for k in values if k == f.name or f"{k[:-2]}_min" == f.name), f.name)
                raise ModelError(f"{where}.{key}", values.get(key, mine),
                                 f"a unit's agreement may only tighten the hospital's rules "
                                 f"({f.name} = {theirs})")
        units[str(unit_id)] = rules
    return UnitRules(base, units)


def load_unit_rules(path: str | Path) -> UnitRules:
    """The rules file of the units (TOML): ``[rules]`` for all, ``[units.<id>]`` per unit."""
    return unit_rules_from(_read_toml(path))


def _read_toml(path: str | Path) -> dict[str, Any]:
    try:
        with Path(path).open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as bad:
        raise ModelError(str(path), "(file)", f"not valid TOML: {bad}") from None
