"""`kontrolltarn optimise` and `kontrolltarn replan` end to end on a small hospital file."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from kontrolltarn.cli.main import _register, app
from kontrolltarn.cli.program import parse_event
from kontrolltarn.formats.native import load_program, save_hospital
from kontrolltarn.model import ModelError
from kontrolltarn.plan.repair import CaseOverrun, EmergencyInsert, LateCancellation, RoomClosed, SurgeonAbsent


@pytest.fixture(scope="module")
def hospital_file(small_synthetic, tmp_path_factory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("program") / "hospital.json.gz"
    save_hospital(small_synthetic.hospital, path, history=small_synthetic.history)
    return path


def test_parse_event_forms(small_synthetic):
    h = small_synthetic.hospital
    assert isinstance(parse_event("cancel HEN000001", h), LateCancellation)
    assert parse_event("cancel HEN000001 no_bed", h).reason.value == "no_bed"
    assert parse_event("surgeon-absent K0001 2026-12-01", h) == SurgeonAbsent("K0001", date(2026, 12, 1))
    assert parse_event("room-closed SEN-OR01 2026-12-01", h) == RoomClosed("SEN-OR01", date(2026, 12, 1))
    assert parse_event("overrun HEN000001 40", h) == CaseOverrun("HEN000001", 40)
    code = h.procedures[0].code
    event = parse_event(f"emergency EM1 {code} SEN within_6h 2026-12-01T10:30 90", h)
    assert isinstance(event, EmergencyInsert) and event.emergency.requested_at.tzinfo is not None
    for bad in ("", "explode everything", "overrun HEN000001 many", "emergency EM1 NOPE SEN x y 1"):
        with pytest.raises(ModelError):
            parse_event(bad, h)


def test_optimise_then_replan_end_to_end(hospital_file, tmp_path):
    _register()
    runner = CliRunner()
    program_path = tmp_path / "program.json"
    result = runner.invoke(app, ["optimise", "-H", str(hospital_file), "--days", "2",
                                 "--time-limit", "4", "-o", str(program_path)])
    assert result.exit_code == 0, result.output
    assert "Local rules applied" in result.output and "Not ready" in result.output
    program = load_program(program_path)
    case_id = sorted(program.entries, key=lambda e: (e.date, e.room_id))[0].case_id
    # sessions optimise released are recorded in the hospital it writes beside the program
    released = program_path.with_name("program-hospital.json.gz")
    hospital_file = released if released.exists() else hospital_file
    out = tmp_path / "replanned.json"
    result = runner.invoke(app, ["replan", "-H", str(hospital_file), "-p", str(program_path),
                                 "--event", f"cancel {case_id}", "--told", "all", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "feasible: yes" in result.output
    assert case_id not in load_program(out).case_ids()
    event_file = tmp_path / "event.toml"
    event_file.write_text(f'event = "overrun {case_id} 30"\n', encoding="utf-8")
    result = runner.invoke(app, ["replan", "-H", str(hospital_file), "-p", str(program_path),
                                 "--event-file", str(event_file), "-o", str(tmp_path / "r2.json")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["replan", "-H", str(hospital_file), "-p", str(program_path),
                                 "--event", "cancel NOBODY", "-o", str(tmp_path / "r3.json")])
    assert result.exit_code == 2 and "NOBODY" in result.output
