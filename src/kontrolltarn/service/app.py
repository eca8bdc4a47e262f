"""The FastAPI application: routers, live-update loops, the board's static files."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from kontrolltarn.model import ModelError
from kontrolltarn.store import UNAVAILABLE_ERRORS, describe

from . import redaction
from .guard import EVENT_FEED_MAX_BODY, SECURITY_HEADERS, RequestGuard, safe_validation_errors
from .routers import (
    audit,
    auth,
    board,
    cases,
    events,
    health,
    imports,
    jobs,
    kpi,
    logistics,
    patient,
    programs,
    referrals,
    rosters,
    suggestions,
    versions,
    worklists,
    workspace,
)
from .runtime import Runtime

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("kontrolltarn.service")


async def _flush_loop(rt: Runtime) -> None:
    """Send changed rooms to browsers, and a heartbeat with data freshness every second.

    Each round forecasts the rooms that events changed since the last round (a room is
    forecast at most once per round however many events it got) and sends them with the ids of
    those events; then a slice of the rooms not refreshed for ``full_refresh_s`` (forecasts move
    with the clock even in a quiet room), so the whole board is never recomputed in one go.
    Under load a round waits at least as long as the last one took, leaving the processor to
    ingest. Nothing is forecast while nobody watches: the board endpoint forecasts stale rooms
    itself."""
    beat = 0.0
    busy = 0.0
    rooms_total = max(1, len(rt.tower.room_ids()))
    probing: asyncio.Task[bool] | None = None
    while True:
        pause = max(rt.settings.flush_interval_s, busy)
        await asyncio.sleep(pause)
        busy = 0.0
        dirty, ids = rt.hub.take()
        if rt.hub.subscribers:
            started = time.perf_counter()
            if dirty or ids:
                rooms = await asyncio.to_thread(rt.rooms, dirty)
                rt.hub.publish("rooms", {"rooms": rooms, "event_ids": ids,
                                         "freshness": rt.freshness()})
            share = math.ceil(2 * rooms_total * pause / rt.settings.full_refresh_s)
            due = rt.due_rooms(share)
            if due:
                rooms = await asyncio.to_thread(rt.rooms, due)
                rt.hub.publish("rooms", {"rooms": rooms, "event_ids": [],
                                         "freshness": rt.freshness()})
            busy = time.perf_counter() - started
        beat += pause
        if beat >= 1.0:
            beat = 0.0
            if probing is None or probing.done():  # the heartbeat tells whether the database
                # answers; probed beside the loop, so a slow network never holds a heartbeat up
                probing = asyncio.create_task(asyncio.to_thread(
                    rt.store.database.check, rt.DATABASE_PROBE_S))
            rt.hub.publish("heartbeat", rt.freshness())


async def _suggest_loop(rt: Runtime) -> None:
    while True:
        await asyncio.sleep(rt.settings.suggest_interval_s)
        try:
            await asyncio.to_thread(rt.refresh_suggestions)
        except UNAVAILABLE_ERRORS as failure:  # logged once by the watch, not every round
            rt.store.database.lost(failure)
        except Exception:  # the agent must never take the board down
            log.exception("suggestion agent failed")


def create_app(runtime: Runtime, *, background: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # every room forecast once before the first browser comes: the first board is as quick
        # as the rest, and the first rounds of the live task are not spent catching up
        await asyncio.to_thread(runtime.rooms, set(runtime.tower.room_ids()))
        tasks = [asyncio.create_task(_flush_loop(runtime))]
        if background:
            tasks.append(asyncio.create_task(_suggest_loop(runtime)))
        # changes stored by other service processes on the same database (PostgreSQL)
        runtime.follow()
        yield
        await asyncio.to_thread(runtime.jobs.drain)  # running jobs end as cancelled
        await asyncio.to_thread(runtime.store.notifier.close)
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # the API documentation is our own page on vendored Swagger UI (``docs``): FastAPI's loads
    # its files from a CDN, with an inline script the security policy refuses
    app = FastAPI(title="Kontrolltårn", version="0.1.0", lifespan=lifespan, docs_url=None,
                  redoc_url=None, swagger_ui_oauth2_redirect_url=None,
                  description="The control tower: live board, events, forecasts, alerts, "
                              "suggested actions and decisions for surgery across all locations.")
    app.state.runtime = runtime

    @app.exception_handler(ModelError)
    async def model_error(_: Request, exc: ModelError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": safe_validation_errors([
            {"loc": ["body", exc.field], "msg": exc.reason, "input": str(exc.value)}])})

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler echoes every input: a password, or a 50 MB body
        return JSONResponse(status_code=422,
                            content={"detail": safe_validation_errors(exc.errors())})

    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        """503 with Retry-After while the database is away, and one log line naming the route
        (its template, not the path: no ids, no request data, no SQL, no traceback)."""
        runtime.store.database.lost(exc)
        route = getattr(request.scope.get("route"), "path", "?")
        log.warning("503 for %s %s: database unavailable (%s)", request.method, route,
                    describe(exc))
        return JSONResponse(status_code=503, headers={"Retry-After": str(health.RETRY_AFTER_S)},
                            content={"detail": f"database unavailable: try again in "
                                               f"{health.RETRY_AFTER_S} s"})

    for error in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error, database_unavailable)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response: Response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.get("/docs", include_in_schema=False)
    async def docs() -> FileResponse:
        """The API documentation (Swagger UI), working offline: every file from this service."""
        return FileResponse(STATIC / "docs.html")

    # versions before programs: /api/programs/versions is not a day of /api/programs/{day}
    for module in (auth, board, events, cases, workspace, versions, programs, jobs, referrals,
                   suggestions, audit, logistics, patient, imports, kpi, health, worklists,
                   rosters):
        app.include_router(module.router)
    app.mount("/", StaticFiles(directory=STATIC, html=True), name="board")
    # outermost: bad or oversize input is answered before any router reads it
    app.add_middleware(RequestGuard, templates=lambda: app.openapi()["paths"], limits={
        imports.router.prefix: imports.MAX_BYTES, events.router.prefix: EVENT_FEED_MAX_BODY})
    redaction.install()
    return app
