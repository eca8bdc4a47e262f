"""The suggestions the board lists (issue 19 finding 4), on SQLite and PostgreSQL: their effects
are predicted when they are shown, not frozen when they were made; they come best first; and
no more than ``max_suggestions`` are open at once."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from kontrolltarn.control import Thresholds, suggest
from kontrolltarn.model import Event, EventKind, Hospital
from kontrolltarn.service import Runtime, create_app

from .conftest import auth_headers, make_runtime


def _long_first_case(rt: Runtime, until_min: int) -> None:
    """The first case of each busy room comes in at its start and is still in the room at
    ``until_min`` (the event clock stands there: a room ready elsewhere)."""
    plans = rt.store.plans.day(rt.day)
    rooms = sorted({p.room_id for p in plans if sum(q.room_id == p.room_id for q in plans) >= 2})
    events = []
    for room in rooms:
        first = min((p for p in plans if p.room_id == room), key=lambda p: p.position)
        events.append(Event(f"in:{first.case_id}", EventKind.IN_ROOM,
                            rt.tower.clock.at(first.start_min), case_id=first.case_id,
                            room_id=room))
    quiet = next(r.id for r in rt.hospital.rooms if r.id not in rooms)
    events.append(Event(f"clock:{until_min}", EventKind.ROOM_READY, rt.tower.clock.at(until_min),
                        room_id=quiet))
    rt.ingest(events)


def _listed(client: TestClient, headers: dict[str, str]) -> list[dict]:  # type: ignore[type-arg]
    reply = client.get("/api/suggestions", headers=headers)
    assert reply.status_code == 200, reply.text
    return reply.json()["suggestions"]  # type: ignore[no-any-return]


def test_effects_are_predicted_when_shown(rt: Runtime) -> None:
    """Issue 19: effect figures were identical at 01:15 and 09:49, frozen when the suggestion
    was made. Listed again after the day moved on, the same suggestion shows new figures."""
    client = TestClient(create_app(rt, background=False))
    headers = auth_headers(client, "leader")
    _long_first_case(rt, 9 * 60 + 40)
    rt.refresh_suggestions()
    early = {s["id"]: s for s in _listed(client, headers)}
    assert early
    _long_first_case(rt, 10 * 60)  # the same cases, 20 minutes later: still in the room
    rt.refresh_suggestions()
    late = {s["id"]: s for s in _listed(client, headers)}
    both = set(early) & set(late)
    assert both, "the same suggestion listed twice"
    assert any(early[i]["effect"] != late[i]["effect"] for i in both)
    for i in both:  # the listed figures are the agent's latest, as stored
        stored = rt.store.suggestions.get(i)
        assert stored is not None and stored.effect == late[i]["effect"]


def test_listed_best_first_and_at_most_the_stated_number(small_hospital: Hospital,
                                                         tmp_path: Path,
                                                         template_folder: Path) -> None:
    rt = make_runtime(small_hospital, f"sqlite:///{tmp_path / 'cap.sqlite3'}", template_folder,
                      max_suggestions=2, suggest_interval_s=0.0)
    try:
        client = TestClient(create_app(rt, background=False))
        headers = auth_headers(client, "leader")
        _long_first_case(rt, 10 * 60)
        # the listing itself asks the agent (its last pass is older than the interval)
        listed = _listed(client, headers)
        assert len(listed) == 2
        benefits = [s["effect"]["benefit_min"] for s in listed]
        assert benefits == sorted(benefits, reverse=True)
        assert len(rt.store.suggestions.list(status="open")) == 2
        every = rt.tower.snapshot()
        every.thresholds = Thresholds(max_suggestions=100)
        now = rt.now()
        more = suggest(every, now, {r: every.forecast(r, now) for r in every.room_ids()})
        assert len(more) > 2  # the cap, not a lack of suggestions, made the list short
        assert [s["id"] for s in listed] == [s.id for s in more[:2]]
    finally:
        rt.store.close()
