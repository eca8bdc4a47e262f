"""Spreadsheets: the hospital as an xlsx workbook (one sheet per table) or CSV files (one per
table), the way coordinators plan today. ``SHEETS`` is the template: column names, whether a
column is required, and what a cell holds; docs/integration.md prints it as a table and
``write_template`` makes the empty workbook a coordinator fills in.

Cells: lists are separated by ``;``, dates are ``YYYY-MM-DD``, clock times ``HH:MM`` (past
midnight ``25:30`` means 01:30 the next day), yes/no for flags. Rows are numbered as the
spreadsheet shows them (the header is row 1), so an error names the cell a person can find.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font

from kontrolltarn.formats.issues import Issues, Parts
from kontrolltarn.model import (
    BedType,
    CancellationReason,
    Case,
    CaseChange,
    ChangeKind,
    EmergencyRequest,
    EquipmentType,
    Hospital,
    Location,
    LogNormal,
    ModelError,
    Patient,
    Priority,
    Procedure,
    Program,
    ProgramEntry,
    ReadinessItem,
    Referral,
    Room,
    Session,
    Specialty,
    Staff,
    StaffRole,
    Urgency,
)
from kontrolltarn.model.codec import to_jsonable


class CellError(ValueError):
    """A cell that cannot be read as its column's type."""


# ---------------------------------------------------------------- cell readers and writers
def _text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)  # a number typed into a text column, e.g. an id 1001
    return str(v).strip()


def read_str(v: Any) -> str:
    return _text(v)


def read_int(v: Any) -> int:
    if isinstance(v, bool):
        raise CellError("expected a whole number")
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    try:
        return int(_text(v))
    except ValueError as exc:
        raise CellError("expected a whole number") from exc


def read_float(v: Any) -> float:
    if isinstance(v, bool):
        raise CellError("expected a number")
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(_text(v).replace(",", "."))  # Norwegian decimal comma
    except ValueError as exc:
        raise CellError("expected a number") from exc


_YES = {"yes", "y", "true", "1", "ja", "x"}
_NO = {"no", "n", "false", "0", "nei", ""}


def read_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    text = _text(v).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError("expected yes or no")


def read_date(v: Any) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(_text(v))
    except ValueError as exc:
        raise CellError("expected a date YYYY-MM-DD") from exc


def read_datetime(v: Any) -> datetime:
    value = v if isinstance(v, datetime) else None
    if value is None:
        try:
            value = datetime.fromisoformat(_text(v))
        except ValueError as exc:
            raise CellError("expected a date-time YYYY-MM-DDTHH:MM+01:00") from exc
    if value.tzinfo is None:
        raise CellError("the date-time needs a UTC offset, e.g. +01:00")
    return value


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def read_clock(v: Any) -> int:
    """Minutes past midnight from '08:30' (or a time cell); '25:30' is past the next midnight."""
    if isinstance(v, clock_time):
        return v.hour * 60 + v.minute
    match = _CLOCK.match(_text(v))
    if not match or int(match.group(2)) >= 60:
        raise CellError("expected a clock time HH:MM")
    return int(match.group(1)) * 60 + int(match.group(2))


def read_list(v: Any) -> list[str]:
    return [part.strip() for part in _text(v).split(";") if part.strip()]


def read_counts(v: Any) -> dict[str, int]:
    counts = {}
    for part in read_list(v):
        key, sep, count = part.rpartition("=")
        if not sep or not key.strip():
            raise CellError("expected LOCATION=COUNT; LOCATION=COUNT")
        counts[key.strip()] = read_int(count)
    return counts


def read_meta(v: Any) -> Any:
    try:
        return json.loads(_text(v))
    except json.JSONDecodeError as exc:
        raise CellError(f"expected JSON: {exc.msg}") from exc


