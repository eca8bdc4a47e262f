from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi import Path as PathParam

from kontrolltarn.model import clock
from kontrolltarn.store import UnknownCase, patient_actor

from ..auth import Need, Principal, Role, start_session
from ..runtime import Runtime
from ..schemas import PatientLinkIn, PatientSessionIn
from . import runtime

router = APIRouter(tags=["patient"])
#: a delay this long or more is told to the patient
DELAY_NOTICE_MIN = 15
#: a patient's session lasts the day of the operation (ended earlier by logout)
PATIENT_SESSION_HOURS = 24.0


@router.post("/api/cases/{case_id}/patient-link")
def create_link(body: PatientLinkIn, case_id: str = PathParam(min_length=1, max_length=64),
                rt: Runtime = Depends(runtime),
                who: Principal = Need("patient_link:create")) -> dict[str, str]:
    """A one-time link to the patient page, and when it expires (the coordinator's page
    ``patient-link.html`` makes one from the case view, with a letter and an SMS text). The
    token is in the URL fragment, which browsers never send to servers, so it cannot end up in
    access logs."""
    try:
        rt.store.plans.get(case_id)
    except UnknownCase:
        raise HTTPException(404, f"case_id={case_id!r}: not in the day's program") from None
    valid_for = timedelta(hours=body.hours_valid)
    # read before the store's: what the patient is told is never later than the real expiry
    expires = datetime.now(UTC) + valid_for
    token = rt.store.logistics.create_link(case_id, who.actor, valid_for)
    return {"url": f"/patient.html#t={token}", "token": token,
            "expires_at": expires.isoformat()}


@router.post("/api/patient/session")
def open_link(body: PatientSessionIn, request: Request, response: Response,
              rt: Runtime = Depends(runtime)) -> dict[str, str]:
    """Exchange a one-time link for a patient session limited to that one case."""
    case_id = rt.store.logistics.redeem_link(body.token)
    if case_id is None:
        raise HTTPException(401, "the link is unknown, expired or already used")
    principal = Principal(patient_actor(case_id), Role.PATIENT, case_id)
    token = start_session(request, response, principal, PATIENT_SESSION_HOURS)
    return {"token": token}


@router.get("/api/patient/me")
def my_day(rt: Runtime = Depends(runtime),
           who: Principal = Need("patient:self")) -> dict[str, Any]:
    """Expected time, delay notice and check-in status for the patient's own case only."""
    assert who.case_id is not None
    try:
        plan = rt.store.plans.get(who.case_id)
    except UnknownCase:
        raise HTTPException(404, "your operation is not on today's program") from None
    with rt.lock:
        room = rt.tower.forecast(plan.room_id, rt.now())
        state = rt.tower.live.cases.get(who.case_id)
    forecast = next((c for c in room.cases if c.case_id == who.case_id), None)
    expected = forecast.start_min if forecast and forecast.start_min is not None else \
        plan.start_min
    delay = max(0, round(expected - plan.start_min))
    checked = rt.store.logistics.checked_in().get(who.case_id)
    rt.store.audit.record(who.username, "patient", "patient.view", "case", who.case_id,
                          patient_data=True)
    return {"planned_time": clock(plan.start_min), "expected_time": clock(int(round(expected))),
            "delay_min": delay, "delay_notice": delay >= DELAY_NOTICE_MIN,
            "status": "cancelled" if plan.status == "cancelled" or (
                state is not None and state.phase == "cancelled") else
            (state.phase if state else "waiting"),
            "checked_in": checked.isoformat() if checked else None}


@router.post("/api/patient/checkin")
def check_in(rt: Runtime = Depends(runtime),
             who: Principal = Need("patient:self")) -> dict[str, str]:
    assert who.case_id is not None
    at = rt.store.logistics.check_in(who.case_id, who.actor)
    rt.touch({rt.store.plans.get(who.case_id).room_id})  # the board shows the check-in
    return {"checked_in": at.isoformat()}
