"""Benchmark: one simulated year of the default hospital under today's practice.

Prints one JSON line per measurement. The target is at most 60 s of simulation for a year at
default scale (about 59,000 operations); hospital generation is measured apart. Wall time and
CPU time (``time.process_time``) are both reported: on a shared machine the wall time includes
waiting for a core. Every day's program as fixed at 16:00 the day before is judged by
``plan.check`` (reported as ``program_hard_violations``, must be 0); the CPU time of those checks
is measured apart and left out of ``simulate_cpu_seconds`` (``--no-check`` skips them).
``--quick`` runs 28 days of the small hospital, seed 100, under today's practice and the control
practice (issue 18), one case each (``small-28d-baseline-seed100``, ``small-28d-control-seed100``).

``--paired [A,B]`` is the evaluation protocol of issue 18 (default: baseline,control, seeds
900–904, the report run of the ninth practice; 100–104 to 800–804 were the first eight's): both
practices on every seed of
``--seeds`` (common random numbers: the same seed draws the same world under each), the
14-day warm-up then ``--days`` (a year), on Dask — a local cluster on this machine
(``--cluster local``, ``--workers`` processes), the same code on a running scheduler
(``--scheduler tcp://host:8786``), or in this process (``--cluster none``). It prints each run's
KPIs and CPU seconds, then per KPI each practice's mean with its 95 % t-interval over the seeds,
the paired difference (B − A) and the paired ratio (B / A, seed by seed) with theirs; late
cancellations and changes after date also per cause. Development seeds are 0–9; the report
seeds (900–904 for the ninth practice) are run once the practice is final.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from kontrolltarn import kpi
from kontrolltarn.experiments.control_practice import PRACTICES, make_practice
from kontrolltarn.experiments.replications import run_replications
from kontrolltarn.simulate import execution_log, simulate
from kontrolltarn.simulate.replications import paired_ratios, summarise
from kontrolltarn.synth import SyntheticHospital, generate

#: the causes of a late cancellation (``model.CancellationReason``) every paired report lists,
#: zero where none happened
CAUSES = ("capacity", "patient", "medical", "staff", "no_bed", "emergency")
#: the KPIs a paired report lists besides the per-cause ones
PAIRED_KPIS = ("late_cancellations", "changes_after_date", "utilisation_with_turnover",
               "utilisation_in_room", "staffed_minutes", "deadline_breaches", "overtime_minutes",
               "share_sessions_over_30_min_overtime", "elective_operations",
               "emergency_operations", "emergency_within_limit_share", "mean_wait_days",
               "waiting_past_deadline_at_end")


def emit(case: str, metric: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"bench": "simulate", "case": case, "metric": metric, "value": round(value, 4),
                      "unit": unit, **extra}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="28 days of the small hospital")
    parser.add_argument("--days", type=int, default=None, help="days measured (default 365)")
    parser.add_argument("--seed", type=int, default=None, help="simulation seed (0; --quick: 100)")
    parser.add_argument("--policy", default=None, choices=PRACTICES,
                        help="practice (baseline; --quick: baseline and control)")
    parser.add_argument("--no-check", action="store_true", help="do not check each day's program")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the simulation")
    parser.add_argument("--paired", metavar="A,B", nargs="?", const="baseline,control",
                        help="paired comparison of two practices over --seeds (default "
                        "baseline,control)")
    parser.add_argument("--seeds", default="900-904", help="paired seeds: FIRST-LAST or a list "
                        "(development 0-9; report 900-904; 100-104 to 800-804 were the first "
                        "eight practices')")
    parser.add_argument("--scale", default="default", choices=("small", "default"),
                        help="paired: hospital scale")
    parser.add_argument("--cluster", default="local", help="paired: 'local' (a Dask cluster on "
                        "this machine) or 'none' (in this process)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="paired: a running Dask "
                        "scheduler (tcp://host:8786) instead of a local cluster")
    parser.add_argument("--workers", type=int, default=2, help="paired: local worker processes")
    args = parser.parse_args()
    if args.paired:
        paired(args)
        return
    scale, days = ("small", 28) if args.quick else ("default", 365)
    days = args.days or days
    seed = args.seed if args.seed is not None else (100 if args.quick else 0)
    policies = [args.policy] if args.policy else (["baseline", "control"] if args.quick else ["baseline"])
    started = time.perf_counter()
    synthetic = generate(scale, seed=0)
    for name in policies:
        run(args, synthetic, scale, days, seed, name, time.perf_counter() - started)


def run(args: argparse.Namespace, synthetic: SyntheticHospital, scale: str, days: int, seed: int,
        name: str, generate_seconds: float) -> None:
    case = f"{scale}-{days}d-{name}-seed{seed}"
    emit(case, "generate_seconds", generate_seconds, "s")
    policy = make_practice(name, synthetic)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    wall, cpu = time.perf_counter(), time.process_time()
    result = simulate(synthetic.hospital, synthetic.truth, policy,
                      days=days, seed=seed, keep_programs=False,
                      check_programs=not args.no_check)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    ref: dict[str, object] = {"reference": 60} if (scale, days) == ("default", 365) else {}
    emit(case, "simulate_cpu_seconds", cpu - result.check_cpu_seconds, "s", **ref)
    emit(case, "simulate_seconds", wall, "s", note="wall clock, includes the checks and waiting "
         "for a shared core")
    if not args.no_check:
        emit(case, "check_cpu_seconds", result.check_cpu_seconds, "s")
        hard = sum(sum(v.values()) for v in result.program_checks.values())
        emit(case, "program_hard_violations", float(hard), "count", reference=0,
             days_checked=len(result.program_checks))
    figures = kpi.headline(execution_log(result))
    operations = figures["elective_operations"] + figures["emergency_operations"]
    emit(case, "operations", operations, "cases", **({"reference": 59000} if scale == "default" else {}))
    emit(case, "events", float(len(result.events)), "events")
    for name in ("utilisation_in_room", "utilisation_with_turnover", "late_cancellations",
                 "changes_after_date", "deadline_breaches", "overtime_minutes", "elective_operations",
                 "emergency_operations", "waiting_past_deadline_at_end"):
        emit(case, name, figures.get(name, 0.0), "share" if name.startswith("utilisation") else "count")
    for key in sorted(figures):
        if key.startswith(("late_cancellations_", "changes_after_date_")):
            emit(case, key, figures[key], "count")


def seeds_of(text: str) -> list[int]:
    """``100-104`` or ``0,3,5``."""
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
            return list(range(first, last + 1))
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise SystemExit(f"--seeds={text!r}: give FIRST-LAST or a comma-separated list") from None


def paired(args: argparse.Namespace) -> None:
    """Both practices on every seed; each run's figures, then intervals over the seeds."""
    policies = [p.strip() for p in args.paired.split(",") if p.strip()]
    unknown = [p for p in policies if p not in PRACTICES]
    if len(policies) != 2 or unknown:
        raise SystemExit(f"--paired={args.paired!r}: give two of {list(PRACTICES)}")
    seeds = seeds_of(args.seeds)
    days = args.days or 365
    cluster = args.scheduler or (None if args.cluster == "none" else args.cluster)
    where = args.scheduler or ("in process" if cluster is None else f"local, {args.workers} workers")
    wall = time.perf_counter()

    def done(result: dict[str, Any]) -> None:
        case = f"{args.scale}-{days}d-{result['policy']}-seed{result['seed']}"
        emit(case, "simulate_cpu_seconds", result["cpu_seconds"], "s",
             note="the practice's models trained and warm-up plus period simulated, one process")
        headline = with_causes(result["headline"])
        for key in paired_kpis(headline):
            emit(case, key, headline[key], unit_of(key))

    results = run_replications(args.scale, 0, policies, days, seeds, cluster, args.workers,
                               on_done=done)
    for r in results:
        r["headline"] = with_causes(r["headline"])
    first, second = policies
    case = f"{args.scale}-{days}d-paired-{second}-vs-{first}-seeds{seeds[0]}-{seeds[-1]}"
    table = summarise(results, policies)
    ratios = paired_ratios(results, first, second)
    for key in paired_kpis(results[0]["headline"]):
        figures: dict[str, object] = {}
        for name, i in [*((n, table[n][key]) for n in (*policies, "difference")),
                        *((("ratio", ratios[key]),) if key in ratios else ())]:
            figures[name] = {"mean": round(i.mean, 4), "low": round(i.low, 4), "high": round(i.high, 4)}
        emit(case, key, table[second][key].mean, unit_of(key), n=len(seeds), **figures)
    cpu = {p: [r["cpu_seconds"] for r in results if r["policy"] == p] for p in policies}
    for p in policies:
        emit(case, f"cpu_seconds_per_run_{p}", max(cpu[p]), "s", mean=round(sum(cpu[p]) / len(cpu[p]), 1),
             note="the slowest run")
    emit(case, "wall_seconds", time.perf_counter() - wall, "s", cluster=where)


def with_causes(headline: dict[str, float]) -> dict[str, float]:
    """The headline with every cause present (zero where none happened)."""
    full = dict(headline)
    for cause in CAUSES:
        full.setdefault(f"late_cancellations_{cause}", 0.0)
        full.setdefault(f"changes_after_date_{cause}", 0.0)
    return full


def paired_kpis(headline: dict[str, float]) -> list[str]:
    causes = sorted(k for k in headline if k.startswith(("late_cancellations_", "changes_after_date_")))
    return [k for k in PAIRED_KPIS if k in headline] + causes


def unit_of(key: str) -> str:
    return "share" if key.startswith("utilisation") or key.endswith("_share") else \
        "days" if key.endswith("_days") else "minutes" if key.endswith("_minutes") else "count"


if __name__ == "__main__":
    main()
