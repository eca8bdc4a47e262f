"""The compiled annealers (mypyc) are the same programs as their sources, and a stale build never runs."""

from __future__ import annotations

import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from kontrolltarn.formats.ihtc import read_instance
from kontrolltarn.plan import native
from kontrolltarn.plan.ihtc import is_compiled
from kontrolltarn.plan.ihtc.evaluator import evaluate
from kontrolltarn.plan.ihtc.heuristic import search
from tests.inrc2_data import DATASETS, needs_inrc2
from tests.plan.ihtc_data import DATA, needs_data

SRC = Path(__file__).resolve().parents[2] / "src"
RUN = """
import json, sys
from kontrolltarn.formats.ihtc import read_instance
from kontrolltarn.plan.ihtc import is_compiled
from kontrolltarn.plan.ihtc.heuristic import search
inst = read_instance(sys.argv[1])
res = search(inst, 3, 1e5, max_iterations=60_000)
print(json.dumps({"compiled": is_compiled(), "cost": res.cost,
                  "days": [a.day if a else -1 for a in res.solution.admissions]}))
"""


def test_make_builds_the_compiled_annealer_under_ci() -> None:
    if os.environ.get("CI") != "true" and not native.extension_files():
        pytest.skip("no compiled annealer here (run `make native`)")
    assert is_compiled(), "make did not build the compiled annealer (scripts/build_native.py)"


@needs_data
def test_compiled_and_pure_python_give_the_same_search(tmp_path: Path) -> None:
    if not is_compiled() and os.environ.get("CI") != "true":
        pytest.skip("the compiled annealer is not built here (run `make native`)")
    assert is_compiled(), "make did not build the compiled annealer"
    # A copy of the sources without any compiled file runs the pure-Python modules.
    pure = tmp_path / "src"
    shutil.copytree(SRC, pure, ignore=shutil.ignore_patterns("*.so", "native.json", "build",
                                                             "__pycache__"))
    instance = str(DATA / "test" / "test02.json")
    env = {**os.environ, "PYTHONPATH": str(pure)}
    out = subprocess.run([sys.executable, "-c", RUN, instance], env=env, capture_output=True,
                         text=True, check=True, cwd=tmp_path)
    pure_result = json.loads(out.stdout)
    assert pure_result["compiled"] is False
    inst = read_instance(instance)
    res = search(inst, 3, 1e5, max_iterations=60_000)
    assert res.cost == pure_result["cost"] == evaluate(inst, res.solution).total_cost
    assert [a.day if a else -1 for a in res.solution.admissions] == pure_result["days"]


def test_a_stale_build_is_removed_before_it_can_run(tmp_path: Path) -> None:
    # A package copy with a fake compiled module recorded for another source digest.
    pkg = tmp_path / "plan"
    shutil.copytree(native.HERE, pkg, ignore=shutil.ignore_patterns("*.so", "native.json",
                                                                    "__pycache__"))
    fake = pkg / "ihtc" / f"anneal{importlib.machinery.EXTENSION_SUFFIXES[0]}"
    fake.write_bytes(b"not a real extension")
    (pkg / "native.json").write_text(json.dumps({"source_sha256": "old", "files": ["ihtc/" + fake.name]}))
    saved = native.HERE, native.MANIFEST
    native.HERE, native.MANIFEST = pkg, pkg / "native.json"
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            native.drop_stale_build()
        assert not fake.exists() and not (pkg / "native.json").exists()
        assert any("older than their sources" in str(w.message) for w in caught)
        # A build recorded for the current sources is kept.
        fake.write_bytes(b"x")
        native.write_manifest([fake], compiled=True)
        native.drop_stale_build()
        assert fake.exists()
    finally:
        native.HERE, native.MANIFEST = saved


RUN_INRC2 = """
import json, sys
from pathlib import Path
from kontrolltarn.formats.inrc2 import read_instance
from kontrolltarn.plan import native
from kontrolltarn.plan.staffing.inrc2_anneal import RosterAnnealer, RosterArrays
from kontrolltarn.plan.staffing.inrc2_greedy import greedy_inrc2
inst = read_instance("n030w4_1_6-2-9-1", Path(sys.argv[1]))
annealer = RosterAnnealer(RosterArrays(inst), greedy_inrc2(inst), 5)
annealer.run(1e18, 200_000, 60.0, 0.5, 0.3, lambda: False)
print(json.dumps({"compiled": native.is_compiled("kontrolltarn.plan.staffing.inrc2_anneal"),
                  "cost": annealer.best_cost, "shifts": annealer.best_shift}))
"""


@needs_inrc2
def test_compiled_and_pure_python_inrc2_annealers_give_the_same_roster(tmp_path: Path) -> None:
    if not native.is_compiled("kontrolltarn.plan.staffing.inrc2_anneal") and os.environ.get("CI") != "true":
        pytest.skip("the compiled annealer is not built here (run `make native`)")
    pure = tmp_path / "src"
    shutil.copytree(SRC, pure, ignore=shutil.ignore_patterns("*.so", "native.json", "build",
                                                             "__pycache__"))
    results = []
    for env in ({**os.environ, "PYTHONPATH": str(pure)}, dict(os.environ)):
        out = subprocess.run([sys.executable, "-c", RUN_INRC2, str(DATASETS)], env=env,
                             capture_output=True, text=True, check=True, cwd=tmp_path)
        results.append(json.loads(out.stdout))
    assert [r["compiled"] for r in results] == [False, True]
    assert results[0]["cost"] == results[1]["cost"] and results[0]["shifts"] == results[1]["shifts"]
