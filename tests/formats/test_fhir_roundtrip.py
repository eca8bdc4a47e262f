"""model → FHIR → model gives the same model; the exported Bundle is valid FHIR (R4B models)."""

from __future__ import annotations

import json

from fhir.resources.R4B.bundle import Bundle
from hypothesis import HealthCheck, given, settings

from kontrolltarn.formats.fhir import hospital_to_bundle, program_to_bundle
from kontrolltarn.formats.importer import export_bytes, import_file
from kontrolltarn.synth.generator import generate
from tests.formats.hospital_strategies import hospitals, simple_program, tiny_hospital


def _round_trip(hospital, program=None):
    payload = export_bytes(hospital, "fhir", program)
    result = import_file(payload, name="export.json")
    assert result.errors == [], [str(e) for e in result.errors[:5]]
    return result


def in_referral_order(hospital):
    """Case histories travel on their ServiceRequests, so they come back in referral order
    (the only difference FHIR makes; cases are looked up by referral id)."""
    rank = {r.id: i for i, r in enumerate(hospital.referrals)}
    return hospital.replace(cases=tuple(sorted(hospital.cases, key=lambda c: rank[c.referral_id])))


def test_synthetic_hospital_and_program_survive_the_round_trip() -> None:
    hospital = generate("small", seed=3).hospital.replace(cases=())
    program = simple_program(hospital, "greedy")
    assert program.entries
    result = _round_trip(hospital, program)
    assert result.hospital == hospital
    assert result.program == program
    assert result.warnings == []  # our own export needs no assumption


def test_exported_bundle_is_valid_fhir() -> None:
    hospital = tiny_hospital()
    bundle = hospital_to_bundle(hospital, simple_program(hospital))
    parsed = Bundle.model_validate(bundle)
    types = {e.resource.get_resource_type() for e in parsed.entry or [] if e.resource}
    assert {"Organization", "Location", "Practitioner", "PractitionerRole", "Patient",
            "ServiceRequest", "Schedule", "Slot", "Appointment"} <= types


def test_norwegian_identifiers_use_the_no_basis_systems() -> None:
    bundle = json.dumps(hospital_to_bundle(tiny_hospital()))
    assert '"system": "urn:oid:2.16.578.1.12.4.1.4.1", "value": "21030550231"' in bundle
    assert '"system": "urn:oid:2.16.578.1.12.4.1.4.4", "value": "9144900"' in bundle
    assert "no-frist-for-helsehjelp" in bundle


def test_program_alone_merges_into_its_hospital() -> None:
    hospital = tiny_hospital()
    program = simple_program(hospital, "alone")
    payload = json.dumps(program_to_bundle(hospital, program)).encode()
    result = import_file(payload, name="program.json", into=hospital)
    assert result.errors == []
    assert result.program == program
    assert result.hospital == hospital


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hospitals())
def test_any_hospital_survives_the_fhir_round_trip(hospital) -> None:
    program = simple_program(hospital)
    result = _round_trip(hospital, program)
    assert result.hospital == in_referral_order(hospital)
    if program.entries:
        assert result.program == program
