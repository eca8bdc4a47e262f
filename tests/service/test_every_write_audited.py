"""Every writing endpoint leaves an audit row naming the authenticated actor (issue 21: "every
write, whatever the path, is audited with the authenticated actor").

The test walks the application's OpenAPI document: each POST, PATCH, PUT and DELETE operation
must have an entry in ``WRITES`` below, which makes a successful request as the role allowed to
write and names the audit action it must leave. A new writing endpoint without an entry fails
here, so auditing cannot be forgotten."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from kontrolltarn.model import Event, EventKind
from kontrolltarn.plan.staffing import roster_to_dict
from kontrolltarn.service import Runtime, create_app
from kontrolltarn.store import Actor, Job

from ..plan.roster_requests import legal_swap
from .conftest import auth_headers, password
from .test_import_and_models import _one_new_referral


@dataclass
class Ctx:
    client: TestClient
    rt: Runtime
    headers: dict[str, str]
    case_id: str
    room_id: str


@dataclass(frozen=True)
class Write:
    role: str  # who makes the request (and must be the audit row's actor)
    action: str  # the audit action it must leave
    call: Callable[[Ctx], Response]
    actor: Callable[[Ctx], str] | None = None  # when the actor is not the role's user


def _patient_token(ctx: Ctx) -> str:
    coordinator = auth_headers(ctx.client, "coordinator")
    link = ctx.client.post(f"/api/cases/{ctx.case_id}/patient-link", json={},
                           headers=coordinator).json()
    return str(link["token"])


def _patient_session(ctx: Ctx) -> Response:
    return ctx.client.post("/api/patient/session", json={"token": _patient_token(ctx)})


def _check_in(ctx: Ctx) -> Response:
    session = _patient_session(ctx).json()["token"]
    ctx.client.cookies.clear()
    return ctx.client.post("/api/patient/checkin",
                           headers={"Authorization": f"Bearer {session}"})


def _porter_request(ctx: Ctx) -> Response:
    return ctx.client.post("/api/porter-requests", headers=ctx.headers,
                           json={"room_id": ctx.room_id, "case_id": ctx.case_id})


def _porter_update(ctx: Ctx) -> Response:
    made = _porter_request(ctx.__class__(ctx.client, ctx.rt,
                                         auth_headers(ctx.client, "or_nurse"),
                                         ctx.case_id, ctx.room_id)).json()
    return ctx.client.patch(f"/api/porter-requests/{made['id']}", headers=ctx.headers,
                            json={"status": "acknowledged"})


def _job(ctx: Ctx) -> dict[str, Any]:
    body = {"kind": "optimise", "first_day": ctx.rt.day.isoformat(), "days": 1,
            "time_limit_s": 2}
    reply = ctx.client.post("/api/jobs", json=body, headers=ctx.headers)
    assert reply.status_code == 202, reply.text
    return dict(reply.json())


def _job_cancel(ctx: Ctx) -> Response:
    job = _job(ctx)
    reply = ctx.client.post(f"/api/jobs/{job['id']}/cancel", headers=ctx.headers)
    _finished(ctx.rt, job["id"])
    return reply


def _finished(rt: Runtime, job_id: int) -> Job:
    """The job once it has ended (2 min at most: a deadline for a stuck job, not a timing
    assertion)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = rt.store.jobs.get(job_id)
        if job.status in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {rt.store.jobs.get(job_id).status}")


def _publish(ctx: Ctx) -> Response:
    version = _finished(ctx.rt, _job(ctx)["id"]).result_version_id
    assert version is not None, "the optimise job made no version"
    return ctx.client.post(f"/api/programs/versions/{version}/publish", headers=ctx.headers,
                           json={"why": "audit test"})


def _suggestion_decision(ctx: Ctx) -> Response:
    plans = ctx.rt.store.plans.day(ctx.rt.day)
    first = min((p for p in plans if p.room_id == ctx.room_id), key=lambda p: p.position)
    other = next(p.room_id for p in plans if p.room_id != ctx.room_id)
    ctx.rt.ingest([Event("audit-long-in", EventKind.IN_ROOM,
                         ctx.rt.tower.clock.at(first.start_min), case_id=first.case_id,
                         room_id=ctx.room_id),
                   Event("audit-clock", EventKind.ROOM_READY, ctx.rt.tower.clock.at(14 * 60 + 30),
                         room_id=other)])
    ctx.rt.refresh_suggestions()
    open_ = ctx.rt.store.suggestions.list(status="open")
    assert open_, "the agent made no suggestion to decide on"
    return ctx.client.post(f"/api/suggestions/{open_[0].id}/decision", headers=ctx.headers,
                           json={"accept": False, "why": "not now"})


