from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi import Path as PathParam

from kontrolltarn.model import Event, EventKind
from kontrolltarn.store import LogisticsRequest, Note, Poster

from ..auth import Need, Principal
from ..runtime import Runtime
from ..schemas import PorterRequestIn, PorterStatusIn
from . import runtime

router = APIRouter(tags=["logistics"])


def _by(who: Principal) -> Poster:
    """The user behind a porter event (its source); audited with the request's own write."""
    return Poster(who.actor, note=None)


def _out(rt: Runtime, r: LogisticsRequest) -> dict[str, Any]:
    """A request as its porter needs it: where to (room and location by name), for which case
    and its planned start and procedure (no patient data)."""
    data = asdict(r)
    data["created_at"], data["updated_at"] = r.created_at.isoformat(), r.updated_at.isoformat()
    room = rt.hospital.room_by_id.get(r.room_id)
    location = rt.hospital.location_by_id.get(room.location_id) if room else None
    plan = rt.tower.live.planned.get(r.case_id or "")
    referral = rt.hospital.referral_by_id.get(r.case_id or "")
    procedure = rt.hospital.procedure_by_id.get(referral.procedure_code) if referral else None
    data.update(room_name=room.name if room else r.room_id,
                location_name=location.name if location else None,
                planned_start_min=plan.start_min if plan else None,
                procedure=procedure.name if procedure else None)
    return data


@router.post("/api/porter-requests")
def request_porter(body: PorterRequestIn, rt: Runtime = Depends(runtime),
                   who: Principal = Need("porter:request")) -> dict[str, Any]:
    """Ask a porter to fetch a patient to a room (no phone call)."""
    if body.room_id not in rt.hospital.room_by_id:
        raise HTTPException(422, [{"loc": ["body", "room_id"], "msg": "unknown room",
                                   "input": body.room_id}])
    made = rt.store.logistics.request("porter", body.room_id, body.case_id, who.actor)
    if body.case_id:
        # stamped with the board's now: on a board of another day than today it stays in
        # that day, so no forecast waits for a time days away
        rt.ingest([Event(f"porter-{made.id}-called", EventKind.CALLED, rt.now(),
                         case_id=body.case_id, room_id=body.room_id)], _by(who))
    rt.touch({body.room_id})  # the board shows the request beside the case
    rt.hub.publish("logistics", {"porter_request": made.id})
    return _out(rt, made)


@router.get("/api/porter-requests")
def porter_requests(rt: Runtime = Depends(runtime),
                    _: Principal = Need("porter:read")) -> dict[str, Any]:
    """The porters' queue: every request not yet delivered, oldest first."""
    return {"requests": [_out(rt, r) for r in rt.store.logistics.open_requests("porter")]}


@router.patch("/api/porter-requests/{request_id}")
def update_porter(body: PorterStatusIn, request_id: int = PathParam(ge=1, le=2**62),
                  rt: Runtime = Depends(runtime),
                  who: Principal = Need("porter:update")) -> dict[str, Any]:
    """Move a request on: acknowledged (a porter took it), picked_up (the patient is on the
    way), done (delivered at the department: recorded as the case's arrival)."""
    found = rt.store.logistics.get(request_id)
    if found is None:
        raise HTTPException(404, f"request_id={request_id}: unknown request")
    updated = rt.store.logistics.set_status(request_id, body.status, who.actor)
    if body.status == "done" and found.case_id:
        rt.ingest([Event(f"porter-{request_id}-arrived", EventKind.ARRIVED, rt.now(),
                         case_id=found.case_id, room_id=found.room_id)], _by(who))
    rt.touch({found.room_id})
    rt.hub.publish("logistics", {"porter_request": request_id})
    assert updated is not None
    return _out(rt, updated)


@router.post("/api/rooms/{room_id}/ready")
def room_ready(room_id: str = PathParam(min_length=1, max_length=64),
               rt: Runtime = Depends(runtime),
               who: Principal = Need("room:ready")) -> dict[str, Any]:
    """The room is cleaned and prepared: records the room-ready milestone (audited as
    "room.ready" in the event's transaction)."""
    if room_id not in rt.hospital.room_by_id:
        raise HTTPException(404, f"room_id={room_id!r}: unknown room")
    now = rt.now()  # the board's now (see request_porter)
    event = Event(f"ready-{room_id}-{now.timestamp():.3f}", EventKind.ROOM_READY, now,
                  room_id=room_id)
    rt.ingest([event], Poster(who.actor, note=Note("room.ready", "room", room_id)))
    return {"room_id": room_id, "ready_at": now.isoformat()}
