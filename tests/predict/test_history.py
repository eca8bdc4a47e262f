"""Real-history CSV: round trip and errors that name line, column and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from kontrolltarn.model import ModelError
from kontrolltarn.predict.history import load_operations_csv, write_operations_csv


def test_round_trip(tmp_path: Path, small_synth) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "history.csv"
    write_operations_csv(small_synth.history, path)
    assert load_operations_csv(path) == small_synth.history


def test_bad_value_names_line_and_column(tmp_path: Path, small_synth) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "history.csv"
    write_operations_csv(small_synth.history[:3], path)
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    row = lines[2].split(",")
    row[header.index("actual_min")] = "lots"
    path.write_text("\n".join([lines[0], lines[1], ",".join(row)]) + "\n")
    with pytest.raises(ModelError, match=r"line 3\.actual_min") as error:
        load_operations_csv(path)
    assert error.value.value == "lots"


def test_missing_column_and_file(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("id,date\nA,2024-01-01\n")
    with pytest.raises(ModelError, match="required columns"):
        load_operations_csv(path)
    with pytest.raises(ModelError, match="not found"):
        load_operations_csv(tmp_path / "absent.csv")
