"""A capacity plan beside the current session plan, through the simulator.

Both arms run the same synthetic hospital under the same policy and seed (common random numbers):
the current arm on the hospital's own session calendar, the planned arm with the plan's elective
sessions in its place over the plan's weeks (``simulate(..., sessions=plan)``). The plan's sessions
are given the calendar's session ids (``S-<date>-<room>``) so a room-day draws the same staff
closure in both arms. Differences are paired seed by seed, with 95 % t-intervals.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from kontrolltarn import kpi
from kontrolltarn.model import ModelError, Session
from kontrolltarn.simulate import execution_log, simulate
from kontrolltarn.simulate.policies import make_policy
from kontrolltarn.simulate.replications import interval
from kontrolltarn.synth import SyntheticHospital

#: KPIs shown for the comparison (``kpi.headline`` keys)
SIM_KPIS = ("mean_wait_days", "median_wait_days", "deadline_breaches",
            "waiting_past_deadline_at_end", "elective_operations", "utilisation_with_turnover",
            "late_cancellations")
ARMS = ("current", "planned")


def calendar_ids(sessions: Sequence[Session]) -> list[Session]:
    """The plan's sessions under the simulator calendar's ids, one per room and day."""
    result = [replace(s, id=f"S-{s.date:%Y%m%d}-{s.room_id}") for s in sessions if not s.emergency]
    if len({s.id for s in result}) != len(result):
        raise ModelError("sessions", len(result), "the plan has two sessions in a room on a day")
    return result


def simulate_arm(synthetic: SyntheticHospital, plan: Sequence[Session] | None, first: date,
                 weeks: int, seed: int, policy: str = "baseline") -> dict[str, Any]:
    """One replication of one arm: the headline KPIs over the plan's weeks."""
    warmup = (first - synthetic.hospital.today).days
    if warmup < 0:
        raise ModelError("first", first, "the plan starts before the hospital's today")
    cpu = time.process_time()
    result = simulate(synthetic.hospital, synthetic.truth, make_policy(policy, synthetic.history),
                      days=7 * weeks, seed=seed,
                      warmup_days=warmup, keep_programs=False,
                      sessions=None if plan is None else calendar_ids(plan))
    headline = kpi.headline(execution_log(result))
    return {"arm": "current" if plan is None else "planned", "seed": seed,
            "seconds": result.seconds, "cpu_seconds": time.process_time() - cpu,
            "sessions": sum(not s.emergency for s in result.sessions),
            "kpis": {k: headline.get(k, 0.0) for k in SIM_KPIS}}


def compare_plans(synthetic: SyntheticHospital, plan: Sequence[Session], first: date, weeks: int,
                  seeds: Sequence[int], policy: str = "baseline",
                  on_done: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Current and planned arm on every seed, in turn (one process; a default-scale 12-week run
    takes 30–60 s of CPU)."""
    end = first + timedelta(weeks=weeks)
    inside = [s for s in plan if first <= s.date < end]
    runs = []
    for seed in seeds:
        for arm in (None, inside):
            runs.append(simulate_arm(synthetic, arm, first, weeks, seed, policy))
            if on_done is not None:
                on_done(runs[-1])
    return runs


def summarise_arms(runs: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per KPI: each arm's mean and 95 % interval, and the paired difference planned − current."""
    by = {a: {r["seed"]: r for r in runs if r["arm"] == a} for a in ARMS}
    seeds = sorted(set(by["current"]) & set(by["planned"]))
    table: dict[str, dict[str, Any]] = {}
    for k in SIM_KPIS:
        table[k] = {a: interval([by[a][s]["kpis"][k] for s in seeds]) for a in ARMS}
        table[k]["difference"] = interval([by["planned"][s]["kpis"][k] - by["current"][s]["kpis"][k]
                                           for s in seeds])
    return table


def markdown_table(table: dict[str, dict[str, Any]]) -> str:
    def cell(i: Any, scale: float = 1.0) -> str:
        m, lo, hi = i.mean * scale, i.low * scale, i.high * scale
        return f"{m:,.1f}" if i.n == 1 else f"{m:,.1f} [{lo:,.1f}, {hi:,.1f}]"

    lines = ["| KPI | current session plan | capacity plan | planned − current (paired) |",
             "|---|---|---|---|"]
    for k, row in table.items():
        f = 100.0 if k.startswith("utilisation") else 1.0  # shares shown in per cent
        name = f"{k} (%)" if f != 1.0 else k
        lines.append(f"| {name} | {cell(row['current'], f)} | {cell(row['planned'], f)} | "
                     f"{cell(row['difference'], f)} |")
    return "\n".join(lines)
