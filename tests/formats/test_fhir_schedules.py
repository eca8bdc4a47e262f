"""Schedules of actors the planner does not read (issue 21 finding 14).

docs/integration.md: "Schedule (actor = room) + Slot → Session; Schedules of other actors:
ignored, warning". A Practitioner's Schedule, named by a reference to a Practitioner the hospital
does not know, by identifier or by display only, was rejected ("a literal reference is
required" / "unknown reference"), and with it a whole bundle of a Patient and that Schedule.
Only Location actors are followed (a room is a Location); they must still resolve."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from kontrolltarn.formats.importer import import_file
from tests.formats.hospital_strategies import tiny_hospital

EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "fhir" / \
    "hl7-fhir-r4-examples"


def _example(name: str) -> dict[str, Any]:
    path = EXAMPLES / name
    if not path.exists() and os.environ.get("CI") != "true":  # CI always has ../shared
        pytest.skip(f"the HL7 examples are not at {EXAMPLES}")
    return dict(json.loads(path.read_text()))


def _bundle(*resources: dict[str, Any]) -> bytes:
    entries = [{"fullUrl": f"http://example.org/fhir/{r['resourceType']}/{r['id']}",
                "resource": r} for r in resources]
    return json.dumps({"resourceType": "Bundle", "type": "collection",
                       "entry": entries}).encode()


def _schedule(*actors: dict[str, Any], schedule_id: str = "dr-x") -> dict[str, Any]:
    return {"resourceType": "Schedule", "id": schedule_id, "active": True,
            "actor": list(actors)}


NOT_OURS = {
    "unknown-practitioner": {"reference": "Practitioner/unknown-17"},
    "practitioner-by-hpr": {"type": "Practitioner", "identifier": {
        "system": "urn:oid:2.16.578.1.12.4.1.4.4", "value": "9144900"}},
    "display-only": {"display": "Dr. Beverly Crusher"},
    "absolute-healthcare-service": {"reference": "http://other.example/fhir/HealthcareService/9"},
}


@pytest.mark.parametrize("actor", NOT_OURS.values(), ids=NOT_OURS.keys())
def test_a_patient_with_a_practitioners_schedule_is_imported_and_the_schedule_ignored(
        actor: dict[str, Any]) -> None:
    patient = _example("Patient-example.json")
    result = import_file(_bundle(patient, _schedule(actor)), name="b.json", into=tiny_hospital())
    assert result.errors == []
    assert result.ok and result.hospital is not None
    assert patient["id"] in result.hospital.patient_by_id
    ignored = [w for w in result.warnings if w.place.endswith("Schedule/dr-x")]
    assert len(ignored) == 1 and ignored[0].field == "actor"
    assert ignored[0].reason.startswith("ignored: no actor is an operating room")


def test_the_slots_of_an_ignored_schedule_are_ignored_too() -> None:
    practitioner = _example("Practitioner-f001.json")
    slot = {"resourceType": "Slot", "id": "slot-1", "status": "free",
            "schedule": {"reference": "Schedule/dr-x"},
            "start": "2026-12-01T08:00:00+01:00", "end": "2026-12-01T12:00:00+01:00"}
    result = import_file(_bundle(_example("Patient-example.json"), practitioner, slot,
                                 _schedule({"reference": f"Practitioner/{practitioner['id']}"})),
                         name="b.json", into=tiny_hospital())
    assert result.errors == [] and result.hospital is not None
    assert result.hospital.sessions == tiny_hospital().sessions
    assert {(w.place.split()[-1], w.field) for w in result.warnings} >= {
        ("Schedule/dr-x", "actor"), ("Slot/slot-1", "schedule")}


def test_a_location_actor_must_still_resolve() -> None:
    """A room the sender forgot to include would lose its sessions silently: still an error."""
    result = import_file(_bundle(_example("Patient-example.json"),
                                 _schedule({"reference": "Practitioner/unknown-17"},
                                           {"reference": "Location/OR-NOPE"})),
                         name="b.json", into=tiny_hospital())
    assert not result.ok
    assert [(e.field, e.value) for e in result.errors] == [("actor[1]", "Location/OR-NOPE")]
    assert "unknown reference" in result.errors[0].reason


def test_a_malformed_reference_is_an_error_that_says_so() -> None:
    """A reference that is no Type/id at all cannot be judged: refused, naming the form."""
    result = import_file(_bundle(_example("Patient-example.json"),
                                 _schedule({"reference": "Practitioner/"})),
                         name="b.json", into=tiny_hospital())
    assert [(e.field, e.value) for e in result.errors] == [("actor[0]", "Practitioner/")]
    assert result.errors[0].reason.startswith("not a FHIR reference: expected Type/id")


def test_the_hl7_example_is_refused_for_its_location_not_its_practitioner() -> None:
    result = import_file(json.dumps(_example("Schedule-exampleloc1.json")).encode(),
                         name="Schedule-exampleloc1.json")
    assert [e.value for e in result.errors] == ["Location/3"]