def _enum(kind: type) -> Callable[[Any], Any]:
    def read(v: Any) -> Any:
        try:
            return kind(read_int(v) if kind is Priority else _text(v))
        except (ValueError, CellError) as exc:
            raise CellError(f"must be one of {[m.value for m in kind]}") from exc  # type: ignore[attr-defined]
    return read


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _join(values: Iterable[Any]) -> str:
    return "; ".join(sorted(str(getattr(v, "value", v)) for v in values))


# ---------------------------------------------------------------- the template
@dataclass(frozen=True)
class Column:
    name: str
    read: Callable[[Any], Any]
    required: bool
    help: str


def _col(name: str, read: Callable[[Any], Any], required: bool, help_text: str) -> Column:
    return Column(name, read, required, help_text)


def _bed_cols() -> list[Column]:
    return [_col(f"beds_{b.value}", read_int, False,
                 f"new post-operative {b.value} admissions per day (blank: not limited)")
            for b in BedType]


SHEETS: dict[str, list[Column]] = {
    "locations": [_col("id", read_str, True, "site id, e.g. RH"),
                  _col("name", read_str, False, "site name"), *_bed_cols()],
    "specialties": [_col("id", read_str, True, "specialty id, e.g. ORT"),
                    _col("name", read_str, False, "name"),
                    _col("turnover_min", read_int, False, "cleaning and preparation minutes (25)")],
    "equipment": [_col("id", read_str, True, "equipment id"), _col("name", read_str, False, "name"),
                  _col("mobile", read_bool, True, "yes: moved between rooms and counted per site"),
                  _col("counts", read_counts, False, "mobile units per site: RH=2; ULL=1")],
    "rooms": [_col("id", read_str, True, "operating room id"),
              _col("location_id", read_str, True, "site (locations.id)"),
              _col("name", read_str, False, "name"),
              _col("specialties", read_list, True, "specialties it takes: ORT; GASTRO"),
              _col("equipment", read_list, False, "fixed equipment in the room"),
              _col("emergency", read_bool, False, "yes: an emergency (ø-hjelp) room")],
    "staff": [_col("id", read_str, True, "staff id"), _col("name", read_str, False, "name"),
              _col("role", _enum(StaffRole), True, "surgeon, anaesthetist, or_nurse, anaesthesia_nurse"),
              _col("specialty_id", read_str, False, "specialty (required for surgeons)"),
              _col("competences", read_list, False, "procedure codes or groups beyond the specialty"),
              _col("location_ids", read_list, False, "sites the person works at"),
              _col("unavailable", lambda v: [read_date(x) for x in read_list(v)], False,
                   "dates away: 2025-03-03; 2025-03-04"),
              _col("hpr", read_str, False, "HPR number")],
    "procedures": [_col("code", read_str, True, "procedure code (NCSP)"),
                   _col("name", read_str, False, "name"),
                   _col("specialty_id", read_str, True, "specialty"),
                   _col("median_min", read_float, True, "median in-room minutes"),
                   _col("sigma", read_float, True, "log-scale spread of the duration (0.3 typical)"),
                   _col("equipment", read_list, False, "equipment needed"),
                   _col("bed_type", _enum(BedType), False, "none, day, ward (default), icu"),
                   _col("competence", read_str, False, "competence a surgeon needs")],
    "patients": [_col("id", read_str, True, "patient id"),
                 _col("birth_date", read_date, True, "YYYY-MM-DD"),
                 _col("sex", read_str, True, "F, M or U"),
                 _col("asa", read_int, True, "ASA class 1-6"), _col("bmi", read_float, True, "BMI"),
                 _col("national_id", read_str, False, "fødselsnummer or D-nummer")],
    "referrals": [_col("id", read_str, True, "referral id"),
                  _col("patient_id", read_str, True, "patients.id"),
                  _col("procedure_code", read_str, True, "procedures.code"),
                  _col("specialty_id", read_str, False, "specialty (default: the procedure's)"),
                  _col("referral_date", read_date, True, "date received"),
                  _col("priority", _enum(Priority), True, "clinical priority 1 (most urgent) - 4"),
                  _col("deadline", read_date, True, "legal deadline for start of care"),
                  _col("booked_min", read_int, False, "surgeon's estimate of in-room minutes "
                       "(default: the procedure's median)"),
                  _col("surgeon_id", read_str, False, "named surgeon (staff.id)"),
                  _col("note", read_str, False, "free text"),
                  _col("readiness_missing", lambda v: [ReadinessItem(x) for x in read_list(v)],
                       False, "what is not ready: procedure; equipment; preop_assessment; "
                       "bed_need; consent"),
                  _col("infected", read_bool, False, "yes: goes last in the room")],
    "sessions": [_col("id", read_str, True, "session id"), _col("room_id", read_str, True, "rooms.id"),
                 _col("date", read_date, True, "YYYY-MM-DD"),
                 _col("start", read_clock, True, "staffed from HH:MM"),
                 _col("end", read_clock, True, "staffed until HH:MM"),
                 _col("specialty_id", read_str, False, "blank: open to any specialty of the room"),
                 _col("emergency", read_bool, False, "yes: kept for emergencies")],
    "emergencies": [_col("id", read_str, True, "request id"), _col("patient_id", read_str, True, ""),
                    _col("procedure_code", read_str, True, ""),
                    _col("specialty_id", read_str, False, "default: the procedure's"),
                    _col("location_id", read_str, True, "site"),
                    _col("urgency", _enum(Urgency), True, "immediate, within_6h, within_24h, within_72h"),
                    _col("requested_at", read_datetime, True, "YYYY-MM-DDTHH:MM+01:00"),
                    _col("booked_min", read_int, True, "minutes")],
    "program": [_col("case_id", read_str, True, "referrals.id or emergencies.id"),
                _col("session_id", read_str, True, "sessions.id"),
                _col("room_id", read_str, True, "rooms.id"),
                _col("date", read_date, True, "YYYY-MM-DD"),
                _col("start", read_clock, True, "HH:MM"),
                _col("planned_min", read_int, True, "reserved in-room minutes"),
                _col("surgeon_id", read_str, True, "staff.id"),
                _col("order", read_int, True, "1 = first case of the session")],
    # one row per recorded change of a referral's plan, in time order; a row with only
    # referral_id is a case with no change yet
    "cases": [_col("referral_id", read_str, True, "referrals.id"),
              _col("at", read_datetime, False, "when it was decided: YYYY-MM-DDTHH:MM+01:00"),
              _col("kind", _enum(ChangeKind), False, "scheduled, told, rescheduled, "
                   "unscheduled, cancelled, done, removed"),
              _col("new_date", read_date, False, "operation date after the change"),
              _col("old_date", read_date, False, "operation date before the change"),
              _col("reason", _enum(CancellationReason), False, "for cancellations: patient, "
                   "capacity, emergency, no_bed, staff, medical, other"),
              _col("by", read_str, False, "who decided (default: system)"),
              _col("note", read_str, False, "free text")],
}
SETTINGS_SHEET = "hospital"  # key/value rows: name, today, timezone, allowed_overtime_min, meta
_SETTINGS: dict[str, Callable[[Any], Any]] = {
    "name": read_str, "today": read_date, "timezone": read_str,
    "allowed_overtime_min": read_int, "meta": read_meta, "program_method": read_str,
}
#: file names a coordinator may use for a single CSV table
ALIASES = {"waiting_list": "referrals", "venteliste": "referrals", "calendar": "sessions",
           "session_calendar": "sessions", "okter": "sessions", "stuer": "rooms",
           "ansatte": "staff", "personell": "staff", "sites": "locations"}


