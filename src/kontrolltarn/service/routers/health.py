from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from ..runtime import Runtime
from . import runtime

router = APIRouter(tags=["health"])
#: seconds a load balancer or client is asked to wait while the database is away
RETRY_AFTER_S = 5


@router.get("/api/health", responses={503: {"description": "the database is unavailable"}})
def health(rt: Runtime = Depends(runtime)) -> Any:
    """Liveness, the database (a ``SELECT 1`` with a short timeout) and feed freshness (no
    patient data, no login). 503 with status "degraded" while the database does not answer:
    nothing can be stored then, and the board may miss other processes' changes."""
    up = rt.store.database.check()
    fresh = rt.freshness()
    body: dict[str, Any] = {"status": "ok" if up else "degraded",
                            "database": fresh["database"], "day": rt.day.isoformat(),
                            "events": rt.tower.live.events_applied, "quiet": fresh["quiet"],
                            "age_s": fresh["age_s"]}
    if up:
        return body
    return JSONResponse(status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)},
                        content={**body, "detail": "database unavailable"})
