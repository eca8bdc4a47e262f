"""Planning jobs: state in the database, so any service process sees a job's status, progress
and result, and at most one job per scope is queued or running at a time (a unique column that
holds the scope only while the job is active, so the database itself refuses a second one).

queued → running → done | failed | cancelled. Cancelling a queued job ends it at once; a running
job is asked to stop (``cancel_requested``) and stops at its next progress report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from .audit import Actor, AuditLog
from .notify import Notifier
from .tables import JobRow

JOB_KINDS = ("optimise", "repair", "capacity", "roster")
ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled")


class UnknownJob(KeyError):
    pass


class ScopeBusy(Exception):
    """Another job for the same scope is queued or running."""

    def __init__(self, scope: str, job_id: int | None) -> None:
        super().__init__(f"scope {scope!r} already has job {job_id} queued or running")
        self.scope, self.job_id = scope, job_id


class JobFinished(Exception):
    """The job has already ended; it cannot be cancelled."""


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    scope: str
    params: dict[str, Any]
    status: str
    progress: float
    message: str
    cancel_requested: bool
    result_version_id: int | None
    error: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    updated_at: datetime
    finished_at: datetime | None
    #: a capacity or roster job's findings (None for program jobs, and in ``recent``'s list)
    result: dict[str, Any] | None = None


#: the columns a job list reads: all but the result, which may be large
_LISTED = [c for c in JobRow.__table__.c if c.name != "result"]


class _ScopeTaken(Exception):
    """The job's insert clashed with the scope's active job (not any other integrity error,
    such as a refused audit row)."""


class Jobs:
    def __init__(self, engine: Engine, notifier: Notifier | None = None,
                 audit: AuditLog | None = None) -> None:
        self.engine = engine
        self.notifier = notifier or Notifier()
        self.audit = audit or AuditLog(engine)

    def start(self, kind: str, scope: str, params: dict[str, Any], by: Actor) -> Job:
        """Queue a job (audited as "job.start" in its transaction); ``ScopeBusy`` if one for
        ``scope`` is queued or running."""
        if kind not in JOB_KINDS:
            raise ValueError(f"kind={kind!r}: must be one of {JOB_KINDS}")
        now = datetime.now(UTC)
        try:
            with self.engine.begin() as conn:
                try:
                    job_id = conn.execute(insert(JobRow).values(
                        kind=kind, scope=scope, active_scope=scope, params=params,
                        status="queued", progress=0.0, message="queued", cancel_requested=False,
                        created_by=by.name, created_at=now, updated_at=now
                    ).returning(JobRow.id)).scalar_one()
                except IntegrityError as taken:  # the scope's one active job (rolled back)
                    raise _ScopeTaken from taken
                self.audit.record(by.name, by.role, "job.start", "job", str(job_id),
                                  detail={"kind": kind, "scope": scope}, conn=conn)
                self.notifier.announce(conn, "jobs", job=int(job_id), status="queued")
        except _ScopeTaken:
            with self.engine.connect() as conn:
                running = conn.execute(select(JobRow.id).where(JobRow.active_scope == scope)
                                       ).scalar_one_or_none()
            raise ScopeBusy(scope, running) from None
        return self.get(int(job_id))

    def get(self, job_id: int) -> Job:
        with self.engine.connect() as conn:
            row = conn.execute(select(JobRow).where(JobRow.id == job_id)).first()
        if row is None:
            raise UnknownJob(job_id)
        return _job(row)

    def recent(self, limit: int = 50) -> list[Job]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(*_LISTED).order_by(JobRow.id.desc()).limit(limit)).all()
        return [_job(r) for r in rows]

    def claim(self, job_id: int) -> bool:
        """Mark a queued job running; False if it is no longer queued (cancelled meanwhile)."""
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            claimed = conn.execute(update(JobRow).where(JobRow.id == job_id,
                                                        JobRow.status == "queued")
                                   .values(status="running", started_at=now, updated_at=now,
                                           message="started")).rowcount == 1
            if claimed:
                self.notifier.announce(conn, "jobs", job=job_id, status="running")
        return claimed

    def report(self, job_id: int, progress: float, message: str) -> bool:
        """Record progress (0..1); returns True when the job was asked to stop."""
        with self.engine.begin() as conn:
            conn.execute(update(JobRow).where(JobRow.id == job_id, JobRow.status == "running")
                         .values(progress=max(0.0, min(1.0, progress)), message=message[:500],
                                 updated_at=datetime.now(UTC)))
            wanted = conn.execute(select(JobRow.cancel_requested)
                                  .where(JobRow.id == job_id)).scalar_one()
        return bool(wanted)

    def finish(self, job_id: int, status: str, *, message: str = "",
               version_id: int | None = None, error: str | None = None,
               result: dict[str, Any] | None = None) -> Job:
        """End a job as done (with its result version, or its ``result`` as JSON), failed (with
        the error) or cancelled; its scope is free again."""
        if status not in FINISHED:
            raise ValueError(f"status={status!r}: must be one of {FINISHED}")
        with self.engine.begin() as conn:
            self._end(conn, job_id, status, message=message, version_id=version_id,
                      error=error, result=result)
        return self.get(job_id)

    def _end(self, conn: Connection, job_id: int, status: str, *, message: str = "",
             version_id: int | None = None, error: str | None = None,
             result: dict[str, Any] | None = None) -> None:
        now = datetime.now(UTC)
        conn.execute(update(JobRow).where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
                     .values(status=status, active_scope=None, message=message,
                             progress=1.0 if status == "done" else JobRow.progress,
                             result_version_id=version_id, result=result, error=error,
                             updated_at=now, finished_at=now))
        self.notifier.announce(conn, "jobs", job=job_id, status=status)

    def cancel(self, job_id: int, by: Actor) -> Job:
        """A queued job is cancelled at once; a running one is asked to stop. Audited as
        "job.cancel" in the same transaction."""
        job = self.get(job_id)
        if job.status in FINISHED:
            raise JobFinished(f"job {job_id} is {job.status}")
        with self.engine.begin() as conn:
            if job.status == "queued":
                self._end(conn, job_id, "cancelled", message="cancelled before it started")
            else:
                conn.execute(update(JobRow).where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
                             .values(cancel_requested=True, updated_at=datetime.now(UTC)))
            self.audit.record(by.name, by.role, "job.cancel", "job", str(job_id), conn=conn)
        return self.get(job_id)

    def abandon_stale(self, quiet_for: timedelta) -> list[int]:
        """Jobs that reported nothing for ``quiet_for`` were left by a process that stopped:
        they fail, and their scope is free again. Called when a service process starts."""
        horizon = datetime.now(UTC) - quiet_for
        with self.engine.connect() as conn:
            stale = [int(i) for i in conn.execute(select(JobRow.id).where(
                JobRow.status.in_(ACTIVE), JobRow.updated_at < horizon)).scalars()]
        for job_id in stale:
            self.finish(job_id, "failed", error="the service stopped while the job ran")
        return stale

    def queued(self) -> list[int]:
        with self.engine.connect() as conn:
            return [int(i) for i in conn.execute(select(JobRow.id).where(
                JobRow.status == "queued").order_by(JobRow.id)).scalars()]


def _job(row: Any) -> Job:
    return Job(int(row.id), row.kind, row.scope, row.params, row.status, float(row.progress),
               row.message, bool(row.cancel_requested), row.result_version_id, row.error,
               row.created_by, row.created_at, row.started_at, row.updated_at, row.finished_at,
               getattr(row, "result", None))
