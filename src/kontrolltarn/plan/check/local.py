"""Local planning rules per specialty and location, read from a readable TOML file of one schema.

The shipped ``local_rules.toml`` holds the tacit knowledge coordinators carry today; a hospital
edits it, never the code. The rules belong to the planning rules (this package): ``check``
flags a program that breaks them, the feasibility kernel refuses a placement that would, so
the optimiser, repair and every kernel-based planner read the same file. ``for_session``
merges the rules that apply to one location and specialty (the strictest value wins);
``describe`` prints them beside a plan; ``differences`` lists where locations differ.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kontrolltarn.model import ModelError

DEFAULT_FILE = Path(__file__).with_name("local_rules.toml")
#: weekday names a surgeon's fixed days are written with (Monday first)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: every key a scope may hold, with what it must be (the one schema; shown in errors)
SCHEMA = {
    "note": "text shown with the plan",
    "max_cases_per_session": "whole number >= 0",
    "max_per_session": "table {procedure code = whole number}",
    "max_per_room_day": "table {procedure code = whole number}",
    "first_only": "list of procedure codes",
    "reserve_min": "whole number of minutes >= 0",
    "max_probability": "number strictly between 0 and 1",
    "surgeon_days": "table {surgeon id = list of weekdays mon..sun}",
    "equipment_with": "table {procedure code = list of equipment ids}",
    "utilisation_target": "share of staffed minutes the specialty plans to use, above 0 up to 1 "
                          "(sizes its sessions in the capacity plan)",
    "activity_target": "operations per week the specialty plans to (the capacity plan's budget)",
}


@dataclass(frozen=True)
class Rule:
    """The rules of one scope (a specialty, a location, or a specialty at a location)."""

    scope: str
    note: str = ""
    max_cases_per_session: int | None = None
    max_per_session: dict[str, int] = field(default_factory=dict)
    #: case-mix caps per room and day ("no more than two hip replacements per room-day")
    max_per_room_day: dict[str, int] = field(default_factory=dict)
    first_only: frozenset[str] = frozenset()
    #: minutes of each session kept free: the emergency buffer
    reserve_min: int = 0
    max_probability: float | None = None
    #: a surgeon operates here only on these weekdays (0 = Monday)
    surgeon_days: dict[str, frozenset[int]] = field(default_factory=dict)
    #: a procedure here needs this equipment as well as its own (in the room or borrowable)
    equipment_with: dict[str, frozenset[str]] = field(default_factory=dict)
    #: a leader's targets for the specialty (a specialty scope's only)
    utilisation_target: float | None = None
    activity_target: float | None = None


@dataclass(frozen=True)
class SessionRules:
    """The merged rules for one location and specialty. ``max_per_procedure`` holds the
    per-session caps and the room-day caps (a session never holds more than its room-day)."""

    max_cases: int | None = None
    max_per_procedure: dict[str, int] = field(default_factory=dict)
    max_per_room_day: dict[str, int] = field(default_factory=dict)
    first_only: frozenset[str] = frozenset()
    reserve_min: int = 0
    max_probability: float | None = None
    surgeon_days: dict[str, frozenset[int]] = field(default_factory=dict)
    equipment_with: dict[str, frozenset[str]] = field(default_factory=dict)
    #: the scopes that gave these rules (named in violations)
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LocalRules:
    specialty: dict[str, Rule] = field(default_factory=dict)
    location: dict[str, Rule] = field(default_factory=dict)
    location_specialty: dict[tuple[str, str], Rule] = field(default_factory=dict)
    source: str = ""
    #: merged rules per (location, specialty): asked for every placement the kernel tests
    _merged: dict[tuple[str, str | None], SessionRules] = field(
        default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_toml(cls, path: str | Path | None = None) -> LocalRules:
        file = Path(path) if path is not None else DEFAULT_FILE
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ModelError("local_rules", str(file), f"cannot read: {exc}") from exc
        rules = cls.from_text(text, str(file))
        return LocalRules(rules.specialty, rules.location, rules.location_specialty, str(file))

    @classmethod
    def from_text(cls, text: str, source: str = "text") -> LocalRules:
        """Rules from TOML text (a file's, or one a coordinator edits in the workspace)."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ModelError("local_rules", source, f"not valid TOML: {exc}") from exc
        rules = cls.from_dict(data)
        return LocalRules(rules.specialty, rules.location, rules.location_specialty, source)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LocalRules:
        extra = set(data) - {"specialty", "location"}
        if extra:
            raise ModelError("local_rules", sorted(extra), "unknown section (use specialty / location)")
        specialty = {sid: _rule(f"specialty.{sid}", _table(f"specialty.{sid}", body))
                     for sid, body in _table("specialty", data.get("specialty", {})).items()}
        location: dict[str, Rule] = {}
        both: dict[tuple[str, str], Rule] = {}
        for lid, body in _table("location", data.get("location", {})).items():
            body = dict(_table(f"location.{lid}", body))
            nested = _table(f"location.{lid}.specialty", body.pop("specialty", {}))
            location[lid] = _rule(f"location.{lid}", body)
            for sid, inner in nested.items():
                scope = f"location.{lid}.specialty.{sid}"
                both[(lid, sid)] = _rule(scope, _table(scope, inner))
        return cls(specialty, location, both)

    def activity_targets(self) -> dict[str, float]:
        """Operations per week per specialty, as leaders set them (the capacity plan's budget)."""
        return {sid: r.activity_target for sid, r in self.specialty.items()
                if r.activity_target is not None}

    def utilisation_targets(self) -> dict[str, float]:
        """Share of staffed minutes per specialty, as leaders set them: the capacity plan
        sizes the specialty's sessions to it (``CapacitySettings.specialty_utilisation``)."""
        return {sid: r.utilisation_target for sid, r in self.specialty.items()
                if r.utilisation_target is not None}

    def all_rules(self) -> list[Rule]:
        return [*self.specialty.values(), *self.location.values(),
                *self.location_specialty.values()]

    def for_session(self, location_id: str, specialty_id: str | None) -> SessionRules:
        key = (location_id, specialty_id)
        if key not in self._merged:
            self._merged[key] = _merge(self, location_id, specialty_id)
        return self._merged[key]

    def describe(self, specialties: set[str] | None = None,
                 locations: set[str] | None = None) -> list[str]:
        """One readable line per rule that applies to the given specialties and locations."""
        rules = [r for s, r in sorted(self.specialty.items()) if specialties is None or s in specialties]
        rules += [r for loc, r in sorted(self.location.items()) if locations is None or loc in locations]
        rules += [r for (loc, s), r in sorted(self.location_specialty.items())
                  if (locations is None or loc in locations) and (specialties is None or s in specialties)]
        return [f"[{r.scope}] {r.note} ({'; '.join(rule_parts(r)) or 'note only'})" for r in rules]

    def differences(self, locations: list[str], specialties: list[str],
                    lang: str = "en") -> list[dict[str, Any]]:
        """Per specialty, the merged rules at each location, where they differ between
        locations (a leader's side-by-side view): [{specialty, location: [parts]}]."""
        rows = []
        for sid in specialties:
            per_location = {loc: _parts(self.for_session(loc, sid), lang) for loc in locations}
            if len({tuple(v) for v in per_location.values()}) > 1:
                rows.append({"specialty": sid, "locations": per_location})
        return rows


def _merge(rules: LocalRules, location_id: str, specialty_id: str | None) -> SessionRules:
    scopes = [rules.location.get(location_id)]
    if specialty_id is not None:
        scopes += [rules.specialty.get(specialty_id),
                   rules.location_specialty.get((location_id, specialty_id))]
    merged = SessionRules()
    for rule in scopes:
        if rule is None:
            continue
        days = dict(merged.surgeon_days)
        for surgeon, allowed in rule.surgeon_days.items():
            days[surgeon] = days.get(surgeon, allowed) & allowed
        paired = dict(merged.equipment_with)
        for code, eq in rule.equipment_with.items():
            paired[code] = paired.get(code, frozenset()) | eq
        room_day = _min_each(merged.max_per_room_day, rule.max_per_room_day)
        merged = SessionRules(
            max_cases=_min(merged.max_cases, rule.max_cases_per_session),
            max_per_procedure=_min_each(merged.max_per_procedure, rule.max_per_session, room_day),
            max_per_room_day=room_day,
            first_only=merged.first_only | rule.first_only,
            reserve_min=max(merged.reserve_min, rule.reserve_min),
            max_probability=_min(merged.max_probability, rule.max_probability),
            surgeon_days=days,
            equipment_with=paired,
            scopes=(*merged.scopes, rule.scope),
        )
    return merged


@lru_cache(maxsize=1)
def shipped_rules() -> LocalRules:
    """The rules in the shipped file: what ``check`` and the kernel read unless given others."""
    return LocalRules.from_toml()


#: a rule's limits in words, per language (the CLI and ``check`` speak English; the workspace
#: pages one language each)
_WORDS = {
    "en": {"cases": "max {n} cases/session", "session": "max {n} × {code}/session",
           "room_day": "max {n} × {code}/room-day", "first": "first of the day: {codes}",
           "reserve": "{n} min kept free per session", "risk": "overrun chance ≤ {p}",
           "days": "{who} operates here on {days}", "needs": "{code} needs {eq}",
           "utilisation": "utilisation target {p}",
           "activity": "activity target {n} operations/week"},
    "nb": {"cases": "maks {n} pasienter per økt", "session": "maks {n} × {code} per økt",
           "room_day": "maks {n} × {code} per stue og dag", "first": "først på dagen: {codes}",
           "reserve": "{n} min holdes ledig per økt", "risk": "overtidsrisiko ≤ {p}",
           "days": "{who} opererer her {days}", "needs": "{code} trenger {eq}",
           "utilisation": "mål for utnyttelse {p}",
           "activity": "aktivitetsmål {n} operasjoner per uke"},
}
_DAY_NAMES = {"en": WEEKDAYS, "nb": ("man", "tir", "ons", "tor", "fre", "lør", "søn")}


def rule_parts(r: Rule, lang: str = "en") -> list[str]:
    """A rule's limits in words, in ``lang`` ("en" or "nb")."""
    w = _WORDS.get(lang, _WORDS["en"])
    day_names = _DAY_NAMES.get(lang, WEEKDAYS)

    def pct(p: float) -> str:
        return f"{p * 100:.0f} %" if lang == "nb" else f"{p:.0%}"

    parts = []
    if r.max_cases_per_session is not None:
        parts.append(w["cases"].format(n=r.max_cases_per_session))
    parts += [w["session"].format(n=n, code=code) for code, n in sorted(r.max_per_session.items())]
    parts += [w["room_day"].format(n=n, code=code) for code, n in sorted(r.max_per_room_day.items())]
    if r.first_only:
        parts.append(w["first"].format(codes=", ".join(sorted(r.first_only))))
    if r.reserve_min:
        parts.append(w["reserve"].format(n=r.reserve_min))
    if r.max_probability is not None:
        parts.append(w["risk"].format(p=pct(r.max_probability)))
    parts += [w["days"].format(who=s, days=", ".join(day_names[d] for d in sorted(days)))
              for s, days in sorted(r.surgeon_days.items())]
    parts += [w["needs"].format(code=code, eq=", ".join(sorted(eq)))
              for code, eq in sorted(r.equipment_with.items())]
    if r.utilisation_target is not None:
        parts.append(w["utilisation"].format(p=pct(r.utilisation_target)))
    if r.activity_target is not None:
        parts.append(w["activity"].format(n=f"{r.activity_target:g}"))
    return parts


def _parts(m: SessionRules, lang: str = "en") -> list[str]:
    rule = Rule("merged", "", m.max_cases, {c: n for c, n in m.max_per_procedure.items()
                                            if m.max_per_room_day.get(c) != n},
                m.max_per_room_day, m.first_only, m.reserve_min, m.max_probability,
                m.surgeon_days, m.equipment_with)
    return rule_parts(rule, lang)


def _table(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ModelError(f"local_rules.{where}", value, "must be a table")
    return value


def _rule(scope: str, body: dict[str, Any]) -> Rule:
    unknown = set(body) - set(SCHEMA)
    if unknown:
        raise ModelError(f"local_rules.{scope}", sorted(unknown), f"unknown key, use {sorted(SCHEMA)}")

    def key(name: str) -> str:
        return f"local_rules.{scope}.{name}"

    def whole(name: str, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ModelError(key(name), value, "must be a whole number >= 0")
        return value

    def codes(name: str, value: Any) -> frozenset[str]:
        if not isinstance(value, list) or not all(isinstance(c, str) and c for c in value):
            raise ModelError(key(name), value, "must be a list of names")
        return frozenset(value)

    def counts(name: str) -> dict[str, int]:
        table = body.get(name, {})
        if not isinstance(table, dict):
            raise ModelError(key(name), table, "must be a table {code = n}")
        return {code: whole(f"{name}.{code}", n) for code, n in table.items()}

    def weekdays(surgeon: str, value: Any) -> frozenset[int]:
        names = codes(f"surgeon_days.{surgeon}", value)
        wrong = sorted(names - set(WEEKDAYS))
        if wrong:
            raise ModelError(key(f"surgeon_days.{surgeon}"), wrong, f"weekdays are {list(WEEKDAYS)}")
        return frozenset(WEEKDAYS.index(n) for n in names)

    max_cases = body.get("max_cases_per_session")
    probability = body.get("max_probability")
    if probability is not None and (isinstance(probability, bool)
                                    or not isinstance(probability, int | float)
                                    or not 0 < probability < 1):
        raise ModelError(key("max_probability"), probability, "must be a number strictly between 0 and 1")
    targets = {}
    for name, most in (("utilisation_target", 1.0), ("activity_target", 10_000.0)):
        value = body.get(name)
        if value is None:
            continue
        if not scope.startswith("specialty.") or "location" in scope:
            raise ModelError(key(name), value, "a target is set for a specialty ([specialty.ID])")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= most:
            raise ModelError(key(name), value, f"must be a number from 0 to {most:g}")
        if name == "utilisation_target" and value == 0:  # no session could hold any work
            raise ModelError(key(name), value, "must be above 0 (a share of staffed minutes used)")
        targets[name] = float(value)
    note = body.get("note", "")
    if not isinstance(note, str):
        raise ModelError(key("note"), note, "must be text")
    days = _table(f"{scope}.surgeon_days", body.get("surgeon_days", {}))
    paired = _table(f"{scope}.equipment_with", body.get("equipment_with", {}))
    return Rule(
        scope=scope, note=note,
        max_cases_per_session=whole("max_cases_per_session", max_cases) if max_cases is not None else None,
        max_per_session=counts("max_per_session"),
        max_per_room_day=counts("max_per_room_day"),
        first_only=codes("first_only", body.get("first_only", [])),
        reserve_min=whole("reserve_min", body.get("reserve_min", 0)),
        max_probability=float(probability) if probability is not None else None,
        surgeon_days={s: weekdays(s, v) for s, v in days.items()},
        equipment_with={c: codes(f"equipment_with.{c}", v) for c, v in paired.items()},
        **targets,
    )


def _min(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _min_each(*tables: dict[str, int]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for table in tables:
        for code, n in table.items():
            merged[code] = min(n, merged.get(code, n))
    return merged
