"""`kontrolltarn ihtc check|solve` exit statuses and output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kontrolltarn.cli.ihtc import register

sys.path.insert(0, str(Path(__file__).parent))
from ihtc_data import DATA, needs_data  # noqa: E402
from ihtc_tiny import TINY_INSTANCE, TINY_SOLUTION, broken  # noqa: E402


@pytest.fixture()
def app() -> typer.Typer:
    application = typer.Typer()
    register(application)

    @application.command("noop")
    def _noop() -> None:  # a second command keeps Typer in multi-command mode
        pass

    return application


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_check_feasible_solution_exits_zero(app: typer.Typer, tmp_path: Path) -> None:
    inst = _write(tmp_path, "i.json", TINY_INSTANCE)
    sol = _write(tmp_path, "s.json", TINY_SOLUTION)
    result = CliRunner().invoke(app, ["ihtc", "check", str(inst), str(sol)])
    assert result.exit_code == 0, result.output
    assert "Total violations = 0" in result.output
    assert "Total cost = 45" in result.output


def test_check_hard_violation_exits_non_zero(app: typer.Typer, tmp_path: Path) -> None:
    inst = _write(tmp_path, "i.json", TINY_INSTANCE)
    sol = _write(tmp_path, "s.json", broken("RoomCapacity")[0])
    result = CliRunner().invoke(app, ["ihtc", "check", str(inst), str(sol), "--verbose"])
    assert result.exit_code == 1
    assert "RoomCapacity" in result.output and "over capacity" in result.output


def test_check_malformed_file_names_the_field(app: typer.Typer, tmp_path: Path) -> None:
    inst = _write(tmp_path, "i.json", TINY_INSTANCE)
    bad = dict(TINY_SOLUTION, patients=[{"id": "p0", "admission_day": 0, "room": "r9",
                                          "operating_theater": "t0"}])
    sol = _write(tmp_path, "s.json", bad)
    result = CliRunner().invoke(app, ["ihtc", "check", str(inst), str(sol)])
    assert result.exit_code == 2
    assert "patients[0].room" in result.output


@needs_data
def test_check_toy_reference_solution_is_infeasible(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["ihtc", "check", str(DATA / "toy.json"),
                                      str(DATA / "toy_solution.json")])
    assert result.exit_code == 1
    assert "RoomGenderMix.....................3" in result.output
    assert "Total cost = 292" in result.output


def test_solve_writes_a_feasible_solution(app: typer.Typer, tmp_path: Path) -> None:
    inst = _write(tmp_path, "i.json", TINY_INSTANCE)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(app, ["ihtc", "solve", str(inst), "--time-limit", "1",
                                      "--seed", "2", "--threads", "1", "--output", str(out)])
    assert result.exit_code == 0, result.output
    check = CliRunner().invoke(app, ["ihtc", "check", str(inst), str(out)])
    assert check.exit_code == 0, check.output


def test_solve_exact_proves_the_tiny_optimum(app: typer.Typer, tmp_path: Path) -> None:
    inst = _write(tmp_path, "i.json", TINY_INSTANCE)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(app, ["ihtc", "solve", str(inst), "--exact", "--time-limit", "5",
                                      "--threads", "1", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "optimal" in result.output and "not proven" not in result.output
    check = CliRunner().invoke(app, ["ihtc", "check", str(inst), str(out)])
    assert check.exit_code == 0


def test_variant_writes_an_instance_the_base_solution_still_solves(app: typer.Typer,
                                                                    tmp_path: Path) -> None:
    inst = _write(tmp_path, "i.json", TINY_INSTANCE)
    out = tmp_path / "v.json"
    result = CliRunner().invoke(app, ["ihtc", "variant", str(inst), "--seed", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) != TINY_INSTANCE
    sol = _write(tmp_path, "s.json", TINY_SOLUTION)
    checked = CliRunner().invoke(app, ["ihtc", "check", str(out), str(sol)])
    assert checked.exit_code == 0, checked.output
    assert "Total violations = 0" in checked.output


def test_variant_of_a_malformed_instance_names_the_field(app: typer.Typer, tmp_path: Path) -> None:
    bad = dict(TINY_INSTANCE, days="three")
    inst = _write(tmp_path, "i.json", bad)
    out = tmp_path / "v.json"
    result = CliRunner().invoke(app, ["ihtc", "variant", str(inst), "-o", str(out)])
    assert result.exit_code == 2
    assert "days" in result.output
    assert not out.exists()
