"""Every file in ../shared/fixtures/fhir/ is imported or rejected as docs/integration.md says.

Two layers: a table of the outcome for the files we know, and policy checks that hold for
any file, so Norwegian examples never seen (drop them in the folder, or point
KONTROLLTARN_FHIR_EXAMPLES at another folder) are judged by the same rules.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kontrolltarn.formats.importer import import_file

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "fhir"
FOLDERS = [FIXTURES, *[Path(p) for p in os.environ.get("KONTROLLTARN_FHIR_EXAMPLES", "")
                       .split(os.pathsep) if p]]
FILES = sorted(p for folder in FOLDERS if folder.is_dir() for p in folder.rglob("*.json"))

if not FILES and os.environ.get("CI") != "true":
    pytest.skip(f"FHIR fixtures not found at {FIXTURES}", allow_module_level=True)

NOTHING = "nothing to import"
# file name -> None (imported) or a text the first error must contain (rejected)
KNOWN = {
    "Appointment-2docs.json": NOTHING,  # no basedOn/slot: not a planned operation
    "Appointment-example.json": "ServiceRequest/myringotomy",  # dangling basedOn
    "Appointment-examplereq.json": "basedOn[0]",
    "Bundle-bundle-example.json": NOTHING,  # medications only
    "Bundle-bundle-references.json": "duplicate",  # Patient/45 twice (versions)
    "Bundle-bundle-response.json": "transaction-response",
    "Bundle-bundle-transaction.json": "DELETE",
    "Location-1.json": None,  # a wing: a site
    "Location-2.json": "partOf",  # operating room whose site is not in the file
    "Location-amb.json": NOTHING, "Location-hl7.json": None, "Location-ph.json": NOTHING,
    "Location-ukp.json": NOTHING,
    "Patient-example.json": None, "Patient-f001.json": None, "Patient-f201.json": None,
    "Patient-pat1.json": "birthDate", "Patient-pat2.json": "birthDate",
    "PractitionerRole-example.json": "practitioner",
    "Schedule-example.json": "Location/1", "Schedule-exampleloc1.json": "Location/3",
    "Schedule-exampleloc2.json": "Location/2",
    "ServiceRequest-myringotomy.json": "Patient/77662",
    "Slot-1.json": "Schedule/example", "Slot-2.json": "Schedule/example",
    "Slot-3.json": "Schedule/example", "Slot-example.json": "Schedule/example",
    "Appointment-d6c523ec-b520-4221-a8d6-c1c58911ce7a.json": NOTHING,
    "Patient-e70f0ba2-44d8-4f14-9c3a-ff4c6ead7473.json": "birthDate",
    "Bundle-Bundle-Scenario-Sykehjem-Oksykodon.json": None,
}
for name in ("1", "2", "3", "f001", "f002", "f003", "f201", "f203", "hl7", "mmanu"):
    KNOWN[f"Organization-{name}.json"] = NOTHING  # no identifier of ours fails: just unused
for name in ("example", "f001", "f002", "f201", "f202", "f203", "f204"):
    KNOWN[f"Practitioner-{name}.json"] = NOTHING  # no operating-room role
for name in ("appendectomy-narrative", "colonoscopy", "example", "physiotherapy"):
    KNOWN[f"ServiceRequest-{name}.json"] = NOTHING  # completed: not waiting
for name in ("appendectomy-narrative", "biopsy", "colonoscopy", "example", "f001", "f201"):
    KNOWN[f"Procedure-{name}.json"] = "subject"  # the patient is not in the file

PERSON_SYSTEMS = {"urn:oid:2.16.578.1.12.4.1.4.1", "urn:oid:2.16.578.1.12.4.1.4.2"}
ORGNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.101"
READ = {"Organization", "Location", "Practitioner", "PractitionerRole", "Patient",
        "ServiceRequest", "Schedule", "Slot", "Appointment", "Procedure"}


def _mod11_ok(value: str, weights: tuple[int, ...]) -> bool:
    """Independent oracle (NORWAY.md §2.1): the weighted sum must be divisible by 11."""
    return sum(int(c) * w for c, w in zip(value, weights, strict=True)) % 11 == 0


def _person_number_fails(value: str) -> bool:
    return not (len(value) == 11 and value.isdigit()
                and _mod11_ok(value[:10], (3, 7, 6, 1, 8, 9, 4, 5, 2, 1))
                and _mod11_ok(value, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)))


def _date_part_is_impossible(value: str, dnr: bool) -> bool:
    day, month = int(value[:2]) - (40 if dnr else 0), int(value[2:4])
    return not (1 <= day <= 31 and 1 <= month <= 12)


def _identifiers(document: dict) -> list[tuple[str, str, str]]:
    """(resource label, system, value) for every identifier of a resource the planner reads."""
    resources = ([e.get("resource", {}) for e in document.get("entry", [])]
                 if document.get("resourceType") == "Bundle" else [document])
    found = []
    for r in resources:
        if r.get("resourceType") in READ:
            for ident in r.get("identifier", []) or []:
                if ident.get("system") and ident.get("value"):
                    found.append((f"{r['resourceType']}/{r.get('id')}", ident["system"],
                                  ident["value"]))
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_known_files_have_the_documented_outcome(path: Path) -> None:
    if path.name not in KNOWN:
        pytest.skip("not in the table: judged by the policy test only")
    result = import_file(path)
    expected = KNOWN[path.name]
    if expected is None:
        assert result.ok, [str(e) for e in result.errors]
    else:
        assert not result.ok and result.hospital is None
        assert expected in str(result.errors[0]) or any(expected in str(e) for e in result.errors)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_file_follows_the_identifier_policy(path: Path) -> None:
    result = import_file(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    for issue in result.errors:
        assert issue.place and issue.field, issue  # every error names where and what
    errors = " | ".join(str(e) for e in result.errors)
    warnings = " | ".join(str(w) for w in result.warnings)
    for label, system, value in _identifiers(document):
        if system in PERSON_SYSTEMS:
            if _person_number_fails(value):
                assert not result.ok and label in errors and value in errors
            elif _date_part_is_impossible(value, system.endswith(".4.2")):
                assert value in warnings and value not in errors
        if system == ORGNR_SYSTEM:
            ok = len(value) == 9 and value.isdigit() and (
                (11 - sum(int(c) * w for c, w in zip(value, (3, 2, 7, 6, 5, 4, 3, 2),
                                                      strict=False)) % 11) % 11 == int(value[8]))
            assert (value in errors) == (not ok)


def test_the_fixture_folder_has_the_files_of_sources_md() -> None:
    names = {p.name for p in FILES}
    assert len([n for n in names if n in KNOWN]) == 60 - 3  # 57 JSON files, all in the table
