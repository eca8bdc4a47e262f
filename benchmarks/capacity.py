"""Need-based capacity plan against the current session plan (JSON lines).

Default: 12 weeks at the default scale; --quick: 4 weeks at the small scale. Both plans are
measured by the same independent check (``check_capacity_plan``); "baseline" is the current
session plan of the synthetic hospital over the same weeks.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import timedelta


def measure(scale: str, weeks: int, seed: int) -> list[dict[str, object]]:
    from kontrolltarn.plan.capacity import (
        CapacitySettings,
        check_capacity_plan,
        demand_from_hospital,
        plan_capacity,
    )
    from kontrolltarn.synth import generate

    syn = generate(scale, seed=seed)
    hospital = syn.hospital
    first = hospital.today + timedelta(days=(7 - hospital.today.weekday()) % 7)
    settings = CapacitySettings(weeks=weeks)
    end = first + timedelta(weeks=weeks)
    current = [s for s in hospital.sessions if not s.emergency and first <= s.date < end]
    began = time.perf_counter()
    demand = demand_from_hospital(hospital, syn.history, first, settings)
    plan = plan_capacity(hospital, demand, first, settings, replaces=current)
    seconds = time.perf_counter() - began
    mine = check_capacity_plan(hospital, plan.sessions, demand, first, settings)
    theirs = check_capacity_plan(hospital, current, demand, first, settings)
    case = f"{scale}/seed{seed}/{weeks}weeks"

    def line(metric: str, value: object, unit: str, **extra: object) -> dict[str, object]:
        return {"bench": "capacity", "case": case, "metric": metric, "value": value, "unit": unit,
                **extra}

    def total(report, field: str) -> float:  # type: ignore[no-untyped-def]
        return round(sum(getattr(g, field) for g in report.gaps), 1)

    def below_budget(report) -> float:  # type: ignore[no-untyped-def]
        return round(sum(min(0.0, g.budget_gap_cases) for g in report.gaps), 1)

    return [
        line("plan_time", round(seconds, 1), "s", reference=120),
        line("violations", len(mine.violations), "violations", baseline=len(theirs.violations)),
        line("sessions", len(plan.sessions), "sessions", baseline=len(current)),
        line("deadline_gap", total(mine, "deadline_gap_cases"), "cases",
             baseline=total(theirs, "deadline_gap_cases")),
        line("below_budget", below_budget(mine), "cases", baseline=below_budget(theirs)),
        line("capacity", total(mine, "capacity_cases"), "cases",
             baseline=total(theirs, "capacity_cases")),
        line("budget", total(mine, "budget_cases"), "cases"),
    ]


def simulate_lines(scale: str, weeks: int, seed: int, replications: int,
                   markdown: bool = False) -> list[dict[str, object]]:
    """The plan beside the current session plan through the simulator (baseline policy, common
    random numbers, seeds 0..replications-1), paired per seed."""
    from kontrolltarn.experiments.capacity import compare_plans, markdown_table, summarise_arms
    from kontrolltarn.plan.capacity import CapacitySettings, demand_from_hospital, plan_capacity
    from kontrolltarn.synth import generate

    syn = generate(scale, seed=seed)
    hospital = syn.hospital
    first = hospital.today + timedelta(days=(7 - hospital.today.weekday()) % 7)
    settings = CapacitySettings(weeks=weeks)
    plan = plan_capacity(hospital, demand_from_hospital(hospital, syn.history, first, settings),
                         first, settings)
    cpu, began = time.process_time(), time.perf_counter()

    def done(run: dict[str, object]) -> None:
        print(json.dumps({"bench": "capacity", "case": f"{scale}/seed{seed}/{weeks}weeks",
                          "metric": "simulation_run", **run}), flush=True)

    runs = compare_plans(syn, plan.sessions, first, weeks, range(replications), on_done=done)
    table = summarise_arms(runs)
    if markdown:
        print(markdown_table(table), flush=True)
    case = f"{scale}/seed{seed}/{weeks}weeks/sim{replications}"
    lines: list[dict[str, object]] = [
        {"bench": "capacity", "case": case, "metric": "simulation_wall", "unit": "s",
         "value": round(time.perf_counter() - began, 1), "cpu": round(time.process_time() - cpu, 1)}]
    for k, row in table.items():
        lines.append({"bench": "capacity", "case": case, "metric": f"sim_{k}",
                      **{a: [round(row[a].mean, 2), round(row[a].low, 2), round(row[a].high, 2)]
                         for a in ("current", "planned", "difference")}})
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small scale, 4 weeks")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--simulate", type=int, default=0, metavar="N",
                        help="also simulate the plan beside the current plan, N replications")
    parser.add_argument("--markdown", action="store_true", help="print the simulation table")
    args = parser.parse_args()
    scale, weeks = ("small", 4) if args.quick else ("default", 12)
    if args.simulate:
        for line in simulate_lines(scale, weeks, args.seed, args.simulate, args.markdown):
            print(json.dumps(line), flush=True)
        return
    for line in measure(scale, weeks, args.seed):
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
