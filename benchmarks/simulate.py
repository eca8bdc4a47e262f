"""Benchmark: one simulated year of the default hospital under today's practice.

Prints one JSON line per measurement. The target is at most 60 s of simulation for a year at
default scale (about 59,000 operations); hospital generation is measured apart. Wall time and
CPU time (``time.process_time``) are both reported: on a shared machine the wall time includes
waiting for a core. Every day's program as fixed at 16:00 the day before is judged by
``plan.check`` (reported as ``program_hard_violations``, must be 0); the CPU time of those checks
is measured apart and left out of ``simulate_cpu_seconds`` (``--no-check`` skips them).
``--paired`` runs today's practice and the control practice on seeds 100–104 with common random
numbers (issue 18's report run; ``--scale``, ``--days``, ``--workers``) on a local Dask cluster and
prints, per KPI, each practice's mean with its 95 % interval and the paired ratio with its interval.
``--quick`` runs 28 days of the small hospital, seed 100, under today's practice and the control
practice (issue 18), one case each (``small-28d-baseline-seed100``, ``small-28d-control-seed100``).
"""

from __future__ import annotations

import argparse
import json
import time

from kontrolltarn import kpi
from kontrolltarn.experiments.control_practice import PRACTICES, make_practice
from kontrolltarn.experiments.replications import run_replications
from kontrolltarn.simulate import execution_log, simulate
from kontrolltarn.simulate.replications import paired_ratios, summarise
from kontrolltarn.synth import SyntheticHospital, generate


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
    parser.add_argument("--paired", action="store_true", help="control against baseline, seeds 100-104")
    parser.add_argument("--scale", default="default", choices=("small", "default"), help="with --paired")
    parser.add_argument("--workers", type=int, default=2, help="with --paired: local Dask workers")
    args = parser.parse_args()
    if args.paired:
        paired(args.scale, args.days or 365, args.workers)
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


def paired(scale: str, days: int, workers: int) -> None:
    """The report run of issue 18: both practices, seeds 100–104, paired ratios."""
    policies = ["baseline", "control"]
    results = run_replications(scale, 0, policies, days, range(100, 105), "local", workers)
    table = summarise(results, policies)
    ratios = paired_ratios(results, *policies)
    case = f"{scale}-{days}d-paired-seeds100-104"
    for key in sorted(ratios):
        b, c, r = table["baseline"][key], table["control"][key], ratios[key]
        emit(case, key, r.mean, "ratio", interval=[round(r.low, 4), round(r.high, 4)],
             baseline=[round(b.mean, 4), round(b.low, 4), round(b.high, 4)],
             control=[round(c.mean, 4), round(c.low, 4), round(c.high, 4)])


if __name__ == "__main__":
    main()
