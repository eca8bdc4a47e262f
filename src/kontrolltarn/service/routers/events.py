from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from kontrolltarn.model import Event

from ..auth import Need, Principal
from ..runtime import Runtime
from ..schemas import EventBatch, EventIn
from . import runtime

router = APIRouter(prefix="/api/events", tags=["events"])


def to_event(e: EventIn) -> Event:
    return Event(e.id, e.kind, e.at, e.case_id, e.room_id, e.reason, e.source)


@router.post("")
def post_events(body: EventBatch, rt: Runtime = Depends(runtime),
                _: Principal = Need("event:write")) -> dict[str, Any]:
    """Record milestone events (a batch). Idempotent by event id; any order. The reply comes
    after the batch is durable, so a producer resends what it has no reply for."""
    result = rt.ingest([to_event(e) for e in body.events])
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
