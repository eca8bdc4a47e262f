"""Planning jobs: start one (coordinators), follow its status and progress, cancel it.

``POST /api/jobs`` answers 202 with the job at once; the work runs in the background. An
optimise or repair job's result is a *proposed* program version (``result_version_id``),
published only by a coordinator's decision (``POST /api/programs/versions/{id}/publish``); a
capacity or roster job's is its ``result`` (gap table, roster check), shown by
``GET /api/jobs/{id}``. A second job of the same scope (its days; capacity and roster each their
own) while one is queued or running is refused with 409."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query

from kontrolltarn.model import ModelError
from kontrolltarn.plan.check import LocalRules
from kontrolltarn.store import Job, JobFinished, ScopeBusy, UnknownJob

from ..auth import Need, Principal
from ..jobs import PROGRAM_KINDS, Scope, weeks_scope
from ..runtime import Runtime
from ..schemas import JobIn, RowId
from . import runtime

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


def job_view(job: Job, result: bool = False) -> dict[str, Any]:
    """The job as the API shows it; with ``result``, a capacity or roster job's result too."""
    view = {"id": job.id, "kind": job.kind, "scope": job.scope, "params": job.params,
            "status": job.status, "progress": round(job.progress, 3), "message": job.message,
            "cancel_requested": job.cancel_requested,
            "result_version_id": job.result_version_id, "error": job.error,
            "created_by": job.created_by, "created_at": job.created_at.isoformat(),
            "started_at": job.started_at.isoformat() if job.started_at else None,
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}
    if result:
        view["result"] = job.result
    return view


@router.post("", status_code=202)
def start(body: JobIn, rt: Runtime = Depends(runtime),
          who: Principal = Need("job:run")) -> dict[str, Any]:
    """Queue a job for the scope (``first_day`` + ``days``, optionally ``location_id``)."""
    try:
        params: dict[str, Any] = {"time_limit_s": body.time_limit_s, "seed": body.seed}
        if body.pinned or body.removed:
            params.update(pinned=body.pinned, removed=body.removed,
                          base_version_id=body.base_version_id)
        if body.replications:
            params.update(replications=body.replications,
                          scenarios=[sc.model_dump() for sc in body.scenarios])
        if body.event is not None:
            params["event"] = body.event.model_dump(mode="json", exclude_none=True)
        if body.rules_text is not None:
            if body.kind != "optimise":
                raise ModelError("rules_text", body.kind, "draft rules are tried by an optimise job")
            LocalRules.from_text(body.rules_text, "rules_text")  # a 422 naming key and value
            params["rules_text"] = body.rules_text
        if body.kind in PROGRAM_KINDS:
            scope = Scope(body.first_day, body.days, body.location_id)
        else:
            scope = weeks_scope(body.kind, body.first_day, body.weeks, body.location_id)
            params["weeks"] = scope.days // 7
        job = rt.start_job(body.kind, scope, params, who)
    except ScopeBusy as busy:
        raise HTTPException(409, {"reason": str(busy), "job_id": busy.job_id}) from None
    return job_view(job)


@router.get("")
def recent(limit: int = Query(50, ge=1, le=500), rt: Runtime = Depends(runtime),
           _: Principal = Need("job:read")) -> dict[str, Any]:
    """The newest jobs first."""
    return {"jobs": [job_view(j) for j in rt.store.jobs.recent(limit)]}


@router.get("/{job_id}")
def status(job_id: RowId, rt: Runtime = Depends(runtime),
           _: Principal = Need("job:read")) -> dict[str, Any]:
    """Status (queued, running, done, failed, cancelled), progress 0..1 with a message, the
    result version (optimise, repair) or the result (capacity, roster) when done, the error when
    failed."""
    try:
        return job_view(rt.store.jobs.get(job_id), result=True)
    except UnknownJob:
        raise HTTPException(404, f"job {job_id} not found") from None


@router.post("/{job_id}/cancel")
def cancel(job_id: RowId, rt: Runtime = Depends(runtime),
           who: Principal = Need("job:run")) -> dict[str, Any]:
    """A queued job ends at once; a running one stops at its next step (poll its status)."""
    try:
        return job_view(rt.cancel_job(job_id, who))
    except UnknownJob:
        raise HTTPException(404, f"job {job_id} not found") from None
    except JobFinished as finished:
        raise HTTPException(409, str(finished)) from None
