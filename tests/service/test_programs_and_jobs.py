"""Planning as jobs through the API: an optimise job reports progress and ends in a proposed
version; one job per scope (409); cancel; a coordinator publishes (audited, why required) and
the board shows the published program; a runtime started again from the database has it all.
Capacity and roster jobs end in a stored result, judged by their engines' checkers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kontrolltarn.control import Models
from kontrolltarn.model import Event, EventKind, Hospital, Program
from kontrolltarn.plan.staffing import check_roster, first_monday_on_or_after, load_rules, roster_from_dict
from kontrolltarn.predict import CaseDurations
from kontrolltarn.service import Runtime, create_app
from kontrolltarn.store import Store
from kontrolltarn.synth import generate

from ..store.databases import postgres_url
from .conftest import auth_headers, make_runtime


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_runtime(request: pytest.FixtureRequest, small_hospital: Hospital,
                sqlite_runtime: Runtime) -> Iterator[Runtime]:
    """The runtime on SQLite, and on a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_runtime
        return
    with postgres_url() as url:
        rt = make_runtime(small_hospital, url)
        try:
            yield rt
        finally:
            rt.store.close()


@pytest.fixture
def client(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_runtime, background=False)) as c:
        yield c


def _wait(client: TestClient, job_id: int, headers: dict[str, str],
          until: set[str]) -> list[dict[str, Any]]:
    """Every status seen while polling, until the job reaches one of ``until`` (2 min at most:
    a deadline for a stuck job, not a timing assertion)."""
    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        seen.append(job)
        if job["status"] in until:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {seen[-1]['status']}")


def _board_cases(client: TestClient, headers: dict[str, str]) -> set[str]:
    board = client.get("/api/board", headers=headers).json()
    return {c["case_id"] for room in board["rooms"].values() for c in room["cases"]}


