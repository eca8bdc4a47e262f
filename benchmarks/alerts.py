"""Benchmark: are the board's alerts right, and how many suggestions are open at once?

    kontrolltarn bench alerts [--quick] [--seeds 100,101,102] [--cache DIR]

Full: 28 simulated days of the default hospital (after 14 warm-up days, today's practice) on
each of the held-out seeds 100, 101 and 102, replayed into the control tower every 15 minutes
(``kontrolltarn.experiments.alerts``: what counts as a true alert is defined there). Per seed
and pooled over the seeds: precision, recall and median lead time of each alert type at the
default thresholds (target: precision and recall ≥ 0.8 for every type), and the suggestions
found and offered (open) at 10:00 and 14:00 (median, max). Thresholds are chosen on the
development seeds 0–9 (``python -m kontrolltarn.experiments.alerts --seed N``), never on these.
``--quick`` (< 45 s): 7 days of the small hospital, seed 100.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from kontrolltarn.control.alerts import Thresholds
from kontrolltarn.experiments.alerts import (
    DayRecord,
    observed,
    score,
    suggestion_counts,
)

TARGET = 0.8


def emit(case: str, metric: str, value: float | int | None, unit: str, **extra: object) -> None:
    print(json.dumps({"bench": "alerts", "case": case, "metric": metric, "value": value,
                      "unit": unit, **extra}), flush=True)


def report(case: str, records: list[DayRecord]) -> None:
    for kind, row in score(records, Thresholds()).items():
        for metric in ("precision", "recall"):
            emit(case, f"{kind}_{metric}", row[metric], "ratio", reference=TARGET,
                 alerts=row["alerts"], events=row["positives"])
        emit(case, f"{kind}_median_lead", row["median_lead_min"], "min")
    for metric, value in suggestion_counts(records).items():
        emit(case, f"suggestions_{metric}", value, "count")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="7 days of the small hospital")
    parser.add_argument("--seeds", default=None, help="comma-separated seeds (100,101,102)")
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--cache", type=Path, default=None,
                        help="folder keeping each seed's observation (re-scoring is instant)")
    args = parser.parse_args()
    scale, days, seeds = ("small", 7, "100") if args.quick else ("default", 28, "100,101,102")
    days = args.days or days
    pooled: list[DayRecord] = []
    started = time.perf_counter()
    for seed in (int(s) for s in (args.seeds or seeds).split(",")):
        print(f"[alerts] {scale} hospital, {days} days, seed {seed}", file=sys.stderr, flush=True)
        records = observed(scale, days, seed, cache=args.cache)
        report(f"{scale}-{days}d-seed{seed}", records)
        pooled += records
    report(f"{scale}-{days}d-pooled", pooled)
    emit(f"{scale}-{days}d-pooled", "wall_seconds", round(time.perf_counter() - started, 1), "s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
