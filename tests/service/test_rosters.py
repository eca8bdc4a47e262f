"""Rosters and staff self-service through the API (issue 20): a roster with breaches is not
published; a request is answered with the rule, the date and the hours; no request that breaks
a rule can be approved, whatever the client sends (one case per rule); a staff member sees only
their own requests and their unit's published roster."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kontrolltarn.plan.staffing import UnitRules, roster_to_dict, unit_rules_from
from kontrolltarn.service import Runtime, create_app
from kontrolltarn.store import Actor

from ..plan.roster_requests import SCENARIOS, Scenario, legal_swap
from .conftest import auth_headers, password

ADMIN = Actor("test", "cli")


@pytest.fixture
def client(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_runtime, background=False)) as c:
        yield c


def _published(client: TestClient, rt: Runtime, unit: str, s: Scenario,
               leader: dict[str, str]) -> int:
    rt.store.rosters.link("unit_leader", unit, None, by=ADMIN)
    rt.store.rosters.link("staff_member", unit, "A", by=ADMIN)
    if s.agreement:
        # the hospital's agreement (averaging) and the unit's own (the night limit)
        rt.unit_rules = unit_rules_from({"rules": s.agreement, "units": {unit: s.agreement}})
    draft = client.post(f"/api/rosters/{unit}", headers=leader,
                        json={"roster": roster_to_dict(s.roster), "why": "test"})
    assert draft.status_code == 201, draft.text
    done = client.post(f"/api/rosters/versions/{draft.json()['id']}/publish", headers=leader,
                       json={"why": "checked"})
    assert done.status_code == 200, done.text
    return int(done.json()["id"])


def _ask(client: TestClient, staff: dict[str, str], s: Scenario) -> Any:
    c = s.change
    body = {"kind": c.kind, "day": c.day.isoformat(),
            "until": c.until.isoformat() if c.until else None, "colleague_id": c.colleague_id,
            "colleague_day": c.colleague_day.isoformat() if c.colleague_day else None}
    reply = client.post("/api/staff/requests", headers=staff, json=body)
    assert reply.status_code == 201, reply.text
    return reply.json()


def test_no_request_that_breaks_a_rule_can_be_approved(client: TestClient,
                                                        sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    leader = auth_headers(client, "unit_leader")
    staff = auth_headers(client, "staff_member")
    for rule, make in sorted(SCENARIOS.items()):
        s = make()
        unit = f"U-{rule}"
        version = _published(client, rt, unit, s, leader)
        asked = _ask(client, staff, s)
        assert not asked["ok"] and rule in {b["rule"] for b in asked["breaches"]}, (rule, asked)
        named = next(b for b in asked["breaches"] if b["rule"] == rule)
        assert named["first"] >= s.roster.first_day.isoformat()
        assert (named["hours"] or 0) > 0 or (named["people"] or 0) > 0
        reply = client.post(f"/api/staff/requests/{asked['id']}/decision", headers=leader,
                            json={"accept": True, "why": "approve anyway"})
        assert reply.status_code == 409, (rule, reply.text)
        assert rule in {b["rule"] for b in reply.json()["detail"]["breaches"]}
        assert rt.store.rosters.request(asked["id"]).state == "asked"
        assert rt.store.rosters.published(unit).id == version  # the roster is unchanged
        rt.unit_rules = UnitRules()


def test_an_approval_is_checked_again_against_the_roster_published_now(
        client: TestClient, sqlite_runtime: Runtime) -> None:
    """Legal when asked, illegal after another approval changed the roster: refused."""
    rt = sqlite_runtime
    leader = auth_headers(client, "unit_leader")
    staff = auth_headers(client, "staff_member")
    s = SCENARIOS["daily_rest"]()  # A: Tue day; B: Mon evening
    _published(client, rt, "SEN", s, leader)
    early = _ask(client, staff, Scenario(s.roster, s.change.__class__(
        "wish", "A", s.change.day)))  # a wish: no shift moves, legal
    assert early["ok"]
    first = client.post(f"/api/staff/requests/{early['id']}/decision", headers=leader,
                        json={"accept": True, "why": "fine"})
    assert first.status_code == 200, first.text
    # a swap that is illegal (9 h rest) stays so against the new version too
    bad = _ask(client, staff, s)
    assert not bad["ok"]
    again = client.post(f"/api/staff/requests/{bad['id']}/decision", headers=leader,
                        json={"accept": True, "why": "x"})
    assert again.status_code == 409 and "daily_rest" in again.json()["detail"]["message"]


def test_a_roster_with_breaches_cannot_be_published(client: TestClient,
                                                     sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    rt.store.rosters.link("unit_leader", "SEN", None, by=ADMIN)
    leader = auth_headers(client, "unit_leader")
    s = SCENARIOS["daily_rest"]()
    broken = s.change.apply(s.roster)
    draft = client.post("/api/rosters/SEN", headers=leader,
                        json={"roster": roster_to_dict(broken), "why": "by hand"}).json()
    reply = client.post(f"/api/rosters/versions/{draft['id']}/publish", headers=leader,
                        json={"why": "try"})
    assert reply.status_code == 422
    (b,) = reply.json()["detail"]["breaches"]
    assert (b["rule"], b["person_id"], b["first"], b["hours"]) == ("daily_rest", "A",
                                                                   "2026-12-14", 2.0)
    assert rt.store.rosters.published("SEN") is None
    bad = client.post("/api/rosters/SEN", headers=leader,
                      json={"roster": {**roster_to_dict(broken), "first_day": "14.12.2026"}})
    assert bad.status_code == 422 and "first_day" in bad.text


def test_an_approved_swap_changes_the_roster_and_both_views(rt: Runtime) -> None:
    """On SQLite and on PostgreSQL."""
    with TestClient(create_app(rt, background=False)) as client:
        _approved_swap(client, rt)


def _approved_swap(client: TestClient, rt: Runtime) -> None:
    leader = auth_headers(client, "unit_leader")
    staff = auth_headers(client, "staff_member")
    s = legal_swap()  # A's Monday for B's Tuesday
    version = _published(client, rt, "SEN", s, leader)
    mine = client.get("/api/staff/shifts", headers=staff).json()
    assert list(mine["shifts"]["A"]) == ["2026-12-14"]
    assert [c["id"] for c in mine["colleagues"]] == ["B"]
    asked = _ask(client, staff, s)
    assert asked["ok"] and asked["breaches"] == []
    done = client.post(f"/api/staff/requests/{asked['id']}/decision", headers=leader,
                       json={"accept": True, "why": "agreed"})
    assert done.status_code == 200 and done.json()["state"] == "approved"
    new = rt.store.rosters.published("SEN")
    assert new is not None and new.id != version and new.based_on == version
    assert list(client.get("/api/staff/shifts", headers=staff).json()["shifts"]["A"]) == [
        "2026-12-15"]
    view = client.get("/api/rosters/SEN", headers=leader).json()
    assert view["shifts"]["B"] == {"2026-12-14": [{"code": "D", "start": "07:30", "end": "15:30"}]}
    actions = [(e.action, e.actor) for e in rt.store.audit.recent(20)]
    assert ("staff_request.approve", "unit_leader") in actions
    assert ("staff_request.ask", "staff_member") in actions
    again = client.post(f"/api/staff/requests/{asked['id']}/decision", headers=leader,
                        json={"accept": False, "why": "changed my mind"})
    assert again.status_code == 409


def test_a_staff_member_sees_only_own_requests_and_the_published_roster(
        client: TestClient, sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    leader = auth_headers(client, "unit_leader")
    staff = auth_headers(client, "staff_member")
    s = legal_swap()
    version = _published(client, rt, "SEN", s, leader)
    # a draft after the published one: the leader sees it, the staff member does not
    draft = client.post("/api/rosters/SEN", headers=leader,
                        json={"roster": roster_to_dict(s.roster), "why": "next"}).json()
    assert client.get("/api/rosters/SEN", headers=leader).json()["id"] == draft["id"]
    assert client.get("/api/rosters/SEN", headers=staff).json()["id"] == version
    assert client.get(f"/api/rosters/SEN?version={draft['id']}", headers=staff).status_code == 403
    assert client.get("/api/rosters/NORD", headers=staff).status_code == 403
    assert client.get("/api/rosters/NORD", headers=leader).status_code == 403
    mine = _ask(client, staff, s)
    # another staff member (B's login) and the request of someone else (C) in the unit
    rt.store.users.add("nurse-b", password("nurse-b-long"), "staff_member")
    rt.store.rosters.link("nurse-b", "SEN", "B", by=ADMIN)
    rt.store.rosters.ask("SEN", "C", by=Actor("nurse-c", "staff_member"), kind="wish",
                         day=s.change.day, until=None, colleague_id=None, colleague_day=None,
                         note="", breaches=[], roster_id=version)
    seen = [r["id"] for r in client.get("/api/staff/requests", headers=staff).json()["requests"]]
    assert seen == [mine["id"]]
    b = client.post("/api/auth/login", json={"username": "nurse-b",
                                             "password": password("nurse-b-long")}).json()
    client.cookies.clear()
    as_b = {"Authorization": f"Bearer {b['token']}"}
    assert [r["id"] for r in client.get("/api/staff/requests", headers=as_b).json()["requests"]] \
        == [mine["id"]]  # named as the colleague
    assert len(client.get("/api/staff/requests", headers=leader).json()["requests"]) == 2
    # a staff member cannot decide, nor publish
    assert client.post(f"/api/staff/requests/{mine['id']}/decision", headers=staff,
                       json={"accept": True, "why": "me"}).status_code == 403
    assert client.post(f"/api/rosters/versions/{draft['id']}/publish", headers=staff,
                       json={"why": "me"}).status_code == 403