def _event_post(ctx: Ctx) -> Response:
    at = ctx.rt.tower.clock.at(7 * 60).isoformat()
    return ctx.client.post("/api/events", headers=ctx.headers, json={"events": [
        {"id": "audit-called", "kind": "called", "at": at, "case_id": ctx.case_id,
         "room_id": ctx.room_id, "source": "someone-else"}]})


def _case_change(ctx: Ctx) -> Response:
    version = ctx.rt.store.plans.get(ctx.case_id).version
    return ctx.client.patch(f"/api/cases/{ctx.case_id}", headers=ctx.headers,
                            json={"version": version, "position": 1})


def _import(ctx: Ctx) -> Response:
    bundle = _one_new_referral(ctx.rt)
    return ctx.client.post("/api/import?name=bundle.json", content=json.dumps(bundle),
                           headers={**ctx.headers, "Content-Type": "application/fhir+json"})


WRITES: dict[tuple[str, str], Write] = {
    ("POST", "/api/auth/login"): Write(
        "coordinator", "login", lambda c: c.client.post("/api/auth/login", json={
            "username": "coordinator", "password": password("coordinator")})),
    ("POST", "/api/auth/logout"): Write(
        "surgeon", "logout", lambda c: c.client.post("/api/auth/logout", headers=c.headers)),
    ("POST", "/api/events"): Write("or_nurse", "events.post", _event_post),
    ("PATCH", "/api/cases/{case_id}"): Write("coordinator", "case.change", _case_change),
    ("POST", "/api/cases/{case_id}/told"): Write(
        "coordinator", "case.told", lambda c: c.client.post(
            f"/api/cases/{c.case_id}/told", headers=c.headers, json={"why": "letter"})),
    ("POST", "/api/cases/{case_id}/patient-link"): Write(
        "coordinator", "patient_link.create", lambda c: c.client.post(
            f"/api/cases/{c.case_id}/patient-link", headers=c.headers, json={})),
    ("POST", "/api/patient/session"): Write(
        "coordinator", "patient_link.open", _patient_session,
        actor=lambda c: f"patient:{c.case_id}"),
    ("POST", "/api/patient/checkin"): Write(
        "coordinator", "patient.checkin", _check_in, actor=lambda c: f"patient:{c.case_id}"),
    ("POST", "/api/porter-requests"): Write("or_nurse", "porter.request", _porter_request),
    ("PATCH", "/api/porter-requests/{request_id}"): Write(
        "porter", "porter.acknowledged", _porter_update),
    ("POST", "/api/rooms/{room_id}/ready"): Write(
        "or_nurse", "room.ready", lambda c: c.client.post(f"/api/rooms/{c.room_id}/ready",
                                                          headers=c.headers)),
    ("POST", "/api/jobs"): Write("coordinator", "job.start", lambda c: _job_response(c)),
    ("POST", "/api/jobs/{job_id}/cancel"): Write("coordinator", "job.cancel", _job_cancel),
    ("POST", "/api/programs/versions/{version_id}/publish"): Write(
        "coordinator", "program.publish", _publish),
    ("POST", "/api/suggestions/refresh"): Write(
        "coordinator", "suggestion.refresh", lambda c: c.client.post(
            "/api/suggestions/refresh", headers=c.headers)),
    ("POST", "/api/suggestions/{suggestion_id}/decision"): Write(
        "coordinator", "suggestion.reject", _suggestion_decision),
    ("POST", "/api/import"): Write("coordinator", "import.accept", _import),
    ("POST", "/api/rosters/{unit_id}"): Write("unit_leader", "roster.draft", lambda c: _roster_draft(c)),
    ("POST", "/api/rosters/versions/{version_id}/publish"): Write(
        "unit_leader", "roster.publish", lambda c: _roster_publish(c)),
    ("POST", "/api/staff/requests"): Write("staff_member", "staff_request.ask",
                                           lambda c: _staff_request(c)),
    ("POST", "/api/staff/requests/{request_id}/decision"): Write(
        "unit_leader", "staff_request.approve", lambda c: _staff_decision(c)),
    ("PUT", "/api/workspace/rules"): Write(
        "leader", "rules.save", lambda c: c.client.put("/api/workspace/rules", headers=c.headers,
                                                       json={"text": "", "why": "audit test"})),
    ("POST", "/api/workspace/rules/preview"): Write(
        "coordinator", "rules.preview", lambda c: c.client.post(
            "/api/workspace/rules/preview", headers=c.headers, json={"text": ""})),
}


