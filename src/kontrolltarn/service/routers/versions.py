"""Program versions: list them, read one with the validator's report (``plan.check``: feasible,
hard violations per rule, soft costs, KPIs), and publish one (coordinators; ``why`` required).
Publishing supersedes the published versions of overlapping scope and makes the version the
live plan of its days; the decision is audited."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from kontrolltarn.plan.check import check
from kontrolltarn.store import NotPublishable, ProgramVersion, UnknownVersion

from ..auth import Need, Principal
from ..runtime import Runtime
from ..schemas import PublishIn, RowId
from . import runtime

router = APIRouter(prefix="/api/programs/versions", tags=["programs"])


def version_view(v: ProgramVersion) -> dict[str, Any]:
    return {"id": v.id, "first_day": v.first_day.isoformat(), "last_day": v.last_day.isoformat(),
            "days": v.days, "location_id": v.location_id, "method": v.method,
            "status": v.status, "created_by": v.created_by,
            "created_at": v.created_at.isoformat(), "published_by": v.published_by,
            "published_at": v.published_at.isoformat() if v.published_at else None,
            "why": v.why, "size": v.size}


@router.get("")
def versions(status: Literal["draft", "proposed", "published", "superseded"] | None = None,
             limit: int = Query(100, ge=1, le=1000), rt: Runtime = Depends(runtime),
             _: Principal = Need("program:read")) -> dict[str, Any]:
    """The newest versions first (without their entries)."""
    return {"versions": [version_view(v) for v in rt.store.programs.recent(status, limit)]}


@router.get("/{version_id}")
async def version(version_id: RowId, rt: Runtime = Depends(runtime),
                  _: Principal = Need("program:read")) -> dict[str, Any]:
    """One version with its entries and ``check``: the independent validator's verdict on it
    against the stored hospital."""
    try:
        v = rt.store.programs.get(version_id)
    except UnknownVersion:
        raise HTTPException(404, f"program version {version_id} not found") from None
    report = await run_in_threadpool(check, rt.hospital, v.program, rt.local_rules())
    return {**version_view(v), "entries": [
        {"case_id": e.case_id, "session_id": e.session_id, "room_id": e.room_id,
         "date": e.date.isoformat(), "start_min": e.start_min, "planned_min": e.planned_min,
         "surgeon_id": e.surgeon_id, "order": e.order} for e in v.program.entries],
        "check": {"feasible": report.feasible, "hard": report.hard_counts(),
                  "soft": report.soft_costs(), "kpis": report.kpis}}


@router.post("/{version_id}/publish")
def publish(version_id: RowId, body: PublishIn, rt: Runtime = Depends(runtime),
            who: Principal = Need("program:publish")) -> dict[str, Any]:
    """Publish a proposed (or draft) version: 409 if it is already published or superseded."""
    try:
        done = rt.publish(version_id, who, body.why)
    except UnknownVersion:
        raise HTTPException(404, f"program version {version_id} not found") from None
    except NotPublishable as refused:
        raise HTTPException(409, str(refused)) from None
    return {**version_view(done.version), "superseded": done.superseded,
            "changed_cases": len(done.changed_cases)}
