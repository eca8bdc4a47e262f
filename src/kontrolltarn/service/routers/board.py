from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from ..auth import Need, Principal
from ..runtime import Runtime
from . import runtime

router = APIRouter(prefix="/api/board", tags=["board"])


@router.get("")
def board(rt: Runtime = Depends(runtime), _: Principal = Need("board:read")) -> dict[str, Any]:
    """Every room of every location: plan, actuals, forecast, risks, alerts, data freshness."""
    return rt.board()


@router.get("/stream", response_class=StreamingResponse)
async def stream(request: Request, rt: Runtime = Depends(runtime),
                 _: Principal = Need("board:read")) -> StreamingResponse:
    """Server-sent events: ``rooms`` (changed rooms with the event ids that changed them),
    ``heartbeat`` (freshness, every second) and ``suggestions`` (new or decided)."""
    queue = rt.hub.subscribe()

    async def events() -> AsyncIterator[str]:
        try:
            yield f"event: hello\ndata: {json.dumps(rt.freshness())}\n\n"
            while not await request.is_disconnected():
                try:
                    yield await asyncio.wait_for(queue.get(), timeout=1.0)
                except TimeoutError:
                    continue
        finally:
            rt.hub.unsubscribe(queue)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
