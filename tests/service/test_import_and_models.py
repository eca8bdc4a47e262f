"""Import through the API (coordinator only, all or nothing, errors as 422 with place and
field) and the prediction models in the case view."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kontrolltarn.cli.options import cli_actor
from kontrolltarn.cli.serve import build_runtime
from kontrolltarn.control import train_models
from kontrolltarn.formats.importer import export_bytes
from kontrolltarn.model import Program
from kontrolltarn.service import Runtime, create_app
from kontrolltarn.synth import generate

from .conftest import auth_headers


@pytest.fixture
def client(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_runtime, background=False)) as c:
        yield c


def _one_new_referral(rt: Runtime) -> dict:  # type: ignore[type-arg]
    """A FHIR bundle with one new patient and their referral (the rest is in the hospital)."""
    bundle = json.loads(export_bytes(rt.hospital, "fhir"))
    patient = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    request = next(e for e in bundle["entry"]
                   if e["resource"]["resourceType"] == "ServiceRequest"
                   and e["resource"]["subject"]["reference"] == patient["fullUrl"])
    patient, request = copy.deepcopy(patient), copy.deepcopy(request)
    for entry, kind, new in ((patient, "Patient", "PNEW1"), (request, "ServiceRequest", "RNEW1")):
        old = entry["resource"]["id"]
        text = json.dumps(entry).replace(f'"{old}"', f'"{new}"').replace(f"{kind}/{old}",
                                                                         f"{kind}/{new}")
        entry.clear()
        entry.update(json.loads(text))
    request["resource"]["subject"]["reference"] = "Patient/PNEW1"
    return {**bundle, "entry": [patient, request]}


def test_an_import_is_all_or_nothing_and_errors_name_place_and_field(
        client: TestClient, sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    bundle = _one_new_referral(rt)
    coordinator = auth_headers(client, "coordinator")
    before = rt.hospital
    broken = copy.deepcopy(bundle)
    broken["entry"][1]["resource"]["subject"]["reference"] = "Patient/nobody"
    reply = client.post("/api/import?name=bundle.json", content=json.dumps(broken),
                        headers={**coordinator, "Content-Type": "application/fhir+json"})
    assert reply.status_code == 422
    errors = reply.json()["detail"]
    assert any(e["place"].endswith("ServiceRequest/RNEW1") and e["field"] == "subject"
               and e["value"] == "Patient/nobody" for e in errors), errors
    assert rt.hospital is before and "RNEW1" not in rt.hospital.referral_by_id  # nothing changed
    assert rt.store.hospital.load() == before and rt.store.hospital.revision() == 1
    # the good file: the new referral reaches the hospital; the import is audited
    reply = client.post("/api/import?name=bundle.json", content=json.dumps(bundle),
                        headers={**coordinator, "Content-Type": "application/fhir+json"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["added"]["referrals"] == 1
    assert "RNEW1" in rt.hospital.referral_by_id and rt.tower.hospital is rt.hospital
    # stored in the same step: a runtime started again from the database has the referral
    assert rt.store.hospital.revision() == 2
    again = Runtime(rt.settings, None, rt.store)
    assert again.hospital == rt.hospital and "RNEW1" in again.hospital.referral_by_id
    actions = [e.action for e in rt.store.audit.recent(10)]
    assert {"import.reject", "import.accept"} <= set(actions)
    # garbage is a 422 too, never a server error; others may not import at all
    junk = client.post("/api/import?name=x.xlsx", content=b"PK\x03\x04 not a workbook",
                       headers=coordinator)
    assert junk.status_code == 422 and junk.json()["detail"][0]["place"]
    for role in ("surgeon", "leader", "feed"):
        refused = client.post("/api/import?name=bundle.json", content=json.dumps(bundle),
                              headers=auth_headers(client, role))
        assert refused.status_code == 403


def test_the_case_view_shows_model_risk_with_reasons_and_time_left(
        client: TestClient, sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    synthetic = generate(scale="small", seed=1)
    rt.use_models(train_models(synthetic.history, synthetic.bookings, 3000, 3000))
    plan = rt.store.plans.day(rt.day)[0]
    rt.ingest([_in_room(rt, plan)])
    view = client.get(f"/api/cases/{plan.case_id}",
                      headers=auth_headers(client, "coordinator")).json()
    model = view["cancellation_model"]
    assert 0 <= model["risk"] <= 1 and "trained" in model["model"]
    assert all(r["text"] and r["contribution"] > 0 for r in model["reasons"])
    assert view["remaining"]["p10"] <= view["remaining"]["p50"] <= view["remaining"]["p90"]
    board = client.get("/api/board", headers=auth_headers(client, "leader")).json()
    shown = [c["cancel_risk_model"] for r in board["rooms"].values() for c in r["cases"]]
    assert any(x is not None for x in shown)


def _in_room(rt: Runtime, plan):  # type: ignore[no-untyped-def]
    from kontrolltarn.model import Event, EventKind

    return Event("model-in", EventKind.IN_ROOM, rt.tower.clock.at(plan.start_min),
                 case_id=plan.case_id, room_id=plan.room_id)


def test_a_program_in_an_imported_file_becomes_a_proposed_version(
        client: TestClient, sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    program = Program(tuple(p.entry for p in rt.store.plans.day(rt.day)))
    before = {p.case_id: p.version for p in rt.store.plans.day(rt.day)}
    reply = client.post("/api/import?name=with-program.json",
                        content=export_bytes(rt.hospital, "fhir", program),
                        headers={**auth_headers(client, "coordinator"),
                                 "Content-Type": "application/fhir+json"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["program_entries"] == len(program.entries) and body["revision"] == 2
    version = rt.store.programs.get(body["program_version"])
    assert (version.status, version.method, version.size) == ("proposed", "import",
                                                              len(program.entries))
    # a proposal only: the live plan is unchanged until a coordinator publishes it
    assert {p.case_id: p.version for p in rt.store.plans.day(rt.day)} == before


def test_serve_learns_from_the_stores_past_and_restarts_without_the_generator(
        tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The generated hospital's past is stored with it; the models are trained from the store
    before the day's first program is planned (so it is planned with the learnt durations);
    a restart trains from the store again and generates nothing."""
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    first = build_runtime(url, None, "small", 1, None, None, False, plan_time_limit=3,
                          environment="development")
    model = first.models.durations
    assert model is not None and first.store.history.count() > 100
    version = first.store.programs.published_for(first.day)
    assert version is not None and version.method == "optimise"
    h = first.hospital
    entries = first.store.programs.get(version.id).program.entries
    assert entries
    for e in entries:
        d = model.distribution(h.referral_by_id[e.case_id], h, surgeon_id=e.surgeon_id,
                               location_id=h.room_by_id[e.room_id].location_id)
        assert e.planned_min == max(1, round(d.mean))
    # seeding the empty store is a write of the CLI: audited with the operating-system user
    seeded = [e for e in first.store.audit.recent() if e.action == "hospital.seed"]
    assert [(e.actor, e.detail["generator"]) for e in seeded] == [(cli_actor(), "small")]
    first.store.close()
    assert "generating" in capsys.readouterr().out
    again = build_runtime(url, None, "small", 1, None, None, False, plan_time_limit=3,
                          environment="development")
    said = capsys.readouterr().out
    assert "generating" not in said and "learning durations" in said
    assert again.models.durations is not None and again.models.cancellation is not None
    assert again.store.programs.published_for(again.day) == version
    again.store.close()
