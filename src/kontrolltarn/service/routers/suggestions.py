from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi import Path as PathParam

from kontrolltarn.control import ActionRefused
from kontrolltarn.store import AlreadyDecided, StoredSuggestion, VersionConflict

from ..auth import Need, Principal
from ..runtime import Runtime
from ..schemas import DecisionIn, iso
from . import runtime

router = APIRouter(tags=["suggestions", "decisions"])


def _out(s: StoredSuggestion) -> dict[str, Any]:
    return {"id": s.id, "kind": s.kind, "case_id": s.case_id, "room_id": s.room_id,
            "action": s.action, "effect": s.effect, "summary": s.summary, "status": s.status,
            "created_at": iso(s.created_at), "decided_by": s.decided_by,
            "decided_at": iso(s.decided_at), "why": s.why}


@router.get("/api/suggestions")
def list_suggestions(status: Literal["open", "accepted", "rejected", "expired"] | None =
                     Query("open"), rt: Runtime = Depends(runtime),
                     _: Principal = Need("suggestion:read")) -> dict[str, Any]:
    """Proposed actions with their predicted effect. None applies itself. The open ones come
    best first (``effect.benefit_min``), at most ``KONTROLLTARN_MAX_SUGGESTIONS``, with their
    effects predicted now (the agent looks again if its last pass is older than its interval)."""
    found = rt.open_suggestions() if status == "open" else rt.store.suggestions.list(status=status)
    return {"suggestions": [_out(s) for s in found]}


@router.post("/api/suggestions/refresh")
def refresh(rt: Runtime = Depends(runtime),
            who: Principal = Need("suggestion:decide")) -> dict[str, int]:
    """Ask the agent to look at the forecasts now (it also runs every few seconds). Audited:
    the suggestions it stores are then the asking coordinator's doing."""
    return {"new": rt.refresh_suggestions(by=who.actor)}


@router.post("/api/suggestions/{suggestion_id}/decision")
def decide(body: DecisionIn, suggestion_id: str = PathParam(min_length=1, max_length=64),
           rt: Runtime = Depends(runtime),
           who: Principal = Need("suggestion:decide")) -> dict[str, Any]:
    """Accept (runs the repair) or reject, with the reason. Recorded: who, when, why. 409 and
    nothing applied if a case the suggestion concerns was changed after it was made."""
    if rt.store.suggestions.get(suggestion_id) is None:
        raise HTTPException(404, f"suggestion_id={suggestion_id!r}: unknown suggestion")
    try:
        return _out(rt.decide(suggestion_id, body.accept, who, body.why))
    except AlreadyDecided:
        raise HTTPException(409, f"suggestion {suggestion_id} is already decided") from None
    except VersionConflict as conflict:  # as PATCH /api/cases: the case changed since
        raise HTTPException(409, {"msg": f"not applied: case {conflict.case_id} was changed "
                                         "since the suggestion was made",
                                  "case_id": conflict.case_id,
                                  "suggested_on_version": conflict.expected,
                                  "current_version": conflict.actual}) from None
    except ActionRefused as refused:
        raise HTTPException(409, f"not applied: {refused}") from None


@router.get("/api/decisions")
def decisions(limit: int = Query(100, ge=1, le=1000), rt: Runtime = Depends(runtime),
              _: Principal = Need("suggestion:read")) -> dict[str, Any]:
    """Decided suggestions, newest first."""
    decided = [s for s in rt.store.suggestions.list(limit=10_000)
               if s.status in ("accepted", "rejected")]
    return {"decisions": [_out(s) for s in decided[:limit]]}
