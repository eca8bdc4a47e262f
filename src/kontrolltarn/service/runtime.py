"""The running service's state: store, tower (live state and forecasts), live hub and clock.

Everything that changes the hospital or the plan goes through here so it is stored first, then
applied to the in-memory tower, then announced to browsers. On start the hospital is loaded and
the tower rebuilt from the store; a hospital passed in only seeds an empty store.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from kontrolltarn.control import (
    ActionRefused,
    CaseRisk,
    Models,
    Thresholds,
    Tower,
    apply_suggestion,
    board_view,
    cancellation_risks,
    concerned_cases,
    room_view,
    suggest,
)
from kontrolltarn.formats.issues import Issue
from kontrolltarn.model import (
    CASE_MILESTONES,
    CancellationReason,
    Event,
    EventKind,
    Hospital,
    ModelError,
    PlannedCase,
    Program,
    out_of_order,
)
from kontrolltarn.plan.check import LocalRules, check, shipped_rules
from kontrolltarn.plan.staffing import Roster, UnitRules
from kontrolltarn.store import (
    UNAVAILABLE_ERRORS,
    Actor,
    CaseEdit,
    Imported,
    Job,
    Note,
    Notice,
    NotPublishable,
    Poster,
    Published,
    Store,
    StoredSuggestion,
    UnknownCase,
    VersionConflict,
)

from .auth import Principal
from .clocks import FUTURE_TOLERANCE, TowerClock, WallClock, board_now, latest_allowed
from .hub import Hub
from .jobs import JobRunner, Scope, plan_scope
from .settings import Settings

log = logging.getLogger("kontrolltarn.service")
#: who publishes the first program of a day when the store has none
SYSTEM = "system:serve"
#: how many days from its case's planned day a milestone may be (a night's case crosses one)
MILESTONE_DAYS_AWAY = 1


def _import_detail(result: Any) -> dict[str, Any]:
    """What the audit keeps of an import: counts only, never patient data."""
    return {"format": result.format, "read": result.read, "added": result.added,
            "errors": len(result.errors)}


@dataclass(frozen=True)
class Ingested:
    new: list[str]
    duplicates: int


class EventRefused(Exception):
    """An event of a feed's batch the service cannot take: ``events[index].field`` has
    ``value``, for ``reason``. Nothing of the batch is stored."""

    def __init__(self, index: int, field: str, value: Any, reason: str) -> None:
        super().__init__(f"events[{index}].{field}={value!r}: {reason}")
        self.index, self.field, self.value, self.reason = index, field, value, reason


class Runtime:
    #: seconds a database probe is trusted by the board and its heartbeat
    DATABASE_PROBE_S = 2.0

    def __init__(self, settings: Settings, hospital: Hospital | None, store: Store,
                 day: date | None = None, clock: TowerClock | None = None,
                 planner: str = "baseline", models: Models | None = None,
                 plan_time_limit: float = 20.0, compare_with: str | None = None) -> None:
        """``planner`` (with ``plan_time_limit`` seconds) plans the day when the store has no
        plan for it: its program is stored as a proposal and published as the decision of
        "system:serve" ("initial program"), audited like any publication. ``compare_with``
        (e.g. "baseline", today's practice) is then stored beside it as a draft to compare."""
        self.settings = settings
        self._rules: tuple[int, LocalRules] | None = None  # (saved version, parsed)
        self.store = store
        #: the working-time rules per unit (the Act's defaults unless a rules file is given)
        self.unit_rules = UnitRules()
        #: stored roster versions never change: each is parsed once (``routers.rosters``)
        self.roster_cache: dict[int, Roster] = {}
        if not settings.demo:  # demo accounts have known passwords: closed on any other start
            store.users.disable_demo_users(by=Actor(SYSTEM, "system"))
        stored = store.hospital.load()
        if stored is None:
            if hospital is None:
                raise ModelError("hospital", None, "the store holds no hospital: import one")
            store.hospital.save(hospital, by="system:serve")
            log.info("stored the hospital %r (the store held none)", hospital.name)
        else:
            if hospital is not None:
                log.info("the store's hospital is used; the one given only seeds an empty store")
            hospital = stored
        self.hospital = hospital
        self.day = day or hospital.today
        #: the wall clock unless a test, benchmark (``EventClock``) or the demo's replay
        #: (``ReplayClock``) chooses another; ``now`` holds it inside the board's day
        self.clock: TowerClock = clock or WallClock()
        #: before this (the board's now) no event is due, so a silent feed is not "quiet": a
        #: replay sets it to its first event's time (the day has not started); None: always due
        self.feed_due_from: datetime | None = None
        #: when (wall clock) the feed was first seen due with nothing received since: a feed is
        #: quiet only once it has been due and silent for the limit, not the instant it is due
        self._due_since: datetime | None = None
        self.hub = Hub()
        #: porter statuses and check-ins as last read (``_logistics``)
        self._last_logistics: tuple[dict[str, str], set[str]] = ({}, set())
        self._logistics_stale = True
        self.lock = threading.RLock()
        self._import_lock = threading.Lock()
        if not store.plans.day(self.day) and store.programs.published_for(self.day) is None:
            started = time.perf_counter()
            version = plan_scope(hospital, store, planner, Scope(self.day, 1),
                                 by=f"planner:{planner}", why="initial program",
                                 time_limit=plan_time_limit,
                                 durations=None if models is None else models.durations)
            store.programs.publish(version.id, by=SYSTEM, role="system", why="initial program")
            if compare_with is not None and compare_with != planner:
                plan_scope(hospital, store, compare_with, Scope(self.day, 1),
                           by=f"planner:{compare_with}", why=f"{compare_with}, to compare with",
                           time_limit=plan_time_limit, status="draft")
            log.info("planned %s with %s in %.1f s (version %d, %d cases), published by %s",
                     self.day, planner, time.perf_counter() - started, version.id, version.size,
                     SYSTEM)
        self.tower = Tower(hospital, self.day, store.plans.day(self.day),
                           thresholds=Thresholds(max_suggestions=settings.max_suggestions))
        #: the suggestion agent runs one pass at a time (the loop and a reader asking); the
        #: monotonic time of its last pass
        self._suggest_lock = threading.Lock()
        self.suggested_at: float | None = None
        #: the published program as the board last read it (shown while the database is away)
        self._program: dict[str, Any] | None = None
        started = time.perf_counter()
        count = 0
        #: the highest event seq applied from the store; other processes' events come after it
        self.cursor = 0
        self._follow_lock = threading.Lock()
        #: the stored hospital's revision this process runs on (another process may import)
        self.hospital_revision = store.hospital.revision()
        for seq, event in store.events.read():
            self.tower.live.apply(event)
            self.cursor = seq
            count += 1
        for s in store.suggestions.list(status="accepted", limit=10_000):
            if s.kind == "release_session" and s.room_id:
                self.tower.released.add(s.room_id)
        self.last_received = store.events.last_received()
        #: room views as last computed: (generation, monotonic time, view). A room's generation
        #: goes up whenever an event or plan change touches it; a view of an older generation,
        #: or older than ``full_refresh_s``, is computed again before it is shown.
        self._views: dict[str, tuple[int, float, dict[str, Any]]] = {}
        self._generation: dict[str, int] = {}
        #: the prediction models in use (``use_models``); until then the procedure distributions
        self.models = Models()
        self.case_risks: dict[str, CaseRisk] = {}
        if models is not None:
            self.use_models(models)
        log.info("rebuilt live state from %d stored events in %.2f s", count,
                 time.perf_counter() - started)
        #: planning jobs: state in the store, work in this process's thread pool
        self.jobs = JobRunner(store, lambda: self.hospital, self._job_changed,
                              durations=lambda: self.models.durations,
                              cluster=settings.scenario_cluster, rules=self.local_rules)
        self.jobs.recover()

    # ------------------------------------------------------------------ reading
    def now(self) -> datetime:
        """The board's now: the clock's, held inside the board's day (``clocks.board_now``)."""
        return board_now(self.tower, self.clock.now(self.tower))

    def board(self) -> dict[str, Any]:
        """Every room; views kept current by the live-update task are served as they are, only
        rooms changed since (or not refreshed for ``full_refresh_s``) are forecast now."""
        now = self.now()
        rooms = self.current_rooms(set(self.tower.room_ids()))
        with self.lock:
            view = board_view(self.tower, now, rooms=rooms)
        try:
            self._program = self.published_program()
            self.store.database.check(max_age_s=self.DATABASE_PROBE_S)
        except UNAVAILABLE_ERRORS as failure:
            # the live state in memory is still the best there is, but the board must say that
            # nothing is being stored (freshness "database": "unavailable"), not pretend
            self.store.database.lost(failure)
        view["program"] = self._program
        view["freshness"] = self.freshness()
        return view

    def current_rooms(self, room_ids: set[str]) -> dict[str, Any]:
        """The views of these rooms as the board shows them: kept ones as they are, rooms
        changed since (or not refreshed for ``full_refresh_s``) forecast now."""
        horizon = time.monotonic() - self.settings.full_refresh_s - 1.0
        room_ids &= set(self.tower.room_ids())
        with self.lock:
            stale = {r for r in room_ids
                     if (cached := self._views.get(r)) is None
                     or cached[0] != self._generation.get(r, 0) or cached[1] < horizon}
        fresh = self.rooms(stale)
        with self.lock:
            return {r: fresh.get(r) or self._views[r][2] for r in room_ids}

    def local_rules(self) -> LocalRules:
        """The local planning rules in force: the newest saved in the store, else the shipped
        file. Planners, repair proposals and ``check`` in the service all judge by these."""
        saved = self.store.rules.current()
        if saved is None:
            return shipped_rules()
        if self._rules is None or self._rules[0] != saved.id:
            self._rules = (saved.id, LocalRules.from_text(saved.text, f"saved version {saved.id}"))
        return self._rules[1]

    def published_program(self) -> dict[str, Any] | None:
        """Which published version the day's plan comes from (None: none was published)."""
        version = self.store.programs.published_for(self.day)
        if version is None:
            return None
        return {"version": version.id, "method": version.method,
                "first_day": version.first_day.isoformat(),
                "last_day": version.last_day.isoformat(), "location_id": version.location_id,
                "published_by": version.published_by,
                "published_at": version.published_at.isoformat() if version.published_at
                else None, "why": version.why}

    def rooms(self, room_ids: set[str]) -> dict[str, Any]:
        """Forecast and render the rooms, one room at a time under the lock, so that ingest
        (which needs the lock only to apply events) is never held up by more than one room."""
        now = self.now()
        out: dict[str, Any] = {}
        logistics = self._logistics() if room_ids else ({}, set())
        for r in sorted(room_ids):
            if r not in self.hospital.room_by_id:
                continue
            with self.lock:
                generation = self._generation.get(r, 0)
                out[r] = view = room_view(self.tower, r, now)
                self._views[r] = (generation, time.monotonic(), view)
            porter, checked_in = logistics
            for case in view["cases"]:
                case["porter"] = porter.get(case["case_id"])
                case["checked_in"] = case["case_id"] in checked_in
        return out

    def _logistics(self) -> tuple[dict[str, str], set[str]]:
        """What the board shows beside the events: the status of each case's open porter
        request, and the cases whose patient checked in (as last read while the database is
        away)."""
        if not self._logistics_stale:  # read again only after a change (``touch``)
            return self._last_logistics
        try:
            self._logistics_stale = False
            porter = {r.case_id: r.status for r in self.store.logistics.open_requests("porter")
                      if r.case_id is not None}
            self._last_logistics = (porter, set(self.store.logistics.checked_in()))
        except UNAVAILABLE_ERRORS as failure:
            self._logistics_stale = True
            self.store.database.lost(failure)
        return self._last_logistics

    def touch(self, rooms: set[str]) -> None:
        """Something the board shows of these rooms changed outside the events (a porter
        request, a check-in): they are forecast and sent again."""
        self._logistics_stale = True
        self._mark(rooms, [])

    def use_models(self, models: Models) -> None:
        """Forecast with the duration model and show the cancellation model's risks; the day's
        predictions are made first, then swapped in at once, and every room is re-forecast."""
        planned_cases = self.store.plans.day(self.day)
        durations = models.durations
        if durations is not None:  # the day's cases predicted before the swap, not under the lock
            durations.prefetch(self.tower.cases(), self.hospital)
        risks = {} if models.cancellation is None else cancellation_risks(
            models.cancellation, self.hospital, self.day, planned_cases)
        with self.lock:
            if durations is not None:
                self.tower.use_durations(durations)
            self.case_risks = risks
            self.tower.case_risks = {c: r.risk for c, r in risks.items()}
            self.models = models
        self._mark(set(self.tower.room_ids()), [])
        log.info("prediction models in use (%s)", models.source)

    def import_upload(self, raw: bytes, name: str, format: str | None,
                      principal: Principal) -> tuple[Any, Imported | None]:
        """Read an uploaded file into the hospital and store the merged hospital, all or nothing
        (``formats.importer``, then one store transaction with its audit entry); only then is
        it used in memory. Imports run one at a time, so two uploads cannot overwrite each
        other's changes."""
        # deferred: heavy (fhir.resources)
        from kontrolltarn.formats.importer import ImportResult, import_file

        with self._import_lock:
            try:
                # into the stored hospital: its cases carry the plan's latest history
                into = self.store.hospital.load() or self.hospital
                result = import_file(raw, into=into, name=name,
                                     format=format)  # type: ignore[arg-type]
            except Exception as failure:  # a reader that raises is still the file's fault
                log.warning("import of %d bytes failed in the reader: %s", len(raw),
                            type(failure).__name__)
                result = ImportResult(None, errors=[Issue(name, "(file)", None,
                                                          "the file could not be read")])
            stored = None
            if result.ok and result.hospital is not None:
                merged = result.hospital
                try:
                    stored = self.store.import_hospital(
                        merged, principal.username, principal.role.value, name,
                        detail=_import_detail(result), program=result.program,
                        history=result.history)
                except ModelError as refused:  # e.g. a case history the file would rewrite
                    result.hospital = None
                    result.errors.append(Issue(name, refused.field, refused.value,
                                               refused.reason))
            if result.ok and result.hospital is not None:
                self._use_hospital(result.hospital)
                return result, stored
        self.store.audit.record(principal.username, principal.role.value, "import.reject",
                                "import", name, detail=_import_detail(result))
        return result, None

    def _use_hospital(self, hospital: Hospital) -> None:
        """Swap in a hospital (imported here, or by another process) and re-forecast the board."""
        with self.lock:
            self.hospital = hospital
            self.tower.hospital = hospital
        self._mark(set(self.tower.room_ids()), [])

    def due_rooms(self, limit: int) -> set[str]:
        """Up to ``limit`` rooms whose views are the oldest and older than ``full_refresh_s``:
        forecasts move with the clock, so every room is refreshed that often, a few per flush
        rather than all at once (which would hold up the rooms that events just changed)."""
        horizon = time.monotonic() - self.settings.full_refresh_s
        with self.lock:
            aged = sorted((self._views[r][1] if r in self._views else 0.0, r)
                          for r in self.tower.room_ids())
        return {r for at, r in aged[:limit] if at < horizon}

    def _mark(self, rooms: set[str], event_ids: list[str]) -> None:
        """Rooms whose state changed: their cached views are stale; the live task sends them."""
        with self.lock:
            for r in rooms:
                self._generation[r] = self._generation.get(r, 0) + 1
        self.hub.mark(rooms, event_ids)

    def freshness(self) -> dict[str, Any]:
        wall = datetime.now(UTC)
        age = None if self.last_received is None else (wall - self.last_received).total_seconds()
        now = self.now()
        due = self.feed_due_from is None or now >= self.feed_due_from
        if not due:
            self._due_since = None
        elif self._due_since is None:
            self._due_since = wall
        silent_since = self.last_received or self._due_since
        silent = 0.0 if silent_since is None else (wall - silent_since).total_seconds()
        return {"last_received": self.last_received.isoformat() if self.last_received else None,
                "age_s": None if age is None else round(age, 1),
                "quiet_after_s": self.settings.quiet_feed_s,
                "feed_due": due,
                "quiet": due and silent > self.settings.quiet_feed_s,
                "now_min": round(self.tower.clock.minutes(now), 1),
                # while the database is away nothing is stored and other processes' changes
                # do not arrive: the board says so
                "database": "ok" if self.store.database.available else "unavailable"}

    # ------------------------------------------------------------------ writing
    def feed(self, events: Sequence[Event], principal: Principal,
             label: str | None = None) -> Ingested:
        """A producer's batch (``POST /api/events``), all or nothing: ``EventRefused`` when an
        event names an unknown case or room, is stamped more than ``FUTURE_TOLERANCE`` after
        the service's now, or puts its case's in-room milestones out of order;
        ``store.ConflictingEvent`` when an id comes again with other content. The events are
        stored with the principal as their source, and the batch is audited with them."""
        try:
            self._check_feed(events)
        except EventRefused:
            # this process may not yet have applied another process's events: look again
            # after catching up (only when something looked wrong, so the usual path is fast)
            self._apply_stored_events()
            self._check_feed(events)
        return self.ingest(events, Poster(principal.actor, label))

    def _check_feed(self, events: Sequence[Event]) -> None:
        latest = latest_allowed(self.tower, self.clock)
        hospital = self.hospital
        announced = {e.case_id for e in events if e.kind is EventKind.EMERGENCY_REQUESTED}
        by_case: dict[str, list[Event]] = {}
        for i, e in enumerate(events):
            if e.at > latest:
                raise EventRefused(i, "at", e.at.isoformat(),
                                   f"later than now plus {FUTURE_TOLERANCE} ({latest.isoformat()})")
            if e.room_id is not None and e.room_id not in hospital.room_by_id:
                raise EventRefused(i, "room_id", e.room_id, "unknown room")
            if e.case_id is not None and e.case_id not in announced \
                    and not self._known_case(e.case_id):
                raise EventRefused(i, "case_id", e.case_id, "unknown case (neither planned, "
                                   "a referral, nor announced by emergency_requested)")
            if e.case_id is not None:
                by_case.setdefault(e.case_id, []).append(e)
                self._check_day(i, e)
        with self.lock:
            for case_id, mine in by_case.items():
                state = self.tower.live.cases.get(case_id)
                breach = out_of_order(state.milestones if state else {}, mine)
                if breach is not None:
                    event, kind, at = breach
                    raise EventRefused(events.index(event), "at", event.at.isoformat(),
                                       f"{event.kind.value} of case {case_id} cannot be at this "
                                       f"time: {kind.value} is at {at.isoformat()}")

    def _check_day(self, index: int, event: Event) -> None:
        """A milestone of a case on the board's plan happens on the case's day (or the night
        either side): one stamped days away is a wrong case or a wrong clock, and would show
        the day's later cases days late."""
        plan = self.tower.live.planned.get(event.case_id or "")
        if plan is None or event.kind not in CASE_MILESTONES:
            return
        on = event.at.astimezone(self.tower.clock.tz).date()
        if abs((on - plan.day).days) > MILESTONE_DAYS_AWAY:
            raise EventRefused(index, "at", event.at.isoformat(),
                               f"case {plan.case_id} is planned on {plan.day.isoformat()}: a "
                               f"{event.kind.value} on {on.isoformat()} is not its")

    def _known_case(self, case_id: str) -> bool:
        """A referral or emergency of the hospital, on the day's plan, seen in an event (an
        emergency announced by emergency_requested), or planned on another day."""
        hospital = self.hospital
        if case_id in hospital.referral_by_id or case_id in hospital.emergency_by_id or \
                case_id in self.tower.live.planned or case_id in self.tower.live.cases:
            return True
        try:
            self.store.plans.get(case_id)
        except UnknownCase:
            return False
        return True

    def ingest(self, events: Sequence[Event], poster: Poster | None = None) -> Ingested:
        """Store first (durable), then apply; a repeat is acknowledged but changes nothing
        (counted once as a duplicate, also when an id comes twice in one batch). Events the
        service makes itself (decisions, porters, the demo's replay) come in here directly."""
        new = self.store.events.append(events, poster=poster)
        fresh = list({e.id: e for e in events if e.id in new}.values())
        with self.lock:
            dirty = self.tower.apply(fresh)
        if fresh:
            self.last_received = datetime.now(UTC)
        self._mark(dirty, [e.id for e in fresh])
        return Ingested([e.id for e in fresh], len(events) - len(fresh))

    def change_case(self, case_id: str, version: int, changes: dict[str, Any],
                    principal: Principal, why: str,
                    reason: CancellationReason | None = None) -> PlannedCase:
        """``reason``: why a cancellation happened (kept in the case's history; default OTHER)."""
        return self.change_cases([CaseEdit(case_id, version, changes, reason)], principal,
                                 why)[0]

    def change_cases(self, edits: list[CaseEdit], principal: Principal, why: str,
                     suggestion_id: str | None = None,
                     unchanged: dict[str, int] | None = None,
                     notes: Sequence[Note] = ()) -> list[PlannedCase]:
        """Cases changed together, each on the version its author saw (``Plans.change_many``:
        all or nothing, ``VersionConflict`` naming a stale case, audited with ``notes`` in the
        same transaction), then shown."""
        plans = self.store.plans.change_many(edits, by=principal.actor, why=why,
                                             suggestion_id=suggestion_id, unchanged=unchanged,
                                             notes=notes)
        dirty: set[str] = set()
        with self.lock:
            for plan in plans:
                dirty |= self.tower.live.set_plan(plan)
        self._mark(dirty, [])
        return plans

    def refresh_suggestions(self, by: Actor | None = None) -> int:
        """Let the agent look at the forecasts; store new suggestions, withdraw stale ones.
        Each records the versions of the cases it concerns as the agent saw them: accepting
        it after one of them changed is refused (``decide``). ``by``: the user who asked
        (audited with the withdrawal that ends the refresh)."""
        with self._suggest_lock:
            # on a snapshot: the what-ifs take a while and must not hold up ingest
            with self.lock:
                tower = self.tower.snapshot()
            now = self.now()
            forecasts = {r: tower.forecast(r, now) for r in tower.room_ids()}
            found = suggest(tower, now, forecasts)
            shown = {s.id: s.effect for s in self.store.suggestions.list(status="open")}
            new = 0
            for s in found:
                versions = {c: tower.live.planned[c].version
                            for c in concerned_cases(s.action) if c in tower.live.planned}
                new += self.store.suggestions.offer(s.id, s.kind, s.case_id, s.room_id,
                                                    {**s.action, "room_id": s.room_id,
                                                     "versions": versions}, s.effect, s.summary)
            self.store.suggestions.expire_except({s.id for s in found}, by=by, new=new)
            self.suggested_at = time.monotonic()
        changed = new or set(shown) != {s.id for s in found} or \
            any(shown.get(s.id) != s.effect for s in found)
        if changed:  # browsers reload the list: new, withdrawn or with effects predicted anew
            self.hub.publish("suggestions", {"new": new})
        return new

    def open_suggestions(self) -> list[StoredSuggestion]:
        """The open suggestions, best first (``benefit_min``), with effects predicted at most
        ``suggest_interval_s`` ago: the agent looks again first if its last pass is older."""
        last = self.suggested_at
        if last is None or time.monotonic() - last > self.settings.suggest_interval_s:
            self.refresh_suggestions()
        found = self.store.suggestions.list(status="open")
        return sorted(found, key=lambda s: (-float(s.effect.get("benefit_min") or 0), s.id))

    def decide(self, suggestion_id: str, accept: bool, principal: Principal,
               why: str) -> StoredSuggestion:
        """Record the decision; accepting runs the repair and applies its changes, all of
        them or none: on the versions the suggestion recorded for its cases (another
        coordinator's change since is a ``VersionConflict``), the others' as the repair read
        them. If refused, the decision is undone and the suggestion stays open."""
        decided = self.store.suggestions.decide(suggestion_id, accept, principal.actor, why)
        if not accept:
            self.hub.publish("suggestions", {"decided": suggestion_id})
            return decided
        recorded = {str(c): int(v) for c, v in decided.action.get("versions", {}).items()}
        try:
            with self.lock:
                planned = {p.case_id: p for p in self.store.plans.day(self.day)}
                program = Program(tuple(p.entry for p in planned.values()
                                        if p.status not in ("cancelled", "unscheduled")))
                result = apply_suggestion(self.tower, decided.kind, decided.action, self.now(),
                                          decision_id=suggestion_id, program=program)
            # a cancellation's reason as plan.repair gave it (on the decision's event)
            reasons = {e.case_id: e.reason for e in result.events if e.reason is not None}
            seen = {c: p.version for c, p in planned.items()} | recorded
            edits = [CaseEdit(case_id, seen[case_id] if case_id in seen
                              else self.store.plans.get(case_id).version, changes,
                              reasons.get(case_id)) for case_id, changes in result.changes]
            accepted = Note("suggestion.accept", "suggestion", suggestion_id,
                            detail={"kind": decided.kind, "why": why})
            self.change_cases(edits, principal, why=f"{decided.kind}: {why}",
                              suggestion_id=suggestion_id, unchanged=recorded, notes=[accepted])
        except (ActionRefused, VersionConflict) as refused:
            self.store.suggestions.reopen(suggestion_id, principal.actor, str(refused))
            raise
        if result.events:  # audited as the decision above; the coordinator is their source
            self.ingest(result.events, Poster(principal.actor, note=None))
        for room_id, case_id in result.porter_requests:
            self.store.logistics.request("porter", room_id, case_id, principal.actor)
        if result.porter_requests:  # the board shows them beside their cases
            self.touch({room_id for room_id, _ in result.porter_requests})
        with self.lock:
            self.tower.released.update(result.released_rooms)
        self._mark(set(result.released_rooms) | {decided.room_id or ""} - {""}, [])
        self.hub.publish("suggestions", {"decided": suggestion_id})
        return decided

    # ------------------------------------------------------------------ programs and jobs
    def start_job(self, kind: str, scope: Scope, params: dict[str, Any],
                  principal: Principal) -> Job:
        """Queue a planning job (``ScopeBusy`` if one for the scope is queued or running)."""
        return self.jobs.start(kind, scope, params, principal.actor)

    def cancel_job(self, job_id: int, principal: Principal) -> Job:
        return self.jobs.cancel(job_id, principal.actor)

    def publish(self, version_id: int, principal: Principal, why: str) -> Published:
        """A coordinator's decision: the version becomes the live plan of its days (audited by
        the store in the same transaction); the board shows it at once. A version that breaks
        a hard rule under the local rules in force (say one proposed under draft rules, or a
        hand-made draft) is refused, naming the first breaches: the validator judges, not the
        planner that made it."""
        report = check(self.hospital, self.store.programs.get(version_id).program,
                       self.local_rules())
        if report.hard:
            first = "; ".join(f"{v.constraint}: {v.detail}" for v in report.hard[:3])
            raise NotPublishable(f"version {version_id} breaks {len(report.hard)} hard rule(s) "
                                 f"under the local rules in force ({first}); plan again")
        published = self.store.programs.publish(version_id, by=principal.username,
                                                role=principal.role.value, why=why)
        self._reread_plans(list(map(self.store.plans.get, published.changed_cases)))
        self.hub.publish("programs", {"published": version_id})
        return published

    def _job_changed(self, job: Job) -> None:
        self.hub.publish("jobs", {"job": job.id, "status": job.status,
                                  "progress": job.progress})

    # ------------------------------------------------------------------ other processes
    # Several processes may serve one PostgreSQL database. Each applies its own writes at once
    # (above); the store's notifier tells it of everyone's, and it reads them back from its
    # cursor, so boards on every process show every change. Repeats change nothing.
    def follow(self) -> None:
        """Start applying what other processes store (a no-op on an embedded SQLite store)."""
        self.store.notifier.listen(self.noticed, on_connect=self.catch_up)

    def catch_up(self) -> None:
        """Apply every stored event after the cursor and every plan newer than the tower's:
        on (re)connecting to the notices, when some may have been missed."""
        if self.store.hospital.revision() != self.hospital_revision:
            self._reread_hospital()
        self._apply_stored_events()
        self._sync_day()

    def noticed(self, notice: Notice) -> None:
        """Another process (or this one) committed a change: read it from the store."""
        if notice.kind == "events":
            if int(notice.data.get("seq", 0)) > self.cursor:
                self._apply_stored_events()
        elif notice.kind == "plans":
            if "cases" in notice.data:
                self._reread_plans(list(map(self.store.plans.get, notice.data["cases"])))
            elif notice.data.get("day", self.day.isoformat()) == self.day.isoformat():
                self._sync_day()
        elif notice.kind == "hospital" and notice.origin == self.store.notifier.origin:
            self.hospital_revision = int(notice.data.get("revision", 0))  # swapped in already
        elif notice.origin != self.store.notifier.origin:
            if notice.kind == "logistics":  # a porter request or a check-in
                found = self.store.logistics.get(int(notice.data.get("porter_request", 0)))
                planned = self.tower.live.planned.get(str(notice.data.get("checkin", "")))
                self.touch({found.room_id} if found else {planned.room_id} if planned else set())
            if notice.kind == "hospital":
                self._reread_hospital()
            if notice.kind == "suggestions" and "decided" in notice.data:
                decided = self.store.suggestions.get(str(notice.data["decided"]))
                if decided and decided.status == "accepted" and \
                        decided.kind == "release_session" and decided.room_id:
                    with self.lock:
                        self.tower.released.add(decided.room_id)
                    self._mark({decided.room_id}, [])
            # suggestions, job results, …: this process's browsers reload what changed
            self.hub.publish(notice.kind, notice.data)

    def _reread_hospital(self) -> None:
        with self._import_lock:  # not half-way through an import of this process
            revision = self.store.hospital.revision()
            stored = self.store.hospital.load()
        if stored is not None:
            self._use_hospital(stored)
            self.hospital_revision = revision

    def _apply_stored_events(self) -> None:
        with self._follow_lock:
            fresh: list[Event] = []
            dirty: set[str] = set()
            for seq, event in self.store.events.read(after_seq=self.cursor):
                with self.lock:
                    if event.id not in self.tower.live.seen:
                        fresh.append(event)
                        dirty |= self.tower.live.apply(event)
                self.cursor = seq
            if fresh:
                self.last_received = datetime.now(UTC)
                self._mark(dirty, [e.id for e in fresh])

    def _sync_day(self) -> None:
        """The day's program as stored now, including cases that left it for another day."""
        plans = self.store.plans.day(self.day)
        stored = {p.case_id for p in plans}
        with self.lock:
            gone = [c for c, p in self.tower.live.planned.items()
                    if c not in stored and p.status != "unscheduled"]
        self._reread_plans(plans + list(map(self.store.plans.get, gone)))

    def _reread_plans(self, plans: list[PlannedCase]) -> None:
        """Apply stored plans newer than the tower's: a case of the day as planned, a case moved
        to another day as unscheduled here (off today's program)."""
        dirty: set[str] = set()
        with self.lock:
            for plan in plans:
                known = self.tower.live.planned.get(plan.case_id)
                if known is not None and known.version >= plan.version:
                    continue
                if plan.day == self.day:
                    dirty |= self.tower.live.set_plan(plan)
                elif known is not None:
                    dirty |= self.tower.live.set_plan(replace(plan, status="unscheduled"))
        if dirty:
            self._mark(dirty, [])
