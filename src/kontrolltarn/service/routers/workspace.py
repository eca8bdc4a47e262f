"""The planning workspace: a week of the program per location and room, a proposed version
compared with the live plan it would replace, and the local planning rules in force (with where
the locations differ). Proposing is a job (``POST /api/jobs``, with pins and removals for a
re-proposal); publishing is ``POST /api/programs/versions/{id}/publish``."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from kontrolltarn.model import Program
from kontrolltarn.plan.check import rule_parts, shipped_rules
from kontrolltarn.store import UnknownVersion

from ..auth import Need, Principal
from ..runtime import Runtime
from ..schemas import RowId
from ..workspace import compare, week_view
from . import runtime

router = APIRouter(tags=["workspace"])


@router.get("/api/workspace/week")
def week(first_day: date, days: int = Query(5, ge=1, le=14), rt: Runtime = Depends(runtime),
         _: Principal = Need("program:read")) -> dict[str, Any]:
    """The live plan of ``days`` days from ``first_day``: sessions per location and room, each
    case with its specialty, deadline, readiness and whether the patient was told the date."""
    last = first_day.fromordinal(first_day.toordinal() + days - 1)
    planned = [p.entry for p in rt.store.plans.between(first_day, last) if p.status == "planned"]
    told = rt.store.plans.told([e.case_id for e in planned])
    view = week_view(rt.hospital, planned, first_day, days, told)
    published = rt.store.programs.published_for(first_day)
    view["published_version_id"] = published.id if published is not None else None
    return view


@router.get("/api/programs/versions/{version_id}/compare")
async def compare_version(version_id: RowId, rt: Runtime = Depends(runtime),
                          _: Principal = Need("program:read")) -> dict[str, Any]:
    """The version against the live plan of its days (and location): cases moved, added and
    taken out, patients already told a date who would be affected, KPIs side by side; and the
    version's own cases for the Gantt."""
    try:
        v = rt.store.programs.get(version_id)
    except UnknownVersion:
        raise HTTPException(404, f"program version {version_id} not found") from None
    hospital = rt.hospital
    rooms = None if v.location_id is None else {
        r.id for r in hospital.rooms if r.location_id == v.location_id}
    current = Program(tuple(p.entry for p in rt.store.plans.between(v.first_day, v.last_day)
                            if p.status == "planned" and (rooms is None or p.entry.room_id in rooms)))
    told = rt.store.plans.told([e.case_id for e in current.entries])
    result = await run_in_threadpool(compare, hospital, current, v.program, told,
                                     rt.models.durations)
    view = week_view(hospital, v.program.entries, v.first_day, v.days, told)
    return {"version_id": v.id, "status": v.status, **result, "week": view}


@router.get("/api/workspace/rules")
def rules(_: Principal = Need("program:read")) -> dict[str, Any]:
    """The local planning rules in force (one line per scope) and, per specialty, where the
    locations' merged rules differ (a leader's side-by-side view)."""
    local = shipped_rules()
    return {"source": local.source,
            "rules": [{"scope": r.scope, "note": r.note, "limits": rule_parts(r)}
                      for r in local.all_rules()]}


@router.get("/api/workspace/rules/differences")
def differences(rt: Runtime = Depends(runtime),
                _: Principal = Need("program:read")) -> dict[str, Any]:
    """Per specialty, the rules at each location where the locations differ."""
    h = rt.hospital
    return {"locations": [loc.id for loc in h.locations],
            "differences": shipped_rules().differences([loc.id for loc in h.locations],
                                                       [s.id for s in h.specialties])}
