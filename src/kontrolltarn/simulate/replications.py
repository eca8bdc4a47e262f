"""Replications on Dask distributed, and the paired comparison of policies.

Each replication is one seed; every policy runs on the same seed (common random numbers), so
policy differences are measured pairwise, seed by seed, with a 95 % t-interval over seeds.
Workers generate the synthetic hospital once each and keep it (it is big to ship, quick to reuse).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kontrolltarn import kpi
from kontrolltarn.model import ModelError
from kontrolltarn.synth import SyntheticHospital, generate

from .engine import execution_log, simulate
from .params import EnvironmentParams
from .policies import make_policy

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


@lru_cache(maxsize=2)
def _hospital(scale: str, hospital_seed: int) -> SyntheticHospital:
    return generate(scale, seed=hospital_seed)


def run_one(scale: str, hospital_seed: int, policy: str, days: int, seed: int,
            params: EnvironmentParams | None = None) -> dict[str, Any]:
    """One replication: headline KPIs and the breakdowns the report draws (small to ship)."""
    synthetic = _hospital(scale, hospital_seed)
    result = simulate(synthetic, make_policy(policy, synthetic), days=days, seed=seed, params=params,
                      keep_programs=False)
    log = execution_log(result)
    uses = kpi.session_use(log)
    return {
        "policy": policy, "seed": seed, "seconds": result.seconds,
        "headline": kpi.headline(log),
        "by_location": kpi.utilisation_by(log, "location", uses),
        "by_specialty": kpi.utilisation_by(log, "specialty", uses),
        "late_by_reason": {k.value: v for k, v in kpi.late_cancellations(log).items()},
        "waiting_by": kpi.waiting_by(log),
        "overtime": [u.overtime_min for u in uses if not u.session.emergency],
        "budget": kpi.activity_against_budget(log),
    }


def run_replications(scale: str, hospital_seed: int, policies: Sequence[str], days: int,
                     seeds: Sequence[int], cluster: str | None = "local", workers: int = 2,
                     on_done: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Every policy on every seed. ``cluster`` "local" starts a local Dask cluster (at most
    ``workers`` processes), an address joins a running scheduler, None runs here in turn."""
    jobs = [(p, s) for s in seeds for p in policies]
    if cluster is None:
        results = []
        for p, s in jobs:
            results.append(run_one(scale, hospital_seed, p, days, s))
            if on_done:
                on_done(results[-1])
        return results
    from dask.distributed import Client, LocalCluster, as_completed

    local = LocalCluster(n_workers=max(1, min(workers, len(jobs))), threads_per_worker=1,
                         processes=True, dashboard_address=None) if cluster == "local" else None
    client = Client(local if local is not None else cluster)
    try:
        futures = [client.submit(run_one, scale, hospital_seed, p, days, s, pure=False) for p, s in jobs]
        results = []
        for future in as_completed(futures):
            results.append(future.result())
            if on_done:
                on_done(results[-1])
        return sorted(results, key=lambda r: (r["seed"], list(policies).index(r["policy"])))
    finally:
        client.close()
        if local is not None:
            local.close()


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
