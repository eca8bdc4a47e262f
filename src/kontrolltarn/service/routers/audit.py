from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from ..auth import Need, Principal
from ..runtime import Runtime
from ..schemas import iso
from . import runtime

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("")
def audit(limit: int = Query(100, ge=1, le=1000),
          resource_id: str | None = Query(None, max_length=128),
          rt: Runtime = Depends(runtime), _: Principal = Need("audit:read")) -> dict[str, Any]:
    """Changes and reads of patient data, newest first."""
    return {"entries": [
        {"seq": e.seq, "at": iso(e.at), "actor": e.actor, "role": e.role, "action": e.action,
         "resource": e.resource, "resource_id": e.resource_id, "patient_data": e.patient_data,
         "detail": e.detail} for e in rt.store.audit.recent(limit, resource_id)]}
