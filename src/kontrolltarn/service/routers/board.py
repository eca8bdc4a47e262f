from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from ..auth import Need, Principal
from ..hub import CLOSE
from ..runtime import Runtime
from . import runtime

router = APIRouter(prefix="/api/board", tags=["board"])


@router.get("")
def board(rt: Runtime = Depends(runtime), _: Principal = Need("board:read")) -> dict[str, Any]:
    """Every room of every location: plan, actuals, forecast, risks, alerts, data freshness."""
    return rt.board()


@router.get("/stream", response_class=StreamingResponse)
async def stream(request: Request, rt: Runtime = Depends(runtime),
                 who: Principal = Need("board:read"),
                 only: str | None = Query(None, max_length=200, pattern=r"^[a-z_]+(,[a-z_]+)*$",
                                          description="kinds to send, comma-separated (hello "
                                                      "and heartbeat always come)"),
                 ) -> StreamingResponse:
    """Server-sent events: ``rooms`` (changed rooms with the event ids that changed them),
    ``heartbeat`` (freshness, every second) and ``suggestions`` (new or decided). The stream
    ends within a second or two of its session's end (logout, password or role change), and at
    once when the server stops (a browser reconnects to the next one by itself). ``only``: the
    kinds a page needs (a porter's phone: ``logistics``), so a phone is not sent every room."""
    queue = rt.hub.subscribe()
    session = who.session_id
    wanted = None if only is None else tuple(
        f"event: {kind}\n" for kind in {*only.split(","), "heartbeat"})

    async def events() -> AsyncIterator[str]:
        # the session is checked beside the loop, so a slow database never holds the stream
        checking: asyncio.Task[bool] | None = None
        try:
            yield f"event: hello\ndata: {json.dumps(rt.freshness())}\n\n"
            checked = time.monotonic()
            while (session is not None and not rt.hub.closed
                   and not await request.is_disconnected()):
                if checking is not None and checking.done():
                    if checking.exception() is None and not checking.result():
                        break  # revoked: logout, password or role change
                    checking = None
                if checking is None and time.monotonic() - checked >= 1.0:
                    checked = time.monotonic()
                    checking = asyncio.create_task(asyncio.to_thread(rt.store.sessions.live,
                                                                     session))
                try:
                    message = await asyncio.wait_for(queue.get(), timeout=1.0)
                except TimeoutError:
                    continue
                if message == CLOSE:
                    break  # the server is stopping
                if wanted is None or message.startswith(wanted):
                    yield message
        finally:
            rt.hub.unsubscribe(queue)
            if checking is not None:
                checking.cancel()

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
