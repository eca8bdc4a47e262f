"""Planning as background jobs in the service process.

A job's state lives in the store (``store.jobs``), so every process sees its status, progress
and result; the work runs here, in a small thread pool. ``optimise`` runs the planner registered
as "optimise" for the job's scope and stores its program as a *proposed* version: a coordinator
decides whether to publish it. A job stops at its next progress report once cancelled (in this
process or another: the flag is in the database). ``repair`` repairs the live plan of its scope
for one event (a room closed, a surgeon absent, a late cancellation) with ``plan.repair`` and
stores the result as a proposed version too.
"""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kontrolltarn.model import Hospital, ModelError, Program
from kontrolltarn.plan.registry import get_planner
from kontrolltarn.plan.repair import Event as RepairEvent
from kontrolltarn.plan.repair import LateCancellation, RoomClosed, SurgeonAbsent, repair
from kontrolltarn.predict import DurationSource
from kontrolltarn.store import Job, ProgramVersion, Store

log = logging.getLogger("kontrolltarn.service")

#: job kinds the service runs (the store knows more: capacity and roster have no runner yet)
RUNNABLE = ("optimise", "repair")
#: how far ahead a repair job may move cases (``plan.repair``'s horizon)
REPAIR_HORIZON_DAYS = 14
#: what a repair job repairs: the event's kind and the fields it needs
REPAIR_EVENTS = {"room_closed": ("room_id", "day"), "surgeon_absent": ("surgeon_id", "day"),
                 "late_cancellation": ("case_id",)}
#: a job that reported nothing for this long belonged to a process that stopped
STALE_AFTER = timedelta(minutes=5)
#: progress is written to the database at most this often (cancellation is checked as often)
REPORT_EVERY_S = 0.25


class JobCancelled(Exception):
    """Raised from the progress callback to stop a planner at its next step."""


@dataclass(frozen=True)
class Scope:
    """What a planning job plans: ``days`` days from ``first``, all locations or one."""

    first: date
    days: int
    location_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.days, int) or not 1 <= self.days <= 31:
            raise ModelError("days", self.days, "must be a whole number of days from 1 to 31")

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.days - 1)

    @property
    def key(self) -> str:
        """The scope as one string: at most one job per key runs at a time."""
        return f"{self.first.isoformat()}+{self.days}" + (
            f"@{self.location_id}" if self.location_id else "")


def plan_scope(hospital: Hospital, store: Store, method: str, scope: Scope, *, by: str,
               why: str, time_limit: float, seed: int = 0, status: str = "proposed",
               progress: Callable[[str, float], None] | None = None,
               durations: DurationSource | None = None) -> ProgramVersion:
    """Run the planner ``method`` for ``scope`` and store its program as a proposed version
    (or a draft).

    Cases planned on other days, and cases already under way, are left out of the planning
    (they keep their place). One location's scope plans only that location's sessions."""
    if scope.location_id is not None and scope.location_id not in hospital.location_by_id:
        raise ModelError("location_id", scope.location_id, "unknown location")
    planner = get_planner(method)
    exclude = store.plans.fixed_outside(scope.first, scope.last)
    target = hospital if scope.location_id is None else _one_location(hospital, scope.location_id)
    kwargs: dict[str, Any] = {"seed": seed, "time_limit": time_limit, "exclude": exclude}
    accepts = inspect.signature(planner).parameters
    if progress is not None and "progress" in accepts:
        kwargs["progress"] = progress
    # the tower's trained duration model, so planner and board estimate a case alike
    if durations is not None and "durations" in accepts:
        kwargs["durations"] = durations
    program = planner(target, scope.first, scope.days, **kwargs)
    return store.programs.add(Program(program.entries, method), scope.first, scope.days, by=by,
                              location_id=scope.location_id, status=status, why=why)


def repair_event(params: dict[str, Any]) -> RepairEvent:
    """The ``plan.repair`` event a repair job's ``event`` parameter describes; a missing or
    wrong field raises ``ModelError`` naming it."""
    event = params.get("event")
    if not isinstance(event, dict) or event.get("kind") not in REPAIR_EVENTS:
        raise ModelError("event.kind", event.get("kind") if isinstance(event, dict) else event,
                         f"a repair job needs an event, one of {sorted(REPAIR_EVENTS)}")
    kind = event["kind"]
    for name in REPAIR_EVENTS[kind]:
        if not event.get(name):
            raise ModelError(f"event.{name}", event.get(name), f"required for {kind}")
    if kind == "late_cancellation":
        return LateCancellation(str(event["case_id"]))
    day = date.fromisoformat(str(event["day"]))
    if kind == "room_closed":
        return RoomClosed(str(event["room_id"]), day)
    return SurgeonAbsent(str(event["surgeon_id"]), day)


