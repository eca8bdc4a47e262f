"""`kontrolltarn roster` and `kontrolltarn roster check` end to end, on hand-made files."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from kontrolltarn.cli.main import _register, app
from kontrolltarn.model import StaffRole
from kontrolltarn.plan.staffing import Demand, Person, Roster, Shift, load_roster, save_roster

MONDAY = date(2026, 12, 14)
runner = CliRunner()
if not any(group.name == "roster" for group in app.registered_groups):  # once per test session
    _register()


def _at(day: int, h: int, m: int = 0) -> datetime:
    return datetime.combine(MONDAY + timedelta(days=day), datetime.min.time()) + timedelta(hours=h, minutes=m)


def _roster(shifts: tuple[Shift, ...], demand: tuple[Demand, ...] = ()) -> Roster:
    return Roster(
        MONDAY, 1, (Person("A", StaffRole.OR_NURSE, "SEN"),), shifts, demand, MONDAY - timedelta(days=14)
    )


def test_check_exits_non_zero_and_names_the_breach(tmp_path: Path) -> None:
    bad = _roster(
        (Shift("A", _at(0, 14), _at(0, 22), 30, "SEN"), Shift("A", _at(1, 7), _at(1, 15), 30, "SEN"))
    )
    save_roster(bad, tmp_path / "bad.json")
    result = runner.invoke(app, ["roster", "check", str(tmp_path / "bad.json"), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["by_rule"] == {"daily_rest": 1}
    assert report["breaches"][0]["person_id"] == "A"
    good = _roster((Shift("A", _at(0, 7, 30), _at(0, 15, 30), 30, "SEN"),))
    save_roster(good, tmp_path / "good.json")
    assert runner.invoke(app, ["roster", "check", str(tmp_path / "good.json")]).exit_code == 0


def test_check_rejects_a_malformed_file_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(
        json.dumps(
            {
                "first_day": "2026-12-14",
                "weeks": 1,
                "people": [{"id": "A", "role": "surgeon-ish", "location_id": "SEN"}],
                "shifts": [],
            }
        )
    )
    result = runner.invoke(app, ["roster", "check", str(path)])
    assert result.exit_code == 2
    assert "people[0].role" in result.output


def test_build_from_a_demand_file_writes_a_roster_the_checker_accepts(tmp_path: Path) -> None:
    people = tuple(Person(f"N{i}", StaffRole.OR_NURSE, "SEN") for i in range(4))
    demand = tuple(Demand("SEN", StaffRole.OR_NURSE, _at(d, 8), _at(d, 15, 30), 2) for d in range(5))
    save_roster(Roster(MONDAY, 1, people, (), demand, MONDAY - timedelta(days=14)), tmp_path / "d.json")
    out = tmp_path / "roster.json"
    result = runner.invoke(
        app, ["roster", "--demand", str(tmp_path / "d.json"), "--time-limit", "4", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    roster = load_roster(out)
    assert len(roster.shifts) >= 10
    assert runner.invoke(app, ["roster", "check", str(out)]).exit_code == 0
