"""Kontrolltårn's own JSON format: round trips and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kontrolltarn.formats.native import (
    load_history,
    load_hospital,
    load_program,
    save_hospital,
    save_program,
)
from kontrolltarn.model import Hospital, ModelError
from kontrolltarn.plan.baseline import plan_baseline


def test_hospital_round_trip(tmp_path: Path, small_synthetic) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "h.json.gz"
    save_hospital(small_synthetic.hospital, path, history=small_synthetic.history)
    assert load_hospital(path) == small_synthetic.hospital
    assert load_history(path) == small_synthetic.history


def test_program_round_trip(tmp_path: Path, tiny: Hospital) -> None:
    program = plan_baseline(tiny, tiny.today, 1)
    save_program(program, tmp_path / "p.json")
    assert load_program(tmp_path / "p.json") == program


def test_wrong_kind_is_named(tmp_path: Path, tiny: Hospital) -> None:
    save_program(plan_baseline(tiny, tiny.today, 1), tmp_path / "p.json")
    with pytest.raises(ModelError, match="not a Kontrolltårn hospital file"):
        load_hospital(tmp_path / "p.json")


def test_bad_value_names_its_path(tmp_path: Path, tiny: Hospital) -> None:
    save_hospital(tiny, tmp_path / "h.json")
    document = json.loads((tmp_path / "h.json").read_text())
    document["hospital"]["sessions"][0]["end_min"] = "late"
    (tmp_path / "h.json").write_text(json.dumps(document))
    with pytest.raises(ModelError) as info:
        load_hospital(tmp_path / "h.json")
    assert info.value.field == "hospital.sessions[0].end_min"
    assert info.value.value == "late"


def test_broken_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "h.json").write_bytes(b"\xff\xfe{not json")
    with pytest.raises(ModelError, match="not a readable JSON file"):
        load_hospital(tmp_path / "h.json")