# ---------------------------------------------------------------- rows → model
def _build(sheet: str, v: dict[str, Any], procedures: dict[str, Procedure]) -> Any:
    def spec_of(code: str) -> str:
        if v.get("specialty_id"):
            return str(v["specialty_id"])
        if code in procedures:
            return procedures[code].specialty_id
        raise ModelError("specialty_id", None, "required when the procedure is not in the catalogue")

    if sheet == "locations":
        beds = {b: v[f"beds_{b.value}"] for b in BedType if v.get(f"beds_{b.value}") is not None}
        return Location(v["id"], v.get("name") or "", beds)
    if sheet == "specialties":
        turnover = v.get("turnover_min")
        return Specialty(v["id"], v.get("name") or "", 25 if turnover is None else turnover)
    if sheet == "equipment":
        return EquipmentType(v["id"], v.get("name") or "", v["mobile"], v.get("counts") or {})
    if sheet == "rooms":
        return Room(v["id"], v["location_id"], v.get("name") or "", frozenset(v["specialties"]),
                    frozenset(v.get("equipment") or ()), bool(v.get("emergency")))
    if sheet == "staff":
        return Staff(v["id"], v.get("name") or "", v["role"], v.get("specialty_id") or None,
                     frozenset(v.get("competences") or ()), frozenset(v.get("location_ids") or ()),
                     frozenset(v.get("unavailable") or ()), v.get("hpr") or None)
    if sheet == "procedures":
        return Procedure(v["code"], v.get("name") or "", v["specialty_id"],
                         LogNormal(v["median_min"], v["sigma"]),
                         frozenset(v.get("equipment") or ()), v.get("bed_type") or BedType.WARD,
                         v.get("competence") or None)
    if sheet == "patients":
        return Patient(v["id"], v["birth_date"], v["sex"], v["asa"], v["bmi"],
                       v.get("national_id") or None)
    if sheet == "referrals":
        booked = v.get("booked_min")
        if booked is None:
            if v["procedure_code"] not in procedures:
                raise ModelError("booked_min", None, "required when the procedure is not in the catalogue")
            booked = max(1, round(procedures[v["procedure_code"]].duration.median))
        return Referral(v["id"], v["patient_id"], v["procedure_code"], spec_of(v["procedure_code"]),
                        v["referral_date"], v["priority"], v["deadline"], booked,
                        v.get("surgeon_id") or None, v.get("note") or "",
                        frozenset(v.get("readiness_missing") or ()), bool(v.get("infected")))
    if sheet == "sessions":
        return Session(v["id"], v["room_id"], v["date"], v["start"], v["end"],
                       v.get("specialty_id") or None, bool(v.get("emergency")))
    if sheet == "emergencies":
        return EmergencyRequest(v["id"], v["patient_id"], v["procedure_code"],
                                spec_of(v["procedure_code"]), v["location_id"], v["urgency"],
                                v["requested_at"], v["booked_min"])
    if sheet == "program":
        return ProgramEntry(v["case_id"], v["session_id"], v["room_id"], v["date"], v["start"],
                            v["planned_min"], v["surgeon_id"], v["order"])
    if sheet == "cases":
        return v["referral_id"], _case_change(v)
    raise KeyError(sheet)


