"""The event feed and the service's clock (issue 21 findings 2, 4 and 12), on SQLite and
PostgreSQL: a future event is refused and changes nothing (also after a restart), the wall clock
is the default and the board's now stays in its day, events are stored with the poster as their
source and audited, repeats and conflicts are answered as such, milestones keep their order,
unknown rooms and cases are refused, and numbers and booleans are strict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kontrolltarn.model import EventKind, PlannedCase
from kontrolltarn.service import Runtime, create_app
from kontrolltarn.service.clocks import FUTURE_TOLERANCE, WallClock, board_now

from .conftest import auth_headers


def _client(rt: Runtime) -> TestClient:
    return TestClient(create_app(rt, background=False))


def _event(id: str, kind: EventKind, at: datetime, plan: PlannedCase | None = None,
           **extra: Any) -> dict[str, Any]:
    body = {"id": id, "kind": kind.value, "at": at.isoformat()}
    if plan is not None:
        body |= {"case_id": plan.case_id, "room_id": plan.room_id}
    return body | extra


def _first_case(rt: Runtime) -> PlannedCase:
    return min(rt.store.plans.day(rt.day), key=lambda p: (p.start_min, p.case_id))


def _post(client: TestClient, headers: dict[str, str], *events: dict[str, Any]) -> Any:
    return client.post("/api/events", json={"events": list(events)}, headers=headers)


def test_an_event_dated_2099_is_refused_and_the_board_is_unchanged_after_a_restart(
        rt: Runtime) -> None:
    """Issue 21 finding 2: one event dated 2099 moved the board to 2099, for good."""
    client = _client(rt)
    feed = auth_headers(client, "feed")
    plan = _first_case(rt)
    before = rt.freshness()["now_min"]
    reply = _post(client, feed, _event("in-2099", EventKind.IN_ROOM,
                                       datetime(2099, 1, 1, 8, tzinfo=UTC), plan))
    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"][0]
    assert detail["loc"] == ["body", "events", 0, "at"]
    assert detail["input"].startswith("2099-01-01")
    assert rt.store.events.count() == 0 and rt.freshness()["now_min"] == before
    restarted = Runtime(rt.settings, None, rt.store, clock=rt.clock)  # a new process
    assert restarted.freshness()["now_min"] == before
    assert restarted.tower.live.cases == {}
    # just inside the tolerance of the wall clock (the later clock here) is taken
    near = datetime.now(UTC) + FUTURE_TOLERANCE - timedelta(seconds=30)
    assert _post(client, feed, _event("ready-near", EventKind.ROOM_READY, near,
                                      room_id=plan.room_id)).status_code == 200


def test_the_wall_clock_is_the_default_and_the_board_stays_in_its_day(rt: Runtime) -> None:
    """Issue 21 finding 2: the service's now was the latest event, not the clock. The board
    of a past day (the synthetic hospital's today, 2026-11-30) stands at the day's end."""
    wall = Runtime(rt.settings, None, rt.store)
    assert isinstance(wall.clock, WallClock)
    assert datetime.now(UTC).date() > wall.day  # the synthetic hospital's day is past
    end_of_day = wall.tower.clock.midnight + timedelta(days=1) - timedelta(microseconds=1)
    assert wall.now() == end_of_day
    assert wall.freshness()["now_min"] == pytest.approx(24 * 60, abs=0.01)
    # a future day is seen before its first session: as planned, no delay
    tower = wall.tower
    assert board_now(tower, tower.clock.midnight - timedelta(days=3)) == tower.clock.midnight


def test_porter_and_room_ready_on_a_board_of_another_day_give_bounded_delays(
        rt: Runtime) -> None:
    """Issue 21 finding 2: porter and room-ready events stamped with the wall clock on a board
    of another day delayed a patient by 8,819 minutes."""
    wall = Runtime(rt.settings, None, rt.store)  # the default clock: the wall's
    client = TestClient(create_app(wall, background=False))
    nurse, porter = auth_headers(client, "or_nurse"), auth_headers(client, "porter")
    plans = wall.store.plans.day(wall.day)
    room = next(r for r in sorted({p.room_id for p in plans})
                if sum(p.room_id == r for p in plans) >= 2)
    first, second = sorted((p for p in plans if p.room_id == room), key=lambda p: p.position)[:2]
    made = client.post("/api/porter-requests", json={"room_id": room, "case_id": first.case_id},
                       headers=nurse)
    assert made.status_code == 200, made.text
    done = client.patch(f"/api/porter-requests/{made.json()['id']}", json={"status": "done"},
                        headers=porter)
    assert done.status_code == 200, done.text
    assert client.post(f"/api/rooms/{room}/ready", headers=nurse).status_code == 200
    stamped = [e for e in wall.store.events.for_case(first.case_id)]
    assert {e.kind for e in stamped} == {EventKind.CALLED, EventKind.ARRIVED}
    assert all(e.at.astimezone(wall.tower.clock.tz).date() == wall.day for e in stamped)
    assert {e.source for e in stamped} == {"or_nurse", "porter"}
    board = client.get("/api/board", headers=nurse).json()
    minutes = [c[k] for r in board["rooms"].values() for c in r["cases"]
               for k in ("start", "end") if c[k] is not None]
    assert minutes and max(minutes) < 2 * 24 * 60  # within the day (and its overtime)
    waiting = next(c for c in board["rooms"][room]["cases"] if c["case_id"] == second.case_id)
    assert waiting["start"] - second.start_min < 24 * 60


def test_an_event_post_is_audited_with_the_poster_not_the_bodys_source(rt: Runtime) -> None:
    """Issue 21 finding 4: an OR nurse cancelled a case via the feed with source
    "someone-else"; the stored source was that text and no audit row was written."""
    client = _client(rt)
    nurse = auth_headers(client, "or_nurse")
    plan = _first_case(rt)
    at = rt.tower.clock.at(plan.start_min - 60)
    reply = _post(client, nurse, _event("cancel-1", EventKind.CANCELLED, at, plan,
                                        reason="patient", source="someone-else"))
    assert reply.status_code == 200, reply.text
    assert [e.source for e in rt.store.events.for_case(plan.case_id)] == ["or_nurse"]
    posts = [a for a in rt.store.audit.recent() if a.action == "events.post"]
    assert len(posts) == 1
    assert (posts[0].actor, posts[0].role) == ("or_nurse", "or_nurse")
    assert posts[0].detail["new"] == 1 and posts[0].detail["label"] == "someone-else"
    # a resend is audited too (nothing new)
    _post(client, nurse, _event("cancel-1", EventKind.CANCELLED, at, plan, reason="patient"))
    posts = [a for a in rt.store.audit.recent() if a.action == "events.post"]
    assert len(posts) == 2 and posts[0].detail["new"] == 0 and posts[0].detail["repeated"] == 1


def test_repeats_in_one_batch_are_duplicates_and_a_conflicting_resend_is_409(
        rt: Runtime) -> None:
    """Issue 21 finding 12: an id twice in one batch was reported accepted twice; a resent id
    with another kind was silently dropped."""
    client = _client(rt)
    feed = auth_headers(client, "feed")
    plan = _first_case(rt)
    at = rt.tower.clock.at(plan.start_min)
    in_room = _event("e-1", EventKind.IN_ROOM, at, plan)
    assert _post(client, feed, in_room, in_room).json() == {"accepted": 1, "duplicates": 1}
    # the same id with another kind, after a new event: the whole batch is refused
    other = _event("e-2", EventKind.ANAESTHESIA_START, at + timedelta(minutes=5), plan)
    changed = in_room | {"kind": EventKind.CALLED.value}
    reply = _post(client, feed, other, changed)
    assert reply.status_code == 409, reply.text
    detail = reply.json()["detail"][0]
    assert detail["loc"] == ["body", "events", 1, "id"] and detail["input"] == "e-1"
    assert "kind" in detail["msg"]
    assert rt.store.events.count() == 1
    # within one batch too, and another time is another content
    reply = _post(client, feed, other, other | {"at": (at + timedelta(minutes=6)).isoformat()})
    assert reply.status_code == 409 and reply.json()["detail"][0]["input"] == "e-2"
    assert rt.store.events.count() == 1
    assert _post(client, feed, other, in_room).json() == {"accepted": 1, "duplicates": 1}


def test_in_room_milestones_keep_their_order(rt: Runtime) -> None:
    """Issue 21 finding 12: out_of_room before in_room was accepted and shown done."""
    client = _client(rt)
    feed = auth_headers(client, "feed")
    plan = _first_case(rt)
    at = rt.tower.clock.at(plan.start_min)
    reply = _post(client, feed, _event("in", EventKind.IN_ROOM, at, plan),
                  _event("out", EventKind.OUT_OF_ROOM, at - timedelta(minutes=30), plan))
    assert reply.status_code == 422, reply.text
    detail = reply.json()["detail"][0]
    assert detail["loc"] == ["body", "events", 1, "at"] and "in_room" in detail["msg"]
    assert rt.store.events.count() == 0
    # arriving first is fine (any arrival order), but not done without being in the room
    out = _event("out", EventKind.OUT_OF_ROOM, at + timedelta(minutes=90), plan)
    assert _post(client, feed, out).status_code == 200
    assert rt.tower.live.cases[plan.case_id].phase != "done"
    late_in = _event("in", EventKind.IN_ROOM, at + timedelta(minutes=95), plan)
    reply = _post(client, feed, late_in)
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"][-1] == "at"
    assert _post(client, feed, _event("in", EventKind.IN_ROOM, at, plan)).status_code == 200
    assert rt.tower.live.cases[plan.case_id].phase == "done"
    hospital = rt.store.hospital.load()  # the case's history says who reported it done
    assert hospital is not None and hospital.case_by_id[plan.case_id].history[-1].by == \
        "event:feed"


def test_unknown_rooms_and_cases_are_refused(rt: Runtime) -> None:
    """Issue 21 finding 12: an unknown room was accepted."""
    client = _client(rt)
    feed = auth_headers(client, "feed")
    plan = _first_case(rt)
    at = rt.tower.clock.at(plan.start_min)
    reply = _post(client, feed, _event("r", EventKind.ROOM_READY, at, room_id="no-such-room"))
    assert reply.status_code == 422
    assert reply.json()["detail"][0] | {"msg": ""} == {
        "loc": ["body", "events", 0, "room_id"], "input": "no-such-room", "msg": ""}
    reply = _post(client, feed, _event("c", EventKind.IN_ROOM, at, plan, case_id="no-such-case"))
    assert reply.status_code == 422
    assert reply.json()["detail"][0]["loc"] == ["body", "events", 0, "case_id"]
    assert rt.store.events.count() == 0
    # an emergency is announced by its request, and known from then on
    assert _post(client, feed, _event("em", EventKind.EMERGENCY_REQUESTED, at,
                                      case_id="EM-new")).status_code == 200
    assert _post(client, feed, _event("em-in", EventKind.IN_ROOM, at + timedelta(minutes=40),
                                      plan, case_id="EM-new")).status_code == 200


def test_versions_and_booleans_are_strict(rt: Runtime) -> None:
    """Issue 21 finding 12: ``"version": "1"`` and ``true`` were taken as version 1."""
    client = _client(rt)
    coordinator = auth_headers(client, "coordinator")
    plan = _first_case(rt)
    for version in ("1", True, 1.0):
        reply = client.patch(f"/api/cases/{plan.case_id}", headers=coordinator,
                             json={"version": version, "planned_min": plan.planned_min + 5})
        assert reply.status_code == 422, (version, reply.text)
        assert reply.json()["detail"][0]["loc"] == ["body", "version"]
    assert rt.store.plans.get(plan.case_id).version == plan.version
    reply = client.post("/api/suggestions/none/decision", headers=coordinator,
                        json={"accept": "true", "why": "x"})
    assert reply.status_code == 422 and reply.json()["detail"][0]["loc"] == ["body", "accept"]
    reply = client.patch(f"/api/cases/{plan.case_id}", headers=coordinator,
                         json={"version": plan.version, "planned_min": plan.planned_min + 5})
    assert reply.status_code == 200, reply.text


def test_feed_events_on_another_day_do_not_delay_the_boards_day(rt: Runtime) -> None:
    """Issue 21 finding 2, through the feed: a milestone stamped with today's clock for a case
    of another day, or a room ready today, showed that day's later cases days late."""
    client = _client(rt)
    feed = auth_headers(client, "feed")
    plans = rt.store.plans.day(rt.day)
    room = next(r for r in sorted({p.room_id for p in plans})
                if sum(p.room_id == r for p in plans) >= 2)
    first, second = sorted((p for p in plans if p.room_id == room), key=lambda p: p.position)[:2]
    t_in = rt.tower.clock.at(first.start_min)
    done = _post(client, feed, _event("in-1", EventKind.IN_ROOM, t_in, first),
                 _event("out-1", EventKind.OUT_OF_ROOM, t_in + timedelta(minutes=50), first))
    assert done.status_code == 200, done.text

    def start_of_second() -> float:
        board = client.get("/api/board", headers=auth_headers(client, "coordinator")).json()
        return next(c["start"] for c in board["rooms"][room]["cases"]
                    if c["case_id"] == second.case_id)

    before = start_of_second()
    today = datetime.now(UTC) - timedelta(minutes=1)
    assert today.date() > rt.day + timedelta(days=1)
    reply = _post(client, feed, _event("in-2", EventKind.IN_ROOM, today, second))
    assert reply.status_code == 422, reply.text
    assert reply.json()["detail"][0]["loc"] == ["body", "events", 0, "at"]
    assert rt.day.isoformat() in reply.json()["detail"][0]["msg"]
    ready = _post(client, feed, _event("ready-today", EventKind.ROOM_READY, today, room_id=room))
    assert ready.status_code == 200  # kept in the log: it is a fact of today, not of that day
    assert start_of_second() == before
