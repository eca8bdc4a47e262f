"""`kontrolltarn capacity` end to end on a hand-made hospital file."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kontrolltarn.cli.main import _register, app
from kontrolltarn.formats.native import save_hospital

from .test_capacity import TODAY, hospital

if not any(c.name == "capacity" for c in app.registered_commands):  # once per test session
    _register()


def test_capacity_writes_plan_table_and_charts(tmp_path: Path) -> None:
    save_hospital(hospital(), tmp_path / "h.json")
    (tmp_path / "budget.csv").write_text("specialty,cases_per_week\nORT,3\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, [
        "capacity", "--hospital", str(tmp_path / "h.json"), "--weeks", "2", "--start",
        TODAY.isoformat(), "--targets", str(tmp_path / "budget.csv"), "--time-limit", "10",
        "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "0 violations" in result.output
    gaps = (out / "gaps.csv").read_text(encoding="utf-8").splitlines()
    assert gaps[0].startswith("specialty,") and gaps[1].startswith("ORT,")
    assert "plotly" in (out / "capacity.html").read_text(encoding="utf-8")[:5_000_000].lower()


def test_capacity_rejects_a_bad_budget_file_naming_the_row(tmp_path: Path) -> None:
    save_hospital(hospital(), tmp_path / "h.json")
    (tmp_path / "budget.csv").write_text("specialty,cases_per_week\nORT,many\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["capacity", "--hospital", str(tmp_path / "h.json"),
                                      "--targets", str(tmp_path / "budget.csv")])
    assert result.exit_code == 2
    assert "row 2" in result.output