def test_optimise_job_to_published_program_on_the_board(client: TestClient,
                                                        sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    coordinator, leader = auth_headers(client, "coordinator"), auth_headers(client, "leader")
    # the day was planned at start (baseline in tests) and published by the system, audited
    initial = client.get("/api/board", headers=leader).json()["program"]
    assert initial["published_by"] == "system:serve" and initial["why"] == "initial program"
    body = {"kind": "optimise", "first_day": rt.day.isoformat(), "days": 1, "time_limit_s": 10}
    assert client.post("/api/jobs", json=body, headers=leader).status_code == 403
    started = client.post("/api/jobs", json=body, headers=coordinator)
    assert started.status_code == 202, started.text
    job = started.json()
    assert job["status"] in ("queued", "running") and job["scope"] == f"{rt.day}+1"
    second = client.post("/api/jobs", json=body, headers=coordinator)
    assert second.status_code == 409 and second.json()["detail"]["job_id"] == job["id"]
    seen = _wait(client, job["id"], leader, {"done", "failed", "cancelled"})
    done = seen[-1]
    assert done["status"] == "done", done
    assert done["progress"] == 1.0 and all(0 <= s["progress"] <= 1 for s in seen)
    version_id = done["result_version_id"]

    version = client.get(f"/api/programs/versions/{version_id}", headers=leader).json()
    assert version["status"] == "proposed" and version["method"] == "optimise"
    assert version["check"]["feasible"] and version["check"]["hard"] == {}
    assert version["size"] == len(version["entries"]) > 0 and version["check"]["kpis"]
    listed = client.get("/api/programs/versions", headers=leader).json()["versions"]
    assert [v["id"] for v in listed][:2] == [version_id, initial["version"]]

    url = f"/api/programs/versions/{version_id}/publish"
    assert client.post(url, json={"why": "fewer overruns"}, headers=leader).status_code == 403
    assert client.post(url, json={"why": ""}, headers=coordinator).status_code == 422
    assert client.post(url, json={}, headers=coordinator).status_code == 422
    published = client.post(url, json={"why": "fewer overruns"}, headers=coordinator)
    assert published.status_code == 200, published.text
    assert published.json()["superseded"] == [initial["version"]]
    assert client.post(url, json={"why": "again"}, headers=coordinator).status_code == 409

    board = client.get("/api/board", headers=leader).json()
    assert board["program"]["version"] == version_id
    assert board["program"]["published_by"] == "coordinator"
    assert _board_cases(client, leader) == {e["case_id"] for e in version["entries"]}
    audit = [e for e in rt.store.audit.recent(50) if e.action == "program.publish"]
    assert (audit[0].actor, audit[0].detail["why"]) == ("coordinator", "fewer overruns")
    assert (audit[1].actor, audit[1].detail["why"]) == ("system:serve", "initial program")


def test_cancel_a_running_and_a_queued_job(client: TestClient, sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    coordinator = auth_headers(client, "coordinator")
    long = {"kind": "optimise", "first_day": rt.day.isoformat(), "days": 10,
            "time_limit_s": 300}
    running = client.post("/api/jobs", json=long, headers=coordinator).json()
    # one worker: a job for another scope waits in the queue behind it
    other = {**long, "first_day": (rt.day + timedelta(days=14)).isoformat(), "days": 1}
    queued = client.post("/api/jobs", json=other, headers=coordinator).json()
    assert queued["status"] == "queued"
    _wait(client, running["id"], coordinator, {"running"})
    cancelled = client.post(f"/api/jobs/{queued['id']}/cancel", headers=coordinator).json()
    assert cancelled["status"] == "cancelled"
    asked = client.post(f"/api/jobs/{running['id']}/cancel", headers=coordinator)
    assert asked.status_code == 200 and asked.json()["cancel_requested"]
    ended = _wait(client, running["id"], coordinator, {"done", "failed", "cancelled"})[-1]
    assert ended["status"] == "cancelled" and ended["result_version_id"] is None
    again = client.post(f"/api/jobs/{running['id']}/cancel", headers=coordinator)
    assert again.status_code == 409
    # the scope is free again
    assert client.post("/api/jobs", json={**long, "days": 1, "time_limit_s": 5},
                       headers=coordinator).status_code == 202


def test_a_restarted_runtime_loses_nothing(any_runtime: Runtime) -> None:
    rt = any_runtime
    with TestClient(create_app(rt, background=False)) as client:
        _restart_loses_nothing(client, rt)


def _restart_loses_nothing(client: TestClient, rt: Runtime) -> None:
    coordinator = auth_headers(client, "coordinator")
    body = {"kind": "optimise", "first_day": rt.day.isoformat(), "days": 1, "time_limit_s": 5}
    job = client.post("/api/jobs", json=body, headers=coordinator).json()
    done = _wait(client, job["id"], coordinator, {"done", "failed"})[-1]
    client.post(f"/api/programs/versions/{done['result_version_id']}/publish",
                json={"why": "the optimised program"}, headers=coordinator)
    first = rt.store.plans.day(rt.day)[0]
    rt.ingest([Event("restart-1", EventKind.IN_ROOM, rt.tower.clock.at(first.start_min),
                     case_id=first.case_id, room_id=first.room_id)])
    board = client.get("/api/board", headers=coordinator).json()

    again = Runtime(rt.settings, None, Store(rt.store.engine))  # a new process, same database
    # the stored hospital, with the case histories the publication and the event appended
    assert again.hospital == rt.store.hospital.load()
    assert again.hospital.case_by_id[first.case_id].status.value == "scheduled"
    assert again.tower.live.planned == rt.tower.live.planned
    assert again.tower.live.seen == rt.tower.live.seen
    assert again.published_program() == board["program"]
    assert [j.id for j in again.store.jobs.recent()] == [job["id"]]
    # nothing was planned twice: the published program is still the day's plan
    assert again.store.programs.published_for(rt.day).id == done["result_version_id"]  # type: ignore[union-attr]


def test_a_repair_job_proposes_the_live_plan_without_a_closed_room(
        client: TestClient, sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    coordinator = auth_headers(client, "coordinator")
    plans = [p for p in rt.store.plans.day(rt.day) if p.status == "planned"]
    room = plans[0].room_id
    body = {"kind": "repair", "first_day": rt.day.isoformat(), "days": 1,
            "event": {"kind": "room_closed", "room_id": room, "day": rt.day.isoformat()}}
    missing = client.post("/api/jobs", json={**body, "event": {"kind": "room_closed",
                                                               "room_id": room}},
                          headers=coordinator)
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"][-1] == "event.day"
    job = client.post("/api/jobs", json=body, headers=coordinator).json()
    done = _wait(client, job["id"], coordinator, {"done", "failed", "cancelled"})[-1]
    assert done["status"] == "done", done
    version = client.get(f"/api/programs/versions/{done['result_version_id']}",
                         headers=coordinator).json()
    assert version["method"] == "repair" and version["status"] == "proposed"
    assert version["check"]["feasible"]
    assert version["entries"] and not [e for e in version["entries"]
                                       if e["room_id"] == room and e["date"] == str(rt.day)]
    # a proposal: the live plan still has the room until a coordinator publishes the repair
    assert any(p.room_id == room and p.status == "planned" for p in rt.store.plans.day(rt.day))


def test_a_planning_job_plans_with_the_towers_duration_model(client: TestClient,
                                                               sqlite_runtime: Runtime) -> None:
    """One duration path in the service: once the tower forecasts with a trained model, the
    optimiser's jobs plan every case with that same model (its mean for the surgeon and room's
    location the program gives it), not with the procedures' catalogue distributions."""
    rt = sqlite_runtime
    history = generate(scale="small", seed=1).history
    model = CaseDurations.from_history(history, latest=4000)
    rt.use_models(Models(durations=model, source="test"))
    coordinator = auth_headers(client, "coordinator")
    body = {"kind": "optimise", "first_day": rt.day.isoformat(), "days": 1, "time_limit_s": 5}
    started = client.post("/api/jobs", json=body, headers=coordinator)
    assert started.status_code == 202, started.text
    done = _wait(client, started.json()["id"], coordinator, {"done", "failed", "cancelled"})[-1]
    assert done["status"] == "done", done
    version = client.get(f"/api/programs/versions/{done['result_version_id']}",
                         headers=coordinator).json()
    h = rt.hospital
    differs = 0
    for e in version["entries"]:
        referral = h.referral_by_id[e["case_id"]]
        location = h.room_by_id[e["room_id"]].location_id
        d = model.distribution(referral, h, surgeon_id=e["surgeon_id"], location_id=location)
        assert e["planned_min"] == max(1, round(d.mean)), e
        differs += e["planned_min"] != max(1, round(
            h.procedure_by_id[referral.procedure_code].duration.mean))
    assert version["entries"] and differs > 0


def test_a_capacity_job_stores_the_gap_table_and_the_checks_verdict(any_runtime: Runtime) -> None:
    rt = any_runtime
    with TestClient(create_app(rt, background=False)) as client:
        coordinator, leader = auth_headers(client, "coordinator"), auth_headers(client, "leader")
        monday = rt.day + timedelta(days=-rt.day.weekday() % 7)
        body = {"kind": "capacity", "first_day": monday.isoformat(), "time_limit_s": 10}
        assert client.post("/api/jobs", json=body, headers=leader).status_code == 403
        for bad, field in (({"weeks": 0}, "weeks"), ({"weeks": 27}, "weeks"),
                           ({"first_day": (monday + timedelta(days=1)).isoformat()}, "first_day"),
                           ({"location_id": rt.hospital.locations[0].id}, "location_id")):
            refused = client.post("/api/jobs", json={**body, **bad}, headers=coordinator)
            assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == field
        started = client.post("/api/jobs", json=body, headers=coordinator)
        assert started.status_code == 202, started.text
        assert started.json()["scope"] == f"capacity:{monday}+84"
        # an optimise job on the same days is not held up by the capacity job
        optimise = {"kind": "optimise", "first_day": monday.isoformat(), "days": 1,
                    "time_limit_s": 2}
        assert client.post("/api/jobs", json=optimise, headers=coordinator).status_code == 202
        assert client.post("/api/jobs", json=body, headers=coordinator).status_code == 409
        done = _wait(client, started.json()["id"], leader, {"done", "failed", "cancelled"})[-1]
    assert done["status"] == "done" and done["result_version_id"] is None, done
    result = done["result"]
    assert result["weeks"] == 12 and result["first_day"] == monday.isoformat()
    waiting = {r.specialty_id for r in rt.hospital.referrals}
    gaps = {g["specialty"]: g for g in result["gaps"]}
    assert set(gaps) == waiting
    assert all(g["planned_sessions"] >= 0 and g["capacity_cases"] >= 0 and g["due_cases"] >= 0
               for g in gaps.values())
    assert sum(g["due_cases"] for g in gaps.values()) > 0
    sessions = result["sessions"]
    assert sessions["planned"] == len(sessions["list"]) == sum(sessions["by_specialty"].values())
    assert {g["specialty"]: g["planned_sessions"] for g in result["gaps"]} == {
        s: n for s, n in sessions["by_specialty"].items() if s in waiting}
    assert result["check"]["ok"] == (result["check"]["violations"] == 0)
    # the list of jobs leaves the results out; the job's own status has it
    assert "result" not in client.get("/api/jobs", headers=leader).json()["jobs"][0]
    assert rt.store.jobs.get(done["id"]).result == result


def test_a_roster_job_stores_coverage_and_the_checkers_breaches(any_runtime: Runtime) -> None:
    rt = any_runtime
    rules = load_rules()
    first = first_monday_on_or_after(rt.hospital.today + timedelta(days=rules.publication_notice_days))
    with TestClient(create_app(rt, background=False)) as client:
        coordinator = auth_headers(client, "coordinator")
        body = {"kind": "roster", "first_day": first.isoformat(), "time_limit_s": 4}
        refused = client.post("/api/jobs", json={**body, "weeks": 13}, headers=coordinator)
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "weeks"
        started = client.post("/api/jobs", json=body, headers=coordinator)
        assert started.status_code == 202, started.text
        seen = _wait(client, started.json()["id"], coordinator, {"done", "failed", "cancelled"})
    done = seen[-1]
    assert done["status"] == "done", done
    assert all(0 <= s["progress"] <= 1 for s in seen)
    result = done["result"]
    assert result["weeks"] == 4 and result["first_day"] == first.isoformat()
    coverage = result["coverage"]
    assert coverage["people"] > 0 and coverage["person_shifts_demanded"] > 0
    assert coverage["uncovered"] == sum(g["uncovered"] for g in coverage["groups"])
    # the breaches are the independent checker's on the stored roster
    roster = roster_from_dict(result["roster"])
    report = check_roster(roster, rules)
    assert [(b["rule"], b["person_id"], b["first"], b["last"]) for b in result["breaches"]] == [
        (b.rule, b.person_id, b.first.isoformat(), b.last.isoformat()) for b in report.breaches]
    assert result["fit_to_publish"] == report.ok == (not result["breaches"])
    assert result["stats"]["people"] == coverage["people"] == len(roster.people)


def test_a_roster_job_stops_when_cancelled(client: TestClient, sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    coordinator = auth_headers(client, "coordinator")
    first = rt.day + timedelta(days=-rt.day.weekday() % 7)
    body = {"kind": "roster", "first_day": first.isoformat(), "weeks": 4, "time_limit_s": 120}
    job = client.post("/api/jobs", json=body, headers=coordinator).json()
    _wait(client, job["id"], coordinator, {"running"})
    asked = client.post(f"/api/jobs/{job['id']}/cancel", headers=coordinator)
    assert asked.status_code == 200 and asked.json()["cancel_requested"]
    ended = _wait(client, job["id"], coordinator, {"done", "failed", "cancelled"})[-1]
    assert ended["status"] == "cancelled" and ended["result"] is None, ended


def test_a_capacity_job_forecasts_from_the_stores_past(client: TestClient,
                                                       sqlite_runtime: Runtime) -> None:
    """With past operations in the store the capacity job's need includes the forecast and
    the budget learnt from them (without a past both are zero)."""
    rt = sqlite_runtime
    coordinator = auth_headers(client, "coordinator")
    monday = rt.day + timedelta(days=-rt.day.weekday() % 7)
    body = {"kind": "capacity", "first_day": monday.isoformat(), "weeks": 4, "time_limit_s": 10}

    def budget() -> int:
        started = client.post("/api/jobs", json=body, headers=coordinator)
        assert started.status_code == 202, started.text
        done = _wait(client, started.json()["id"], coordinator, {"done", "failed", "cancelled"})
        assert done[-1]["status"] == "done", done[-1]
        return sum(g["budget_cases"] for g in done[-1]["result"]["gaps"])

    assert budget() == 0
    rt.store.history.add(generate(scale="small", seed=1).history)
    assert budget() > 0


def test_a_version_that_breaks_a_hard_rule_is_not_published(client: TestClient,
                                                           sqlite_runtime: Runtime) -> None:
    """The validator judges a version before it goes live, whoever made it: a draft with two
    cases at once in one room is refused (409 naming the rule), and the live plan, the
    version's status and the audit log stay as they were."""
    rt = sqlite_runtime
    coordinator = auth_headers(client, "coordinator")
    live = rt.store.programs.published_for(rt.day)
    assert live is not None
    entries = list(rt.store.programs.get(live.id).program.entries)
    first = entries[0]
    clash = next(i for i, e in enumerate(entries)
                 if e.room_id == first.room_id and e.case_id != first.case_id)
    entries[clash] = replace(entries[clash], start_min=first.start_min)  # same room, same time
    draft = rt.store.programs.add(Program(tuple(entries), "hand-made"), rt.day, 1,
                                  by="coordinator", status="draft")
    audited = len(rt.store.audit.recent(500))

    refused = client.post(f"/api/programs/versions/{draft.id}/publish",
                          json={"why": "by hand"}, headers=coordinator)

    assert refused.status_code == 409, refused.text
    assert "hard rule" in refused.json()["detail"]
    assert rt.store.programs.get(draft.id).status == "draft"
    assert rt.store.programs.published_for(rt.day).id == live.id  # type: ignore[union-attr]
    assert len(rt.store.audit.recent(500)) == audited
