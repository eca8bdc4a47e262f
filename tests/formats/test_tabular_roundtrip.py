"""model → xlsx → model and model → CSV → model give the same model; the template reads back."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from openpyxl import Workbook, load_workbook

from kontrolltarn.formats.importer import export_bytes, export_to_path, import_file
from kontrolltarn.formats.tabular import SHEETS, write_template
from kontrolltarn.model import Priority
from kontrolltarn.synth.generator import generate
from tests.formats.hospital_strategies import hospitals, simple_program, tiny_hospital


def test_synthetic_hospital_and_program_survive_xlsx() -> None:
    hospital = generate("small", seed=5).hospital.replace(cases=())
    program = simple_program(hospital, "greedy")
    result = import_file(export_bytes(hospital, "xlsx", program), name="h.xlsx")
    assert result.errors == []
    assert result.hospital == hospital
    assert result.program == program


def test_csv_folder_and_zip_round_trip(tmp_path: Path) -> None:
    hospital = tiny_hospital()
    export_to_path(hospital, "csv", tmp_path / "tables")
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == sorted(
        [f"{s}.csv" for s in SHEETS if s != "program"] + ["hospital.csv"])
    assert import_file(tmp_path / "tables").hospital == hospital
    with zipfile.ZipFile(io.BytesIO(export_bytes(hospital, "csv"))) as zf:
        waiting = zf.read("referrals.csv")
    merged = import_file(waiting, name="referrals.csv", into=hospital)
    assert merged.hospital == hospital and merged.updated == {"referrals": 2}
    # the zip itself imports too (the service's csv export is a zip)
    zipped = import_file(export_bytes(hospital, "csv"), name="tables.zip")
    assert zipped.errors == [] and zipped.hospital == hospital and zipped.format == "csv"


def test_broken_row_in_a_csv_zip_names_the_file_and_row() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(export_bytes(tiny_hospital(), "csv"))) as src, \
            zipfile.ZipFile(buffer, "w") as out:
        for member in src.namelist():
            data = src.read(member)
            if member == "referrals.csv":
                data = data.replace(b"2026-04-05", b"5. april")
            out.writestr(member, data)
    result = import_file(buffer.getvalue(), name="tables.zip")
    assert not result.ok and result.hospital is None
    assert [(e.place, e.field) for e in result.errors] == [("tables.zip/referrals.csv row 2",
                                                            "deadline")]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hospitals())
def test_any_hospital_survives_xlsx(hospital) -> None:
    program = simple_program(hospital)
    result = import_file(export_bytes(hospital, "xlsx", program), name="h.xlsx")
    assert result.errors == [], [str(e) for e in result.errors[:3]]
    assert result.hospital == hospital
    if program.entries:
        assert result.program == program


@settings(max_examples=20, deadline=None)
@given(hospitals())
def test_any_hospital_survives_csv(tmp_path_factory, hospital) -> None:
    folder = tmp_path_factory.mktemp("csv")
    export_to_path(hospital, "csv", folder)
    assert import_file(folder).hospital == hospital


def test_template_has_every_column_and_a_filled_copy_imports(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_template(path)
    book = load_workbook(path)
    for sheet, columns in SHEETS.items():
        assert [c.value for c in book[sheet][1]] == [c.name for c in columns]
    # an empty template has nothing to import
    assert not import_file(path).ok
    # a coordinator fills in a waiting list the way Excel stores it: numbers, date cells
    ws = book["referrals"]
    ws.append(["R9", "P1", "NFB49", None, datetime(2026, 2, 1), 1, date(2026, 3, 1), None])
    pat = book["patients"]
    pat.append([1001, datetime(1970, 5, 17), "F", 2, "27,5", None])
    book.save(path)
    base = tiny_hospital()
    result = import_file(path, into=base)
    assert result.errors == [] and result.hospital is not None
    new = result.hospital.referral_by_id["R9"]
    assert new.priority is Priority.P1 and new.specialty_id == "ORT"
    assert new.booked_min == 120  # the catalogue's median when no estimate is given
    assert result.hospital.patient_by_id["1001"].bmi == 27.5


def test_single_csv_is_recognised_by_its_header(tmp_path: Path) -> None:
    text = "id,room_id,date,start,end\nX9,SEN-OR1,2026-03-05,08:00,25:30\n"
    result = import_file(text.encode(), name="calendar-week-10.csv", into=tiny_hospital())
    assert result.errors == [] and result.hospital is not None
    assert result.hospital.session_by_id["X9"].end_min == 25 * 60 + 30


def test_unknown_sheet_is_a_warning_not_an_error() -> None:
    book = Workbook()
    book.active.title = "notes"
    book.create_sheet("sessions").append([c.name for c in SHEETS["sessions"]])
    book["sessions"].append(["X9", "SEN-OR1", "2026-03-05", "08:00", "15:30"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_file(buffer.getvalue(), name="w.xlsx", into=tiny_hospital())
    assert result.ok and any("unknown sheet" in w.reason for w in result.warnings)
