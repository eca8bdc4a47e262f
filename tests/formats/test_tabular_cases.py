"""Case histories in spreadsheets: the ``cases`` sheet (one row per change) survives
model → xlsx/CSV → model in order, and a broken row is rejected naming sheet, row and column."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from kontrolltarn.formats.importer import export_bytes, export_to_path, import_file
from kontrolltarn.formats.tabular import SHEETS
from kontrolltarn.model import Case
from tests.formats.hospital_strategies import tiny_hospital
from tests.formats.test_fhir_cases import with_cases


def test_case_histories_survive_xlsx_and_csv_in_order(tmp_path: Path) -> None:
    hospital = with_cases()
    result = import_file(export_bytes(hospital, "xlsx"), name="h.xlsx")
    assert result.errors == [] and result.warnings == []
    assert result.hospital == hospital  # same order as the model: R2 before R1
    export_to_path(hospital, "csv", tmp_path / "t")
    lines = (tmp_path / "t" / "cases.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(c.name for c in SHEETS["cases"])
    assert lines[1] == "R2,,,,,,," and len(lines) == 5  # one row per change
    assert import_file(tmp_path / "t").hospital == hospital


def test_a_coordinator_adds_a_case_history_as_a_single_csv() -> None:
    text = ("referral_id,at,kind,new_date,by\n"
            "R2,2026-02-10T08:15+01:00,scheduled,2026-03-03,koordinator\n"
            "R2,2026-02-11T12:00+01:00,told,2026-03-03,koordinator\n")
    result = import_file(text.encode(), name="cases.csv", into=tiny_hospital())
    assert result.errors == [], [str(e) for e in result.errors]
    assert result.hospital is not None
    case = result.hospital.case_by_id["R2"]
    assert case.status.value == "dated" and case.planned_date == date(2026, 3, 3)
    assert result.added == {"cases": 1}


def _rows(book: Any) -> Any:
    return book["cases"]


def _clear(ws: Any, row: int, column: int) -> None:
    ws.cell(row, column).value = None  # ws.cell(r, c, None) would leave the value


BROKEN = [
    ("unknown-referral", lambda ws: ws.cell(3, 1, "R77"), "row 3", "referral_id"),
    ("unknown-kind", lambda ws: ws.cell(3, 3, "postponed"), "row 3", "kind"),
    ("kind-without-at", lambda ws: _clear(ws, 3, 2), "row 3", "at"),
    ("at-without-kind", lambda ws: _clear(ws, 4, 3), "row 4", "kind"),
    ("at-without-offset", lambda ws: ws.cell(4, 2, "2026-02-02T10:30"), "row 4", "at"),
    ("cancelled-without-reason", lambda ws: _clear(ws, 5, 6), "row 5", "reason"),
    ("out-of-order", lambda ws: ws.cell(5, 2, "2026-01-01T08:00+01:00"), "row 5", "at"),
    ("bad-new-date", lambda ws: ws.cell(3, 4, "3. mars"), "row 3", "new_date"),
    ("note-without-change", lambda ws: ws.cell(2, 8, "husk"), "row 2", "at"),
]


@pytest.mark.parametrize("name,mutate,row,column", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_cases_row_is_rejected_naming_row_and_column(name: str, mutate: Any, row: str,
                                                               column: str) -> None:
    book = load_workbook(io.BytesIO(export_bytes(with_cases(), "xlsx")))
    mutate(_rows(book))
    buffer = io.BytesIO()
    book.save(buffer)
    result = import_file(buffer.getvalue(), name="h.xlsx")
    assert not result.ok and result.hospital is None
    assert any("sheet cases" in e.place and row in e.place and e.field == column
               for e in result.errors), [str(e) for e in result.errors]


def test_an_empty_case_row_and_changes_for_the_same_referral_merge() -> None:
    text = ("referral_id,at,kind\nR1,,\nR1,2026-02-10T08:15+01:00,scheduled\n")
    result = import_file(text.encode(), name="cases.csv", into=tiny_hospital())
    assert result.errors == [] and result.hospital is not None
    assert len(result.hospital.case_by_id["R1"].history) == 1
    assert result.hospital.cases == (result.hospital.case_by_id["R1"],)
    assert Case("R1") != result.hospital.case_by_id["R1"]
