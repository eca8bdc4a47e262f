"""Case histories (``Hospital.cases``) in FHIR: ``case-change`` extensions on the referral's
ServiceRequest survive model → FHIR → model, merge by referral id, and a broken one is rejected
naming the ServiceRequest and the part of the extension."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.bundle import Bundle

from kontrolltarn.formats.fhir import hospital_to_bundle
from kontrolltarn.formats.fhir import systems as s
from kontrolltarn.formats.importer import export_bytes, import_file
from kontrolltarn.model import CancellationReason, Case, CaseChange, ChangeKind, Hospital
from tests.formats.hospital_strategies import tiny_hospital
from tests.formats.test_fhir_roundtrip import in_referral_order

OSLO = ZoneInfo("Europe/Oslo")


def with_cases() -> Hospital:
    """R2's case first (not referral order); R1 told, then cancelled for capacity."""
    return tiny_hospital().replace(cases=(
        Case("R2"),
        Case("R1", (
            CaseChange(datetime(2026, 2, 1, 9, 0, tzinfo=OSLO), ChangeKind.SCHEDULED,
                       date(2026, 3, 3)),
            CaseChange(datetime(2026, 2, 2, 10, 30, tzinfo=OSLO), ChangeKind.TOLD,
                       date(2026, 3, 3), by="koordinator", note="ringt pasienten; bekreftet"),
            CaseChange(datetime(2026, 3, 3, 14, 5, tzinfo=UTC), ChangeKind.CANCELLED, None,
                       date(2026, 3, 3), CancellationReason.CAPACITY, "Åse K", "stue 1 gikk over"),
        )),
    ))


def test_case_histories_survive_the_fhir_round_trip() -> None:
    hospital = with_cases()
    result = import_file(export_bytes(hospital, "fhir"), name="h.json")
    assert result.errors == [] and result.warnings == [] and result.hospital is not None
    assert result.hospital == in_referral_order(hospital)
    r1 = result.hospital.case_by_id["R1"]
    assert r1.changes_after_told() == 1 and r1.status.value == "cancelled"
    assert Bundle.model_validate(hospital_to_bundle(hospital))  # still valid FHIR


def test_a_case_in_the_file_replaces_the_case_in_the_hospital() -> None:
    base = with_cases()
    newer = base.replace(cases=(Case("R1", base.case_by_id["R1"].history[:1]),))
    result = import_file(export_bytes(newer, "fhir"), name="h.json", into=base)
    assert result.errors == [] and result.hospital is not None
    assert result.hospital.case_by_id["R1"] == newer.case_by_id["R1"]
    assert result.hospital.case_by_id["R2"] == Case("R2")  # not in the file: kept
    assert result.updated.get("cases") == 1


def _bundle() -> dict[str, Any]:
    return hospital_to_bundle(with_cases())


def _changes(b: dict[str, Any]) -> list[dict[str, Any]]:
    sr = next(e["resource"] for e in b["entry"] if e["resource"]["resourceType"] ==
              "ServiceRequest" and e["resource"]["id"] == "R1")
    return [x for x in sr["extension"] if x["url"] == s.EXT_CASE_CHANGE]


def _set(b: dict[str, Any], i: int, part: str, **value: Any) -> None:
    parts = _changes(b)[i]["extension"]
    parts[:] = [p for p in parts if p["url"] != part]
    if value:
        parts.append({"url": part, **value})


BROKEN = [
    ("unknown-kind", lambda b: _set(b, 0, "kind", valueCode="postponed"), "[0].kind"),
    ("no-kind", lambda b: _set(b, 0, "kind"), "[0].kind"),
    ("no-at", lambda b: _set(b, 1, "at"), "[1].at"),
    ("at-without-offset", lambda b: _set(b, 1, "at", valueDateTime="2026-02-02T10:30:00"), "[1].at"),
    ("cancelled-without-reason", lambda b: _set(b, 2, "reason"), "[2].reason"),
    ("unknown-reason", lambda b: _set(b, 2, "reason", valueCode="weather"), "[2].reason"),
    ("out-of-order", lambda b: _set(b, 2, "at", valueDateTime="2026-01-01T08:00:00+01:00"),
     "[2].at"),
    ("date-time-as-new-date", lambda b: _set(b, 0, "newDate",
                                             valueDateTime="2026-03-03T08:00:00+01:00"), "[0].newDate"),
]


@pytest.mark.parametrize("name,mutate,field", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_case_history_is_rejected_naming_the_place(name: str, mutate: Any,
                                                            field: str) -> None:
    bundle = copy.deepcopy(_bundle())
    mutate(bundle)
    result = import_file(json.dumps(bundle).encode(), name="h.json")
    assert not result.ok and result.hospital is None
    assert any("ServiceRequest/R1" in e.place and field in e.field for e in result.errors), \
        [str(e) for e in result.errors]
