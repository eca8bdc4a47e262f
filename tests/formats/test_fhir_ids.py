"""One rule for ids on both sides of FHIR (issue 21 finding 13): a property run found that a
specialty id "0  0" exported to FHIR but failed re-import. The model's rule (``require_id``:
single spaces between printable runs) is the one rule: what export can write re-imports, and a
file carrying an id the model refuses (a doubled space, or a tab that a FHIR code may hold) is
rejected naming the place and value, never a crash."""

from __future__ import annotations

import json

import pytest

from kontrolltarn.formats.importer import export_bytes, import_file
from kontrolltarn.model import ModelError, Specialty
from tests.formats.hospital_strategies import tiny_hospital


def _with_specialty_id(new: str) -> bytes:
    """The tiny hospital's FHIR export with its first specialty's id replaced everywhere."""
    hospital = tiny_hospital()
    old = hospital.specialties[0].id
    raw = export_bytes(hospital, "fhir").decode()
    assert raw.count(json.dumps(old)) > 3
    return raw.replace(json.dumps(old), json.dumps(new)).encode()


def test_an_id_with_single_spaces_survives_export_and_import() -> None:
    result = import_file(_with_specialty_id("0 0"), name="h.json")
    assert result.errors == [] and result.hospital is not None
    assert "0 0" in result.hospital.specialty_by_id
    again = import_file(export_bytes(result.hospital, "fhir"), name="again.json")
    assert again.errors == [] and again.hospital == result.hospital


@pytest.mark.parametrize("bad", ["0  0", "0\t0", " 0", "0 "])
def test_export_cannot_write_an_id_that_import_refuses(bad: str) -> None:
    with pytest.raises(ModelError) as refused:
        Specialty(bad, "x")
    assert refused.value.field == "specialty.id"


@pytest.mark.parametrize("bad", ["0  0", "0\t0"])
def test_import_refuses_such_an_id_naming_place_and_value(bad: str) -> None:
    result = import_file(_with_specialty_id(bad), name="h.json")
    assert not result.ok and result.hospital is None
    assert any(e.place.endswith("Organization/hospital") and e.field.endswith("specialty.id")
               and e.value == bad for e in result.errors)
