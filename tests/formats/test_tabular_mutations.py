# ruff: noqa: E501  (one case per line reads best as a table)
"""Broken spreadsheets and CSV files: each rejected with the sheet, row and column named, and
nothing written (the FHIR half of the hundred is in test_fhir_mutations.py)."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kontrolltarn.formats import tabular
from kontrolltarn.formats.importer import import_file
from tests.formats.hospital_strategies import simple_program, tiny_hospital
from tests.formats.test_fhir_mutations import BASE, _assert_rejected_and_nothing_written, _commands

__all__ = ["_commands"]  # the fixture that registers the CLI commands
Tables = dict[str, list[list[Any]]]
BASE_TABLES = tabular.hospital_rows(BASE, simple_program(tiny_hospital(), "mutations"))


def cell(sheet: str, row: int, column: str, value: Any) -> Callable[[Tables], None]:
    """Set one cell; ``row`` counts as the spreadsheet does (header is row 1)."""
    def mutate(t: Tables) -> None:
        index = t[sheet][0].index(column)
        t[sheet][row - 1][index] = value
    return mutate


def drop_column(sheet: str, column: str) -> Callable[[Tables], None]:
    def mutate(t: Tables) -> None:
        index = t[sheet][0].index(column)
        for row in t[sheet]:
            del row[index]
    return mutate


def column_twice(sheet: str) -> Callable[[Tables], None]:
    def mutate(t: Tables) -> None:
        for row in t[sheet]:
            row.append(row[0])
    return mutate


def copy_row(sheet: str, row: int) -> Callable[[Tables], None]:
    return lambda t: t[sheet].append(list(t[sheet][row - 1]))


MUTATIONS: list[tuple[str, Callable[[Tables], Any], str, str]] = [
    ("priority-word", cell("referrals", 2, "priority", "high"), "referrals row 2", "priority"),
    ("priority-5", cell("referrals", 2, "priority", 5), "referrals row 2", "priority"),
    ("deadline-impossible", cell("referrals", 2, "deadline", "2026-02-30"), "referrals row 2", "deadline"),
    ("deadline-norwegian-format", cell("referrals", 3, "deadline", "01.05.2026"), "referrals row 3", "deadline"),
    ("deadline-before-referral", cell("referrals", 2, "deadline", "2025-12-01"), "referrals row 2", "deadline"),
    ("referral-patient-unknown", cell("referrals", 2, "patient_id", "P404"), "referrals row 2", "patient_id"),
    ("referral-procedure-unknown", cell("referrals", 3, "procedure_code", "ZZZ"), "referrals row 3", "procedure_code"),
    ("referral-surgeon-is-anaesthetist", cell("referrals", 2, "surgeon_id", "A1"), "referrals row 2", "surgeon_id"),
    ("booked-negative", cell("referrals", 2, "booked_min", -5), "referrals row 2", "booked_min"),
    ("booked-text", cell("referrals", 2, "booked_min", "to timer"), "referrals row 2", "booked_min"),
    ("referral-id-empty", cell("referrals", 2, "id", ""), "referrals row 2", "id"),
    ("referral-duplicate", copy_row("referrals", 2), "referrals row 4", "referrals.id"),
    ("readiness-unknown", cell("referrals", 2, "readiness_missing", "coffee"), "referrals row 2", "readiness_missing"),
    ("infected-maybe", cell("referrals", 2, "infected", "kanskje"), "referrals row 2", "infected"),
    ("referrals-no-deadline-column", drop_column("referrals", "deadline"), "referrals row 1", "deadline"),
    ("referrals-column-twice", column_twice("referrals"), "referrals row 1", "id"),
    ("sex-k", cell("patients", 2, "sex", "K"), "patients row 2", "sex"),
    ("asa-7", cell("patients", 2, "asa", 7), "patients row 2", "asa"),
    ("bmi-text", cell("patients", 3, "bmi", "normal"), "patients row 3", "bmi"),
    ("birth-date-norwegian", cell("patients", 2, "birth_date", "17.05.1970"), "patients row 2", "birth_date"),
    ("patient-duplicate", copy_row("patients", 3), "patients row 4", "patients.id"),
    ("room-site-unknown", cell("rooms", 2, "location_id", "BERGEN"), "rooms row 2", "location_id"),
    ("room-no-specialty", cell("rooms", 2, "specialties", ""), "rooms row 2", "specialties"),
    ("room-specialty-unknown", cell("rooms", 3, "specialties", "GAS; HJERTE"), "rooms row 3", "specialties"),
    ("session-start-hour-only", cell("sessions", 2, "start", "8"), "sessions row 2", "start"),
    ("session-end-before-start", cell("sessions", 2, "end", "07:00"), "sessions row 2", "end_min"),
    ("session-room-unknown", cell("sessions", 3, "room_id", "OR99"), "sessions row 3", "room_id"),
    ("session-date-empty", cell("sessions", 2, "date", None), "sessions row 2", "date"),
    ("session-specialty-unknown", cell("sessions", 2, "specialty_id", "HJERTE"), "sessions row 2", "specialty_id"),
    ("staff-role-boss", cell("staff", 2, "role", "boss"), "staff row 2", "role"),
    ("surgeon-without-specialty", cell("staff", 2, "specialty_id", None), "staff row 2", "specialty_id"),
    ("staff-unavailable-text", cell("staff", 2, "unavailable", "snart"), "staff row 2", "unavailable"),
    ("staff-site-unknown", cell("staff", 2, "location_ids", "SEN; TROMSO"), "staff row 2", "location_ids"),
    ("procedure-sigma-7", cell("procedures", 2, "sigma", 7), "procedures row 2", "sigma"),
    ("procedure-median-zero", cell("procedures", 2, "median_min", 0), "procedures row 2", "median"),
    ("procedure-bed-sofa", cell("procedures", 3, "bed_type", "sofa"), "procedures row 3", "bed_type"),
    ("procedure-specialty-unknown", cell("procedures", 2, "specialty_id", "XX"), "procedures row 2", "specialty_id"),
    ("equipment-mobile-maybe", cell("equipment", 2, "mobile", "maybe"), "equipment row 2", "mobile"),
    ("equipment-counts-malformed", cell("equipment", 2, "counts", "SEN:2"), "equipment row 2", "counts"),
    ("equipment-fixed-with-counts", cell("equipment", 2, "mobile", "no"), "equipment row 2", "count_per_location"),
    ("hospital-today-word", lambda t: t["hospital"][2].__setitem__(1, "i morgen"), "hospital row 3", "today"),
    ("hospital-unknown-key", lambda t: t["hospital"].append(["budget", 5]), "hospital row", "key"),
    ("turnover-negative", cell("specialties", 2, "turnover_min", -1), "specialties row 2", "turnover_min"),
    ("beds-negative", cell("locations", 2, "beds_ward", -3), "locations row 2", "post_op_beds"),
    ("program-case-unknown", cell("program", 2, "case_id", "R404"), "program entry R404", "case_id"),
]


def _xlsx(tables: Tables) -> bytes:
    buffer = io.BytesIO()
    tabular.write_xlsx(tables, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("case,mutate,place,field", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_broken_workbook_is_rejected(tmp_path: Path, case: str, mutate: Callable[[Tables], Any],
                                     place: str, field: str) -> None:
    tables = copy.deepcopy(BASE_TABLES)
    mutate(tables)
    _assert_rejected_and_nothing_written(tmp_path, _xlsx(tables), "plan.xlsx", place, field)


CSV_MUTATIONS: list[tuple[str, str, bytes, str, str]] = [
    ("latin1", "referrals.csv",
     tabular.csv_text(BASE_TABLES["referrals"]).replace("hofte", "hofte, sår").encode("latin-1"),
     "referrals.csv", "byte"),
    ("ambiguous-table", "data.csv", b"id,name\nX,Y\n", "data.csv", "file name"),
    ("row-too-short", "sessions.csv", b"id,room_id,date,start,end\nX9,SEN-OR1\n",
     "sessions.csv row 2", "date"),
    ("urgency-unknown", "emergencies.csv",
     (b"id,patient_id,procedure_code,location_id,urgency,requested_at,booked_min\n"
      b"E1,P1,NFB49,SEN,soon,2026-03-03T10:00+01:00,60\n"), "emergencies.csv row 2",
     "urgency"),
    ("requested-without-offset", "emergencies.csv",
     (b"id,patient_id,procedure_code,location_id,urgency,requested_at,booked_min\n"
      b"E1,P1,NFB49,SEN,within_6h,2026-03-03T10:00,60\n"), "emergencies.csv row 2",
     "requested_at"),
    ("xlsx-truncated", "plan.xlsx", _xlsx(BASE_TABLES)[:500], "workbook", "(file)"),
]


@pytest.mark.parametrize("case,name,payload,place,field", CSV_MUTATIONS,
                         ids=[m[0] for m in CSV_MUTATIONS])
def test_broken_csv_or_file_is_rejected(tmp_path: Path, case: str, name: str, payload: bytes,
                                        place: str, field: str) -> None:
    _assert_rejected_and_nothing_written(tmp_path, payload, name, place, field)


def test_all_errors_are_reported_at_once() -> None:
    tables = copy.deepcopy(BASE_TABLES)
    for mutate in (cell("referrals", 2, "priority", "high"), cell("patients", 3, "asa", 9),
                   cell("sessions", 2, "room_id", "OR99")):
        mutate(tables)
    result = import_file(_xlsx(tables), name="plan.xlsx")
    places = {e.place for e in result.errors}
    assert {"sheet referrals row 2", "sheet patients row 3"} <= places
    # the session's unknown room is a reference error: reported once the rows themselves parse
    assert len(result.errors) >= 2


def test_count_of_broken_files_is_at_least_a_hundred() -> None:
    from tests.formats.test_fhir_mutations import MUTATIONS as FHIR
    from tests.formats.test_fhir_mutations import RAW_MUTATIONS as RAW

    assert len(FHIR) + len(RAW) + len(MUTATIONS) + len(CSV_MUTATIONS) >= 100
