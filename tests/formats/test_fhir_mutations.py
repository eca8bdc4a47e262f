"""A hundred broken files (FHIR here, spreadsheets in test_tabular_mutations.py): each one is
rejected with an error naming the resource or row and the field, and nothing is written."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kontrolltarn.cli.main import app
from kontrolltarn.formats.fhir import hospital_to_bundle
from kontrolltarn.formats.fhir import systems as s
from kontrolltarn.formats.importer import import_file
from kontrolltarn.formats.native import save_hospital
from kontrolltarn.model import Hospital
from tests.formats.hospital_strategies import simple_program, tiny_hospital

Bundle = dict[str, Any]
BASE = tiny_hospital()
BASE_BUNDLE = hospital_to_bundle(BASE, simple_program(BASE, "mutations"))


def res(b: Bundle, kind: str, rid: str) -> dict[str, Any]:
    return next(e["resource"] for e in b["entry"]
                if e["resource"]["resourceType"] == kind and e["resource"].get("id") == rid)


def ext_of(resource: dict[str, Any], url: str) -> dict[str, Any]:
    return next(e for e in resource["extension"] if e["url"] == url)


def sub(resource: dict[str, Any], url: str, key: str, field: str, value: Any,
        where: Callable[[dict[str, Any]], bool] = lambda e: True) -> None:
    """Set a part of the first complex extension ``url`` that ``where`` accepts."""
    for e in resource["extension"]:
        if e["url"] == url and where(e):
            part = next(p for p in e["extension"] if p["url"] == key)
            part.clear()
            part.update({"url": key, field: value})
            return
    raise KeyError(url)


def _copy_entry(b: Bundle, kind: str, rid: str, new_id: str | None = None) -> None:
    entry = copy.deepcopy(next(e for e in b["entry"] if e["resource"]["resourceType"] == kind
                               and e["resource"]["id"] == rid))
    if new_id:
        entry["resource"]["id"] = new_id
        entry["fullUrl"] = f"{kind}/{new_id}"
    b["entry"].append(entry)


def _is_proc(code: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: any(p.get("valueString") == code for p in e["extension"] if p["url"] == "code")


def _patient(b: Bundle, **changes: Any) -> None:
    res(b, "Patient", "P1").update(changes)


def _fnr(b: Bundle, rid: str, value: str, system: str = s.FNR_SYSTEM) -> None:
    identifiers = res(b, "Patient", rid)["identifier"]
    identifiers[1] = {"system": system, "value": value}


# (case id, mutation on a deep copy of the bundle, text the place must contain, text the field must contain)
MUTATIONS: list[tuple[str, Callable[[Bundle], Any], str, str]] = [
    ("fnr-last-digit", lambda b: _fnr(b, "P1", "21030550232"), "Patient/P1", "identifier"),
    ("fnr-swapped", lambda b: _fnr(b, "P2", "31031353453"), "Patient/P2", "identifier"),
    ("fnr-too-short", lambda b: _fnr(b, "P1", "2103055023"), "Patient/P1", "identifier"),
    ("fnr-masked", lambda b: _fnr(b, "P1", "210305xxxxx"), "Patient/P1", "identifier"),
    ("dnr-bad-check", lambda b: _fnr(b, "P2", "41010112345", s.DNR_SYSTEM), "Patient/P2", "identifier"),
    ("birthdate-month-13", lambda b: _patient(b, birthDate="1970-13-01"), "Patient/P1", "birthDate"),
    ("birthdate-number", lambda b: _patient(b, birthDate=19700101), "Patient/P1", "birthDate"),
    ("birthdate-missing-no-fnr", lambda b: (res(b, "Patient", "P1").pop("birthDate"),
                                            res(b, "Patient", "P1")["identifier"].pop()),
     "Patient/P1", "birthDate"),
    ("gender-norwegian", lambda b: _patient(b, gender="kvinne"), "Patient/P1", "gender"),
    ("asa-9", lambda b: ext_of(res(b, "Patient", "P1"), s.EXT_ASA).update(valueInteger=9),
     "Patient/P1", "asa"),
    ("bmi-text", lambda b: ext_of(res(b, "Patient", "P1"), s.EXT_BMI).update(valueDecimal="tjue"),
     "Patient/P1", "valueDecimal"),
    ("patient-unknown-element", lambda b: _patient(b, favouriteColour="blue"), "Patient/P1",
     "favouriteColour"),
    ("patient-duplicate", lambda b: _copy_entry(b, "Patient", "P1"), "Patient/P1", "id"),
    ("sr-subject-unknown", lambda b: res(b, "ServiceRequest", "R1").update(
        subject={"reference": "Patient/NOPE"}), "ServiceRequest/R1", "subject"),
    ("sr-subject-missing", lambda b: res(b, "ServiceRequest", "R1").pop("subject"),
     "ServiceRequest/R1", "subject"),
    ("sr-subject-contained", lambda b: res(b, "ServiceRequest", "R1").update(
        subject={"reference": "#p"}), "ServiceRequest/R1", "subject"),
    ("sr-code-unknown", lambda b: res(b, "ServiceRequest", "R1")["code"]["coding"][0].update(
        code="ZZZ99"), "ServiceRequest/R1", "code"),
    ("sr-code-missing", lambda b: res(b, "ServiceRequest", "R1").pop("code"),
     "ServiceRequest/R1", "code"),
    ("sr-deadline-missing", lambda b: res(b, "ServiceRequest", "R1")["extension"].remove(
        ext_of(res(b, "ServiceRequest", "R1"), s.HN_DEADLINE)), "ServiceRequest/R1", "frist"),
    ("sr-deadline-before-referral", lambda b: ext_of(res(b, "ServiceRequest", "R1"), s.HN_DEADLINE)
     .update(valueDateTime="2025-01-01"), "ServiceRequest/R1", "deadline"),
    ("sr-deadline-garbage", lambda b: ext_of(res(b, "ServiceRequest", "R1"), s.HN_DEADLINE)
     .update(valueDateTime="snart"), "ServiceRequest/R1", "valueDateTime"),
    ("sr-priority-unknown", lambda b: res(b, "ServiceRequest", "R1").update(priority="whenever")
     or ext_of(res(b, "ServiceRequest", "R1"), s.EXT_PRIORITY).update(valueInteger=7),
     "ServiceRequest/R1", "priority"),
    ("sr-fhir-priority-unknown", lambda b: (res(b, "ServiceRequest", "R2")["extension"].remove(
        ext_of(res(b, "ServiceRequest", "R2"), s.EXT_PRIORITY)),
        res(b, "ServiceRequest", "R2").update(priority="whenever")), "ServiceRequest/R2", "priority"),
    ("sr-booked-zero", lambda b: ext_of(res(b, "ServiceRequest", "R1"), s.EXT_BOOKED_MIN)
     .update(valueInteger=0), "ServiceRequest/R1", "booked_min"),
    ("sr-authored-missing", lambda b: res(b, "ServiceRequest", "R1").pop("authoredOn"),
     "ServiceRequest/R1", "authoredOn"),
    ("sr-performer-unknown", lambda b: res(b, "ServiceRequest", "R1").update(
        performer=[{"reference": "Practitioner/NOPE"}]), "ServiceRequest/R1", "performer"),
    ("sr-performer-not-surgeon", lambda b: res(b, "ServiceRequest", "R1").update(
        performer=[{"reference": "Practitioner/A1"}]), "ServiceRequest/R1", "surgeon"),
    ("sr-readiness-unknown", lambda b: res(b, "ServiceRequest", "R1")["extension"].append(
        {"url": s.EXT_READINESS, "valueCode": "coffee"}), "ServiceRequest/R1", "readiness"),
    ("sr-status-number", lambda b: res(b, "ServiceRequest", "R1").update(status=5),
     "ServiceRequest/R1", "status"),
    ("sr-duplicate", lambda b: _copy_entry(b, "ServiceRequest", "R1"), "ServiceRequest/R1", "id"),
    ("sr-same-referral-twice", lambda b: _copy_entry(b, "ServiceRequest", "R1", "R1copy"),
     "ServiceRequest/R1copy", "referrals.id"),
    ("room-site-unknown", lambda b: res(b, "Location", "SEN-OR1").update(
        partOf={"reference": "Location/NOPE"}), "Location/SEN-OR1", "partOf"),
    ("room-no-specialty", lambda b: res(b, "Location", "SEN-OR1").update(
        extension=[e for e in res(b, "Location", "SEN-OR1")["extension"]
                   if e["url"] != s.EXT_ROOM_SPECIALTY]), "Location/SEN-OR1", "room-specialty"),
    ("room-specialty-unknown", lambda b: ext_of(res(b, "Location", "SEN-OR1"), s.EXT_ROOM_SPECIALTY)
     .update(valueCode="XXX"), "Location/SEN-OR1", "specialties"),
    ("room-equipment-unknown", lambda b: res(b, "Location", "SEN-OR1")["extension"].append(
        {"url": s.EXT_ROOM_EQUIPMENT, "valueCode": "ROBOT"}), "Location/SEN-OR1", "equipment"),
    ("site-beds-negative", lambda b: sub(res(b, "Location", "SEN"), s.EXT_POST_OP_BEDS, "count",
                                         "valueInteger", -3), "Location/SEN", "post_op_beds"),
    ("site-beds-unknown-type", lambda b: sub(res(b, "Location", "SEN"), s.EXT_POST_OP_BEDS,
                                             "bedType", "valueString", "sofa"), "Location/SEN",
     "post-op-beds"),
    ("slot-schedule-unknown", lambda b: res(b, "Slot", "X1").update(
        schedule={"reference": "Schedule/NOPE"}), "Slot/X1", "schedule"),
    ("slot-end-before-start", lambda b: res(b, "Slot", "X1").update(
        end="2026-03-03T07:00:00+01:00"), "Slot/X1", "end_min"),
    ("slot-start-no-offset", lambda b: res(b, "Slot", "X1").update(start="2026-03-03T08:00:00"),
     "Slot/X1", "start"),
    ("slot-start-garbage", lambda b: res(b, "Slot", "X1").update(start="i morgen"), "Slot/X1", "start"),
    ("slot-duplicate", lambda b: _copy_entry(b, "Slot", "X1"), "Slot/X1", "id"),
    ("slot-specialty-unknown-is-added-but-room-rejects", lambda b: res(b, "Slot", "X1").update(
        schedule={"reference": "Schedule/NOPE2"}), "Slot/X1", "schedule"),
    ("schedule-actor-unknown", lambda b: res(b, "Schedule", "SEN-OR1").update(
        actor=[{"reference": "Location/NOPE"}]), "Schedule/SEN-OR1", "actor"),
    ("hpr-letters", lambda b: res(b, "Practitioner", "S1")["identifier"][1].update(value="12ab"),
     "Practitioner/S1", "identifier"),
    ("role-practitioner-unknown", lambda b: res(b, "PractitionerRole", "S1").update(
        practitioner={"reference": "Practitioner/NOPE"}), "PractitionerRole/S1", "practitioner"),
    ("role-surgeon-without-specialty", lambda b: res(b, "PractitionerRole", "S1").pop("specialty"),
     "Practitioner/S1", "specialty"),
    ("role-location-unknown", lambda b: res(b, "PractitionerRole", "S1").update(
        location=[{"reference": "Location/NOPE"}]), "PractitionerRole/S1", "location"),
    ("role-unknown-code-leaves-surgeon-missing", lambda b: res(b, "PractitionerRole", "S1")
     ["code"][0]["coding"][0].update(code="wizard"), "Appointment/R1", "participant"),
    ("specialty-turnover-negative", lambda b: sub(res(b, "Organization", "hospital"),
                                                  s.EXT_SPECIALTY, "turnover", "valueInteger", -5),
     "Organization/hospital", "turnover"),
    ("procedure-sigma-5", lambda b: sub(res(b, "Organization", "hospital"), s.EXT_PROCEDURE,
                                        "sigma", "valueDecimal", 5.0, _is_proc("NFB49")),
     "Organization/hospital", "sigma"),
    ("procedure-specialty-unknown", lambda b: sub(res(b, "Organization", "hospital"),
                                                  s.EXT_PROCEDURE, "specialty", "valueString",
                                                  "NOPE", _is_proc("NFB49")),
     "Organization/hospital", "specialty_id"),
    ("procedure-bed-unknown", lambda b: sub(res(b, "Organization", "hospital"), s.EXT_PROCEDURE,
                                            "bedType", "valueString", "sofa", _is_proc("JKA21")),
     "Organization/hospital", "procedure"),
    ("hospital-today-impossible", lambda b: sub(res(b, "Organization", "hospital"), s.EXT_HOSPITAL,
                                                "today", "valueDate", "2026-02-30"),
     "Organization/hospital", "valueDate"),
    ("hospital-meta-not-json", lambda b: sub(res(b, "Organization", "hospital"), s.EXT_HOSPITAL,
                                             "meta", "valueString", "{oops"),
     "Organization/hospital", "hospital"),
    ("orgnr-bad", lambda b: res(b, "Organization", "hospital").update(
        identifier=[{"system": s.ORGNR_SYSTEM, "value": "993467048"}]),
     "Organization/hospital", "identifier"),
    ("appointment-case-unknown", lambda b: res(b, "Appointment", "R1").update(
        basedOn=[{"reference": "ServiceRequest/NOPE"}]), "Appointment/R1", "basedOn"),
    ("appointment-slot-unknown", lambda b: res(b, "Appointment", "R1").update(
        slot=[{"reference": "Slot/NOPE"}]), "Appointment/R1", "slot"),
    ("appointment-duration-zero", lambda b: res(b, "Appointment", "R1").update(minutesDuration=0),
     "Appointment/R1", "minutesDuration"),
    ("appointment-same-case-twice", lambda b: _copy_entry(b, "Appointment", "R1", "R1again"),
     "Appointment/R1", "basedOn"),
    ("bundle-response", lambda b: b.update(type="batch-response"), "Bundle", "type"),
    ("entry-not-object", lambda b: b["entry"].insert(3, 42), "Bundle.entry[3]", "entry"),
    ("entry-misspelt-type", lambda b: b["entry"].append({"resource": {"resourceType": "Pateint",
                                                                      "id": "x"}}),
     "Pateint", "resourceType"),
    ("entry-without-resource", lambda b: b["entry"].append({"fullUrl": "urn:uuid:1"}),
     "Bundle.entry", "resource"),
    ("entry-not-list", lambda b: b.update(entry={"resource": {}}), "Bundle", "entry"),
    ("entry-delete", lambda b: b["entry"].append({"request": {"method": "DELETE",
                                                              "url": "Patient/P1"}}),
     "Bundle.entry", "request.method"),
]
RAW_MUTATIONS: list[tuple[str, Callable[[bytes], bytes], str, str]] = [
    ("json-truncated", lambda raw: raw[: len(raw) // 2], "bundle.json", "line"),
    ("json-latin1", lambda raw: raw.replace(b"Kari", "Kåri".encode("latin-1")),
     "bundle.json", "byte"),
    ("json-not-object", lambda raw: b"[" + raw + b"]", "document", "resourceType"),
    ("json-empty", lambda raw: b"", "bundle.json", "line 1"),
]


def _hospital_file(tmp_path: Path, hospital: Hospital = BASE) -> Path:
    path = tmp_path / "base.json"
    save_hospital(hospital, path)
    return path


def _assert_rejected_and_nothing_written(tmp_path: Path, payload: bytes, name: str,
                                         place: str, field: str) -> None:
    result = import_file(payload, name=name, into=BASE)
    assert not result.ok and result.hospital is None
    assert any(place in e.place and field in e.field for e in result.errors), \
        [str(e) for e in result.errors]
    # the same file through the command: exit 1, every error shown, nothing written
    source = tmp_path / name
    source.write_bytes(payload)
    into = _hospital_file(tmp_path)
    output = tmp_path / "out.json"
    output.write_text("previous contents")
    before = sorted(p.name for p in tmp_path.iterdir())
    run = CliRunner().invoke(app, ["import", str(source), "--into", str(into), "-o", str(output)])
    assert run.exit_code == 1, run.output
    assert "nothing was written" in run.output and place in run.output
    assert output.read_text() == "previous contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.fixture(scope="module", autouse=True)
def _commands() -> None:
    from kontrolltarn.cli.main import _register

    if not any(c.name == "import" for c in app.registered_commands):
        _register()


def test_the_unbroken_bundle_imports() -> None:
    payload = json.dumps(BASE_BUNDLE).encode()
    result = import_file(payload, name="bundle.json", into=BASE)
    assert result.ok and result.hospital == BASE


@pytest.mark.parametrize("case,mutate,place,field", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_broken_bundle_is_rejected(tmp_path: Path, case: str, mutate: Callable[[Bundle], Any],
                                   place: str, field: str) -> None:
    bundle = copy.deepcopy(BASE_BUNDLE)
    mutate(bundle)
    _assert_rejected_and_nothing_written(tmp_path, json.dumps(bundle).encode(), "bundle.json",
                                         place, field)


@pytest.mark.parametrize("case,mutate,place,field", RAW_MUTATIONS, ids=[m[0] for m in RAW_MUTATIONS])
def test_broken_file_is_rejected(tmp_path: Path, case: str, mutate: Callable[[bytes], bytes],
                                 place: str, field: str) -> None:
    raw = json.dumps(BASE_BUNDLE, ensure_ascii=False).encode("utf-8")
    _assert_rejected_and_nothing_written(tmp_path, mutate(raw), "bundle.json", place, field)
