from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query

from kontrolltarn.model import Event
from kontrolltarn.store import ConflictingEvent

from ..auth import Need, Principal
from ..runtime import EventRefused, Runtime
from ..schemas import EventBatch, EventIn
from . import runtime

router = APIRouter(prefix="/api/events", tags=["events"])


def to_event(e: EventIn) -> Event:
    """The event as the feed reports it; its source is set from the poster when stored."""
    return Event(e.id, e.kind, e.at, e.case_id, e.room_id, e.reason)


@router.post("")
def post_events(body: EventBatch, rt: Runtime = Depends(runtime),
                who: Principal = Need("event:write")) -> dict[str, Any]:
    """Record milestone events (a batch). Idempotent by event id; any arrival order. The reply
    comes after the batch is durable, so a producer resends what it has no reply for. Stored
    with the poster (the logged-in user) as their source and audited; all or nothing: 422 for
    an unknown case or room, a time more than 5 minutes ahead or in-room milestones out of
    order, 409 for an id sent again with other content (kind, at, case, room, reason)."""
    events = [to_event(e) for e in body.events]
    labels = sorted({e.source for e in body.events if e.source is not None})
    try:
        result = rt.feed(events, who, label=", ".join(labels)[:200] or None)
    except EventRefused as refused:
        raise HTTPException(422, [{"loc": ["body", "events", refused.index, refused.field],
                                   "msg": refused.reason, "input": refused.value}]) from None
    except ConflictingEvent as conflict:
        index = max(i for i, e in enumerate(events) if e.id == conflict.event_id)
        raise HTTPException(409, [{"loc": ["body", "events", index, "id"],
                                   "msg": str(conflict), "input": conflict.event_id}]) from None
    return {"accepted": len(result.new), "duplicates": result.duplicates}


@router.get("")
def list_events(after: int = Query(0, ge=0, le=2**62), limit: int = Query(500, ge=1, le=5000),
                rt: Runtime = Depends(runtime),
                _: Principal = Need("event:read")) -> dict[str, Any]:
    out = []
    for seq, e in rt.store.events.read(after_seq=after, batch=limit):
        out.append({"seq": seq, "id": e.id, "kind": e.kind.value, "at": e.at.isoformat(),
                    "case_id": e.case_id, "room_id": e.room_id,
                    "reason": e.reason.value if e.reason else None, "source": e.source})
        if len(out) >= limit:
            break
    return {"events": out}
