"""Paired replications on Dask: a scheduler given by address runs the same code as this process
and gives the same figures (common random numbers: each seed draws one world for every
practice), and the paired benchmark reports per cause with intervals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kontrolltarn.experiments.replications import run_replications

ROOT = Path(__file__).resolve().parents[2]


def test_a_scheduler_by_address_gives_what_this_process_gives() -> None:
    from dask.distributed import LocalCluster

    policies, seeds = ["baseline", "optimised-practice"], [0, 1]
    here = run_replications("small", 0, policies, 2, seeds, cluster=None)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        there = run_replications("small", 0, policies, 2, seeds, cluster=cluster.scheduler_address)
    assert [(r["policy"], r["seed"]) for r in there] == [(r["policy"], r["seed"]) for r in here]
    assert [r["headline"] for r in there] == [r["headline"] for r in here]
    assert all(r["cpu_seconds"] > 0 for r in there)


@pytest.mark.parametrize("bad", [["--seeds", "a-b"], ["--paired", "baseline"],
                                 ["--paired", "baseline,nothing"]])
def test_the_paired_benchmark_names_a_bad_option(bad: list[str]) -> None:
    args = ["--paired", "baseline,optimised-practice", "--seeds", "0-1", "--scale", "small",
            "--cluster", "none"]
    args[args.index(bad[0]) + 1] = bad[1]
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "simulate.py"), *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and bad[0] in done.stderr and bad[1] in done.stderr


def test_the_paired_benchmark_reports_every_cause_with_intervals() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "simulate.py"), "--paired",
                           "baseline,optimised-practice", "--scale", "small", "--days", "2",
                           "--seeds", "0-1", "--cluster", "none"],
                          capture_output=True, text=True, timeout=300, check=True)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    summary = {r["metric"]: r for r in lines if "-paired-" in r["case"]}
    for cause in ("capacity", "patient", "medical", "staff", "no_bed", "emergency"):
        for family in ("late_cancellations", "changes_after_date"):
            row = summary[f"{family}_{cause}"]
            assert row["n"] == 2
            for side in ("baseline", "optimised-practice", "difference"):
                assert row[side]["low"] <= row[side]["mean"] <= row[side]["high"]
    runs = {(r["case"], r["metric"]): r["value"] for r in lines if "-paired-" not in r["case"]}
    total = summary["late_cancellations"]
    by_seed = [runs[(f"small-2d-baseline-seed{s}", "late_cancellations")] for s in (0, 1)]
    assert total["baseline"]["mean"] == pytest.approx(sum(by_seed) / 2)
    assert summary["cpu_seconds_per_run_baseline"]["value"] > 0
