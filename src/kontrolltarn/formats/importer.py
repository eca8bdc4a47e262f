"""One entry point for imports: read a file, check everything, and either give a complete new
``Hospital`` (merged into an existing one if given) or every error at once. Nothing is written
unless the whole import is valid, and writing replaces files atomically.

    result = import_file("waiting_list.xlsx", into=hospital)
    if result.ok:
        write_result(result, Path("hospital.json"))
    else:
        for issue in result.errors: print(issue)

``export_bytes`` / ``export_to_path`` write the model as FHIR, xlsx or CSV. The service API
calls these same functions (bytes in, bytes out).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kontrolltarn.formats import tabular
from kontrolltarn.formats.fhir import hospital_to_bundle, read_fhir
from kontrolltarn.formats.issues import KINDS, Issue, Issues, Parts
from kontrolltarn.formats.native import save_hospital, save_program
from kontrolltarn.model import Hospital, ModelError, Program, StaffRole
from kontrolltarn.model.history import PastOperation

Format = Literal["fhir", "xlsx", "csv"]


@dataclass
class ImportResult:
    """What an import gives: the hospital (None when there are errors), the program if the file
    held one, past operations, every error and warning, and counts of what was read."""

    hospital: Hospital | None
    program: Program | None = None
    history: tuple[PastOperation, ...] = ()
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    format: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and self.hospital is not None


class ImportRejected(ModelError):
    """Raised by ``import_or_raise``: carries the whole result with every error."""

    def __init__(self, result: ImportResult) -> None:
        self.result = result
        first = result.errors[0] if result.errors else None
        super().__init__(first.place if first else "import", first.value if first else None,
                         f"{len(result.errors)} errors, the first: {first}")


# ---------------------------------------------------------------- reading
def detect_format(name: str, head: bytes) -> Format | None:
    """The format from the file name, else from the first bytes."""
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".csv":
        return "csv"
    if suffix == ".json":
        return "fhir"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "fhir"
    return None


def _decode(raw: bytes, place: str, issues: Issues) -> str | None:
    """UTF-8 text (a byte-order mark is allowed); a broken encoding names the byte and line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        issues.error(place, f"byte {exc.start} (line {line})", raw[exc.start:exc.start + 4].hex(),
                     "not UTF-8 text: save the file as UTF-8 (in Excel: 'CSV UTF-8')")
        return None


def _csv_zip_tables(raw: bytes, name: str, issues: Issues) -> list[tabular.Table] | None:
    """The tables of a zip of CSV files (what ``export --format csv -o x.zip`` writes), or
    None when ``raw`` is no such zip (an xlsx workbook is a zip too, with [Content_Types].xml)."""
    if not raw.startswith(b"PK\x03\x04"):
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        return None
    with archive:
        names = archive.namelist()
        files = sorted(n for n in names if n.lower().endswith(".csv") and not n.endswith("/"))
        if "[Content_Types].xml" in names or not files:
            return None
        tables = []
        for member in files:
            label = f"{Path(name).name}/{member}"
            try:
                data = archive.read(member)
            except (zipfile.BadZipFile, OSError, RuntimeError, zlib.error) as exc:
                issues.error(label, "(file)", None, f"cannot read it from the zip: {exc}")
                continue
            text = _decode(data, label, issues)
            table = tabular.csv_table(text, label, Path(member).stem, issues) if text is not None else None
            if table is not None:
                tables.append(table)
        return tables


def _read_source(source: Path | bytes, name: str, fmt: Format | None, issues: Issues,
                 into: Hospital | None) -> tuple[Parts, str]:
    if isinstance(source, Path) and source.is_dir():
        tables = []
        for path in sorted(source.glob("*.csv")):
            text = _decode(path.read_bytes(), path.name, issues)
            table = tabular.csv_table(text, path.name, path.stem, issues) if text is not None else None
            if table is not None:
                tables.append(table)
        if not tables and not issues:
            issues.error(str(source), "(folder)", None, "no .csv files in the folder")
        return tabular.read_tables(tables, issues, into), "csv"
    if isinstance(source, Path):
        try:
            raw = source.read_bytes()
        except OSError as exc:
            issues.error(str(source), "(file)", None, f"cannot read: {exc.strerror or exc}")
            return Parts(), ""
    else:
        raw = source
    if fmt in (None, "csv"):
        zipped = _csv_zip_tables(raw, name, issues)
        if zipped is not None:
            return tabular.read_tables(zipped, issues, into), "csv"
    fmt = fmt or detect_format(name, raw[:64])
    if fmt is None:
        issues.error(name, "(file)", None, "unknown format: give a .json (FHIR), .xlsx or .csv file")
        return Parts(), ""
    if fmt == "xlsx":
        return tabular.read_tables(tabular.xlsx_tables(io.BytesIO(raw), issues), issues, into), fmt
    text = _decode(raw, name, issues)
    if text is None:
        return Parts(), fmt
    if fmt == "csv":
        table = tabular.csv_table(text, name, Path(name).stem, issues)
        return tabular.read_tables([table] if table else [], issues, into), fmt
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        issues.error(name, f"line {exc.lineno} column {exc.colno}", None, f"not JSON: {exc.msg}")
        return Parts(), fmt
    return read_fhir(data, issues, into), fmt


