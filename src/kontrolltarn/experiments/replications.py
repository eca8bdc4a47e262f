"""Policies over several seeds, on Dask distributed: the simulator's replications.

Each replication is one seed of the synthetic hospital; every policy runs on the same seed
(common random numbers), so ``simulate.replications.summarise`` compares them pairwise. Workers
generate the synthetic hospital once each and keep it (it is big to ship, quick to reuse).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from kontrolltarn import kpi
from kontrolltarn.simulate import EnvironmentParams, execution_log, simulate
from kontrolltarn.synth import SyntheticHospital, generate

from .control_practice import make_practice


@lru_cache(maxsize=2)
def _hospital(scale: str, hospital_seed: int) -> SyntheticHospital:
    return generate(scale, seed=hospital_seed)


def run_one(scale: str, hospital_seed: int, policy: str, days: int, seed: int,
            params: EnvironmentParams | None = None) -> dict[str, Any]:
    """One replication: headline KPIs and the breakdowns the report draws (small to ship)."""
    synthetic = _hospital(scale, hospital_seed)
    cpu = time.process_time()
    result = simulate(synthetic.hospital, synthetic.truth, make_practice(policy, synthetic), days=days,
                      seed=seed, params=params, keep_programs=False)
    cpu = time.process_time() - cpu  # the practice's models trained and the period simulated
    log = execution_log(result)
    uses = kpi.session_use(log)
    return {
        "policy": policy, "seed": seed, "seconds": result.seconds, "cpu_seconds": cpu,
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
    results = dask_map(run_one, [(scale, hospital_seed, p, days, s) for p, s in jobs],
                       cluster=cluster, workers=workers, on_done=on_done)
    return sorted(results, key=lambda r: (r["seed"], list(policies).index(r["policy"])))


def dask_map(func: Callable[..., dict[str, Any]], calls: Sequence[tuple[Any, ...]],
             cluster: str | None = "local", workers: int = 2,
             on_done: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """``func(*args)`` for each of ``calls`` on Dask distributed (in the order they finish).
    ``cluster`` "local" starts a local cluster (at most ``workers`` processes), an address
    joins a running scheduler, None runs here in turn."""
    if cluster is None:
        results = []
        for args in calls:
            results.append(func(*args))
            if on_done:
                on_done(results[-1])
        return results
    from dask.distributed import Client, LocalCluster, as_completed  # deferred: heavy

    local = LocalCluster(n_workers=max(1, min(workers, len(calls))), threads_per_worker=1,
                         processes=True, dashboard_address=None) if cluster == "local" else None
    client = Client(local if local is not None else cluster)
    try:
        futures = [client.submit(func, *args, pure=False) for args in calls]
        results = []
        for future in as_completed(futures):
            results.append(future.result())
            if on_done:
                on_done(results[-1])
        return results
    finally:
        client.close()
        if local is not None:
            local.close()
