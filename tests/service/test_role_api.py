"""The data behind the pages per role (issue 19): where each role lands, the porter's way from
request to delivery, room ready, the surgeon's and anaesthesia's lists, and the patient link's
expiry. Each change is seen in the board's room views, which the live stream sends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from kontrolltarn.model import Event, EventKind
from kontrolltarn.service import Runtime, create_app
from kontrolltarn.store import Actor

from .conftest import ROLES, auth_headers, password


@pytest.fixture
def client(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_runtime, background=False)) as c:
        yield c


def _case_view(rt: Runtime, case_id: str) -> dict:  # type: ignore[type-arg]
    room = rt.store.plans.get(case_id).room_id
    return next(c for c in rt.board()["rooms"][room]["cases"] if c["case_id"] == case_id)


def test_each_role_lands_on_its_own_page(client: TestClient) -> None:
    expected = {"coordinator": "/", "leader": "/", "feed": "/", "porter": "/porter.html",
                "or_nurse": "/nurse.html", "surgeon": "/list.html", "anaesthesia": "/list.html",
                "unit_leader": "/roster.html", "staff_member": "/staff.html"}
    assert set(expected) == set(ROLES)
    for role in ROLES:
        reply = client.post("/api/auth/login", json={"username": role,
                                                     "password": password(role)})
        assert reply.json()["home"] == expected[role], role
        assert client.get("/api/auth/me").json()["home"] == expected[role], role
        client.cookies.clear()


def test_a_porter_request_goes_from_request_to_delivery_and_the_board_follows(
        client: TestClient, sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    plan = min(rt.store.plans.day(rt.day), key=lambda p: (p.start_min, p.room_id))
    nurse, porter = auth_headers(client, "or_nurse"), auth_headers(client, "porter")
    made = client.post("/api/porter-requests", headers=nurse,
                       json={"room_id": plan.room_id, "case_id": plan.case_id}).json()
    assert made["status"] == "open"
    assert made["room_name"] == rt.hospital.room_by_id[plan.room_id].name
    assert made["location_name"] and made["planned_start_min"] == plan.start_min
    assert _case_view(rt, plan.case_id)["porter"] == "open"
    assert _case_view(rt, plan.case_id)["phase"] == "called"
    queue = client.get("/api/porter-requests", headers=porter).json()["requests"]
    assert [r["id"] for r in queue] == [made["id"]]
    for status in ("acknowledged", "picked_up"):
        reply = client.patch(f"/api/porter-requests/{made['id']}", headers=porter,
                             json={"status": status})
        assert reply.json()["status"] == status and reply.json()["updated_by"] == "porter"
        assert _case_view(rt, plan.case_id)["porter"] == status
    client.patch(f"/api/porter-requests/{made['id']}", headers=porter, json={"status": "done"})
    assert client.get("/api/porter-requests", headers=porter).json()["requests"] == []
    view = _case_view(rt, plan.case_id)
    assert view["porter"] is None and view["phase"] == "arrived"
    actions = [e.action for e in rt.store.audit.recent(20)]
    assert {"porter.request", "porter.acknowledged", "porter.picked_up", "porter.done"} <= set(
        actions)
    bad = client.patch(f"/api/porter-requests/{made['id']}", headers=porter,
                       json={"status": "lost"})
    assert bad.status_code == 422 and "status" in bad.text


def test_room_ready_shows_on_the_board_until_the_next_case_goes_in(
        client: TestClient, sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    plan = min(rt.store.plans.day(rt.day), key=lambda p: (p.start_min, p.room_id))
    assert rt.board()["rooms"][plan.room_id]["ready_min"] is None
    rt.ingest([Event("ready-clock", EventKind.ROOM_READY, rt.tower.clock.at(7 * 60 + 30),
                     room_id=plan.room_id)])
    reply = client.post(f"/api/rooms/{plan.room_id}/ready",
                        headers=auth_headers(client, "or_nurse"))
    ready_at = datetime.fromisoformat(reply.json()["ready_at"])
    room = rt.board()["rooms"][plan.room_id]
    assert room["ready_min"] == round(rt.tower.clock.minutes(ready_at), 1)
    rt.ingest([Event("in-after-ready", EventKind.IN_ROOM, ready_at, case_id=plan.case_id,
                     room_id=plan.room_id)])
    assert rt.board()["rooms"][plan.room_id]["ready_min"] is None


def test_a_surgeons_list_holds_their_cases_of_the_day_in_order(
        client: TestClient, sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    plans = [p for p in rt.store.plans.day(rt.day) if p.status == "planned"]
    surgeon = max({p.surgeon_id for p in plans},
                  key=lambda s: sum(p.surgeon_id == s for p in plans))
    mine = sorted((p for p in plans if p.surgeon_id == surgeon), key=lambda p: p.start_min)
    headers = auth_headers(client, "surgeon")
    listed = client.get("/api/worklist", params={"surgeon_id": surgeon}, headers=headers).json()
    assert [c["case_id"] for c in listed["cases"]] == [p.case_id for p in mine]
    assert {c["surgeon_id"] for c in listed["cases"]} == {surgeon}
    first = listed["cases"][0]
    assert first["planned_start"] == mine[0].start_min and first["phase"] == "waiting"
    assert first["room_name"] == rt.hospital.room_by_id[mine[0].room_id].name
    assert surgeon in {s["id"] for s in listed["surgeons"]}
    assert listed["me"] is None  # the test user's name is no staff id
    # the times the board has: a milestone appears in the list
    rt.ingest([Event("wl-in", EventKind.IN_ROOM, rt.tower.clock.at(mine[0].start_min),
                     case_id=mine[0].case_id, room_id=mine[0].room_id)])
    again = client.get("/api/worklist", params={"surgeon_id": surgeon}, headers=headers).json()
    assert again["cases"][0]["phase"] == "in_room"
    assert again["cases"][0]["milestones"]["in_room"] == mine[0].start_min


def test_an_anaesthetists_list_holds_the_cases_of_their_rooms(
        client: TestClient, sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    plans = [p for p in rt.store.plans.day(rt.day) if p.status == "planned"]
    rooms = sorted({p.room_id for p in plans})[:2]
    listed = client.get("/api/worklist", params={"room_id": rooms},
                        headers=auth_headers(client, "anaesthesia")).json()
    assert sorted(c["case_id"] for c in listed["cases"]) == sorted(
        p.case_id for p in plans if p.room_id in rooms)
    starts = [c["planned_start"] for c in listed["cases"]]
    assert starts == sorted(starts)
    nothing = client.get("/api/worklist", headers=auth_headers(client, "anaesthesia")).json()
    assert nothing["cases"] == [] and len(nothing["rooms"]) == len(rt.hospital.rooms)


def test_a_worklist_for_an_unknown_room_or_surgeon_is_a_422_naming_it(
        client: TestClient) -> None:
    headers = auth_headers(client, "surgeon")
    reply = client.get("/api/worklist", params={"room_id": "nowhere"}, headers=headers)
    assert reply.status_code == 422 and "room_id" in reply.text and "nowhere" in reply.text
    reply = client.get("/api/worklist", params={"surgeon_id": "nobody"}, headers=headers)
    assert reply.status_code == 422 and "surgeon_id" in reply.text and "nobody" in reply.text
    assert client.get("/api/worklist", headers=auth_headers(client, "porter")).status_code == 403


def test_a_surgeon_named_or_linked_as_their_staff_id_gets_their_own_list(
        client: TestClient, sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    surgeon = rt.store.plans.day(rt.day)[0].surgeon_id
    rt.store.users.add(surgeon, password(surgeon), "surgeon")
    headers = auth_headers(client, surgeon)
    assert client.get("/api/worklist", headers=headers).json()["me"] == surgeon
    # or linked to the person as the rosters link staff (any user name)
    assert client.get("/api/worklist", headers=auth_headers(client, "surgeon")).json()["me"] is None
    rt.store.rosters.link("surgeon", "surgeons", surgeon, by=Actor("test", "test"))
    assert client.get("/api/worklist", headers=auth_headers(client, "surgeon")).json()["me"] == surgeon


def test_a_patient_link_says_when_it_expires(client: TestClient,
                                             sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    case_id = rt.store.plans.day(rt.day)[0].case_id
    link = client.post(f"/api/cases/{case_id}/patient-link", json={"hours_valid": 2},
                       headers=auth_headers(client, "coordinator")).json()
    expires = datetime.fromisoformat(link["expires_at"])
    assert link["url"] == f"/patient.html#t={link['token']}"
    hours = (expires - datetime.now(expires.tzinfo)).total_seconds() / 3600
    assert 1.9 < hours <= 2.0
