"""Rosters per unit and staff self-service (issue 20).

A unit leader stores a roster as a draft and publishes it only when the independent checker
(``plan.staffing.check_roster``, with the unit's rules) finds no breach; a staff member sees
their own shifts and their unit's published roster, and asks for a swap with a named colleague,
an absence or a wish. Each request is checked at once by the same checker (``check_change``:
only the people and days it touches) and the answer names the rule, the date and the hours.
Approval checks again on the server against the roster published now, whatever the client
says: a request that would break a rule cannot be approved. Every write is audited.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from starlette.concurrency import run_in_threadpool

from kontrolltarn.plan.staffing import (
    Breach,
    Roster,
    RosterChange,
    check_change,
    check_roster,
    roster_from_dict,
    roster_to_dict,
)
from kontrolltarn.store import (
    RosterVersion,
    StaffLink,
    StaffRequest,
    StaleRoster,
    UnknownRequest,
    UnknownRoster,
)

from ..auth import Need, Principal, Role
from ..runtime import Runtime
from ..schemas import DecisionIn, PublishIn, RosterIn, RowId, StaffRequestIn, UnitId
from . import runtime

router = APIRouter(tags=["rosters"])

#: amounts of these rules are people, not minutes
PEOPLE_RULES = {"coverage", "competence_mix"}


def breach_view(b: Breach) -> dict[str, Any]:
    """A breach as the pages show it: rule, person, dates, and how far over in hours (or
    people for coverage)."""
    people = b.rule in PEOPLE_RULES
    return {"rule": b.rule, "person_id": b.person_id, "first": b.first.isoformat(),
            "last": b.last.isoformat(), "amount": b.amount,
            "hours": None if people else round(b.amount / 60, 2),
            "people": b.amount if people else None, "detail": b.detail}


def _roster(rt: Runtime, version: RosterVersion) -> Roster:
    """Versions never change once stored: each is parsed once per process."""
    cache: dict[int, Roster] = rt.roster_cache
    if version.id not in cache:
        if len(cache) > 64:
            cache.pop(next(iter(cache)))
        stored = version if version.payload else rt.store.rosters.get(version.id)
        cache[version.id] = roster_from_dict(stored.payload)
    return cache[version.id]


def _link(rt: Runtime, who: Principal) -> StaffLink:
    link = rt.store.rosters.link_of(who.username)
    if link is None:
        raise HTTPException(403, f"user {who.username} belongs to no unit")
    return link


def _own_unit(rt: Runtime, who: Principal, unit_id: str) -> StaffLink:
    link = _link(rt, who)
    if link.unit_id != unit_id:
        raise HTTPException(403, f"unit {unit_id} is not yours")
    return link


def _published(rt: Runtime, unit_id: str) -> RosterVersion:
    found = rt.store.rosters.published(unit_id, payload=False)
    if found is None:
        raise HTTPException(404, f"unit {unit_id} has no published roster")
    return found


def version_view(v: RosterVersion) -> dict[str, Any]:
    return {"id": v.id, "unit_id": v.unit_id, "first_day": v.first_day.isoformat(),
            "weeks": v.weeks, "status": v.status, "based_on": v.based_on,
            "created_by": v.created_by, "created_at": v.created_at.isoformat(),
            "published_by": v.published_by,
            "published_at": v.published_at.isoformat() if v.published_at else None, "why": v.why}


def roster_view(rt: Runtime, v: RosterVersion, only: str | None = None) -> dict[str, Any]:
    """The roster per person and day, coverage per shift (demanded and present, per role) and
    every breach the checker finds; ``only``: one person's shifts (a staff member's view)."""
    roster = _roster(rt, v)
    report = check_roster(roster, rt.unit_rules.for_unit(v.unit_id))
    shifts: dict[str, dict[str, list[dict[str, str]]]] = {}
    for s in roster.shifts:
        if only is None or s.person_id == only:
            shifts.setdefault(s.person_id, {}).setdefault(s.start.date().isoformat(), []).append(
                {"code": s.code, "start": s.start.strftime("%H:%M"), "end": s.end.strftime("%H:%M")})
    coverage = []
    for d in sorted(roster.demand, key=lambda d: (d.start, d.role.value)):
        day = d.start.date()  # a shift covering it starts that day or the day before
        near = roster.shifts_by_day.get(day, []) + roster.shifts_by_day.get(day - timedelta(days=1), [])
        present = sum(1 for s in near if s.start <= d.start and s.end >= d.end
                      and s.location_id == d.location_id
                      and roster.person_by_id[s.person_id].role == d.role)
        coverage.append({"day": d.start.date().isoformat(), "shift": d.shift_code,
                         "role": d.role.value, "start": d.start.strftime("%H:%M"),
                         "end": d.end.strftime("%H:%M"), "demanded": d.count, "present": present})
    return {**version_view(v), "days": [d.isoformat() for d in roster.days],
            "people": [{"id": p.id, "name": p.name or p.id, "role": p.role.value}
                       for p in roster.people if only is None or p.id == only],
            "shifts": shifts, "coverage": [] if only else coverage,
            "breaches": [breach_view(b) for b in report.breaches
                         if only is None or b.person_id == only]}


@router.get("/api/rosters/me")
def me(rt: Runtime = Depends(runtime), who: Principal = Need("roster:read")) -> dict[str, Any]:
    """Who the login is on the rosters: unit, roster person (a staff member)."""
    link = _link(rt, who)
    return {"username": who.username, "role": who.role.value, "unit_id": link.unit_id,
            "person_id": link.person_id}


@router.get("/api/rosters/{unit_id}")
async def unit_roster(unit_id: UnitId, version: int | None = None, rt: Runtime = Depends(runtime),
                      who: Principal = Need("roster:read")) -> dict[str, Any]:
    """The unit's roster: a staff member sees the published one only; the unit leader any
    version (default the newest), with the list of versions."""
    _own_unit(rt, who, unit_id)
    if who.role is Role.STAFF_MEMBER:
        if version is not None:
            raise HTTPException(403, "a staff member sees the published roster only")
        chosen = _published(rt, unit_id)
        return await run_in_threadpool(roster_view, rt, chosen)
    versions = rt.store.rosters.versions(unit_id)
    if not versions:
        raise HTTPException(404, f"unit {unit_id} has no roster")
    try:
        chosen = rt.store.rosters.get(version) if version is not None else versions[0]
    except UnknownRoster:
        raise HTTPException(404, f"roster {version} not found") from None
    if chosen.unit_id != unit_id:
        raise HTTPException(404, f"roster {version} is not of unit {unit_id}")
    view = await run_in_threadpool(roster_view, rt, chosen)
    return {**view, "versions": [version_view(v) for v in versions]}


@router.post("/api/rosters/{unit_id}", status_code=201)
def add_roster(unit_id: UnitId, body: RosterIn, rt: Runtime = Depends(runtime),
               who: Principal = Need("roster:write")) -> dict[str, Any]:
    """Store a roster (``kontrolltarn roster``'s JSON) as a draft of the unit."""
    _own_unit(rt, who, unit_id)
    roster = roster_from_dict(body.roster)  # a ModelError is a 422 naming the field
    stored = rt.store.rosters.add(unit_id, roster_to_dict(roster), by=who.actor, why=body.why)
    return version_view(stored)


@router.post("/api/rosters/versions/{version_id}/publish")
def publish(version_id: RowId, body: PublishIn, rt: Runtime = Depends(runtime),
            who: Principal = Need("roster:write")) -> dict[str, Any]:
    """Publish a draft: 422 naming every breach the checker finds (none may remain), 409 if
    it is not a draft."""
    try:
        version = rt.store.rosters.get(version_id)
    except UnknownRoster:
        raise HTTPException(404, f"roster {version_id} not found") from None
    _own_unit(rt, who, version.unit_id)
    report = check_roster(_roster(rt, version), rt.unit_rules.for_unit(version.unit_id))
    if not report.ok:
        raise HTTPException(422, {"message": f"roster {version_id} breaks "
                                             f"{len(report.breaches)} rule(s); not published",
                                  "breaches": [breach_view(b) for b in report.breaches]})
    try:
        done = rt.store.rosters.publish(version_id, by=who.actor, why=body.why,
                                        checked={"breaches": 0})
    except StaleRoster as stale:
        raise HTTPException(409, str(stale)) from None
    except ValueError as bad:
        raise HTTPException(422, str(bad)) from None
    return version_view(done)


@router.get("/api/staff/shifts")
def my_shifts(rt: Runtime = Depends(runtime),
              who: Principal = Need("staff_request:ask")) -> dict[str, Any]:
    """The staff member's own shifts in the unit's published roster, with the colleagues of
    the same role (whom a swap may name)."""
    link = _link(rt, who)
    version = _published(rt, link.unit_id)
    view = roster_view(rt, version, only=link.person_id)
    roster = _roster(rt, version)
    me_ = roster.person_by_id.get(link.person_id or "")
    colleagues = [{"id": p.id, "name": p.name or p.id} for p in roster.people
                  if me_ is not None and p.id != me_.id and p.role == me_.role
                  and p.location_id == me_.location_id]
    return {**view, "person_id": link.person_id, "colleagues": colleagues}


def request_view(r: StaffRequest) -> dict[str, Any]:
    return {"id": r.id, "unit_id": r.unit_id, "person_id": r.person_id, "kind": r.kind,
            "day": r.day.isoformat(), "until": r.until.isoformat() if r.until else None,
            "colleague_id": r.colleague_id,
            "colleague_day": r.colleague_day.isoformat() if r.colleague_day else None,
            "note": r.note, "state": r.state, "breaches": r.breaches, "roster_id": r.roster_id,
            "created_at": r.created_at.isoformat(), "decided_by": r.decided_by,
            "decided_at": r.decided_at.isoformat() if r.decided_at else None, "why": r.why,
            "result_roster_id": r.result_roster_id}


def _change(r: StaffRequest | StaffRequestIn, person_id: str) -> RosterChange:
    return RosterChange(r.kind, person_id, r.day, r.until, r.colleague_id,  # type: ignore[arg-type]
                        r.colleague_day)


@router.post("/api/staff/requests", status_code=201)
def ask(body: StaffRequestIn, rt: Runtime = Depends(runtime),
        who: Principal = Need("staff_request:ask")) -> dict[str, Any]:
    """Ask for a swap, an absence or a wish: checked at once against the published roster;
    ``ok`` false and ``breaches`` (rule, person, date, hours) when it would break a rule. The
    request is stored either way, for the unit leader to decide."""
    link = _link(rt, who)
    if link.person_id is None:
        raise HTTPException(403, f"user {who.username} is on no roster")
    version = _published(rt, link.unit_id)
    change = _change(body, link.person_id)
    found = check_change(_roster(rt, version), change, rt.unit_rules.for_unit(link.unit_id))
    breaches = [breach_view(b) for b in found]
    stored = rt.store.rosters.ask(link.unit_id, link.person_id, by=who.actor, kind=body.kind,
                                  day=body.day, until=body.until, colleague_id=body.colleague_id,
                                  colleague_day=body.colleague_day, note=body.note,
                                  breaches=breaches, roster_id=version.id)
    return {**request_view(stored), "ok": not breaches}


@router.get("/api/staff/requests")
def requests(rt: Runtime = Depends(runtime),
             who: Principal = Need("staff_request:read")) -> dict[str, Any]:
    """A staff member's own requests (asked, or naming them as the colleague); a unit
    leader's unit's requests."""
    link = _link(rt, who)
    person = link.person_id if who.role is Role.STAFF_MEMBER else None
    if who.role is Role.STAFF_MEMBER and person is None:
        return {"requests": []}
    return {"requests": [request_view(r) for r in
                         rt.store.rosters.requests(link.unit_id, person_id=person)]}


@router.post("/api/staff/requests/{request_id}/decision")
def decide(request_id: RowId, body: DecisionIn, rt: Runtime = Depends(runtime),
           who: Principal = Need("staff_request:decide")) -> dict[str, Any]:
    """Approve (``accept`` true) or refuse (false) a request, with a reason.
    An approval is checked again here, against the roster published now: 409 naming the
    breaches when it would break a rule; otherwise the changed roster becomes the unit's
    published version in the same transaction as the decision."""
    try:
        request = rt.store.rosters.request(request_id)
    except UnknownRequest:
        raise HTTPException(404, f"request {request_id} not found") from None
    _own_unit(rt, who, request.unit_id)
    if request.state != "asked":
        raise HTTPException(409, f"request {request_id} is already {request.state}")
    approve = body.accept
    try:
        if not approve:
            return request_view(rt.store.rosters.decide(request_id, False, by=who.actor,
                                                         why=body.why))
        version = _published(rt, request.unit_id)
        roster = _roster(rt, version)
        change = _change(request, request.person_id)
        found = check_change(roster, change, rt.unit_rules.for_unit(request.unit_id))
        if found:
            raise HTTPException(409, {"message": f"request {request_id} would break "
                                                 f"{', '.join(sorted({b.rule for b in found}))}; "
                                                 "it cannot be approved",
                                      "breaches": [breach_view(b) for b in found]})
        changed = change.apply(roster)
        decided = rt.store.rosters.decide(request_id, True, by=who.actor, why=body.why,
                                          checked_against=version.id,
                                          changed=roster_to_dict(changed))
    except StaleRoster as stale:
        raise HTTPException(409, str(stale)) from None
    except ValueError as bad:
        raise HTTPException(422, str(bad)) from None
    return request_view(decided)

