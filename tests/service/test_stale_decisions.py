"""Optimistic concurrency for suggestions (issue 21 finding 3), on SQLite and PostgreSQL: a
suggestion records the versions of the cases it concerns; accepting it after another
coordinator changed one of them is a 409 naming the case, and nothing is applied."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kontrolltarn.model import Event, EventKind
from kontrolltarn.service import Runtime, create_app
from kontrolltarn.store import StoredSuggestion

from .conftest import auth_headers, password


def _suggestions_for_a_long_first_case(rt: Runtime) -> list[StoredSuggestion]:
    """The first case of a busy room runs until 14:30 (as the board test): the agent proposes
    something for the cases waiting behind it."""
    plans = rt.store.plans.day(rt.day)
    busy = next(r for r in sorted({p.room_id for p in plans})
                if sum(p.room_id == r for p in plans) >= 2)
    first = min((p for p in plans if p.room_id == busy), key=lambda p: p.position)
    other = next(p.room_id for p in plans if p.room_id != busy)
    rt.ingest([Event("long-in", EventKind.IN_ROOM, rt.tower.clock.at(first.start_min),
                     case_id=first.case_id, room_id=busy),
               Event("clock", EventKind.ROOM_READY, rt.tower.clock.at(14 * 60 + 30),
                     room_id=other)])
    assert rt.refresh_suggestions() > 0
    return [s for s in rt.store.suggestions.list(status="open") if s.case_id is not None]


def test_accepting_a_suggestion_after_its_case_changed_is_409_and_applies_nothing(
        rt: Runtime) -> None:
    """Issue 21 finding 3: accepting a suggestion made before another coordinator changed the
    case overwrote that change silently (200, no version check)."""
    rt.store.users.add("coordinator2", password("coordinator2"), "coordinator")
    client = TestClient(create_app(rt, background=False))
    first_coordinator = auth_headers(client, "coordinator")
    token = client.post("/api/auth/login", json={"username": "coordinator2",
                                                 "password": password("coordinator2")})
    client.cookies.clear()
    second_coordinator = {"Authorization": f"Bearer {token.json()['token']}"}
    offered = _suggestions_for_a_long_first_case(rt)
    assert offered, "the agent proposed nothing about a case"
    suggestion = offered[0]
    case_id = suggestion.case_id
    assert case_id is not None
    plan = rt.store.plans.get(case_id)
    version = plan.version

    edited = client.patch(f"/api/cases/{case_id}", headers=second_coordinator,
                          json={"version": version, "planned_min": plan.planned_min + 10,
                                "why": "the surgeon asked for more time"})
    assert edited.status_code == 200, edited.text
    changed = rt.store.plans.get(case_id)
    events_before = rt.store.events.count()

    reply = client.post(f"/api/suggestions/{suggestion.id}/decision", headers=first_coordinator,
                        json={"accept": True, "why": "seen on the board a minute ago"})
    assert reply.status_code == 409, reply.text
    detail = reply.json()["detail"]
    assert detail["case_id"] == case_id
    assert (detail["suggested_on_version"], detail["current_version"]) == (version,
                                                                          version + 1)
    # nothing applied: the other coordinator's change stands, no event, the suggestion open
    assert rt.store.plans.get(case_id) == changed
    assert rt.store.events.count() == events_before
    again = rt.store.suggestions.get(suggestion.id)
    assert again is not None and again.status == "open"
    refused = [a for a in rt.store.audit.recent() if a.resource_id == suggestion.id]
    assert [a.action for a in refused] == ["suggestion.refused"]

    # it recorded the case's version when made; made again on the changed case, the new one
    assert suggestion.action.get("versions") == {case_id: version}
    rt.refresh_suggestions()
    renewed = rt.store.suggestions.get(suggestion.id)
    assert renewed is not None and renewed.status == "open", (suggestion.kind, renewed)
    assert renewed.action["versions"][case_id] == version + 1
