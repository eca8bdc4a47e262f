"""Local planning rules per specialty and location, read from a readable TOML file.

The shipped ``local_rules.toml`` holds examples of the tacit knowledge coordinators carry today;
a hospital edits it, never the code. ``LocalRules.for_session`` merges the rules that apply to
one session (the strictest value wins) and ``describe`` prints them beside the plan.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kontrolltarn.model import ModelError

DEFAULT_FILE = Path(__file__).with_name("local_rules.toml")
_KEYS = {"note", "max_cases_per_session", "max_per_session", "first_only", "reserve_min",
         "max_probability"}


@dataclass(frozen=True)
class Rule:
    """The rules of one scope (a specialty, a location, or a specialty at a location)."""

    scope: str
    note: str = ""
    max_cases_per_session: int | None = None
    max_per_session: dict[str, int] = field(default_factory=dict)
    first_only: frozenset[str] = frozenset()
    reserve_min: int = 0
    max_probability: float | None = None


@dataclass(frozen=True)
class SessionRules:
    """The merged rules for one session."""

    max_cases: int | None = None
    max_per_procedure: dict[str, int] = field(default_factory=dict)
    first_only: frozenset[str] = frozenset()
    reserve_min: int = 0
    max_probability: float | None = None


@dataclass(frozen=True)
class LocalRules:
    specialty: dict[str, Rule] = field(default_factory=dict)
    location: dict[str, Rule] = field(default_factory=dict)
    location_specialty: dict[tuple[str, str], Rule] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def from_toml(cls, path: str | Path | None = None) -> LocalRules:
        file = Path(path) if path is not None else DEFAULT_FILE
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ModelError("local_rules", str(file), f"cannot read: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ModelError("local_rules", str(file), f"not valid TOML: {exc}") from exc
        rules = cls.from_dict(data)
        return LocalRules(rules.specialty, rules.location, rules.location_specialty, str(file))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LocalRules:
        extra = set(data) - {"specialty", "location"}
        if extra:
            raise ModelError("local_rules", sorted(extra), "unknown section (use specialty / location)")
        specialty = {sid: _rule(f"specialty.{sid}", body)
                     for sid, body in data.get("specialty", {}).items()}
        location: dict[str, Rule] = {}
        both: dict[tuple[str, str], Rule] = {}
        for lid, body in data.get("location", {}).items():
            body = dict(body)
            nested = body.pop("specialty", {})
            location[lid] = _rule(f"location.{lid}", body)
            for sid, inner in nested.items():
                both[(lid, sid)] = _rule(f"location.{lid}.specialty.{sid}", inner)
        return cls(specialty, location, both)

    def for_session(self, location_id: str, specialty_id: str | None) -> SessionRules:
        scopes = [self.location.get(location_id)]
        if specialty_id is not None:
            scopes += [self.specialty.get(specialty_id),
                       self.location_specialty.get((location_id, specialty_id))]
        merged = SessionRules()
        for rule in scopes:
            if rule is None:
                continue
            per_proc = dict(merged.max_per_procedure)
            for code, n in rule.max_per_session.items():
                per_proc[code] = min(n, per_proc.get(code, n))
            merged = SessionRules(
                max_cases=_min(merged.max_cases, rule.max_cases_per_session),
                max_per_procedure=per_proc,
                first_only=merged.first_only | rule.first_only,
                reserve_min=max(merged.reserve_min, rule.reserve_min),
                max_probability=_min(merged.max_probability, rule.max_probability),
            )
        return merged

    def describe(self, specialties: set[str] | None = None,
                 locations: set[str] | None = None) -> list[str]:
        """One readable line per rule that applies to the given specialties and locations."""
        lines = []
        rules = [r for s, r in sorted(self.specialty.items()) if specialties is None or s in specialties]
        rules += [r for loc, r in sorted(self.location.items()) if locations is None or loc in locations]
        rules += [r for (loc, s), r in sorted(self.location_specialty.items())
                  if (locations is None or loc in locations) and (specialties is None or s in specialties)]
        for r in rules:
            parts = []
            if r.max_cases_per_session is not None:
                parts.append(f"max {r.max_cases_per_session} cases/session")
            parts += [f"max {n} × {code}/session" for code, n in sorted(r.max_per_session.items())]
            if r.first_only:
                parts.append("first of the day: " + ", ".join(sorted(r.first_only)))
            if r.reserve_min:
                parts.append(f"{r.reserve_min} min kept free per session")
            if r.max_probability is not None:
                parts.append(f"overrun chance ≤ {r.max_probability:.0%}")
            lines.append(f"[{r.scope}] {r.note} ({'; '.join(parts) or 'note only'})")
        return lines


def _rule(scope: str, body: dict[str, Any]) -> Rule:
    unknown = set(body) - _KEYS
    if unknown:
        raise ModelError(f"local_rules.{scope}", sorted(unknown), f"unknown key, use {sorted(_KEYS)}")

    def whole(key: str, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ModelError(f"local_rules.{scope}.{key}", value, "must be a whole number >= 0")
        return value

    max_cases = body.get("max_cases_per_session")
    per_session = body.get("max_per_session", {})
    if not isinstance(per_session, dict):
        raise ModelError(f"local_rules.{scope}.max_per_session", per_session,
                         "must be a table {code = n}")
    first = body.get("first_only", [])
    if not isinstance(first, list) or not all(isinstance(c, str) for c in first):
        raise ModelError(f"local_rules.{scope}.first_only", first, "must be a list of procedure codes")
    probability = body.get("max_probability")
    if probability is not None and not (isinstance(probability, float) and 0 < probability < 1):
        raise ModelError(f"local_rules.{scope}.max_probability", probability,
                         "must be a number strictly between 0 and 1")
    return Rule(
        scope=scope, note=str(body.get("note", "")),
        max_cases_per_session=whole("max_cases_per_session", max_cases) if max_cases is not None else None,
        max_per_session={code: whole(f"max_per_session.{code}", n) for code, n in per_session.items()},
        first_only=frozenset(first),
        reserve_min=whole("reserve_min", body.get("reserve_min", 0)),
        max_probability=probability,
    )


def _min(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)