def _roster_draft(ctx: Ctx) -> Response:
    ctx.rt.store.rosters.link("unit_leader", "SEN", None, by=Actor("test", "cli"))
    ctx.rt.store.rosters.link("staff_member", "SEN", "A", by=Actor("test", "cli"))
    leader = auth_headers(ctx.client, "unit_leader")
    return ctx.client.post("/api/rosters/SEN", headers=leader,
                           json={"roster": roster_to_dict(legal_swap().roster), "why": "t"})


def _roster_publish(ctx: Ctx) -> Response:
    draft = _roster_draft(ctx).json()
    return ctx.client.post(f"/api/rosters/versions/{draft['id']}/publish",
                           headers=auth_headers(ctx.client, "unit_leader"), json={"why": "t"})


def _staff_request(ctx: Ctx) -> Response:
    assert _roster_publish(ctx).status_code == 200
    return ctx.client.post("/api/staff/requests", headers=auth_headers(ctx.client, "staff_member"),
                           json={"kind": "swap", "day": "2026-12-14", "colleague_id": "B",
                                 "colleague_day": "2026-12-15"})


def _staff_decision(ctx: Ctx) -> Response:
    asked = _staff_request(ctx).json()
    return ctx.client.post(f"/api/staff/requests/{asked['id']}/decision",
                           headers=auth_headers(ctx.client, "unit_leader"),
                           json={"accept": True, "why": "agreed"})


def _job_response(ctx: Ctx) -> Response:
    body = {"kind": "optimise", "first_day": ctx.rt.day.isoformat(), "days": 1,
            "time_limit_s": 2}
    reply = ctx.client.post("/api/jobs", json=body, headers=ctx.headers)
    _finished(ctx.rt, reply.json()["id"])
    return reply


@pytest.fixture
def client(sqlite_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_runtime, background=False)) as c:
        yield c


def test_every_writing_endpoint_has_an_audit_check(sqlite_runtime: Runtime) -> None:
    """A writing endpoint added without an entry in WRITES fails here."""
    paths = create_app(sqlite_runtime).openapi()["paths"]
    routes = {(method.upper(), path) for path, operations in paths.items()
              for method in operations if method in ("post", "patch", "put", "delete")}
    assert len(routes) >= len(WRITES) - 1  # the walk found the application's routes
    assert routes - WRITES.keys() == set(), "writing endpoints without an audit check"
    assert WRITES.keys() - routes == set(), "audit checks of endpoints that are gone"


@pytest.mark.parametrize("route", sorted(WRITES), ids=lambda r: f"{r[0]} {r[1]}")
def test_a_write_leaves_an_audit_row_naming_the_actor(route: tuple[str, str],
                                                      client: TestClient,
                                                      sqlite_runtime: Runtime) -> None:
    rt = sqlite_runtime
    write = WRITES[route]
    plans = rt.store.plans.day(rt.day)
    busy = next(r for r in sorted({p.room_id for p in plans})
                if sum(p.room_id == r for p in plans) >= 2)
    case = min((p for p in plans if p.room_id == busy), key=lambda p: p.position)
    ctx = Ctx(client, rt, auth_headers(client, write.role), case.case_id, busy)
    before = rt.store.audit.recent(1)
    after_seq = before[0].seq if before else 0
    reply = write.call(ctx)
    assert 200 <= reply.status_code < 300, (route, reply.status_code, reply.text)
    rows = [e for e in rt.store.audit.recent(500) if e.seq > after_seq]
    actor = write.actor(ctx) if write.actor else write.role
    assert any(e.action == write.action and e.actor == actor for e in rows), (
        route, write.action, actor, [(e.action, e.actor) for e in rows])