def _case_change(v: dict[str, Any]) -> CaseChange | None:
    """One row of the cases sheet; None for a row that only names the case."""
    at, kind = v.get("at"), v.get("kind")
    if at is None and kind is None:
        for name in ("new_date", "old_date", "reason", "by", "note"):
            if v.get(name) not in (None, ""):
                raise ModelError("at", None, "a row recording a change needs at and kind")
        return None
    if at is None:
        raise ModelError("at", None, "required when kind is given")
    if kind is None:
        raise ModelError("kind", None, "required when at is given")
    return CaseChange(at, kind, v.get("new_date"), v.get("old_date"), v.get("reason"),
                      v.get("by") or "system", v.get("note") or "")


@dataclass
class Table:
    """One sheet or CSV file: its name, where it came from and its rows (header first)."""

    sheet: str
    label: str
    rows: Iterator[tuple[Any, ...]]


def read_tables(tables: Iterable[Table], issues: Issues, hospital: Hospital | None = None) -> Parts:
    """Model parts from tables; the procedure catalogue is read first (referral defaults use it)."""
    parts = Parts()
    procedures = dict(hospital.procedure_by_id) if hospital else {}
    ordered = sorted(tables, key=lambda t: (t.sheet != SETTINGS_SHEET, t.sheet != "procedures"))
    for table in ordered:
        if table.sheet == SETTINGS_SHEET:
            _read_settings(table, parts, issues)
            continue
        _read_rows(table, parts, issues, procedures)
        if table.sheet == "procedures":
            procedures.update({p.code: p for p in parts.items["procedures"]})
    return parts


