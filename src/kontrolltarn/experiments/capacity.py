"""A capacity plan beside the current session plan, through the simulator.

Both arms run the same synthetic hospital under the same policy and seed (common random numbers):
the current arm on the hospital's own session calendar, the planned arm with the plan's elective
sessions in its place over the plan's weeks (``simulate(..., sessions=plan)``). The plan's sessions
are given the calendar's session ids (``S-<date>-<room>``) so a room-day draws the same staff
closure in both arms. Differences are paired seed by seed, with 95 % t-intervals.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from kontrolltarn import kpi
from kontrolltarn.model import Hospital, ModelError, Session
from kontrolltarn.simulate import execution_log, simulate
from kontrolltarn.simulate.policies import make_policy
from kontrolltarn.simulate.replications import interval
from kontrolltarn.synth import SyntheticHospital

#: KPIs shown for the comparison (``kpi.headline`` keys)
SIM_KPIS = ("mean_wait_days", "median_wait_days", "deadline_breaches",
            "waiting_past_deadline_at_end", "elective_operations", "utilisation_with_turnover",
            "late_cancellations")
ARMS = ("current", "planned")


def calendar_ids(sessions: Sequence[Session]) -> list[Session]:
    """The plan's sessions under the simulator calendar's ids, one per room and day."""
    result = [replace(s, id=f"S-{s.date:%Y%m%d}-{s.room_id}") for s in sessions if not s.emergency]
    if len({s.id for s in result}) != len(result):
        raise ModelError("sessions", len(result), "the plan has two sessions in a room on a day")
    return result


def simulate_arm(synthetic: SyntheticHospital, plan: Sequence[Session] | None, first: date,
                 weeks: int, seed: int, policy: str = "baseline") -> dict[str, Any]:
    """One replication of one arm: the headline KPIs over the plan's weeks."""
    warmup = (first - synthetic.hospital.today).days
    if warmup < 0:
        raise ModelError("first", first, "the plan starts before the hospital's today")
    cpu = time.process_time()
    result = simulate(synthetic.hospital, synthetic.truth, make_policy(policy, synthetic.history),
                      days=7 * weeks, seed=seed,
                      warmup_days=warmup, keep_programs=False,
                      sessions=None if plan is None else calendar_ids(plan))
    headline = kpi.headline(execution_log(result))
    return {"arm": "current" if plan is None else "planned", "seed": seed,
            "seconds": result.seconds, "cpu_seconds": time.process_time() - cpu,
            "sessions": sum(not s.emergency for s in result.sessions),
            "kpis": {k: headline.get(k, 0.0) for k in SIM_KPIS}}


