"""Planning as background jobs in the service process.

A job's state lives in the store (``store.jobs``), so every process sees its status, progress
and result; the work runs here, in a small thread pool. ``optimise`` runs the planner registered
as "optimise" for the job's scope and stores its program as a *proposed* version: a coordinator
decides whether to publish it. A job stops at its next progress report once cancelled (in this
process or another: the flag is in the database). ``repair`` repairs the live plan of its scope
for one event (a room closed, a surgeon absent, a late cancellation) with ``plan.repair`` and
stores the result as a proposed version too. ``capacity`` (the session plan weeks ahead,
``plan.capacity``) and ``roster`` (staff shifts, ``plan.staffing``) are not program versions:
what they find is stored with the job as its ``result`` (JSON), each judged by its engine's
independent checker.
"""

from __future__ import annotations

import inspect
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from kontrolltarn.model import Hospital, ModelError, PastOperation, Program, ProgramEntry
from kontrolltarn.plan.capacity import (
    CapacitySettings,
    check_capacity_plan,
    demand_from_hospital,
    gap_rows,
    plan_capacity,
    sessions_json,
)
from kontrolltarn.plan.check import LocalRules, ProgramState, shipped_rules
from kontrolltarn.plan.registry import get_planner
from kontrolltarn.plan.repair import Event as RepairEvent
from kontrolltarn.plan.repair import LateCancellation, RoomClosed, SurgeonAbsent, repair
from kontrolltarn.plan.staffing import (
    check_roster,
    demand_from_sessions,
    load_rules,
    people_from_hospital,
    roster_stats,
    roster_to_dict,
)
from kontrolltarn.predict import DurationSource
from kontrolltarn.store import (
    UNAVAILABLE_ERRORS,
    Actor,
    Job,
    ProgramVersion,
    Store,
    UnknownVersion,
    describe,
)

log = logging.getLogger("kontrolltarn.service")

#: job kinds the service runs; the program kinds end in a proposed version, the others in a result
RUNNABLE = ("optimise", "repair", "capacity", "roster")
PROGRAM_KINDS = ("optimise", "repair")
#: weeks a capacity or roster job plans: (default, most), as the CLI's ``capacity``/``roster``
WEEKS = {"capacity": (12, 26), "roster": (4, 12)}
#: a program job's scope is at most this many days (a capacity or roster job's is its weeks)
PROGRAM_DAYS = 31
#: a list in a job's result (planned sessions, a roster) larger than this as JSON is left out
#: and only counted: the result is read with the job's status
RESULT_LIST_BYTES = 1_000_000
#: violations or breaches listed in a result at most (all are counted)
RESULT_FINDINGS = 500
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
        most = 7 * max(w for _, w in WEEKS.values())
        if not isinstance(self.days, int) or not 1 <= self.days <= most:
            raise ModelError("days", self.days, f"must be a whole number of days from 1 to {most}")

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.days - 1)

    @property
    def key(self) -> str:
        """The scope as one string: at most one job per key runs at a time."""
        return f"{self.first.isoformat()}+{self.days}" + (
            f"@{self.location_id}" if self.location_id else "")


def job_scope_key(kind: str, scope: Scope) -> str:
    """The key at most one active job holds: optimise and repair jobs share their days' key
    (both propose a program for those days); a capacity or roster job's key names its kind,
    so it does not hold up program jobs on the same days, nor they it."""
    return scope.key if kind in PROGRAM_KINDS else f"{kind}:{scope.key}"


def weeks_scope(kind: str, first: date, weeks: int | None,
                location_id: str | None = None) -> Scope:
    """The scope of a capacity or roster job: ``weeks`` weeks (default as the CLI's) from the
    Monday ``first``, all locations. Bad input raises ``ModelError`` naming the field."""
    default, most = WEEKS[kind]
    weeks = default if weeks is None else weeks
    if not isinstance(weeks, int) or not 1 <= weeks <= most:
        raise ModelError("weeks", weeks, f"a {kind} job plans 1 to {most} weeks")
    if first.weekday() != 0:
        monday = first + timedelta(days=7 - first.weekday())
        raise ModelError("first_day", first.isoformat(),
                         f"a {kind} job starts on a Monday (e.g. {monday.isoformat()})")
    if location_id is not None:
        raise ModelError("location_id", location_id, f"a {kind} job plans all locations")
    return Scope(first, 7 * weeks)