def _read_settings(table: Table, parts: Parts, issues: Issues) -> None:
    for number, row in enumerate(table.rows, 1):
        if number == 1 or not row or all(c in (None, "") for c in row):
            continue  # header
        key = _text(row[0]) if row[0] is not None else ""
        value = row[1] if len(row) > 1 else None
        place = f"{table.label} row {number}"
        if key not in _SETTINGS:
            issues.error(place, "key", key, f"unknown setting; known: {sorted(_SETTINGS)}")
            continue
        if value is None or _text(value) == "":
            if key == "name":
                parts.settings["name"] = ""  # a hospital may be unnamed; the row says so
            continue
        try:
            parsed = _SETTINGS[key](value)
        except CellError as exc:
            issues.error(place, key, _text(value), str(exc))
            continue
        if key == "program_method":
            parts.program_method = parsed
        else:
            parts.settings[key] = parsed


def _read_rows(table: Table, parts: Parts, issues: Issues, procedures: dict[str, Procedure]) -> None:
    columns = {c.name: c for c in SHEETS[table.sheet]}
    cases: dict[str, tuple[str, list[CaseChange]]] = {}  # referral id -> first row, changes
    header: list[str] | None = None
    for number, row in enumerate(table.rows, 1):
        if header is None:
            header = [_text(c) if c is not None else "" for c in row]
            missing = [c.name for c in columns.values() if c.required and c.name not in header]
            for name in missing:
                issues.error(f"{table.label} row 1", name, None, "required column is missing")
            for name in header:
                if name and name not in columns:
                    issues.warn(f"{table.label} row 1", name, None, "unknown column: ignored")
            dup = {n for n in header if n and header.count(n) > 1}
            for name in sorted(dup):
                issues.error(f"{table.label} row 1", name, None, "column appears twice")
            if missing or dup:
                return
            continue
        if all(c is None or _text(c) == "" for c in row):
            continue
        place = f"{table.label} row {number}"
        values: dict[str, Any] = {}
        ok = True
        for name, cell in zip(header, row, strict=False):
            column = columns.get(name)
            if column is None:
                continue
            if cell is None or (isinstance(cell, str) and cell.strip() == ""):
                if column.required:
                    issues.error(place, name, None, "required cell is empty")
                    ok = False
                continue
            try:
                values[name] = column.read(cell)
            except (CellError, ValueError) as exc:
                issues.error(place, name, _text(cell), str(exc))
                ok = False
        for column in columns.values():
            if column.required and column.name not in values and ok and \
                    column.name not in header[: len(row)]:
                issues.error(place, column.name, None, "required cell is empty")
                ok = False
        if not ok:
            continue
        try:
            item = _build(table.sheet, values, procedures)
        except ModelError as exc:
            issues.error(place, _column_of(exc.field), exc.value, exc.reason)
            continue
        if table.sheet == "program":
            parts.entries.append(item)
            continue
        if table.sheet == "cases":
            referral_id, change = item
            first, changes = cases.setdefault(referral_id, (place, []))
            if change is not None and changes and change.at < changes[-1].at:
                issues.error(place, "at", change.at.isoformat(), "changes of a case must be in "
                             f"time order (after {changes[-1].at.isoformat()})")
            elif change is not None:
                changes.append(change)
            continue
        parts.add(table.sheet, item, place, issues)
    for referral_id, (first, changes) in cases.items():
        parts.add("cases", Case(referral_id, tuple(changes)), first, issues)


