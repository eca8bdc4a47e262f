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
    result = CliRunner().invoke(
        app,
        [
            "capacity",
            "--hospital",
            str(tmp_path / "h.json"),
            "--weeks",
            "2",
            "--start",
            TODAY.isoformat(),
            "--targets",
            str(tmp_path / "budget.csv"),
            "--time-limit",
            "10",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "0 violations" in result.output
    gaps = (out / "gaps.csv").read_text(encoding="utf-8").splitlines()
    assert gaps[0].startswith("specialty,") and gaps[1].startswith("ORT,")
    assert "plotly" in (out / "capacity.html").read_text(encoding="utf-8")[:5_000_000].lower()


def test_capacity_rejects_a_bad_budget_file_naming_the_row(tmp_path: Path) -> None:
    save_hospital(hospital(), tmp_path / "h.json")
    (tmp_path / "budget.csv").write_text("specialty,cases_per_week\nORT,many\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["capacity", "--hospital", str(tmp_path / "h.json"), "--targets", str(tmp_path / "budget.csv")]
    )
    assert result.exit_code == 2
    assert "row 2" in result.output


def test_capacity_sizes_a_specialty_to_its_utilisation_target_in_the_rules(tmp_path: Path) -> None:
    import csv

    save_hospital(hospital(), tmp_path / "h.json")
    rules = tmp_path / "rules.toml"
    base = ["capacity", "--hospital", str(tmp_path / "h.json"), "--weeks", "2", "--start",
            TODAY.isoformat(), "--time-limit", "10", "--rules", str(rules)]

    def ort_sessions(text: str) -> int:
        rules.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(app, [*base, "-o", str(tmp_path / "out")])
        assert result.exit_code == 0, result.output
        with (tmp_path / "out" / "gaps.csv").open(encoding="utf-8") as handle:
            return int(next(r for r in csv.DictReader(handle) if r["specialty"] == "ORT")["planned_sessions"])

    # 1500 min due by Friday: 4 sessions at the default 85 %, 6 at ORT's own 60 %
    assert ort_sessions("") == 4
    assert ort_sessions("[specialty.ORT]\nutilisation_target = 0.6\n") == 6
    rules.write_text("[specialty.ORT]\nutilisation_target = 0\n", encoding="utf-8")
    refused = CliRunner().invoke(app, base)
    assert refused.exit_code == 2 and "utilisation_target" in refused.output


def test_the_capacity_plan_feeds_the_roster(tmp_path: Path) -> None:
    """`kontrolltarn roster --sessions` staffs the need-based plan's sessions."""
    from datetime import timedelta

    from kontrolltarn.model import Session, Staff, StaffRole
    from kontrolltarn.plan.capacity import sessions_json
    from kontrolltarn.plan.staffing import check_roster, load_roster

    base = hospital()
    team = tuple(
        Staff(
            f"T{i}",
            f"T{i}",
            role,
            location_ids=frozenset({"A"}),
            competences=frozenset({"ortopedi"}) if i < 3 else frozenset(),
        )
        for i, role in enumerate(
            [StaffRole.OR_NURSE] * 6 + [StaffRole.ANAESTHESIA_NURSE] * 3 + [StaffRole.ANAESTHETIST] * 2
        )
    )
    save_hospital(base.replace(staff=base.staff + team), tmp_path / "h.json")
    monday = TODAY + timedelta(days=14)
    plan = [Session(f"CAP-{r}", r, monday, 480, 930, "ORT") for r in ("A-1", "A-2")]
    (tmp_path / "sessions.json").write_text(sessions_json(plan), encoding="utf-8")
    out = tmp_path / "roster.json"
    result = CliRunner().invoke(
        app,
        [
            "roster",
            "--hospital",
            str(tmp_path / "h.json"),
            "--sessions",
            str(tmp_path / "sessions.json"),
            "--weeks",
            "1",
            "--time-limit",
            "4",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    roster = load_roster(out)
    or_nurses = sum(d.count for d in roster.demand if d.role is StaffRole.OR_NURSE)
    assert or_nurses == 4  # two rooms, two OR nurses each
    assert check_roster(roster).ok


def test_sessions_json_round_trip_and_block_plan() -> None:
    from datetime import timedelta

    import pytest

    from kontrolltarn.model import ModelError, Session
    from kontrolltarn.plan.capacity import block_rows, sessions_from_json, sessions_json

    plan = [
        Session(f"S{w}", "A-1", TODAY + timedelta(weeks=w), 480, 930, "ORT" if w < 2 else "NEU")
        for w in range(3)
    ]
    assert sessions_from_json(sessions_json(plan)) == plan
    assert block_rows(plan) == [
        {"room": "A-1", "weekday": "Mon", "specialty": "ORT", "weeks": 2, "other_weeks": 1}
    ]
    with pytest.raises(ModelError) as err:
        sessions_from_json('[{"id": "x", "room_id": "A-1", "date": "2027-01-04", "start_min": 480}]')
    assert err.value.field == "sessions[0].end_min"


def test_capacity_simulate_writes_the_side_by_side_table(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["capacity", "--scale", "small", "--seed", "1", "--weeks", "1", "--simulate", "1",
              "-o", str(out)])
    assert result.exit_code in (0, 1), result.output  # 1: the independent check's verdict
    table = (out / "simulation.md").read_text(encoding="utf-8")
    assert "capacity plan" in table and "deadline_breaches" in table


def test_capacity_simulate_needs_the_synthetic_hospital(tmp_path: Path) -> None:
    save_hospital(hospital(), tmp_path / "h.json")
    result = CliRunner().invoke(
        app, ["capacity", "--hospital", str(tmp_path / "h.json"), "--simulate", "1"])
    assert result.exit_code == 2