def plan_scope(hospital: Hospital, store: Store, method: str, scope: Scope, *, by: str,
               why: str, time_limit: float, seed: int = 0, status: str = "proposed",
               progress: Callable[[str, float], None] | None = None,
               durations: DurationSource | None = None,
               pinned: Sequence[ProgramEntry] = (), removed: Sequence[str] = (),
               rules: LocalRules | None = None) -> ProgramVersion:
    """Run the planner ``method`` for ``scope`` and store its program as a proposed version
    (or a draft).

    Cases planned on other days, and cases already under way, are left out of the planning
    (they keep their place). One location's scope plans only that location's sessions.
    ``pinned`` entries (a coordinator's pins) stay as they are and the planner's cases that
    still fit beside them (``plan.check``'s kernel) are kept; ``removed`` cases are left out."""
    if scope.location_id is not None and scope.location_id not in hospital.location_by_id:
        raise ModelError("location_id", scope.location_id, "unknown location")
    planner = get_planner(method)
    exclude = store.plans.fixed_outside(scope.first, scope.last) | set(removed) | {
        e.case_id for e in pinned}
    target = hospital if scope.location_id is None else _one_location(hospital, scope.location_id)
    kwargs: dict[str, Any] = {"seed": seed, "time_limit": time_limit, "exclude": exclude}
    accepts = inspect.signature(planner).parameters
    if progress is not None and "progress" in accepts:
        kwargs["progress"] = progress
    # the tower's trained duration model, so planner and board estimate a case alike
    if durations is not None and "durations" in accepts:
        kwargs["durations"] = durations
    if rules is not None and "rules" in accepts:  # the local rules in force
        kwargs["rules"] = rules
    program = planner(target, scope.first, scope.days, **kwargs)
    if pinned:
        kernel = ProgramState(target, pinned, rules=rules)
        for e in program.entries:
            if kernel.fits(e):
                kernel.add(e)
        program = kernel.program(method)
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


def _unless_large(value: Any) -> Any:
    """``value`` as it is, or None when its JSON exceeds ``RESULT_LIST_BYTES``."""
    return value if len(json.dumps(value)) <= RESULT_LIST_BYTES else None


#: simulates a capacity plan and its scenarios: (hospital, planned sessions, scenarios as the
#: job's parameters give them, first day, weeks, replications, cluster, on_done) -> comparison.
#: The service does not simulate by itself (it never imports the generator or the experiments):
#: ``kontrolltarn serve`` registers ``experiments.capacity``'s runner here.
ScenarioRunner = Callable[..., dict[str, Any]]
_SCENARIO_RUNNER: list[ScenarioRunner] = []


def register_scenario_runner(runner: ScenarioRunner) -> None:
    _SCENARIO_RUNNER[:] = [runner]


