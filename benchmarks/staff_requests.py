"""How fast a staff request is checked (issue 20: ≤ 200 ms p95 for a 564-person hospital).
JSON lines.

The roster: every anaesthetist, anaesthesia nurse and OR nurse of the default hospital (564
people), 4 weeks, built by ``build_roster`` (a short time limit: the figure measured is the
check, not the roster's quality). Requests: random swaps between colleagues of one role and
location, absences and wishes, drawn with a fixed seed. Three figures per request:

- ``check_change``: the incremental check (only the people and days the request touches), on
  the whole hospital as one unit (the worst case) and per location (a unit as the service
  keeps one);
- ``check_roster``: the whole roster checked again, the non-incremental way, for comparison;
- ``api``: ``POST /api/staff/requests`` through the service on SQLite (parse cached, check,
  store, audit), the whole hospital as one unit.

--quick: the small hospital and fewer requests.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _requests(roster: Any, n: int, seed: int) -> list[Any]:
    from kontrolltarn.plan.staffing import RosterChange

    rng = random.Random(seed)
    groups: dict[tuple[str, str], list[str]] = {}
    for p in roster.people:
        groups.setdefault((p.role.value, p.location_id), []).append(p.id)
    pairs = [g for g in groups.values() if len(g) >= 2]
    found: list[Any] = []
    while len(found) < n:
        group = rng.choice(pairs)
        a, b = rng.sample(group, 2)
        day = roster.first_day + timedelta(days=rng.randrange(7 * roster.weeks))
        kind = rng.choices(["swap", "absence", "wish"], [6, 2, 2])[0]
        if kind == "swap":
            other = day + timedelta(days=rng.choice([0, 0, 1, 2, 7]))
            other = min(other, roster.first_day + timedelta(days=7 * roster.weeks - 1))
            change = RosterChange("swap", a, day, None, b, other)
        elif kind == "absence":
            mine = [s.start.date() for s in roster.shifts_by_person[a]]
            if not mine:
                continue
            change = RosterChange("absence", a, rng.choice(mine))
        else:
            change = RosterChange("wish", a, day, min(day + timedelta(days=1),
                                                        roster.days[-1]))
        try:
            change.validate(roster)
        except ValueError:
            continue
        found.append(change)
    return found


def _timed(fn: Callable[[], object]) -> float:
    began = time.perf_counter()
    fn()
    return (time.perf_counter() - began) * 1000


def measure(scale: str, seed: int, n: int, time_limit: float) -> list[dict[str, object]]:
    from kontrolltarn.plan.staffing import (
        Roster,
        WorkingTimeRules,
        build_roster,
        check_change,
        check_roster,
        demand_from_sessions,
        first_monday_on_or_after,
        people_from_hospital,
    )
    from kontrolltarn.synth import generate

    hospital = generate(scale, seed=seed).hospital
    first = first_monday_on_or_after(hospital.today + timedelta(days=14))
    people = people_from_hospital(hospital, first, 28, seed)
    demand = demand_from_sessions(hospital, hospital.sessions, first, 28)
    roster = build_roster(people, demand, first, 4, published_on=hospital.today,
                          time_limit=time_limit, seed=seed).roster
    rules = WorkingTimeRules()
    requests = _requests(roster, n, seed)
    case = f"{scale}/seed{seed}/{len(roster.people)}people/{n}requests"
    lines: list[dict[str, object]] = []

    def report(metric: str, values: list[float], **extra: object) -> None:
        for name, value in (("p50", statistics.median(values)), ("p95", _p95(values)),
                            ("max", max(values))):
            lines.append({"bench": "staff_requests", "case": case, "metric": f"{metric}_{name}",
                          "value": round(value, 2), "unit": "ms", **extra})

    report("check_change_hospital_unit",
           [_timed(lambda c=c: check_change(roster, c, rules)) for c in requests], reference=200)
    units = {loc: Roster(roster.first_day, roster.weeks,
                         tuple(p for p in roster.people if p.location_id == loc),
                         tuple(s for s in roster.shifts
                               if roster.person_by_id[s.person_id].location_id == loc),
                         tuple(d for d in roster.demand if d.location_id == loc),
                         roster.published_on)
             for loc in {p.location_id for p in roster.people}}
    report("check_change_location_unit",
           [_timed(lambda c=c: check_change(units[roster.person_by_id[c.person_id].location_id],
                                            c, rules)) for c in requests], reference=200)
    report("check_roster_whole", [_timed(lambda: check_roster(roster, rules))
                                  for _ in range(min(5, n))])
    lines.extend(_api(roster, requests, case))
    return lines


def _api(roster: Any, requests: list[Any], case: str) -> list[dict[str, object]]:
    """POST /api/staff/requests on SQLite, the whole hospital as one unit (stored published
    directly: its coverage shortfalls would stop a publication through the API)."""
    from fastapi.testclient import TestClient

    from kontrolltarn.plan.staffing import roster_to_dict
    from kontrolltarn.service import Runtime, Settings, create_app
    from kontrolltarn.store import Actor, Store
    from kontrolltarn.synth import generate

    admin = Actor("bench", "cli")
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        store.users.add("leader", "leader-password-bench", "unit_leader")
        draft = store.rosters.add("H", roster_to_dict(roster), by=admin)
        store.rosters.publish(draft.id, by=admin, why="bench", checked={})
        people = sorted({c.person_id for c in requests})
        for pid in people:
            store.users.add(f"u{pid}", "staff-password-bench", "staff_member")
            store.rosters.link(f"u{pid}", "H", pid, by=admin)
        rt = Runtime(Settings(), generate("small", seed=1).hospital, store)
        times: list[float] = []
        with TestClient(create_app(rt, background=False)) as client:
            tokens = {pid: client.post("/api/auth/login", json={
                "username": f"u{pid}", "password": "staff-password-bench"}).json()["token"]
                for pid in people}
            client.cookies.clear()
            for c in requests:
                body = {"kind": c.kind, "day": c.day.isoformat(),
                        "until": c.until.isoformat() if c.until else None,
                        "colleague_id": c.colleague_id,
                        "colleague_day": c.colleague_day.isoformat() if c.colleague_day else None}
                headers = {"Authorization": f"Bearer {tokens[c.person_id]}"}
                began = time.perf_counter()
                reply = client.post("/api/staff/requests", json=body, headers=headers)
                times.append((time.perf_counter() - began) * 1000)
                assert reply.status_code == 201, reply.text
        store.close()
    first = times[0]  # the first request parses the stored roster (then cached)
    rest = times[1:] or times
    return [{"bench": "staff_requests", "case": case, "metric": f"api_{name}",
             "value": round(value, 2), "unit": "ms", **({"reference": 200} if name == "p95" else {})}
            for name, value in (("first", first), ("p50", statistics.median(rest)),
                                ("p95", _p95(rest)), ("max", max(rest)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small hospital, 40 requests")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--time-limit", type=float, default=None, help="roster build (s)")
    args = parser.parse_args()
    scale = "small" if args.quick else "default"
    n = args.requests or (40 if args.quick else 300)
    for line in measure(scale, args.seed, n, args.time_limit or (5.0 if args.quick else 30.0)):
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
