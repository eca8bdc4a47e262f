"""Every role is refused what it may not do; the expected matrix is written out here by hand,
independently of the service's permission table."""

from __future__ import annotations

import base64
import json
import logging
import secrets
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from kontrolltarn.service import InsecureSettings, Runtime, Settings, create_app
from kontrolltarn.store import Actor

from .conftest import ROLES, password

STAFF = {"coordinator", "surgeon", "or_nurse", "anaesthesia", "leader"}
ALL = set(ROLES) | {"patient"}


@pytest.fixture
def client(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_runtime, background=False)) as c:
        yield c


def _tokens(client: TestClient, rt: Runtime, case_id: str) -> dict[str, str]:
    tokens = {}
    for role in ROLES:
        reply = client.post("/api/auth/login", json={"username": role, "password": password(role)})
        assert reply.status_code == 200, role
        tokens[role] = reply.json()["token"]
    link = client.post(f"/api/cases/{case_id}/patient-link", json={},
                       headers={"Authorization": f"Bearer {tokens['coordinator']}"}).json()
    tokens["patient"] = client.post("/api/patient/session",
                                    json={"token": link["token"]}).json()["token"]
    client.cookies.clear()  # only the bearer header speaks for a role below
    return tokens


def test_every_role_is_refused_what_it_may_not_do(client: TestClient,
                                                   sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    plan = rt.store.plans.day(rt.day)[0]
    cid, room, day = plan.case_id, plan.room_id, rt.day.isoformat()
    referral = next(iter(rt.hospital.referral_by_id))
    tokens = _tokens(client, rt, cid)
    rt.store.rosters.link("unit_leader", "SEN", None, by=Actor("test", "cli"))
    rt.store.rosters.link("staff_member", "SEN", "A", by=Actor("test", "cli"))
    event = {"events": [{"id": "sec-1", "kind": "called", "at": f"{day}T07:00:00+01:00",
                         "case_id": cid, "room_id": room}]}
    matrix = [
        ("GET", "/api/board", None, STAFF | {"porter"}),
        ("GET", f"/api/cases/{cid}", None, STAFF),
        ("PATCH", f"/api/cases/{cid}", {"version": 99, "position": 1}, {"coordinator"}),
        ("POST", "/api/events", event, {"coordinator", "or_nurse", "anaesthesia", "feed"}),
        ("GET", "/api/events", None, {"coordinator", "leader", "feed"}),
        ("GET", f"/api/programs/{day}", None, STAFF),
        ("GET", "/api/sessions", None, STAFF),
        ("GET", "/api/worklist", None, STAFF),
        ("GET", "/api/referrals", None, {"coordinator", "surgeon", "leader"}),
        ("GET", f"/api/referrals/{referral}", None, {"coordinator", "surgeon", "leader"}),
        ("GET", "/api/suggestions", None, STAFF),
        ("POST", "/api/suggestions/refresh", None, {"coordinator"}),
        ("POST", "/api/suggestions/none/decision", {"accept": True, "why": "x"}, {"coordinator"}),
        ("GET", "/api/decisions", None, STAFF),
        ("GET", "/api/audit", None, {"coordinator", "leader"}),
        ("POST", f"/api/cases/{cid}/patient-link", {}, {"coordinator"}),
        ("POST", "/api/porter-requests", {"room_id": room}, {"coordinator", "or_nurse",
                                                             "anaesthesia"}),
        ("GET", "/api/porter-requests", None, {"coordinator", "or_nurse", "anaesthesia",
                                               "porter"}),
        ("PATCH", "/api/porter-requests/1", {"status": "acknowledged"}, {"porter",
                                                                         "coordinator"}),
        ("POST", f"/api/rooms/{room}/ready", None, {"or_nurse", "coordinator"}),
        ("POST", "/api/import?name=x.json", {"resourceType": "Bundle"}, {"coordinator"}),
        ("GET", "/api/patient/me", None, {"patient"}),
        ("POST", "/api/patient/checkin", None, {"patient"}),
        # rosters: the unit leader and the staff member (each scoped to their unit)
        ("GET", "/api/rosters/me", None, {"unit_leader", "staff_member"}),
        ("GET", "/api/rosters/SEN", None, {"unit_leader", "staff_member"}),
        ("POST", "/api/rosters/SEN", {"roster": {}}, {"unit_leader"}),
        ("POST", "/api/rosters/versions/1/publish", {"why": "x"}, {"unit_leader"}),
        ("GET", "/api/staff/shifts", None, {"staff_member"}),
        ("POST", "/api/staff/requests", {"kind": "wish", "day": day}, {"staff_member"}),
        ("GET", "/api/staff/requests", None, {"unit_leader", "staff_member"}),
        ("POST", "/api/staff/requests/1/decision", {"accept": True, "why": "x"},
         {"unit_leader"}),
    ]
    for method, path, body, allowed in matrix:
        client.cookies.clear()
        anonymous = client.request(method, path, json=body)
        assert anonymous.status_code == 401, (method, path)
        for role in sorted(ALL):
            client.cookies.clear()
            reply = client.request(method, path, json=body,
                                   headers={"Authorization": f"Bearer {tokens[role]}"})
            if role in allowed:
                assert reply.status_code not in (401, 403), (role, method, path, reply.text)
                assert reply.status_code < 500, (role, method, path, reply.text)
            else:
                assert reply.status_code == 403, (role, method, path, reply.status_code)
    # the leader reads but never changes anything
    for method, _path, _, allowed in matrix:
        if method != "GET":
            assert "leader" not in allowed
    # the live stream refuses the same roles as the board
    for role in ("feed", "patient"):
        reply = client.get("/api/board/stream", headers={"Authorization": f"Bearer {tokens[role]}"})
        assert reply.status_code == 403


def test_forged_or_tampered_tokens_are_refused(client: TestClient) -> None:
    token = client.post("/api/auth/login", json={"username": "leader",
                                                 "password": password("leader")}).json()["token"]
    body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["r"] = "coordinator"  # a leader tries to promote itself, keeping the signature
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    forged += "." + signature
    client.cookies.clear()
    for bad in ("nonsense", forged, token[:-2] + "xx"):
        assert client.get("/api/events", headers={"Authorization": f"Bearer {bad}"}
                          ).status_code == 401
    assert client.post("/api/auth/login", json={"username": "leader",
                                                "password": "wrong-one"}).status_code == 401


def test_a_patient_link_opens_once_and_shows_only_that_case(client: TestClient,
                                                            sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    cid = rt.store.plans.day(rt.day)[0].case_id
    tokens = _tokens(client, rt, cid)
    coordinator = {"Authorization": f"Bearer {tokens['coordinator']}"}
    link = client.post(f"/api/cases/{cid}/patient-link", json={}, headers=coordinator).json()
    assert link["url"].startswith("/patient.html#t=")
    first = client.post("/api/patient/session", json={"token": link["token"]})
    client.cookies.clear()
    again = client.post("/api/patient/session", json={"token": link["token"]})
    assert (first.status_code, again.status_code) == (200, 401)
    patient = {"Authorization": f"Bearer {first.json()['token']}"}
    me = client.get("/api/patient/me", headers=patient).json()
    assert set(me) == {"planned_time", "expected_time", "delay_min", "delay_notice", "status",
                       "checked_in"}
    assert client.post("/api/patient/checkin", headers=patient).status_code == 200
    assert client.get("/api/patient/me", headers=patient).json()["checked_in"]
    client.cookies.clear()
    assert client.get(f"/api/cases/{cid}", headers=patient).status_code == 403


def test_reads_of_patient_data_are_audited_and_never_logged(
        client: TestClient, sqlite_runtime: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    rt = sqlite_runtime
    plan = rt.store.plans.day(rt.day)[0]
    referral = rt.hospital.referral_by_id[plan.case_id]
    patient = rt.hospital.patient_by_id[referral.patient_id]
    token = client.post("/api/auth/login", json={"username": "surgeon",
                                                 "password": password("surgeon")}).json()["token"]
    with caplog.at_level(logging.DEBUG):
        view = client.get(f"/api/cases/{plan.case_id}",
                          headers={"Authorization": f"Bearer {token}"})
        client.get("/api/referrals", headers={"Authorization": f"Bearer {token}"})
    assert view.json()["patient"]["id"] == patient.id
    reads = [e for e in rt.store.audit.recent(20) if e.patient_data and e.actor == "surgeon"]
    assert {e.action for e in reads} == {"case.read", "referral.list"}
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (patient.id, patient.national_id or "-", referral.note[:20] or "-"):
        assert secret not in logged


def test_weak_secrets_and_unknown_modes_are_refused_outside_development() -> None:
    """Issue 21 finding 8: a secret of 32 times "a" was accepted. Production needs 32
    characters and about 128 bits of estimated entropy; the mode must be one we know."""
    for weak in ("short", "a" * 32, "ab" * 16, "x" * 40, "abcd" * 10, "0123456789" * 4):
        with pytest.raises(InsecureSettings, match="KONTROLLTARN_SECRET_KEY"):
            Settings(environment="production", secret_key=weak)
    with pytest.raises(InsecureSettings, match="KONTROLLTARN_ENV"):
        Settings(environment="staging", secret_key=secrets.token_hex(32))
    Settings(environment="production", secret_key=secrets.token_hex(32))
    Settings(environment="production", secret_key=secrets.token_urlsafe(32))
    Settings(environment="development", secret_key="a" * 32)  # development signs what it is given


def test_bad_input_is_a_422_naming_field_and_value(client: TestClient) -> None:
    token = client.post("/api/auth/login", json={"username": "feed",
                                                 "password": password("feed")}).json()["token"]
    reply = client.post("/api/events", headers={"Authorization": f"Bearer {token}"}, json={
        "events": [{"id": "e1", "kind": "cancelled", "at": "2026-11-30T10:00:00+01:00",
                    "case_id": "C1"}]})
    assert reply.status_code == 422
    detail = reply.json()["detail"][0]
    assert "reason" in detail["loc"][-1] and detail["input"] == "None"
    naive = client.post("/api/events", headers={"Authorization": f"Bearer {token}"}, json={
        "events": [{"id": "e2", "kind": "called", "at": "2026-11-30T10:00:00", "case_id": "C1"}]})
    assert naive.status_code == 422 and naive.json()["detail"][0]["loc"][-1] == "at"
