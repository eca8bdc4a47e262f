"""Hand-made Norwegian-profile resources (no-basis Patient, Practitioner, Organization and a
Helsenorge-style ServiceRequest) that are in no fixture file: each imports, or is rejected,
exactly as the identifier policy in docs/integration.md says.

The identifiers were made for this file (check digits computed by hand from the weights in
NORWAY.md §2.1), so the tests judge the policy, not a memory of the fixtures:

| value       | what it is                                            | policy               |
|-------------|-------------------------------------------------------|----------------------|
| 24118731960 | FNR, 24 Nov 1987, individual 319                      | accept               |
| 09047112327 | FNR, 9 Apr 1971                                       | accept               |
| 48069245636 | D-nummer, 8 Jun 1992 (day + 40)                       | accept               |
| 24118731961 | the first FNR with its last digit changed             | reject               |
| 24118731690 | the first FNR with the check digits swapped           | reject               |
| 30028720595 | right check digits, 30 February 1987                  | accept with warning  |
| 983172458   | organisasjonsnummer, mod 11 right                     | accept               |
| 983172459   | the same with a wrong check digit                     | reject               |
| 913527810   | first eight digits give check digit 10: no such number | reject               |
| 4829157     | HPR-nummer                                            | accept               |
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kontrolltarn.cli.main import app
from kontrolltarn.formats.importer import ImportResult, import_file
from kontrolltarn.formats.native import save_hospital
from kontrolltarn.model import Priority, StaffRole
from tests.formats.hospital_strategies import tiny_hospital

FNR = "urn:oid:2.16.578.1.12.4.1.4.1"
DNR = "urn:oid:2.16.578.1.12.4.1.4.2"
HPR = "urn:oid:2.16.578.1.12.4.1.4.4"
ORGNR = "urn:oid:2.16.578.1.12.4.1.4.101"
NKPK = "urn:oid:2.16.578.1.12.4.1.1.7275"
NO_BASIS = "http://hl7.no/fhir/StructureDefinition/"
HELSENORGE = "http://helsenorge.no/fhir/StructureDefinition/"
KOMMUNE = "urn:oid:2.16.578.1.12.4.1.1.3402"


def _mod11(value: str, weights: tuple[int, ...]) -> bool:
    return sum(int(c) * w for c, w in zip(value, weights, strict=True)) % 11 == 0


def _person_ok(value: str) -> bool:
    return (_mod11(value[:10], (3, 7, 6, 1, 8, 9, 4, 5, 2, 1))
            and _mod11(value, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)))


def test_the_hand_made_numbers_are_what_the_table_says() -> None:
    """The oracle here is the weighted sums themselves, not the module under test."""
    for good in ("24118731960", "09047112327", "48069245636", "30028720595"):
        assert _person_ok(good), good
    for bad in ("24118731961", "24118731690"):
        assert not _person_ok(bad), bad
    assert (11 - sum(int(c) * w for c, w in zip("98317245", (3, 2, 7, 6, 5, 4, 3, 2),
                                                 strict=True)) % 11) % 11 == 8
    assert (11 - sum(int(c) * w for c, w in zip("91352781", (3, 2, 7, 6, 5, 4, 3, 2),
                                                 strict=True)) % 11) % 11 == 10


# ---------------------------------------------------------------- resources
def patient(pid: str, system: str, value: str, birth: str | None = None,
            gender: str = "female") -> dict[str, Any]:
    """A no-basis Patient as a Norwegian EPR would send it: name, municipality on the address."""
    resource: dict[str, Any] = {
        "resourceType": "Patient", "id": pid,
        "meta": {"profile": [NO_BASIS + "no-basis-Patient"]},
        "identifier": [{"use": "official", "system": system, "value": value}],
        "name": [{"family": "Nordmann", "given": ["Ingrid", "Marie"]}],
        "gender": gender,
        "address": [{"use": "home", "line": ["Storgata 12"], "postalCode": "9008",
                     "city": "Tromsø", "country": "NO",
                     "extension": [{"url": NO_BASIS + "no-basis-municipalitycode",
                                    "valueCoding": {"system": KOMMUNE, "code": "5501",
                                                    "display": "Tromsø"}}]}],
    }
    if birth is not None:
        resource["birthDate"] = birth
    return resource


def practitioner(pid: str, hpr_value: str, system: str = HPR) -> list[dict[str, Any]]:
    """A no-basis Practitioner with an HPR number and a surgeon PractitionerRole."""
    return [
        {"resourceType": "Practitioner", "id": pid,
         "meta": {"profile": [NO_BASIS + "no-basis-Practitioner"]},
         "identifier": [{"system": system, "value": hpr_value}],
         "name": [{"family": "Berg", "given": ["Håkon"]}], "gender": "male"},
        {"resourceType": "PractitionerRole", "id": f"{pid}-rolle",
         "meta": {"profile": [NO_BASIS + "no-basis-PractitionerRole"]},
         "practitioner": {"reference": f"Practitioner/{pid}"},
         "code": [{"coding": [{"system": "http://snomed.info/sct", "code": "304292004",
                               "display": "Surgeon"}]}],
         "specialty": [{"coding": [{"code": "ORT", "display": "Ortopedi"}]}],
         "location": [{"reference": "Location/SEN"}]},
    ]


def organization(oid: str, value: str) -> dict[str, Any]:
    return {"resourceType": "Organization", "id": oid,
            "meta": {"profile": [NO_BASIS + "no-basis-Organization"]},
            "identifier": [{"system": ORGNR, "value": value}],
            "name": "Ortopedisk poliklinikk, Testsykehuset", "active": True}


def waiting_request(rid: str, subject_value: str, subject_system: str = FNR,
                    deadline: str = "2026-06-30T00:00:00+02:00") -> dict[str, Any]:
    """A Helsenorge-style referral: subject by identifier only, dates as valueDateTime."""
    return {
        "resourceType": "ServiceRequest", "id": rid,
        "meta": {"profile": ["http://helsenorge.no/fhir/StructureDefinition/hn-basis-serviceRequest"]},
        "extension": [
            {"url": HELSENORGE + "no-ansiennitets-dato", "valueDateTime": "2026-01-12T09:30:00+01:00"},
            {"url": HELSENORGE + "no-mottatt-dato", "valueDateTime": "2026-01-12T09:30:00+01:00"},
            {"url": HELSENORGE + "no-frist-for-helsehjelp", "valueDateTime": deadline},
        ],
        "status": "active", "intent": "order", "priority": "urgent",
        "code": {"coding": [{"system": NKPK, "code": "NFB49", "display": "Hofteprotese"}]},
        "subject": {"identifier": {"system": subject_system, "value": subject_value}},
    }


def bundle(*resources: dict[str, Any]) -> bytes:
    entries = [{"fullUrl": f"{r['resourceType']}/{r['id']}", "resource": r} for r in resources]
    return json.dumps({"resourceType": "Bundle", "type": "collection",
                       "timestamp": "2026-03-02T08:00:00+01:00", "entry": entries},
                      ensure_ascii=False).encode("utf-8")


def run(*resources: dict[str, Any], into: bool = False) -> ImportResult:
    return import_file(bundle(*resources), name="profil.json",
                       into=tiny_hospital() if into else None)


def rejected_naming(result: ImportResult, place: str, field: str, value: str) -> str:
    """The error about ``value``; asserts nothing was accepted and the message names all three."""
    assert not result.ok and result.hospital is None and result.program is None
    matching = [str(e) for e in result.errors if value in str(e)]
    assert matching, [str(e) for e in result.errors]
    assert place in matching[0] and field in matching[0], matching[0]
    return matching[0]


def warned(result: ImportResult, text: str) -> list[str]:
    return [str(w) for w in result.warnings if text in str(w)]


# ---------------------------------------------------------------- Patient
def test_patient_with_fnr_and_birth_date_imports_with_the_number() -> None:
    result = run(patient("pas-a", FNR, "24118731960", "1987-11-24"))
    assert result.ok, [str(e) for e in result.errors]
    assert result.hospital is not None
    got = result.hospital.patient_by_id["pas-a"]
    assert (got.national_id, got.birth_date, got.sex) == ("24118731960", date(1987, 11, 24), "F")
    assert not warned(result, "24118731960")  # a correct number draws no remark
    assert warned(result, "ASA class or BMI not given")  # the documented default is visible


def test_patient_with_fnr_only_takes_the_birth_date_from_the_number() -> None:
    result = run(patient("pas-b", FNR, "09047112327", gender="male"))
    assert result.ok, [str(e) for e in result.errors]
    assert result.hospital is not None
    got = result.hospital.patient_by_id["pas-b"]
    assert (got.birth_date, got.sex) == (date(1971, 4, 9), "M")
    assert any("Patient/pas-b" in w and "birthDate" in w for w in warned(result, "taken from"))


def test_patient_with_d_number_imports_and_decodes_day_plus_40() -> None:
    result = run(patient("pas-d", DNR, "48069245636"))
    assert result.ok, [str(e) for e in result.errors]
    assert result.hospital is not None
    got = result.hospital.patient_by_id["pas-d"]
    assert (got.national_id, got.birth_date) == ("48069245636", date(1992, 6, 8))


def test_birth_date_that_contradicts_the_number_is_a_warning() -> None:
    result = run(patient("pas-e", FNR, "24118731960", "1987-11-25"))
    assert result.ok
    assert any("Patient/pas-e" in w for w in warned(result, "differs from the date"))


@pytest.mark.parametrize("value", ["24118731961", "24118731690"])
def test_patient_with_a_bad_check_digit_is_rejected(value: str) -> None:
    result = run(patient("pas-c", FNR, value, "1987-11-24"),
                 patient("pas-a", FNR, "24118731960", "1987-11-24"))
    message = rejected_naming(result, "Patient/pas-c", "identifier[0].value", value)
    assert "check digits" in message
    assert len(result.errors) == 1  # the good patient beside it is not blamed


def test_d_number_with_a_bad_check_digit_is_rejected() -> None:
    result = run(patient("pas-dx", DNR, "48069245637"))
    rejected_naming(result, "Patient/pas-dx", "identifier[0].value", "48069245637")


def test_fnr_under_the_d_number_system_is_rejected() -> None:
    """A valid FNR sent as a D-number: the first digit cannot be a day + 40."""
    result = run(patient("pas-x", DNR, "24118731960"))
    assert "4-7" in rejected_naming(result, "Patient/pas-x", "identifier[0].value", "24118731960")


def test_right_check_digits_and_impossible_date_is_accepted_with_a_warning() -> None:
    result = run(patient("pas-f", FNR, "30028720595", "1987-02-28"))
    assert result.ok, [str(e) for e in result.errors]
    assert result.hospital is not None
    assert result.hospital.patient_by_id["pas-f"].national_id == "30028720595"
    notes = warned(result, "30028720595")
    assert notes and "Patient/pas-f" in notes[0] and "identifier[0].value" in notes[0]
    assert "no calendar date" in notes[0]
    assert not any("30028720595" in str(e) for e in result.errors)


def test_impossible_date_number_cannot_stand_in_for_the_birth_date() -> None:
    """Accepted as an identifier, but it gives no birth date: without birthDate the Patient
    lacks a required fact and is rejected for that (naming birthDate), not for the number."""
    result = run(patient("pas-g", FNR, "30028720595"))
    assert not result.ok
    assert [e.field for e in result.errors] == ["birthDate"]
    assert "Patient/pas-g" in result.errors[0].place
    assert warned(result, "30028720595")


# ---------------------------------------------------------------- Practitioner
@pytest.mark.parametrize("system", [HPR, "http://hl7.no/fhir/NamingSystem/HPR"])
def test_practitioner_with_hpr_becomes_a_surgeon_with_the_number(system: str) -> None:
    result = run(*practitioner("lege-1", "4829157", system), into=True)
    assert result.ok, [str(e) for e in result.errors]
    assert result.hospital is not None
    staff = result.hospital.staff_by_id["lege-1"]
    assert (staff.role, staff.specialty_id, staff.hpr) == (StaffRole.SURGEON, "ORT", "4829157")
    assert staff.name == "Håkon Berg" and staff.location_ids == frozenset({"SEN"})
    assert result.added.get("staff") == 1


@pytest.mark.parametrize("value", ["48291A7", "48291570123"])
def test_practitioner_with_a_malformed_hpr_is_rejected(value: str) -> None:
    result = run(*practitioner("lege-2", value), into=True)
    rejected_naming(result, "Practitioner/lege-2", "identifier[0].value", value)


# ---------------------------------------------------------------- Organization
def test_organization_with_a_valid_orgnr_is_accepted() -> None:
    result = run(organization("org-1", "983172458"), patient("pas-a", FNR, "24118731960",
                                                             "1987-11-24"))
    assert result.ok, [str(e) for e in result.errors]
    assert not warned(result, "983172458")


@pytest.mark.parametrize("value", ["983172459", "913527810", "98317245"])
def test_organization_with_a_bad_orgnr_is_rejected(value: str) -> None:
    result = run(organization("org-2", value), patient("pas-a", FNR, "24118731960", "1987-11-24"))
    rejected_naming(result, "Organization/org-2", "identifier[0].value", value)


# ---------------------------------------------------------------- ServiceRequest
def test_referral_with_subject_by_fnr_only_finds_the_patient_in_the_file() -> None:
    result = run(patient("pas-a", FNR, "24118731960", "1987-11-24"),
                 waiting_request("henv-1", "24118731960"), into=True)
    assert result.ok, [str(e) for e in result.errors]
    assert result.hospital is not None
    ref = result.hospital.referral_by_id["henv-1"]
    assert ref.patient_id == "pas-a" and ref.procedure_code == "NFB49"
    assert ref.specialty_id == "ORT" and ref.priority is Priority.P2  # urgent
    assert ref.referral_date == date(2026, 1, 12)
    assert ref.deadline == date(2026, 6, 30) and type(ref.deadline) is date
    assert ref.booked_min == 120  # the procedure's median, with a warning
    assert warned(result, "booked minutes not given")


def test_deadline_is_the_local_date_in_the_hospital_time_zone() -> None:
    """23:30 UTC on 29 June is 30 June in Oslo: the legal deadline is the Norwegian date."""
    result = run(patient("pas-a", FNR, "24118731960", "1987-11-24"),
                 waiting_request("henv-2", "24118731960", deadline="2026-06-29T23:30:00Z"),
                 into=True)
    assert result.ok, [str(e) for e in result.errors]
    assert result.hospital is not None
    assert result.hospital.referral_by_id["henv-2"].deadline == date(2026, 6, 30)


def test_referral_with_subject_by_fnr_finds_a_patient_already_in_the_hospital() -> None:
    result = run(waiting_request("henv-3", "21030550231"), into=True)  # P1 of the tiny hospital
    assert result.ok, [str(e) for e in result.errors]
    assert result.hospital is not None
    assert result.hospital.referral_by_id["henv-3"].patient_id == "P1"


def test_referral_for_an_unknown_fnr_is_rejected() -> None:
    result = run(waiting_request("henv-4", "09047112327"), into=True)
    rejected_naming(result, "ServiceRequest/henv-4", "subject.identifier.value", "09047112327")


def test_referral_for_a_patient_whose_fnr_was_rejected_names_both() -> None:
    result = run(patient("pas-c", FNR, "24118731961", "1987-11-24"),
                 waiting_request("henv-5", "24118731961"), into=True)
    places = {e.place.split()[-1] for e in result.errors}
    assert {"Patient/pas-c", "ServiceRequest/henv-5"} <= places
    assert result.hospital is None


def test_rejected_profile_bundle_writes_nothing(tmp_path: Path) -> None:
    """Through the CLI: exit 1, the error printed, the hospital file byte for byte unchanged."""
    from kontrolltarn.cli.main import _register

    if not any(c.name == "import" for c in app.registered_commands):
        _register()
    target = tmp_path / "h.json"
    save_hospital(tiny_hospital(), target)
    before = target.read_bytes()
    upload = tmp_path / "profil.json"
    upload.write_bytes(bundle(patient("pas-a", FNR, "24118731960", "1987-11-24"),
                              *practitioner("lege-1", "4829157"),
                              organization("org-2", "983172459"),
                              waiting_request("henv-1", "24118731960")))
    out = CliRunner().invoke(app, ["import", str(upload), "--into", str(target),
                                   "-o", str(target)])
    assert out.exit_code == 1
    assert "Organization/org-2" in out.output and "983172459" in out.output
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.json", "profil.json"]
