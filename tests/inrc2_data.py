"""Where the INRC-II benchmark data live, and the marker for tests that need them (helper).

Without the data a test skips locally, saying where it looked; under CI=true it runs and fails,
since CI always has ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "inrc2"
DATASETS = ROOT / "datasets"
needs_inrc2 = pytest.mark.skipif(not ROOT.is_dir() and os.environ.get("CI") != "true",
                                 reason=f"INRC-II data not found at {ROOT}")


def sample_instances() -> list[str]:
    """The 9 test-dataset instances that have the organisers' sample solutions."""
    if not ROOT.is_dir():
        return []
    return (ROOT / "lists" / "test9.txt").read_text(encoding="utf-8").split()


def sample_folder(instance_id: str) -> Path:
    """``n005w4_0_1-2-3-3`` -> ``datasets/n005w4/Solution_H_0-WD_1-2-3-3``."""
    dataset, history, weeks = instance_id.split("_")
    return DATASETS / dataset / f"Solution_H_{history}-WD_{weeks}"