def scenarios_of(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The scenarios of a capacity job's parameters (checked by the runner)."""
    return [dict(body) for body in params.get("scenarios") or ()]


def capacity_result(hospital: Hospital, scope: Scope, *, time_limit: float,
                    progress: Callable[[str, float], None],
                    history: Sequence[PastOperation] = (),
                    scenarios: Sequence[dict[str, Any]] = (),
                    replications: int = 0, cluster: str | None = "local",
                    targets: dict[str, float] | None = None,
                    utilisation: dict[str, float] | None = None) -> dict[str, Any]:
    """Plan the sessions of ``scope``'s weeks from need (``plan.capacity``, as the CLI does)
    and judge the plan with the independent check. The need is the waiting list, and the
    forecast and budget from ``history`` (the store's past operations; none: they are zero).
    With ``replications``, the plan and each of ``scenarios`` are simulated on as many seeds
    (common random numbers, on Dask at ``cluster``): a synthetic hospital's only, whose
    generator gives the simulator its world. ``targets``: operations per week per specialty
    (the leaders' activity targets), the budget where given; ``utilisation``: the share of
    staffed minutes per specialty (the leaders' utilisation targets) its sessions are sized to."""
    weeks = scope.days // 7
    settings = CapacitySettings(weeks=weeks, time_limit=time_limit,
                                specialty_utilisation=utilisation or {})
    demand = demand_from_hospital(hospital, history, scope.first, settings, targets)
    progress("need per specialty", 0.1)
    current = [s for s in hospital.sessions
               if not s.emergency and scope.first <= s.date <= scope.last]
    plan = plan_capacity(hospital, demand, scope.first, settings, replaces=current)
    progress("checking the plan", 0.8)
    report = check_capacity_plan(hospital, plan.sessions, demand, scope.first, settings, current)
    simulated = None
    if replications:
        if not _SCENARIO_RUNNER:
            raise ModelError("replications", replications, "this service has no simulator "
                             "registered (started without `kontrolltarn serve`)")
        done = [0]
        total = replications * (1 + len(scenarios))

        def ran(_: dict[str, Any]) -> None:
            done[0] += 1
            progress(f"simulated {done[0]} of {total}", 0.8 + 0.2 * done[0] / total)

        simulated = _SCENARIO_RUNNER[0](hospital, plan.sessions, scenarios, scope.first, weeks,
                                        replications, cluster, ran)
    return {
        "simulation": simulated,
        "weekly": {spec: [[round(need, 1), round(cap, 1)] for need, cap in rows]
                   for spec, rows in report.weekly.items()},
        "by_location": _by_location(hospital, plan.sessions, current),
        "first_day": scope.first.isoformat(), "weeks": weeks, "status": plan.status,
        "seconds": round(plan.seconds, 2),
        "gaps": gap_rows(report),
        "utilisation": {spec: settings.specialty_utilisation.get(spec, settings.utilisation)
                        for spec in sorted(demand)},
        "sessions": {"planned": len(plan.sessions), "current": len(current),
                     "by_specialty": plan.sessions_by_specialty(),
                     "list": _unless_large(json.loads(sessions_json(plan.sessions)))},
        "check": {"ok": report.ok, "violations": len(report.violations),
                  "listed": [{"rule": v.rule, "where": v.where, "detail": v.detail}
                             for v in report.violations[:RESULT_FINDINGS]]},
    }


def _by_location(hospital: Hospital, planned: Sequence[Any],
                 current: Sequence[Any]) -> list[dict[str, Any]]:
    """Sessions per location and specialty: the plan's and the current calendar's."""
    counts: dict[tuple[str, str], list[int]] = {}
    for i, sessions in enumerate((planned, current)):
        for s in sessions:
            key = (hospital.room_by_id[s.room_id].location_id, s.specialty_id or "-")
            counts.setdefault(key, [0, 0])[i] += 1
    return [{"location_id": loc, "specialty_id": spec, "planned": n[0], "current": n[1]}
            for (loc, spec), n in sorted(counts.items())]


def roster_result(hospital: Hospital, scope: Scope, *, time_limit: float, seed: int,
                  progress: Callable[[str, float], None]) -> dict[str, Any]:
    """Roster the staff for ``scope``'s weeks (``plan.staffing``, as the CLI does: the
    hospital's sessions are the demand, the Act's default rules) and check the roster with the
    independent checker; fit to publish when it finds no breach."""
    from kontrolltarn.plan.staffing import build_roster  # deferred: heavy (OR-Tools)

    weeks = scope.days // 7
    rules = load_rules()
    people = people_from_hospital(hospital, scope.first, scope.days, seed)
    demand = demand_from_sessions(hospital, hospital.sessions, scope.first, scope.days)
    progress("demand from the sessions", 0.1)

    def groups(group: str, done: int, total: int) -> None:
        progress(f"rostering {group}", 0.1 + 0.8 * done / max(1, total))

    built = build_roster(people, demand, scope.first, weeks, rules,
                         published_on=hospital.today, time_limit=time_limit, seed=seed,
                         progress=groups)
    report = check_roster(built.roster, rules)
    return {
        "first_day": scope.first.isoformat(), "weeks": weeks,
        "seconds": round(built.seconds, 2),
        "coverage": {"people": len(people),
                     "person_shifts_demanded": sum(d.count for d in demand),
                     "uncovered": built.uncovered,
                     "groups": [{"location_id": g.location_id, "role": g.role,
                                 "people": g.people, "status": g.status,
                                 "uncovered": g.uncovered} for g in built.groups]},
        "stats": roster_stats(built.roster).as_dict(),
        "fit_to_publish": report.ok,
        "breaches_by_rule": report.by_rule(),
        "breaches": [{"rule": b.rule, "person_id": b.person_id, "first": b.first.isoformat(),
                      "last": b.last.isoformat(), "amount": b.amount, "detail": b.detail}
                     for b in report.breaches[:RESULT_FINDINGS]],
        "roster": _unless_large(roster_to_dict(built.roster)),
    }


class JobRunner:
    """Runs queued jobs in a thread pool; ``hospital()`` gives the hospital to plan with and
    ``durations()`` the duration source in use (None: each procedure's distribution)."""

    def __init__(self, store: Store, hospital: Callable[[], Hospital],
                 on_change: Callable[[Job], None], workers: int = 1,
                 durations: Callable[[], DurationSource | None] = lambda: None,
                 cluster: str | None = "local",
                 rules: Callable[[], LocalRules] = shipped_rules) -> None:
        self.store = store
        self.rules = rules  # the local planning rules in force
        self.cluster = cluster  # where capacity scenarios' replications run
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

    def start(self, kind: str, scope: Scope, params: dict[str, Any], by: Actor) -> Job:
        """Queue a job for ``scope`` (``ScopeBusy`` if one runs) and hand it to the pool."""
        if kind not in RUNNABLE:
            raise ModelError("kind", kind, f"this service runs {list(RUNNABLE)} jobs")
        if kind == "repair":
            repair_event(params)  # a bad event is refused now, not found by the worker
        if kind == "optimise":
            self.pins(params)  # a pin not in its version is refused now
        if kind in PROGRAM_KINDS and scope.days > PROGRAM_DAYS:
            raise ModelError("days", scope.days, f"a {kind} job plans 1 to {PROGRAM_DAYS} days")
        job = self.store.jobs.start(kind, job_scope_key(kind, scope), {
            **params, "first_day": scope.first.isoformat(), "days": scope.days,
            "location_id": scope.location_id}, by)
        self.submit(job.id)
        return job

    def pins(self, params: dict[str, Any]) -> tuple[list[ProgramEntry], list[str]]:
        """A re-proposal's pinned entries (as they are in ``base_version_id``) and removed
        cases; a pin that is not in that version raises ``ModelError`` naming it."""
        pinned_ids = list(params.get("pinned") or ())
        removed = list(params.get("removed") or ())
        if not pinned_ids:
            return [], removed
        base = params.get("base_version_id")
        if base is None:
            raise ModelError("base_version_id", None, "pins need the version they are pinned in")
        try:
            version = self.store.programs.get(int(base))
        except UnknownVersion:
            raise ModelError("base_version_id", base, "no such program version") from None
        entries = {e.case_id: e for e in version.program.entries}
        missing = [c for c in pinned_ids if c not in entries]
        if missing:
            raise ModelError("pinned", missing, f"not in program version {base}")
        return [entries[c] for c in pinned_ids], removed

    def submit(self, job_id: int) -> None:
        with self._lock:
            self.pool.submit(self._run, job_id)

    def cancel(self, job_id: int, by: Actor) -> Job:
        """Cancel in the store first, then tell this process's worker: the other order would
        let the worker end the job before the store's cancel, which then found it ended."""
        job = self.store.jobs.cancel(job_id, by)
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
            time_limit = float(params.get("time_limit_s", 30.0))
            seed = int(params.get("seed", 0))
            if job.kind in WEEKS:
                result = (capacity_result(self.hospital(), scope, time_limit=time_limit,
                                          progress=report,
                                          history=self.store.history.operations(),
                                          scenarios=scenarios_of(params),
                                          replications=int(params.get("replications", 0)),
                                          cluster=self.cluster,
                                          targets=self.rules().activity_targets() or None,
                                          utilisation=self.rules().utilisation_targets())
                          if job.kind == "capacity" else
                          roster_result(self.hospital(), scope, time_limit=time_limit,
                                        seed=seed, progress=report))
                ended = self.store.jobs.finish(job_id, "done", result=result,
                                               message=f"{job.kind} done")
            else:
                if job.kind == "repair":
                    event = repair_event(params)
                    version = repair_scope(self.hospital(), self.store, scope, event,
                                           by=job.created_by,
                                           why=f"repair job {job_id}: {event}")
                else:
                    pinned, removed = self.pins(params)
                    draft = params.get("rules_text")  # a coordinator trying edited rules
                    rules = (LocalRules.from_text(draft, f"draft rules of job {job_id}")
                             if draft is not None else self.rules())
                    why = f"{job.kind} job {job_id}" + (" under draft rules (not saved)"
                                                        if draft is not None else "")
                    version = plan_scope(self.hospital(), self.store, job.kind, scope,
                                         by=job.created_by, why=why,
                                         time_limit=time_limit, seed=seed, progress=report,
                                         durations=self.durations(), pinned=pinned,
                                         removed=removed, rules=rules)
                ended = self.store.jobs.finish(job_id, "done", version_id=version.id,
                                               message=f"proposed version {version.id}")
        except JobCancelled:
            ended = self.store.jobs.finish(job_id, "cancelled", message="cancelled")
        except UNAVAILABLE_ERRORS as failure:  # one line, not a traceback holding SQL
            log.warning("job %d failed: database unavailable (%s)", job_id, describe(failure))
            # if the database is still away this raises too, and the job stays "running"
            # until the next start marks it failed (JobRunner.recover)
            ended = self.store.jobs.finish(job_id, "failed", error="database unavailable")
        except Exception as failure:  # the job fails; the service goes on
            log.exception("job %d failed", job_id)
            ended = self.store.jobs.finish(job_id, "failed",
                                           error=f"{type(failure).__name__}: {failure}")
        finally:
            with self._lock:
                self._stop.discard(job_id)
        self.on_change(ended)