def compare_plans(synthetic: SyntheticHospital, plan: Sequence[Session], first: date, weeks: int,
                  seeds: Sequence[int], policy: str = "baseline",
                  on_done: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Current and planned arm on every seed, in turn (one process; a default-scale 12-week run
    takes 30–60 s of CPU)."""
    end = first + timedelta(weeks=weeks)
    inside = [s for s in plan if first <= s.date < end]
    runs = []
    for seed in seeds:
        for arm in (None, inside):
            runs.append(simulate_arm(synthetic, arm, first, weeks, seed, policy))
            if on_done is not None:
                on_done(runs[-1])
    return runs


def summarise_arms(runs: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per KPI: each arm's mean and 95 % interval, and the paired difference planned − current."""
    by = {a: {r["seed"]: r for r in runs if r["arm"] == a} for a in ARMS}
    seeds = sorted(set(by["current"]) & set(by["planned"]))
    table: dict[str, dict[str, Any]] = {}
    for k in SIM_KPIS:
        table[k] = {a: interval([by[a][s]["kpis"][k] for s in seeds]) for a in ARMS}
        table[k]["difference"] = interval([by["planned"][s]["kpis"][k] - by["current"][s]["kpis"][k]
                                           for s in seeds])
    return table


def markdown_table(table: dict[str, dict[str, Any]]) -> str:
    def cell(i: Any, scale: float = 1.0) -> str:
        m, lo, hi = i.mean * scale, i.low * scale, i.high * scale
        return f"{m:,.1f}" if i.n == 1 else f"{m:,.1f} [{lo:,.1f}, {hi:,.1f}]"

    lines = ["| KPI | current session plan | capacity plan | planned − current (paired) |",
             "|---|---|---|---|"]
    for k, row in table.items():
        f = 100.0 if k.startswith("utilisation") else 1.0  # shares shown in per cent
        name = f"{k} (%)" if f != 1.0 else k
        lines.append(f"| {name} | {cell(row['current'], f)} | {cell(row['planned'], f)} | "
                     f"{cell(row['difference'], f)} |")
    return "\n".join(lines)


# ---- scenarios: what-ifs on a session plan, simulated with common random numbers ---------------
@dataclass(frozen=True)
class Scenario:
    """A what-if on the session plan: ``extra_rooms`` more rooms open at ``location_id`` on
    ``weekday`` (0 = Monday; new rooms like the location's busiest elective room), and/or only
    ``factor`` of each location-day's sessions kept (``location_id`` None: every location), in
    weeks ``first_week``..``last_week`` of the plan (1-based; None: all). "Four more rooms on
    Tuesdays at Nord": ``Scenario("…", "NOR", 1, extra_rooms=4)``; "summer at half capacity":
    ``Scenario("…", factor=0.5, first_week=…, last_week=…)``."""

    name: str
    location_id: str | None = None
    weekday: int | None = None
    extra_rooms: int = 0
    factor: float = 1.0
    first_week: int | None = None
    last_week: int | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ModelError("scenario.name", self.name, "must name the scenario")
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise ModelError("scenario.weekday", self.weekday, "must be 0 (Monday) to 6")
        if not 0 <= self.extra_rooms <= 50:
            raise ModelError("scenario.extra_rooms", self.extra_rooms, "must be 0 to 50")
        if not 0 <= self.factor <= 1:
            raise ModelError("scenario.factor", self.factor, "must be a share from 0 to 1")
        if self.extra_rooms and self.location_id is None:
            raise ModelError("scenario.location_id", None, "extra rooms need a location")

    def applies(self, day: date, first: date) -> bool:
        week = (day - first).days // 7 + 1
        return ((self.weekday is None or day.weekday() == self.weekday)
                and (self.first_week is None or week >= self.first_week)
                and (self.last_week is None or week <= self.last_week))


def apply_scenario(hospital: Hospital, plan: Sequence[Session], scenario: Scenario,
                   first: date, weeks: int) -> tuple[Hospital, list[Session]]:
    """The hospital (with any new rooms) and the session plan of ``weeks`` weeks from ``first``
    under ``scenario`` (new rooms open on the matching weekdays, Monday to Friday)."""
    if scenario.location_id is not None and scenario.location_id not in hospital.location_by_id:
        raise ModelError("scenario.location_id", scenario.location_id, "unknown location")
    by_day: dict[tuple[date, str], list[Session]] = defaultdict(list)
    for s in plan:
        by_day[(s.date, hospital.room_by_id[s.room_id].location_id)].append(s)
    kept: list[Session] = []
    for (day, location), sessions in sorted(by_day.items()):
        chosen = sorted(sessions, key=lambda s: s.room_id)
        if scenario.applies(day, first) and scenario.location_id in (None, location):
            chosen = chosen[:math.ceil(len(chosen) * scenario.factor - 1e-9)]
        kept.extend(chosen)
    if not scenario.extra_rooms:
        return hospital, kept
    loc = scenario.location_id
    assert loc is not None
    use = Counter(s.room_id for s in plan if hospital.room_by_id[s.room_id].location_id == loc)
    electives = [r for r in hospital.rooms if r.location_id == loc and not r.emergency]
    if not electives:
        raise ModelError("scenario.location_id", loc, "has no elective room to copy")
    model = max(electives, key=lambda r: (use[r.id], r.id))
    specialty = Counter(s.specialty_id for s in plan if s.room_id == model.id).most_common(1)
    spec = specialty[0][0] if specialty else sorted(model.specialties)[0]
    template = next((s for s in plan if s.room_id == model.id), None)
    start, end = (template.start_min, template.end_min) if template else (480, 930)
    # numbered after the last rooms (room ids end in their number, as the calendar reads them)
    free = [n for n in range(99, 49, -1) if f"{loc}-OR{n:02d}" not in hospital.room_by_id]
    rooms = [replace(model, id=f"{loc}-OR{n:02d}", name=f"{model.name} +{i + 1}")
             for i, n in enumerate(sorted(free[:scenario.extra_rooms]))]
    days = [first + timedelta(days=k) for k in range(7 * weeks)
            if (first + timedelta(days=k)).weekday() < 5]
    added = [Session(f"S-{day:%Y%m%d}-{r.id}", r.id, day, start, end, spec)
             for day in days if scenario.applies(day, first) for r in rooms]
    # the new rooms' sessions are in the hospital's calendar too: the simulator's calendar
    # learns a room's specialty from them (it also opens them in the warm-up before ``first``)
    return hospital.replace(rooms=hospital.rooms + tuple(rooms),
                            sessions=hospital.sessions + tuple(added)), kept + added


def synthetic_world(hospital: Hospital) -> SyntheticHospital:
    """The generator's world behind a synthetic hospital (its ``meta`` names scale and seed),
    with the hospital as it stands now: the simulator draws arrivals, durations and the
    calendar from it. An imported hospital has none: ``ModelError``."""
    from .replications import _hospital

    meta = hospital.meta
    if meta.get("generator") != "kontrolltarn.synth" or "scale" not in meta:
        raise ModelError("hospital", hospital.name, "simulating a scenario needs the synthetic "
                         "hospital's world (this hospital was not made by the generator)")
    return replace(_hospital(str(meta["scale"]), int(meta["seed"])), hospital=hospital)


def scenario_arm(world: SyntheticHospital, hospital: Hospital, sessions: Sequence[Session],
                 arm: str, first: date, weeks: int, seed: int) -> dict[str, Any]:
    """One replication of one arm (a Dask task): ``world``'s truth and history, ``hospital``
    with the arm's rooms, the arm's sessions."""
    run = simulate_arm(replace(world, hospital=hospital), sessions, first, weeks, seed)
    return {**run, "arm": arm}


def compare_scenarios(world: SyntheticHospital, plan: Sequence[Session],
                      scenarios: Sequence[Scenario], first: date, weeks: int,
                      seeds: Sequence[int], cluster: str | None = "local", workers: int = 2,
                      on_done: Callable[[dict[str, Any]], None] | None = None,
                      ) -> dict[str, Any]:
    """The plan and each scenario on every seed (common random numbers: a seed draws the same
    durations, arrivals and closures in every arm), on Dask (``experiments.replications``);
    per KPI each arm's mean with its 95 % interval and its paired difference from the plan."""
    from .replications import dask_map

    end = first + timedelta(weeks=weeks)
    inside = [s for s in plan if first <= s.date < end]
    arms: dict[str, tuple[Hospital, list[Session]]] = {"plan": (world.hospital, inside)}
    for sc in scenarios:
        if sc.name in arms:
            raise ModelError("scenario.name", sc.name, "two scenarios of one name")
        arms[sc.name] = apply_scenario(world.hospital, inside, sc, first, weeks)
    calls = [(world, h, sessions, arm, first, weeks, seed)
             for seed in seeds for arm, (h, sessions) in arms.items()]
    runs = dask_map(scenario_arm, calls, cluster=cluster, workers=workers, on_done=on_done)
    by = {a: {r["seed"]: r for r in runs if r["arm"] == a} for a in arms}
    table: dict[str, dict[str, Any]] = {}
    for k in SIM_KPIS:
        table[k] = {}
        for a in arms:
            values = [by[a][s]["kpis"][k] for s in seeds]
            base = [by["plan"][s]["kpis"][k] for s in seeds]
            both, diff = interval(values), interval([v - b for v, b in zip(values, base, strict=True)])
            table[k][a] = {"mean": both.mean, "low": both.low, "high": both.high,
                           "difference": diff.mean, "difference_low": diff.low,
                           "difference_high": diff.high}
    return {"arms": list(arms), "sessions": {a: len(s) for a, (_, s) in arms.items()},
            "seeds": list(seeds), "kpis": table}


def run_scenarios(hospital: Hospital, plan: Sequence[Session], scenarios: Sequence[dict[str, Any]],
                  first: date, weeks: int, replications: int, cluster: str | None,
                  on_done: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """The service's scenario runner (``service.jobs.register_scenario_runner``): scenarios as
    the API gives them (a wrong field raises ``ModelError`` naming it), simulated in the
    synthetic hospital's world on seeds 0..replications-1."""
    parsed = []
    for i, body in enumerate(scenarios):
        try:
            parsed.append(Scenario(**body))
        except TypeError as exc:
            raise ModelError(f"scenarios[{i}]", body, f"not a scenario: {exc}") from None
    return compare_scenarios(synthetic_world(hospital), plan, parsed, first, weeks,
                             range(replications), cluster=cluster, on_done=on_done)
