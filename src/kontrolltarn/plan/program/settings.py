"""Planning settings a coordinator tunes, read from TOML (an empty file means the defaults).

The shipped ``settings.toml`` documents every key; ``ProgramSettings.from_toml`` reads another.
Unknown keys and values of the wrong kind are refused with the key and the value named.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kontrolltarn.model import ModelError

DEFAULT_FILE = Path(__file__).with_name("settings.toml")
SEQUENCING_RULES = ("children_first", "infected_last", "long_first", "short_first", "priority_first")


@dataclass(frozen=True)
class Objective:
    """The value of a planned minute (see settings.toml); the solver maximises the sum.
    A minute of a case is worth ``utilisation * (1 + extra)`` where ``extra`` adds the
    deadline, priority and waiting terms that apply to the case."""

    deadline: float = 4.0
    deadline_soon: float = 1.0
    priority: float = 0.25
    waiting: float = 0.5
    utilisation: float = 1.0
    overtime_risk: float = 5.0


@dataclass(frozen=True)
class Risk:
    overrun_min: int = 30
    target_share: float = 0.095
    max_probability: float = 0.25
    #: staffed hours from need: a session's end may be given back in whole steps while its
    #: list's overrun chance stays at or below ``give_back_within`` (step 0: never)
    give_back_within: float = 0.2
    give_back_step_min: int = 60


@dataclass(frozen=True)
class Sequencing:
    rules: tuple[str, ...] = ("children_first", "infected_last", "long_first")


@dataclass(frozen=True)
class Cadence:
    """Lock-down points in days before the operation date (NHS practice: 6 / 4 / 2 weeks)."""

    release_days: int = 42
    fix_days: int = 28
    lock_days: int = 14


@dataclass(frozen=True)
class Solver:
    candidates_per_session: int = 40
    options_per_session: int = 80
    session_time_s: float = 0.5


@dataclass(frozen=True)
class ProgramSettings:
    objective: Objective = field(default_factory=Objective)
    risk: Risk = field(default_factory=Risk)
    sequencing: Sequencing = field(default_factory=Sequencing)
    cadence: Cadence = field(default_factory=Cadence)
    solver: Solver = field(default_factory=Solver)

    def __post_init__(self) -> None:
        r = self.risk
        _require(0 < r.max_probability < 1, "risk.max_probability", r.max_probability,
                 "must be strictly between 0 and 1")
        _require(0 < r.target_share <= r.max_probability, "risk.target_share", r.target_share,
                 "must be above 0 and not above risk.max_probability")
        _require(r.overrun_min >= 0, "risk.overrun_min", r.overrun_min, "must be >= 0 minutes")
        _require(0 < r.give_back_within <= r.max_probability, "risk.give_back_within",
                 r.give_back_within, "must be above 0 and not above risk.max_probability")
        _require(isinstance(r.give_back_step_min, int) and r.give_back_step_min >= 0,
                 "risk.give_back_step_min", r.give_back_step_min, "must be 0 (never) or more minutes")
        for rule in self.sequencing.rules:
            _require(rule in SEQUENCING_RULES, "sequencing.rules", rule,
                     f"unknown rule, choose from {list(SEQUENCING_RULES)}")
        c = self.cadence
        _require(c.release_days >= c.fix_days >= c.lock_days >= 0, "cadence", c,
                 "needs release_days >= fix_days >= lock_days >= 0")
        _require(self.solver.candidates_per_session >= 1, "solver.candidates_per_session",
                 self.solver.candidates_per_session, "must be at least 1")

    @classmethod
    def from_toml(cls, path: str | Path | None = None) -> ProgramSettings:
        file = Path(path) if path is not None else DEFAULT_FILE
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ModelError("settings", str(file), f"cannot read: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ModelError("settings", str(file), f"not valid TOML: {exc}") from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProgramSettings:
        parts: dict[str, Any] = {}
        for section in fields(cls):
            default = getattr(cls(), section.name)
            values = data.get(section.name, {})
            _require(isinstance(values, dict), section.name, values, "must be a table")
            known = {f.name: f for f in fields(default)}
            for key, value in values.items():
                _require(key in known, f"{section.name}.{key}", value, "unknown setting")
                expected = type(getattr(default, key))
                if expected is float and isinstance(value, int) and not isinstance(value, bool):
                    value = float(value)
                if expected is tuple and isinstance(value, list):
                    value = tuple(value)
                _require(isinstance(value, expected) and not isinstance(value, bool),
                         f"{section.name}.{key}", value, f"must be {expected.__name__}")
                values = {**values, key: value}
            parts[section.name] = replace(default, **values)
        extra = set(data) - {f.name for f in fields(cls)}
        _require(not extra, "settings", sorted(extra), "unknown section")
        return cls(**parts)


def _require(ok: bool, name: str, value: object, reason: str) -> None:
    if not ok:
        raise ModelError(name, value, reason)