def _column_of(field: str) -> str:
    """'referral[R1].booked_min' → 'booked_min': a row error names the column."""
    return field.rsplit(".", 1)[-1]


# ---------------------------------------------------------------- model → rows
def hospital_rows(h: Hospital, program: Program | None = None) -> dict[str, list[list[Any]]]:
    """Every table as rows (header first), as the template defines them."""
    settings: list[list[Any]] = [["key", "value"], ["name", h.name], ["today", h.today.isoformat()],
                ["timezone", h.timezone], ["allowed_overtime_min", h.allowed_overtime_min],
                ["meta", json.dumps(_jsonable(h.meta), ensure_ascii=False)]]
    if program is not None:
        settings.append(["program_method", program.method])
    data: dict[str, list[list[Any]]] = {SETTINGS_SHEET: settings}
    rows: dict[str, list[list[Any]]] = {
        "locations": [[x.id, x.name, *[x.post_op_beds.get(b) for b in BedType]] for x in h.locations],
        "specialties": [[x.id, x.name, x.turnover_min] for x in h.specialties],
        "equipment": [[x.id, x.name, _yes(x.mobile),
                       "; ".join(f"{k}={n}" for k, n in x.count_per_location.items())]
                      for x in h.equipment],
        "rooms": [[x.id, x.location_id, x.name, _join(x.specialties), _join(x.equipment),
                   _yes(x.emergency)] for x in h.rooms],
        "staff": [[x.id, x.name, x.role.value, x.specialty_id, _join(x.competences),
                   _join(x.location_ids), _join(d.isoformat() for d in x.unavailable), x.hpr]
                  for x in h.staff],
        "procedures": [[x.code, x.name, x.specialty_id, x.duration.median, x.duration.sigma,
                        _join(x.equipment), x.bed_type.value, x.competence] for x in h.procedures],
        "patients": [[x.id, x.birth_date.isoformat(), x.sex, x.asa, x.bmi, x.national_id]
                     for x in h.patients],
        "referrals": [[x.id, x.patient_id, x.procedure_code, x.specialty_id,
                       x.referral_date.isoformat(), int(x.priority), x.deadline.isoformat(),
                       x.booked_min, x.surgeon_id, x.note, _join(x.readiness_missing),
                       _yes(x.infected)] for x in h.referrals],
        "sessions": [[x.id, x.room_id, x.date.isoformat(), _clock(x.start_min), _clock(x.end_min),
                      x.specialty_id, _yes(x.emergency)] for x in h.sessions],
        "emergencies": [[x.id, x.patient_id, x.procedure_code, x.specialty_id, x.location_id,
                         x.urgency.value, x.requested_at.isoformat(), x.booked_min]
                        for x in h.emergencies],
    }
    rows["cases"] = [[c.referral_id, *_change_cells(x)] for c in h.cases
                     for x in (c.history or (None,))]
    if program is not None:
        rows["program"] = [[e.case_id, e.session_id, e.room_id, e.date.isoformat(),
                            _clock(e.start_min), e.planned_min, e.surgeon_id, e.order]
                           for e in program.entries]
    for sheet, body in rows.items():
        data[sheet] = [[c.name for c in SHEETS[sheet]], *body]
    return data


def _change_cells(c: CaseChange | None) -> list[Any]:
    if c is None:
        return [None] * 7
    return [c.at.isoformat(), c.kind.value, c.new_date.isoformat() if c.new_date else None,
            c.old_date.isoformat() if c.old_date else None, c.reason.value if c.reason else None,
            c.by, c.note]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _jsonable(value: Any) -> Any:
    return to_jsonable(value)


