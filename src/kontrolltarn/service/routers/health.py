from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from ..runtime import Runtime
from . import runtime

router = APIRouter(tags=["health"])


@router.get("/api/health")
def health(rt: Runtime = Depends(runtime)) -> dict[str, Any]:
    """Liveness and feed freshness (no patient data, no login)."""
    fresh = rt.freshness()
    return {"status": "ok", "day": rt.day.isoformat(), "events": rt.tower.live.events_applied,
            "quiet": fresh["quiet"], "age_s": fresh["age_s"]}