def import_file(source: Path | str | bytes, *, into: Hospital | None = None,
                name: str | None = None, format: Format | None = None,
                history: tuple[PastOperation, ...] = ()) -> ImportResult:
    """Read ``source`` (a path, a folder of CSV files, or the bytes of a file called ``name``)
    and check everything. ``into`` is merged into: rows with a known id replace the old ones.
    ``history`` is the existing past operations (the result's history appends to them)."""
    issues = Issues()
    if isinstance(source, str):
        source = Path(source)
    label = name or (source.name if isinstance(source, Path) else "upload")
    parts, fmt = _read_source(source, label, format, issues, into)
    result = ImportResult(None, format=fmt, read=parts.count())
    if not issues and parts.is_empty():
        issues.error(label, "(file)", None,
                     "nothing to import: no resource or row the planner reads")
    if not issues:
        hospital = _merge(into, parts, label, issues, result)
        program = _program(hospital, parts, issues) if hospital is not None else None
        if not issues:
            result.hospital, result.program = hospital, program
            result.history = (*history, *parts.history)
    result.errors, result.warnings = issues.errors, issues.warnings
    if result.errors:
        result.hospital, result.program, result.history = None, None, ()
    return result


def import_or_raise(source: Path | str | bytes, **kwargs: Any) -> ImportResult:
    result = import_file(source, **kwargs)
    if not result.ok:
        raise ImportRejected(result)
    return result


# ---------------------------------------------------------------- merging and checking
def _merge(into: Hospital | None, parts: Parts, label: str, issues: Issues,
           result: ImportResult) -> Hospital | None:
    fields: dict[str, Any] = {}
    places = dict(parts.places)
    for kind, (_, key) in KINDS.items():
        existing = list(getattr(into, kind)) if into is not None else []
        position = {getattr(item, key): i for i, item in enumerate(existing)}
        for item in parts.items[kind]:
            ident = getattr(item, key)
            if ident in position:
                existing[position[ident]] = item
                result.updated[kind] = result.updated.get(kind, 0) + 1
            else:
                position[ident] = len(existing)
                existing.append(item)
                result.added[kind] = result.added.get(kind, 0) + 1
        fields[kind] = tuple(existing)
    settings = dict(parts.settings)
    if into is not None:
        for name in ("name", "today", "timezone", "allowed_overtime_min", "meta"):
            settings.setdefault(name, getattr(into, name))
    else:
        settings.setdefault("name", Path(label).stem or "Imported hospital")
        if "today" not in settings:
            issues.error(label, "today", None, "the planning date is required for a new "
                         "hospital (hospital sheet 'today', or a Bundle timestamp)")
            return None
    _check_references(fields, places, issues)
    if issues:
        return None
    try:
        return Hospital(**fields, **settings)
    except ModelError as exc:  # a rule the reference check above does not cover
        issues.from_model_error("hospital", exc)
    except TypeError as exc:
        issues.error("hospital", "(settings)", None, str(exc))
    return None


def _check_references(f: dict[str, Any], places: dict[tuple[str, str], str], issues: Issues) -> None:
    """Every broken reference at once, each named by the row or resource that holds it (the
    Hospital constructor checks the same but stops at the first)."""
    ids = {kind: {getattr(x, key) for x in f[kind]} for kind, (_, key) in KINDS.items()}
    surgeons = {x.id for x in f["staff"] if x.role is StaffRole.SURGEON}

    def check(kind: str, item: Any, attr: str, values: Any, target: str | set[str]) -> None:
        known = ids[target] if isinstance(target, str) else target
        key = getattr(item, KINDS[kind][1])
        for value in values if isinstance(values, frozenset | dict | set) else [values]:
            if value is not None and value not in known:
                what = target if isinstance(target, str) else "surgeons"
                issues.error(places.get((kind, key), f"hospital {kind} {key}"), attr, value,
                             f"unknown reference: not among the {what}")

    for x in f["equipment"]:
        check("equipment", x, "count_per_location", x.count_per_location, "locations")
    for x in f["rooms"]:
        check("rooms", x, "location_id", x.location_id, "locations")
        check("rooms", x, "specialties", x.specialties, "specialties")
        check("rooms", x, "equipment", x.equipment, "equipment")
    for x in f["staff"]:
        check("staff", x, "specialty_id", x.specialty_id, "specialties")
        check("staff", x, "location_ids", x.location_ids, "locations")
    for x in f["procedures"]:
        check("procedures", x, "specialty_id", x.specialty_id, "specialties")
        check("procedures", x, "equipment", x.equipment, "equipment")
    for x in f["referrals"]:
        check("referrals", x, "patient_id", x.patient_id, "patients")
        check("referrals", x, "procedure_code", x.procedure_code, "procedures")
        check("referrals", x, "specialty_id", x.specialty_id, "specialties")
        check("referrals", x, "surgeon_id", x.surgeon_id, surgeons)
    for x in f["sessions"]:
        check("sessions", x, "room_id", x.room_id, "rooms")
        check("sessions", x, "specialty_id", x.specialty_id, "specialties")
    for x in f["emergencies"]:
        check("emergencies", x, "patient_id", x.patient_id, "patients")
        check("emergencies", x, "procedure_code", x.procedure_code, "procedures")
        check("emergencies", x, "location_id", x.location_id, "locations")
    for x in f["cases"]:
        check("cases", x, "referral_id", x.referral_id, "referrals")


