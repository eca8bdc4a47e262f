"""Statistics over replications: 95 % t-intervals and the paired comparison of policies.

Each replication is one seed; every policy runs on the same seed (common random numbers), so
policy differences are measured pairwise, seed by seed, with a 95 % t-interval over seeds. The
runs themselves: ``experiments.replications``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kontrolltarn.model import ModelError

#: two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
         2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
         2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float
    n: int


def interval(values: Sequence[float]) -> Interval:
    """Mean with a 95 % t-interval (no width with a single value)."""
    n = len(values)
    if n == 0:
        raise ModelError("values", values, "need at least one replication")
    mean = statistics.fmean(values)
    if n == 1:
        return Interval(mean, mean, mean, 1)
    half = (_T975[n - 2] if n - 1 <= len(_T975) else 1.96) * statistics.stdev(values) / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)


def summarise(results: Sequence[dict[str, Any]], policies: Sequence[str]) -> dict[str, dict[str, Interval]]:
    """Per policy, each headline KPI's mean and 95 % interval; with two policies also the paired
    difference (second minus first) under the key "difference"."""
    table: dict[str, dict[str, Interval]] = {}
    by_policy = {p: {r["seed"]: r["headline"] for r in results if r["policy"] == p} for p in policies}
    names = sorted({k for r in results for k in r["headline"]})
    for p in policies:
        table[p] = {k: interval([h.get(k, 0.0) for h in by_policy[p].values()]) for k in names}
    if len(policies) == 2:
        a, b = by_policy[policies[0]], by_policy[policies[1]]
        seeds = sorted(set(a) & set(b))
        table["difference"] = {k: interval([b[s].get(k, 0.0) - a[s].get(k, 0.0) for s in seeds])
                               for k in names}
    return table


def paired_ratios(results: Sequence[dict[str, Any]], first: str, second: str) -> dict[str, Interval]:
    """Per headline KPI, ``second`` over ``first`` seed by seed (common random numbers), with
    the 95 % t-interval of those ratios over seeds; seeds where ``first`` is 0 are left out."""
    a = {r["seed"]: r["headline"] for r in results if r["policy"] == first}
    b = {r["seed"]: r["headline"] for r in results if r["policy"] == second}
    seeds = sorted(set(a) & set(b))
    names = sorted({k for s in seeds for k in (*a[s], *b[s])})
    out = {}
    for k in names:
        ratios = [b[s].get(k, 0.0) / a[s][k] for s in seeds if a[s].get(k, 0.0)]
        if ratios:
            out[k] = interval(ratios)
    return out
