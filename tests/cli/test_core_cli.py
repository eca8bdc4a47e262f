"""The core commands, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from kontrolltarn.cli.main import _register, app

runner = CliRunner()
_register()


def test_generate_plan_check(tmp_path: Path) -> None:
    hospital = tmp_path / "h.json.gz"
    result = runner.invoke(app, ["generate", "--scale", "small", "--seed", "1", "-o", str(hospital)])
    assert result.exit_code == 0, result.output
    program = tmp_path / "p.json"
    result = runner.invoke(app, ["plan", "-H", str(hospital), "--method", "baseline", "--days", "7",
                                 "-o", str(program)])
    assert result.exit_code == 0, result.output
    assert "planned utilisation" in result.output
    result = runner.invoke(app, ["check", str(hospital), str(program), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["feasible"] is True


def test_check_exits_non_zero_on_a_broken_program(tmp_path: Path) -> None:
    hospital = tmp_path / "h.json"
    runner.invoke(app, ["generate", "--scale", "small", "-o", str(hospital)])
    program = tmp_path / "p.json"
    runner.invoke(app, ["plan", "-H", str(hospital), "-o", str(program)])
    document = json.loads(program.read_text())
    first = document["program"]["entries"][0]
    document["program"]["entries"].append(dict(first, case_id=document["program"]["entries"][1]["case_id"]))
    program.write_text(json.dumps(document))
    result = runner.invoke(app, ["check", str(hospital), str(program)])
    assert result.exit_code == 1
    assert "room double-booked" in result.output


def test_bad_input_is_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "--scale", "huge", "-o", str(tmp_path / "h.json")])
    assert result.exit_code == 2
    assert "scale='huge'" in result.output
    assert not (tmp_path / "h.json").exists()
    result = runner.invoke(app, ["plan", "-H", str(tmp_path / "missing.json")])
    assert result.exit_code == 2
    assert "missing.json" in result.output


def test_constraints_table() -> None:
    result = runner.invoke(app, ["constraints"])
    assert result.exit_code == 0
    assert "room double-booked" in result.output


def test_python_dash_m_runs_the_same_command_line() -> None:
    """``python -m kontrolltarn`` is the ``kontrolltarn`` script (a real subprocess)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "kontrolltarn", "--help"], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "simulate" in done.stdout and "serve" in done.stdout
