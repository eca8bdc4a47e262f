"""Benchmark: one simulated year of the default hospital under today's practice.

Prints one JSON line per measurement. The target is at most 60 s of simulation for a year at
default scale (about 59,000 operations); hospital generation is measured apart. ``--quick``
runs 28 days of the small hospital (well under 45 s).
"""

from __future__ import annotations

import argparse
import json
import time

from kontrolltarn import kpi
from kontrolltarn.simulate import BaselinePolicy, execution_log, simulate
from kontrolltarn.synth import generate


def emit(case: str, metric: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"bench": "simulate", "case": case, "metric": metric, "value": round(value, 4),
                      "unit": unit, **extra}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="28 days of the small hospital")
    args = parser.parse_args()
    scale, days = ("small", 28) if args.quick else ("default", 365)
    case = f"{scale}-{days}d-baseline"
    started = time.perf_counter()
    synthetic = generate(scale, seed=0)
    emit(case, "generate_seconds", time.perf_counter() - started, "s")
    wall, cpu = time.perf_counter(), time.process_time()
    result = simulate(synthetic, BaselinePolicy(), days=days, seed=0, keep_programs=False)
    ref: dict[str, object] = {} if args.quick else {"reference": 60}
    emit(case, "simulate_seconds", time.perf_counter() - wall, "s", **ref)
    emit(case, "simulate_cpu_seconds", time.process_time() - cpu, "s")
    figures = kpi.headline(execution_log(result))
    operations = figures["elective_operations"] + figures["emergency_operations"]
    emit(case, "operations", operations, "cases", **({} if args.quick else {"reference": 59000}))
    emit(case, "events", float(len(result.events)), "events")
    for name in ("utilisation_in_room", "utilisation_with_turnover", "late_cancellations",
                 "changes_after_date", "deadline_breaches", "overtime_minutes"):
        emit(case, name, figures[name], "share" if name.startswith("utilisation") else "count")


if __name__ == "__main__":
    main()
