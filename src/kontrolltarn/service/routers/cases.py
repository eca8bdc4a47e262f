from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi import Path as PathParam

from kontrolltarn.model import EventKind, ReadinessItem
from kontrolltarn.predict.durations import remaining_quantiles
from kontrolltarn.predict.notes import extract_facts
from kontrolltarn.store import NotPlanned, UnknownCase, VersionConflict, plan_fields

from ..auth import Need, Principal
from ..runtime import Runtime
from ..schemas import CaseChangeIn, ToldIn, iso
from . import runtime

router = APIRouter(prefix="/api/cases", tags=["cases"])
CaseId = PathParam(min_length=1, max_length=64)


def _facts(note: str) -> list[dict[str, Any]]:
    found = extract_facts(note)
    return [{"fact": f.fact, "evidence": f.evidence, "negated": f.negated}
            for f in found.findings]


@router.get("/{case_id}")
def case_view(case_id: str = CaseId, rt: Runtime = Depends(runtime),
              who: Principal = Need("case:read")) -> dict[str, Any]:
    """One case: plan and version, milestones, forecast, readiness checklist, facts from the
    notes, history of changes. Patient-identifying, so every read is audited."""
    try:
        plan = rt.store.plans.get(case_id)
    except UnknownCase:
        raise HTTPException(404, f"case_id={case_id!r}: not in the day's program") from None
    rt.store.audit.record(who.username, who.role.value, "case.read", "case", case_id,
                          patient_data=True)
    hospital = rt.hospital
    referral = hospital.referral_by_id.get(case_id)
    patient = hospital.patient_by_id.get(referral.patient_id) if referral else None
    with rt.lock:
        now = rt.now()
        room = rt.tower.forecast(plan.room_id, now)
        state = rt.tower.live.cases.get(case_id)
        remaining = _remaining(rt, case_id, state, now)
        model_risk = rt.case_risks.get(case_id)
    forecast = next((c for c in room.cases if c.case_id == case_id), None)
    model_case = hospital.case_by_id.get(case_id)
    changes = rt.store.plans.history(case_id)
    last = changes[-1] if changes else None
    return {
        "case_id": case_id,
        "plan": {**plan_fields(plan), "version": plan.version, "day": plan.day.isoformat(),
                 "updated_by": last.by if last else None,
                 "updated_at": iso(last.at) if last else None},
        "phase": state.phase if state else "waiting",
        "milestones": {k.value: v.isoformat() for k, v in (state.milestones if state else {})
                       .items()},
        "forecast": None if forecast is None else {
            "start_min": forecast.start_min, "end_min": forecast.end_min,
            "cancel_risk": forecast.cancel_risk},
        "procedure": None if referral is None else {
            "code": referral.procedure_code,
            "name": hospital.procedure_by_id[referral.procedure_code].name,
            "specialty": referral.specialty_id,
            "specialty_name": hospital.specialty_by_id[referral.specialty_id].name,
            "booked_min": referral.booked_min,
            "priority": int(referral.priority), "deadline": referral.deadline.isoformat(),
            "infected": referral.infected},
        "patient": None if patient is None else {
            "id": patient.id, "age": patient.age_on(rt.day), "sex": patient.sex,
            "asa": patient.asa, "bmi": patient.bmi},
        "remaining": remaining,
        "cancellation_model": None if model_risk is None else {
            "risk": model_risk.risk, "reasons": model_risk.reasons,
            "model": rt.models.source},
        "readiness": [{"item": item.value,
                       "done": referral is not None and item not in referral.readiness_missing}
                      for item in ReadinessItem],
        "note_facts": _facts(referral.note) if referral and referral.note else [],
        "changes": [{"at": iso(c.at), "by": c.by, "why": c.why, "before": c.before,
                     "after": c.after, "suggestion_id": c.suggestion_id}
                    for c in changes],
        "booking_history": [] if model_case is None else [
            {"at": iso(c.at), "kind": c.kind.value, "new_date": iso_date(c.new_date),
             "by": c.by} for c in model_case.history],
    }


def _remaining(rt: Runtime, case_id: str, state: Any, now: Any) -> dict[str, float] | None:
    """Minutes left in the room for a case in the room (``predict.remaining_quantiles``)."""
    if state is None or state.phase != "in_room":
        return None
    clock = rt.tower.clock
    elapsed = max(0.0, clock.minutes(now) - clock.minutes(state.milestones[EventKind.IN_ROOM]))
    q = remaining_quantiles(rt.tower.distribution(case_id), elapsed, state.milestone,
                            (0.1, 0.5, 0.9))
    return {"p10": round(q[0.1], 1), "p50": round(q[0.5], 1), "p90": round(q[0.9], 1)}


def iso_date(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


@router.patch("/{case_id}")
def change_case(body: CaseChangeIn, case_id: str = CaseId, rt: Runtime = Depends(runtime),
                who: Principal = Need("case:write")) -> dict[str, Any]:
    """Change a case's place in the program. Send the ``version`` you saw: if someone changed
    the case since, the answer is 409 and nothing changes (reload and decide again)."""
    changes = body.model_dump(exclude={"version", "why", "reason"}, exclude_none=True)
    if body.reason is not None and changes.get("status") != "cancelled":
        raise HTTPException(422, [{"loc": ["body", "reason"], "msg": "only with status cancelled",
                                   "input": body.reason.value}])
    if not changes:
        raise HTTPException(422, [{"loc": ["body"], "msg": "nothing to change", "input": {}}])
    if "room_id" in changes and changes["room_id"] not in rt.hospital.room_by_id:
        raise HTTPException(422, [{"loc": ["body", "room_id"], "msg": "unknown room",
                                   "input": changes["room_id"]}])
    if "session_id" in changes and changes["session_id"] not in rt.hospital.session_by_id:
        raise HTTPException(422, [{"loc": ["body", "session_id"], "msg": "unknown session",
                                   "input": changes["session_id"]}])
    try:
        plan = rt.change_case(case_id, body.version, changes, who, body.why, reason=body.reason)
    except UnknownCase:
        raise HTTPException(404, f"case_id={case_id!r}: not in the day's program") from None
    except VersionConflict as conflict:
        raise HTTPException(409, {"msg": "the case was changed by someone else",
                                  "your_version": conflict.expected,
                                  "current_version": conflict.actual}) from None
    return {**plan_fields(plan), "case_id": case_id, "version": plan.version}


@router.post("/{case_id}/told")
def told(body: ToldIn, case_id: str = CaseId, rt: Runtime = Depends(runtime),
         who: Principal = Need("case:write")) -> dict[str, Any]:
    """Record that the patient was told the planned date: from then on, every change of that
    date counts as a change after the patient was told (DOMAIN.md). Audited; telling the same
    date twice records it once."""
    try:
        change = rt.store.plans.tell(case_id, by=who.actor, why=body.why)
    except UnknownCase:
        raise HTTPException(404, f"case_id={case_id!r}: not in the day's program") from None
    except NotPlanned as refused:
        raise HTTPException(409, str(refused)) from None
    plan = rt.store.plans.get(case_id)
    return {"case_id": case_id, "told_date": plan.day.isoformat(), "recorded": change is not None}
