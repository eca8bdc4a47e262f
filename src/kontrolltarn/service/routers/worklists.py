"""One person's list of the day: a surgeon's cases, or the cases of the rooms an anaesthetist or
a nurse works in, in order, with status and times as the board shows them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query

from kontrolltarn.model import StaffRole

from ..auth import Need, Principal
from ..runtime import Runtime
from ..schemas import Ident
from . import runtime

router = APIRouter(prefix="/api/worklist", tags=["worklists"])
#: at most this many rooms in one list (an anaesthetist covers two, a nurse one)
MAX_ROOMS = 12


@router.get("")
def worklist(surgeon_id: Ident | None = Query(None),
             room_id: list[Ident] = Query([], max_length=MAX_ROOMS),
             rt: Runtime = Depends(runtime),
             who: Principal = Need("program:read")) -> dict[str, Any]:
    """The day's cases of one surgeon (``surgeon_id``) and/or of some rooms (``room_id``,
    repeated), by planned start: room, order, procedure, status, planned, forecast and actual
    times in minutes past the day's midnight (Oslo), each milestone's time, the porter
    request's status and the patient's check-in. Without either, no cases: only the choices
    (the day's surgeons and every room) and ``me``, the surgeon the login is (linked to the
    person by ``store.rosters``, or named by their staff id or HPR number): their own list,
    without choosing."""
    hospital = rt.hospital
    if surgeon_id is not None and surgeon_id not in hospital.staff_by_id:
        raise HTTPException(422, [{"loc": ["query", "surgeon_id"], "msg": "unknown surgeon",
                                   "input": surgeon_id}])
    unknown = [r for r in room_id if r not in hospital.room_by_id]
    if unknown:
        raise HTTPException(422, [{"loc": ["query", "room_id"], "msg": "unknown room",
                                   "input": unknown[0]}])
    with rt.lock:
        planned = dict(rt.tower.live.planned)
    wanted_rooms = set(room_id)
    if surgeon_id is not None:
        wanted_rooms |= {p.room_id for p in planned.values() if p.surgeon_id == surgeon_id}
    views = rt.current_rooms(wanted_rooms)
    cases: list[dict[str, Any]] = []
    for rid, view in views.items():
        for case in view["cases"]:
            plan = planned.get(case["case_id"])
            if surgeon_id is not None and rid not in room_id and (
                    plan is None or plan.surgeon_id != surgeon_id):
                continue
            cases.append(_case(rt, view, case, plan))
    cases.sort(key=lambda c: (c["planned_start"] is None, c["planned_start"] or 0,
                              c["room_name"], c["position"] or 0))
    surgeons = sorted({p.surgeon_id for p in planned.values()
                       if p.status != "unscheduled" and p.surgeon_id in hospital.staff_by_id},
                      key=lambda s: hospital.staff_by_id[s].name)
    # the login's person: the staff link (store.rosters), else a user named by staff id or HPR
    link = rt.store.rosters.link_of(who.username)
    names = {who.username} | ({link.person_id} if link and link.person_id else set())
    me = next((s.id for s in hospital.staff if s.role is StaffRole.SURGEON
               and (s.id in names or s.hpr in names)), None)
    return {
        "day": rt.day.isoformat(),
        "now_min": round(rt.tower.clock.minutes(rt.now()), 1),
        "me": me,
        "surgeons": [{"id": s, "name": hospital.staff_by_id[s].name} for s in surgeons],
        "rooms": [{"id": r.id, "name": r.name, "location_id": r.location_id,
                   "location_name": hospital.location_by_id[r.location_id].name}
                  for r in hospital.rooms],
        "cases": cases,
        #: the listed rooms reported ready, and when (minutes past midnight), while they are
        "ready_min": {rid: view.get("ready_min") for rid, view in views.items()},
    }


def _case(rt: Runtime, view: dict[str, Any], case: dict[str, Any], plan: Any) -> dict[str, Any]:
    with rt.lock:
        state = rt.tower.live.cases.get(case["case_id"])
        milestones = {} if state is None else {
            kind.value: round(rt.tower.clock.minutes(at), 1)
            for kind, at in state.milestones.items()}
    surgeon = rt.hospital.staff_by_id.get(plan.surgeon_id) if plan else None
    return {**{k: case.get(k) for k in (
        "case_id", "procedure", "specialty", "position", "planned_start", "planned_end", "phase",
        "milestone", "start", "end", "actual", "porter", "checked_in")},
        "room_id": view["room_id"], "room_name": view["name"],
        "surgeon_id": plan.surgeon_id if plan else None,
        "surgeon_name": surgeon.name if surgeon else None,
        "milestones": milestones}
