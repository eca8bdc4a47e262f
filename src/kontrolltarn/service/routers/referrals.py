from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi import Path as PathParam

from ..auth import Need, Principal
from ..runtime import Runtime
from . import runtime

router = APIRouter(prefix="/api/referrals", tags=["referrals"])


def _referral(r: Any) -> dict[str, Any]:
    return {"id": r.id, "patient_id": r.patient_id, "procedure_code": r.procedure_code,
            "specialty_id": r.specialty_id, "priority": int(r.priority),
            "referral_date": r.referral_date.isoformat(), "deadline": r.deadline.isoformat(),
            "booked_min": r.booked_min, "ready": r.ready,
            "readiness_missing": sorted(i.value for i in r.readiness_missing)}


@router.get("")
def list_referrals(specialty: str | None = Query(None, max_length=64),
                   limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10**7),
                   rt: Runtime = Depends(runtime),
                   who: Principal = Need("referral:read")) -> dict[str, Any]:
    """The waiting list (patient-identifying: audited)."""
    found = [r for r in rt.hospital.referrals if specialty is None or r.specialty_id == specialty]
    page = found[offset:offset + limit]
    rt.store.audit.record(who.username, who.role.value, "referral.list", "referral", specialty,
                          patient_data=True, detail={"count": len(page)})
    return {"total": len(found), "referrals": [_referral(r) for r in page]}


@router.get("/{referral_id}")
def get_referral(referral_id: str = PathParam(min_length=1, max_length=64),
                 rt: Runtime = Depends(runtime),
                 who: Principal = Need("referral:read")) -> dict[str, Any]:
    referral = rt.hospital.referral_by_id.get(referral_id)
    if referral is None:
        raise HTTPException(404, f"referral_id={referral_id!r}: unknown referral")
    rt.store.audit.record(who.username, who.role.value, "referral.read", "referral", referral_id,
                          patient_data=True)
    return _referral(referral)
