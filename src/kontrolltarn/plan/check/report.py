"""What the validator finds: violations of named constraints, soft costs and KPIs."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    HARD = "hard"  # the program cannot be run as it stands
    SOFT = "soft"  # allowed, at a cost


@dataclass(frozen=True)
class Violation:
    """One breach of one constraint. ``amount`` is its size in the constraint's unit."""

    constraint: str
    level: Level
    amount: float
    detail: str
    refs: tuple[str, ...] = ()


@dataclass
class CheckReport:
    """The validator's judgement of one program. Nobody trusts a solver's own objective."""

    violations: list[Violation] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    kpis: dict[str, float] = field(default_factory=dict)

    @property
    def hard(self) -> list[Violation]:
        return [v for v in self.violations if v.level is Level.HARD]

    @property
    def feasible(self) -> bool:
        return not self.hard

    def count(self, constraint: str) -> int:
        return sum(1 for v in self.violations if v.constraint == constraint)

    def amount(self, constraint: str) -> float:
        return sum(v.amount for v in self.violations if v.constraint == constraint)

    def hard_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for v in self.hard:
            counts[v.constraint] = counts.get(v.constraint, 0) + 1
        return counts

    def soft_costs(self) -> dict[str, float]:
        """Weighted cost per soft constraint (weight × amount)."""
        costs: dict[str, float] = {}
        for v in self.violations:
            if v.level is Level.SOFT:
                costs[v.constraint] = costs.get(v.constraint, 0.0) + v.amount * self.weights[v.constraint]
        return costs

    @property
    def soft_cost(self) -> float:
        return sum(self.soft_costs().values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "feasible": self.feasible,
            "hard_violations": self.hard_counts(),
            "soft_costs": {k: round(v, 3) for k, v in sorted(self.soft_costs().items())},
            "soft_cost_total": round(self.soft_cost, 3),
            "kpis": {k: round(v, 4) for k, v in self.kpis.items()},
            "violations": [
                {"constraint": v.constraint, "level": v.level.value, "amount": v.amount,
                 "detail": v.detail, "refs": list(v.refs)}
                for v in self.violations
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_text(self, max_details: int = 20,
                kpi_line: Callable[[str, float], str] | None = None) -> str:
        """The report for people; ``kpi_line`` writes one KPI (its name in words: the CLI
        passes ``kpi.label``'s), else the id and the value, a whole number without decimals."""
        lines = [f"Feasible: {'yes' if self.feasible else 'NO'}"]
        hard = self.hard_counts()
        lines.append("Hard violations: " + (", ".join(f"{k} ×{n}" for k, n in sorted(hard.items()))
                                            if hard else "none"))
        for v in self.hard[:max_details]:
            lines.append(f"  ✗ {v.constraint}: {v.detail}")
        if len(self.hard) > max_details:
            lines.append(f"  … and {len(self.hard) - max_details} more")
        lines.append(f"Soft cost: {self.soft_cost:,.1f}")
        for name, cost in sorted(self.soft_costs().items()):
            lines.append(f"  {name}: {cost:,.1f} (amount {self.amount(name):,.1f} × weight "
                         f"{self.weights[name]:g})")
        lines.append("KPIs:")
        for name, value in self.kpis.items():
            if kpi_line is not None:
                lines.append(f"  {kpi_line(name, value)}")
            elif isinstance(value, float) and not value.is_integer():
                lines.append(f"  {name}: {value:,.3f}")
            else:
                lines.append(f"  {name}: {value:,.0f}")
        return "\n".join(lines)
