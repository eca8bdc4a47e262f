"""IHTC JSON reader/writer: round trips, and clear all-or-nothing errors naming the field."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from kontrolltarn.formats.ihtc import (
    read_instance,
    read_solution,
    solution_to_json,
    write_solution,
)
from kontrolltarn.model import ModelError
from kontrolltarn.plan.ihtc.evaluator import evaluate

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plan"))
from ihtc_data import DATA, needs_data  # noqa: E402
from ihtc_tiny import TINY_INSTANCE, TINY_SOLUTION  # noqa: E402


def test_reads_tiny_instance_into_indices() -> None:
    inst = read_instance(TINY_INSTANCE)
    assert inst.days == 3 and inst.shifts == 9
    assert inst.patients[0].incompatible_rooms == frozenset({1})
    assert inst.patients[1].due_day is None
    assert inst.last_possible_day(1) == 2 and inst.last_possible_day(0) == 1
    assert inst.nurses[1].max_load == {0: 1}
    assert inst.weights == (1, 2, 3, 4, 5, 6, 7, 8)


def test_solution_round_trip_keeps_the_evaluation(tmp_path: Path) -> None:
    inst = read_instance(TINY_INSTANCE)
    sol = read_solution(inst, TINY_SOLUTION)
    out = tmp_path / "sol.json"
    write_solution(inst, sol, out)
    again = read_solution(inst, out)
    assert evaluate(inst, again) == evaluate(inst, sol)
    data = json.loads(out.read_text())
    assert data["patients"][2] == {"id": "p2", "admission_day": "none"}
    assert solution_to_json(inst, again) == data


@needs_data
def test_official_files_round_trip(tmp_path: Path) -> None:
    inst = read_instance(DATA / "test" / "test03.json")
    sol = read_solution(inst, DATA / "test_solutions" / "sol_test03.json")
    write_solution(inst, sol, tmp_path / "s.json")
    assert evaluate(inst, read_solution(inst, tmp_path / "s.json")).total_cost == \
        evaluate(inst, sol).total_cost


def _instance_with(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(TINY_INSTANCE)
    change(data)
    return data


@pytest.mark.parametrize(("change", "field"), [
    (lambda d: d["patients"][0].pop("gender"), "patients[0].gender"),
    (lambda d: d["patients"][1].update(gender="X"), "patients[1].gender"),
    (lambda d: d["patients"][0].pop("surgery_due_day"), "patients[0].surgery_due_day"),
    (lambda d: d["patients"][0].update(surgeon_id="nobody"), "patients[0].surgeon_id"),
    (lambda d: d["patients"][0].update(workload_produced=[1, 2]),
     "patients[0].workload_produced"),
    (lambda d: d["occupants"][0].update(room_id="r9"), "occupants[0].room_id"),
    (lambda d: d["rooms"][0].update(capacity=-1), "rooms[0].capacity"),
    (lambda d: d["rooms"].append({"id": "r0", "capacity": 1}), "rooms[2].id"),
    (lambda d: d["weights"].pop("patient_delay"), "weights.patient_delay"),
    (lambda d: d["nurses"][0]["working_shifts"][0].update(shift="noon"),
     "nurses[0].working_shifts[0].shift"),
    (lambda d: d["surgeons"][0].update(max_surgery_time=[1]), "surgeons[0].max_surgery_time"),
    (lambda d: d.update(days="3"), "days"),
])
def test_malformed_instance_names_the_field(change: Any, field: str) -> None:
    with pytest.raises(ModelError) as err:
        read_instance(_instance_with(change))
    assert err.value.field == field


@pytest.mark.parametrize(("change", "field"), [
    (lambda s: s["patients"][0].update(room="r7"), "patients[0].room"),
    (lambda s: s["patients"][0].update(admission_day=3), "patients[0].admission_day"),
    (lambda s: s["patients"][0].update(admission_day="soon"), "patients[0].admission_day"),
    (lambda s: s["patients"][0].pop("operating_theater"), "patients[0].operating_theater"),
    (lambda s: s["patients"].append({"id": "p0", "admission_day": "none"}), "patients[3].id"),
    (lambda s: s["nurses"][0].update(id="n9"), "nurses[0].id"),
    (lambda s: s["nurses"][0]["assignments"][0].update(rooms=["r5"]),
     "nurses[0].assignments[0].rooms[0]"),
])
def test_malformed_solution_names_the_field(change: Any, field: str) -> None:
    inst = read_instance(TINY_INSTANCE)
    data = copy.deepcopy(TINY_SOLUTION)
    change(data)
    with pytest.raises(ModelError) as err:
        read_solution(inst, data)
    assert err.value.field == field


def test_unreadable_files_are_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        read_instance(bad)
    with pytest.raises(ModelError, match="cannot read file"):
        read_instance(tmp_path / "missing.json")
