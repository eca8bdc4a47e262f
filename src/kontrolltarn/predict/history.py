"""Loading a hospital's real operation history from CSV (the columns a duration model needs).

Columns (header names exactly; one row per operation; UTF-8; comma-separated):

| column | meaning | example |
|---|---|---|
| id | unique operation id | OP-2024-000123 |
| date | operation date, ISO | 2024-03-05 |
| location_id, room_id | site and operating room | SEN, SEN-OR04 |
| specialty_id | specialty code | ORT |
| procedure_code | NCSP code (combined codes joined with ``+``) | NFB40 |
| surgeon_id | main surgeon (HPR number or local id) | 1234567 |
| patient_age | years at surgery | 67 |
| patient_sex | F, M or U | F |
| asa | ASA class 1–6 | 2 |
| bmi | body-mass index | 27.4 |
| booked_min | minutes booked in the program | 120 |
| actual_min | in-room minutes (in room → out of room) | 134 |
| start_min | in-room time, minutes past midnight | 495 |
| order | position in the room's day (1 = first) | 1 |
| emergency | 1/0, true/false | 0 |
| urgency | optional: emergency category, empty for electives | |

A bad row stops the import and names its line, column and value; nothing is half-loaded.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from kontrolltarn.model import ModelError, PastOperation, Urgency

REQUIRED_COLUMNS = ("id", "date", "location_id", "room_id", "specialty_id", "procedure_code",
                    "surgeon_id", "patient_age", "patient_sex", "asa", "bmi", "booked_min",
                    "actual_min", "start_min", "order", "emergency")
OPTIONAL_COLUMNS = ("urgency",)
_TRUE = {"1", "true", "ja", "yes", "j"}
_FALSE = {"0", "false", "nei", "no", "n", ""}


def load_operations_csv(path: Path) -> tuple[PastOperation, ...]:
    """All operations in the CSV at ``path``, or a ``ModelError`` naming the first bad value."""
    if not path.exists():
        raise ModelError("history.path", str(path), "file not found")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ModelError("history.columns", missing, "required columns missing from the header")
        operations = tuple(_rows(reader))
    if not operations:
        raise ModelError("history.rows", 0, "the file holds no operations")
    return operations


def _rows(reader: csv.DictReader[str]) -> Iterator[PastOperation]:
    for line, row in enumerate(reader, start=2):
        def value(column: str, kind: type, row: dict[str, str] = row, line: int = line) -> object:
            text = (row.get(column) or "").strip()
            try:
                if kind is bool:
                    if text.lower() in _TRUE:
                        return True
                    if text.lower() in _FALSE:
                        return False
                    raise ValueError(text)
                if kind is date:
                    return date.fromisoformat(text)
                return kind(text)
            except ValueError:
                raise ModelError(f"history line {line}.{column}", text,
                                 f"not a valid {kind.__name__}") from None
        urgency_text = (row.get("urgency") or "").strip()
        try:
            urgency = Urgency(urgency_text) if urgency_text else None
        except ValueError:
            raise ModelError(f"history line {line}.urgency", urgency_text,
                             f"unknown urgency; known: {[u.value for u in Urgency]}") from None
        try:
            yield PastOperation(
                id=str(value("id", str)), date=value("date", date),  # type: ignore[arg-type]
                location_id=str(value("location_id", str)), room_id=str(value("room_id", str)),
                specialty_id=str(value("specialty_id", str)),
                procedure_code=str(value("procedure_code", str)),
                surgeon_id=str(value("surgeon_id", str)),
                patient_age=value("patient_age", int),  # type: ignore[arg-type]
                patient_sex=str(value("patient_sex", str)), asa=value("asa", int),  # type: ignore[arg-type]
                bmi=value("bmi", float), booked_min=value("booked_min", int),  # type: ignore[arg-type]
                actual_min=value("actual_min", int), start_min=value("start_min", int),  # type: ignore[arg-type]
                order=value("order", int), emergency=value("emergency", bool),  # type: ignore[arg-type]
                urgency=urgency,
            )
        except ModelError as error:
            raise ModelError(f"history line {line}: {error.field}", error.value, error.reason) from None


def write_operations_csv(operations: tuple[PastOperation, ...], path: Path) -> None:
    """The same format, for exporting synthetic history as an example file."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS])
        writer.writeheader()
        for o in operations:
            writer.writerow({
                "id": o.id, "date": o.date.isoformat(), "location_id": o.location_id,
                "room_id": o.room_id, "specialty_id": o.specialty_id,
                "procedure_code": o.procedure_code, "surgeon_id": o.surgeon_id,
                "patient_age": o.patient_age, "patient_sex": o.patient_sex, "asa": o.asa,
                "bmi": o.bmi, "booked_min": o.booked_min, "actual_min": o.actual_min,
                "start_min": o.start_min, "order": o.order, "emergency": int(o.emergency),
                "urgency": o.urgency.value if o.urgency is not None else "",
            })
