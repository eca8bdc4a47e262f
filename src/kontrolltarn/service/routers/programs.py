from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query

from kontrolltarn.store import plan_fields

from ..auth import Need, Principal
from ..runtime import Runtime
from . import runtime

router = APIRouter(tags=["programs", "sessions"])


@router.get("/api/programs/{day}")
def program(day: date, rt: Runtime = Depends(runtime),
            _: Principal = Need("program:read")) -> dict[str, Any]:
    """The program of ``day`` as stored now (with each case's version)."""
    return {"day": day.isoformat(), "entries": [
        {**plan_fields(p), "case_id": p.case_id, "version": p.version} for p in rt.store.plans.day(day)]}


@router.get("/api/sessions")
def sessions(day: date | None = Query(None), rt: Runtime = Depends(runtime),
             _: Principal = Need("program:read")) -> dict[str, Any]:
    wanted = day or rt.day
    return {"day": wanted.isoformat(), "sessions": [
        {"id": s.id, "room_id": s.room_id, "start_min": s.start_min, "end_min": s.end_min,
         "specialty_id": s.specialty_id, "emergency": s.emergency,
         "released": s.room_id in rt.tower.released and wanted == rt.day}
        for s in rt.hospital.sessions if s.date == wanted]}