def repair_scope(hospital: Hospital, store: Store, scope: Scope, event: RepairEvent, *,
                 by: str, why: str) -> ProgramVersion:
    """Repair the live plan for ``event`` with the one repair (``plan.repair``) and store the
    result as a proposed version. The repair may move cases up to ``REPAIR_HORIZON_DAYS`` from
    the scope's first day, so it starts from the live plan of all those days and the version
    covers the days from the first to the last it holds (publishing it moves only what the
    repair moved)."""
    last = scope.first + timedelta(days=REPAIR_HORIZON_DAYS - 1)
    current = Program(tuple(p.entry for p in store.plans.between(scope.first, last)
                            if p.status == "planned"), "live")
    result = repair(hospital, current, event, horizon_days=REPAIR_HORIZON_DAYS)
    entries = tuple(e for e in result.program.entries if e.date >= scope.first)
    end = max([scope.last, *(e.date for e in entries)])
    return store.programs.add(Program(entries, "repair"), scope.first,
                              (end - scope.first).days + 1, by=by,
                              location_id=scope.location_id, status="proposed", why=why)


def _one_location(hospital: Hospital, location_id: str) -> Hospital:
    """The hospital with only the sessions of one location's rooms (what its program may use)."""
    rooms = {r.id for r in hospital.rooms if r.location_id == location_id}
    return hospital.replace(sessions=tuple(s for s in hospital.sessions if s.room_id in rooms))


class JobRunner:
    """Runs queued jobs in a thread pool; ``hospital()`` gives the hospital to plan with and
    ``durations()`` the duration source in use (None: each procedure's distribution)."""

    def __init__(self, store: Store, hospital: Callable[[], Hospital],
                 on_change: Callable[[Job], None], workers: int = 1,
                 durations: Callable[[], DurationSource | None] = lambda: None) -> None:
        self.store = store
        self.hospital = hospital
        self.durations = durations
        self.on_change = on_change
        self.workers = workers
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")
        self._stop: set[int] = set()  # cancelled here: no need to wait for the database
        self._lock = threading.Lock()

    def recover(self) -> None:
        """On start: fail the jobs a stopped process left, run the ones still queued."""
        for job_id in self.store.jobs.abandon_stale(STALE_AFTER):
            log.warning("job %d was left running by a stopped process: failed", job_id)
        for job_id in self.store.jobs.queued():
            self.submit(job_id)

    def start(self, kind: str, scope: Scope, params: dict[str, Any], by: str) -> Job:
        """Queue a job for ``scope`` (``ScopeBusy`` if one runs) and hand it to the pool."""
        if kind not in RUNNABLE:
            raise ModelError("kind", kind, f"this service runs {list(RUNNABLE)} jobs")
        if kind == "repair":
            repair_event(params)  # a bad event is refused now, not found by the worker
        job = self.store.jobs.start(kind, scope.key, {
            **params, "first_day": scope.first.isoformat(), "days": scope.days,
            "location_id": scope.location_id}, by)
        self.submit(job.id)
        return job

    def submit(self, job_id: int) -> None:
        with self._lock:
            self.pool.submit(self._run, job_id)

    def cancel(self, job_id: int) -> Job:
        """Cancel in the store first, then tell this process's worker: the other order would
        let the worker end the job before the store's cancel, which then found it ended."""
        job = self.store.jobs.cancel(job_id)
        with self._lock:
            self._stop.add(job_id)
        self.on_change(job)
        return job

    def drain(self) -> None:
        """Ask the running jobs to stop (they end as cancelled), drop the queued work of this
        process (the jobs stay queued in the store for the next start) and wait for the
        workers; the runner takes jobs again afterwards. Called when the service stops."""
        with self._lock:
            self._stop.update(j.id for j in self.store.jobs.recent(200) if j.status == "running")
            pool, self.pool = self.pool, ThreadPoolExecutor(
                max_workers=self.workers, thread_name_prefix="job")
        pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, job_id: int) -> None:
        if not self.store.jobs.claim(job_id):
            return  # cancelled while queued, or another process took it
        job = self.store.jobs.get(job_id)
        self.on_change(job)
        last = 0.0

        def report(step: str, share: float) -> None:
            nonlocal last
            with self._lock:
                stop = job_id in self._stop
            now = time.monotonic()
            if not stop and now - last >= REPORT_EVERY_S:
                last = now
                stop = self.store.jobs.report(job_id, share, step)
            if stop:
                raise JobCancelled

        try:
            params = job.params
            scope = Scope(date.fromisoformat(params["first_day"]), int(params["days"]),
                          params.get("location_id"))
            if job.kind == "repair":
                event = repair_event(params)
                version = repair_scope(self.hospital(), self.store, scope, event,
                                       by=job.created_by, why=f"repair job {job_id}: {event}")
            else:
                version = plan_scope(self.hospital(), self.store, job.kind, scope,
                                     by=job.created_by, why=f"{job.kind} job {job_id}",
                                     time_limit=float(params.get("time_limit_s", 30.0)),
                                     seed=int(params.get("seed", 0)), progress=report,
                                     durations=self.durations())
            ended = self.store.jobs.finish(job_id, "done", version_id=version.id,
                                           message=f"proposed version {version.id}")
        except JobCancelled:
            ended = self.store.jobs.finish(job_id, "cancelled", message="cancelled")
        except Exception as failure:  # the job fails; the service goes on
            log.exception("job %d failed", job_id)
            ended = self.store.jobs.finish(job_id, "failed",
                                           error=f"{type(failure).__name__}: {failure}")
        finally:
            with self._lock:
                self._stop.discard(job_id)
        self.on_change(ended)
