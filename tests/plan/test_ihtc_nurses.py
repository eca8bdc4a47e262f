"""The nurse polish (CP-SAT over the nurse assignment, admissions fixed), judged by the evaluator."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from kontrolltarn.formats.ihtc import read_instance, read_solution
from kontrolltarn.model.ihtc import Instance, Solution
from kontrolltarn.plan.ihtc import nurses
from kontrolltarn.plan.ihtc.evaluator import evaluate
from kontrolltarn.plan.ihtc.nurses import polish_nurses

sys.path.insert(0, str(Path(__file__).parent))
from ihtc_data import DATA, needs_data  # noqa: E402


def _scrambled(name: str, seed: int) -> tuple[Instance, Solution]:
    """The organisers' solution of a test instance with every room-shift given a random
    working nurse: admissions feasible, nurse part poor."""
    inst = read_instance(DATA / "test" / f"{name}.json")
    sol = read_solution(inst, DATA / "test_solutions" / f"sol_{name}.json")
    rng = random.Random(seed)
    rooms = {(r, s) for _, s, r in sol.nurse_rooms}
    shuffled = []
    for r, s in sorted(rooms):
        working = [n for n, nurse in enumerate(inst.nurses) if nurse.works(s)]
        shuffled.append((rng.choice(working), s, r))
    return inst, Solution(admissions=sol.admissions, nurse_rooms=shuffled)


@needs_data
@pytest.mark.parametrize("name", ["test01", "test03"])
def test_polish_keeps_admissions_and_lowers_the_judged_cost(name: str) -> None:
    inst, bad = _scrambled(name, seed=1)
    before = evaluate(inst, bad)
    assert before.feasible
    polished = polish_nurses(inst, bad, 5.0)
    after = evaluate(inst, polished)
    assert after.feasible, after.details[:5]
    assert polished.admissions == bad.admissions
    assert after.total_cost < before.total_cost
    # Only the nurse terms may change.
    for label in ("RoomAgeMix", "OpenOperatingTheater", "SurgeonTransfer", "PatientDelay",
                  "ElectiveUnscheduledPatients"):
        assert after.weighted[label] == before.weighted[label]


@needs_data
def test_windowed_polish_never_makes_it_worse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long horizons go in windows of days with the rest of the nurses held fixed."""
    monkeypatch.setattr(nurses, "WHOLE_HORIZON_LIMIT", 0)
    inst, bad = _scrambled("test02", seed=2)
    before = evaluate(inst, bad).total_cost
    after = evaluate(inst, polish_nurses(inst, bad, 6.0))
    assert after.feasible
    assert after.total_cost < before


@needs_data
def test_polish_is_reproducible_in_deterministic_time() -> None:
    inst, bad = _scrambled("test01", seed=3)
    a = polish_nurses(inst, bad, 0.5, deterministic=True)
    b = polish_nurses(inst, bad, 0.5, deterministic=True)
    assert a == b


@needs_data
@pytest.mark.parametrize("seconds", [0.2, 1.0])
def test_polish_of_a_good_assignment_never_raises_the_cost(seconds: float) -> None:
    """A window whose time-limited answer is worse than the nurses it started from is dropped."""
    inst = read_instance(DATA / "test" / "test02.json")
    sol = read_solution(inst, DATA / "test_solutions" / "sol_test02.json")
    before = evaluate(inst, sol).total_cost
    after = evaluate(inst, polish_nurses(inst, sol, seconds))
    assert after.feasible and after.total_cost <= before
