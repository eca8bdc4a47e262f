"""Benchmark: one simulated year of the default hospital under today's practice.

Prints one JSON line per measurement. The target is at most 60 s of simulation for a year at
default scale (about 59,000 operations); hospital generation is measured apart. Wall time and
CPU time (``time.process_time``) are both reported: on a shared machine the wall time includes
waiting for a core. Every day's program as fixed at 16:00 the day before is judged by
``plan.check`` (reported as ``program_hard_violations``, must be 0); the CPU time of those checks
is measured apart and left out of ``simulate_cpu_seconds`` (``--no-check`` skips them).
``--quick`` runs 28 days of the small hospital (well under 45 s).
"""

from __future__ import annotations

import argparse
import json
import time

from kontrolltarn import kpi
from kontrolltarn.experiments.control_practice import PRACTICES, make_practice
from kontrolltarn.simulate import execution_log, simulate
from kontrolltarn.synth import generate


def emit(case: str, metric: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"bench": "simulate", "case": case, "metric": metric, "value": round(value, 4),
                      "unit": unit, **extra}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="28 days of the small hospital")
    parser.add_argument("--days", type=int, default=None, help="days measured (default 365)")
    parser.add_argument("--seed", type=int, default=0, help="simulation seed")
    parser.add_argument("--policy", default="baseline", choices=PRACTICES)
    parser.add_argument("--no-check", action="store_true", help="do not check each day's program")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the simulation")
    args = parser.parse_args()
    scale, days = ("small", 28) if args.quick else ("default", 365)
    days = args.days or days
    case = f"{scale}-{days}d-{args.policy}-seed{args.seed}"
    started = time.perf_counter()
    synthetic = generate(scale, seed=0)
    emit(case, "generate_seconds", time.perf_counter() - started, "s")
    policy = make_practice(args.policy, synthetic)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    wall, cpu = time.perf_counter(), time.process_time()
    result = simulate(synthetic.hospital, synthetic.truth, policy,
                      days=days, seed=args.seed, keep_programs=False,
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
    for name in sorted(figures):
        if name.startswith("late_cancellations_"):
            emit(case, name, figures[name], "count")


if __name__ == "__main__":
    main()