def _program(hospital: Hospital, parts: Parts, issues: Issues) -> Program | None:
    """Program entries must name a known case, session, room and member of staff."""
    if not parts.entries:
        return None
    cases = set(hospital.referral_by_id) | set(hospital.emergency_by_id)
    seen: set[str] = set()
    for e in parts.entries:
        place = f"program entry {e.case_id}"
        if e.case_id in seen:
            issues.error(place, "case_id", e.case_id, "duplicate: the case is planned twice")
        seen.add(e.case_id)
        for attr, known in (("case_id", cases), ("session_id", hospital.session_by_id),
                            ("room_id", hospital.room_by_id), ("surgeon_id", hospital.staff_by_id)):
            if getattr(e, attr) not in known:
                issues.error(place, attr, getattr(e, attr), "unknown reference")
    return Program(tuple(parts.entries), parts.program_method or "imported")


# ---------------------------------------------------------------- writing
def _atomic(writers: Sequence[tuple[Path, Callable[[Path], object]]]) -> None:
    """Write every file to a temporary name first, then move them all into place: an error
    while writing leaves the old files untouched."""
    temps = []
    try:
        for path, write in writers:
            tmp = path.with_name(f".{path.name}.importing")
            write(tmp)
            temps.append((tmp, path))
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in temps:
        os.replace(tmp, path)


def write_result(result: ImportResult, output: Path, program_output: Path | None = None) -> list[Path]:
    """Save an accepted import as native JSON (hospital, and program beside it if any)."""
    if not result.ok or result.hospital is None:
        raise ImportRejected(result)
    hospital = result.hospital
    history = result.history or None
    writers: list[tuple[Path, Callable[[Path], None]]] = [
        (output, lambda p: save_hospital(hospital, p, history))]
    if result.program is not None:
        program = result.program
        target = program_output or output.with_name(output.name.removesuffix(".json")
                                                    .removesuffix(".gz") + ".program.json")
        writers.append((target, lambda p: save_program(program, p)))
    _atomic(writers)
    return [path for path, _ in writers]


def export_bytes(hospital: Hospital, format: Format, program: Program | None = None) -> bytes:
    """The model as one file's bytes: FHIR JSON, an xlsx workbook, or a zip of CSV files."""
    if format == "fhir":
        return json.dumps(hospital_to_bundle(hospital, program), ensure_ascii=False,
                          indent=1).encode("utf-8")
    data = tabular.hospital_rows(hospital, program)
    buffer = io.BytesIO()
    if format == "xlsx":
        tabular.write_xlsx(data, buffer)
    elif format == "csv":
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for sheet, rows in data.items():
                zf.writestr(f"{sheet}.csv", tabular.csv_text(rows))
    else:
        raise ModelError("format", format, "must be fhir, xlsx or csv")
    return buffer.getvalue()


def export_to_path(hospital: Hospital, format: Format, output: Path,
                   program: Program | None = None) -> list[Path]:
    """Write the export atomically: a file for fhir and xlsx, a folder of CSV files for csv
    (or a zip when ``output`` ends in .zip)."""
    if format == "csv" and output.suffix.lower() != ".zip":
        data = tabular.hospital_rows(hospital, program)
        output.mkdir(parents=True, exist_ok=True)
        writers = [(output / f"{sheet}.csv",
                    lambda p, rows=rows: p.write_text(tabular.csv_text(rows), encoding="utf-8"))
                   for sheet, rows in data.items()]
        _atomic(writers)
        return [p for p, _ in writers]
    payload = export_bytes(hospital, format, program)
    _atomic([(output, lambda p: p.write_bytes(payload))])
    return [output]
