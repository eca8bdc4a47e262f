"""A scripted coordinator's week in the planning workspace, through the service's API.

From "new week" to "published" on the default hospital (``--quick``: the small one), the way the
week program page does it, counting the coordinator's actions (each is one thing done on the
page; polling a job's progress is the page's, not the coordinator's):

  1 open the week            GET  /api/workspace/week
  2 press "Propose"          POST /api/jobs (optimise, 5 days)      -> the page follows the job
  3 read the comparison      GET  /api/programs/versions/{id}/compare
  4 pick a case and pin it   (the page keeps the pin)
  5 take a case out          (the page keeps the removal)
  6 press "Propose again"    POST /api/jobs (pinned, removed)       -> the page follows the job
  7 write why and publish    POST /api/programs/versions/{id}/publish

Measured: the actions (at most 10 is the target), the seconds from "Propose" to the proposal's
comparison on screen (at most 60 is the target), and whether the published program passes
``check`` (hard violations, as the independent validator counts them). JSON lines.
Usage: python benchmarks/workspace.py [--quick] [--time-limit S]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any


def emit(case: str, metric: str, value: object, unit: str, **extra: object) -> None:
    print(json.dumps({"bench": "workspace", "case": case, "metric": metric, "value": value,
                      "unit": unit, **extra}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="the small hospital")
    parser.add_argument("--time-limit", type=float, default=45.0,
                        help="the optimiser's seconds per proposal (the job's time_limit_s)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from kontrolltarn.model import Program
    from kontrolltarn.plan.check import check
    from kontrolltarn.service import Runtime, Settings, create_app
    from kontrolltarn.service.clocks import EventClock
    from kontrolltarn.store import Store
    from kontrolltarn.synth import generate

    scale = "small" if args.quick else "default"
    case = f"{scale}/seed{args.seed}/5days"
    hospital = generate(scale, seed=args.seed).hospital
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{Path(folder) / 'week.sqlite3'}")
        store.users.add("coordinator", "coordinator-bench-pw", "coordinator")
        began = time.perf_counter()
        rt = Runtime(Settings(), hospital, store, clock=EventClock(), plan_time_limit=10.0)
        emit(case, "service_start", round(time.perf_counter() - began, 1), "s")
        with TestClient(create_app(rt, background=False)) as client:
            login = client.post("/api/auth/login", json={"username": "coordinator",
                                                         "password": "coordinator-bench-pw"})
            login.raise_for_status()
            actions = 0

            def act(method: str, url: str, **kw: Any) -> Any:
                nonlocal actions
                actions += 1
                reply = client.request(method, url, **kw)
                if reply.status_code >= 400:
                    raise SystemExit(f"{method} {url}: {reply.status_code} {reply.text}")
                return reply.json()

            def follow(job: dict[str, Any]) -> dict[str, Any]:
                while True:  # the page's polling, not the coordinator's
                    now = client.get(f"/api/jobs/{job['id']}").json()
                    if now["status"] in ("done", "failed", "cancelled"):
                        if now["status"] != "done":
                            raise SystemExit(f"job {job['id']}: {now}")
                        return now
                    time.sleep(0.25)

            first = rt.day.isoformat()
            act("GET", f"/api/workspace/week?first_day={first}&days=5")            # 1
            body = {"kind": "optimise", "first_day": first, "days": 5,
                    "time_limit_s": args.time_limit}
            began, cpu = time.perf_counter(), time.process_time()
            job = follow(act("POST", "/api/jobs", json=body))                       # 2
            seen = act("GET", f"/api/programs/versions/{job['result_version_id']}/compare")  # 3
            ready = time.perf_counter() - began
            emit(case, "proposal_ready", round(ready, 1), "s", reference=60,
                 time_limit_s=args.time_limit)
            # the process's CPU seconds (all threads) meanwhile: on a shared machine the wall
            # clock also counts the time other processes had the cores
            emit(case, "proposal_cpu", round(time.process_time() - cpu, 1), "s")
            emit(case, "proposal_cases", len(seen["week"]["entries"]), "cases")
            for k, v in seen["kpis"]["proposal"].items():
                emit(case, f"kpi_{k}", v, "", published=seen["kpis"]["published"][k])
            entries = seen["week"]["entries"]
            pinned, removed = entries[0]["case_id"], entries[-1]["case_id"]
            actions += 2                                                            # 4, 5
            began = time.perf_counter()
            again = follow(act("POST", "/api/jobs", json={                          # 6
                **body, "base_version_id": job["result_version_id"],
                "pinned": [pinned], "removed": [removed]}))
            emit(case, "reproposal_ready", round(time.perf_counter() - began, 1), "s", reference=60)
            version = again["result_version_id"]
            act("POST", f"/api/programs/versions/{version}/publish",                # 7
                json={"why": "the week, pinned and published"})
            emit(case, "user_actions", actions, "actions", reference=10)
            published = rt.store.programs.get(version)
            report = check(rt.hospital, Program(published.program.entries))
            emit(case, "published_hard_violations", len(report.hard), "violations", reference=0)
            emit(case, "published_status", published.status, "")
            emit(case, "published_cases", len(published.program.entries), "cases")
        store.close()


if __name__ == "__main__":
    main()