def write_xlsx(data: dict[str, list[list[Any]]], target: Path | io.BytesIO) -> None:
    """Write tables as an xlsx workbook; text cells stay text (ids like 007 keep their zeros)."""
    book = Workbook(write_only=True)
    for sheet, rows in data.items():
        ws = book.create_sheet(sheet)
        for row in rows:
            ws.append(["" if c is None else c for c in row])
    book.save(target)


def write_csv_folder(data: dict[str, list[list[Any]]], folder: Path) -> list[Path]:
    """One UTF-8 CSV per table in ``folder`` (created); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet, rows in data.items():
        path = folder / f"{sheet}.csv"
        path.write_text(csv_text(rows), encoding="utf-8")
        written.append(path)
    return written


def csv_text(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if c is None else c for c in row])
    return buffer.getvalue()


def write_template(path: Path) -> None:
    """The empty workbook a coordinator fills in: a README sheet explaining every column, and
    one sheet per table with its header row (required columns in bold)."""
    book = Workbook()
    readme = book.active
    readme.title = "README"
    readme.append(["sheet", "column", "required", "what it holds"])
    readme.append([SETTINGS_SHEET, "key / value", "no",
                   "rows name, today (YYYY-MM-DD), timezone, allowed_overtime_min"])
    for sheet, columns in SHEETS.items():
        for c in columns:
            readme.append([sheet, c.name, "yes" if c.required else "no", c.help])
    settings = book.create_sheet(SETTINGS_SHEET)
    settings.append(["key", "value"])
    for key in ("name", "today", "timezone", "allowed_overtime_min"):
        settings.append([key, ""])
    for sheet, columns in SHEETS.items():
        ws = book.create_sheet(sheet)
        ws.append([c.name for c in columns])
        for i, c in enumerate(columns, 1):
            cell = ws.cell(row=1, column=i)
            cell.font = Font(bold=c.required)
            cell.comment = Comment(("required: " if c.required else "") + c.help, "Kontrolltårn")
            ws.column_dimensions[cell.column_letter].width = max(12, len(c.name) + 4)
    book.save(path)


# ---------------------------------------------------------------- files → tables
def xlsx_tables(source: Path | io.BytesIO, issues: Issues) -> list[Table]:
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken zip or XML
        issues.error("workbook", "(file)", None, f"not a readable xlsx workbook: {exc}")
        return []
    tables = []
    for ws in book.worksheets:
        name = ws.title.strip().lower()
        sheet = ALIASES.get(name, name)
        if sheet == "readme":
            continue
        if sheet not in SHEETS and sheet != SETTINGS_SHEET:
            issues.warn(f"sheet {ws.title}", "(sheet)", ws.title, "unknown sheet: ignored")
            continue
        tables.append(Table(sheet, f"sheet {ws.title}", ws.iter_rows(values_only=True)))
    return tables


def csv_table(text: str, label: str, stem: str, issues: Issues) -> Table | None:
    """A CSV file as a table; its kind comes from the file name, or else from its header."""
    rows = list(csv.reader(io.StringIO(text)))
    name = stem.strip().lower()
    sheet = ALIASES.get(name, name)
    if sheet not in SHEETS and sheet != SETTINGS_SHEET:
        header = set(rows[0]) if rows else set()
        required = {k: {c.name for c in cols if c.required} for k, cols in SHEETS.items()}
        fitting = [k for k in SHEETS if required[k] <= header]
        most = max((len(required[k]) for k in fitting), default=0)
        fits = [k for k in fitting if len(required[k]) == most]  # the most specific table
        if len(fits) != 1:
            issues.error(label, "(file name)", stem,
                         f"cannot tell which table this is: name it one of {sorted(SHEETS)}.csv")
            return None
        sheet = fits[0]
    return Table(sheet, label, iter([tuple(r) for r in rows]))
