"""`kontrolltarn bench inrc2` as a user runs it: options reach the runner, one JSON line per
instance with the checker's figures, rosters written in the organisers' format."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kontrolltarn.cli.main import _register, app
from tests.inrc2_data import needs_inrc2

runner = CliRunner()
_register()

FIELDS = {"instance", "cost", "hard_violations", "best_known_cost", "lower_bound",
          "gap_to_best_pct", "gap_to_bound_pct", "seconds"}


@needs_inrc2
def test_bench_inrc2_prints_one_judged_line_per_instance(tmp_path: Path) -> None:
    result = runner.invoke(app, ["bench", "inrc2", "--instances", "n005w4_0_1-2-3-3,n030w4_1_6-2-9-1",
                                 "--time-limit", "2", "--seed", "3", "--workers", "1",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["instance"] for r in lines] == ["n005w4_0_1-2-3-3", "n030w4_1_6-2-9-1"]
    assert all(set(r) >= FIELDS and r["bench"] == "inrc2" and r["seed"] == 3 for r in lines)
    assert all(r["hard_violations"] == 0 and r["time_limit_s"] == 2.0 for r in lines)
    test, static = lines
    assert test["best_known_cost"] is None and test["sample_solution_cost"] == 1695
    assert static["best_known_cost"] == static["lower_bound"] == 1670
    assert static["gap_to_best_pct"] == round(100 * (static["cost"] - 1670) / 1670, 2)
    assert len(list((tmp_path / "n030w4_1_6-2-9-1").glob("Sol-n030w4-*.txt"))) == 4


def test_bench_all_refuses_runner_options() -> None:
    result = runner.invoke(app, ["bench", "all", "--time-limit", "2"])
    assert result.exit_code != 0
    assert "go to one runner" in result.output
