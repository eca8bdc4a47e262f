"""4-week roster for the synthetic hospital's anaesthesia staff and OR nurses (JSON lines).

Every roster is judged by the independent checker; the solver's own view is not reported as
a result. Default: the default scale (500+ people), time limit 240 s. --quick: small scale.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import timedelta


def measure(scale: str, seed: int, time_limit: float) -> list[dict[str, object]]:
    from kontrolltarn.plan.staffing import (
        build_roster,
        check_roster,
        demand_from_sessions,
        first_monday_on_or_after,
        people_from_hospital,
        roster_stats,
    )
    from kontrolltarn.synth import generate

    hospital = generate(scale, seed=seed).hospital
    first = first_monday_on_or_after(hospital.today + timedelta(days=14))
    people = people_from_hospital(hospital, first, 28, seed)
    demand = demand_from_sessions(hospital, hospital.sessions, first, 28)
    began = time.perf_counter()
    result = build_roster(people, demand, first, 4, published_on=hospital.today,
                          time_limit=time_limit, seed=seed)
    seconds = time.perf_counter() - began
    report = check_roster(result.roster)
    stats = roster_stats(result.roster)
    demanded = sum(d.count for d in demand)
    short = sum(b.amount for b in report.breaches if b.rule == "coverage")
    case = f"{scale}/seed{seed}/4weeks"

    def line(metric: str, value: object, unit: str, **extra: object) -> dict[str, object]:
        return {"bench": "roster", "case": case, "metric": metric, "value": value, "unit": unit,
                **extra}

    return [
        line("people", len(people), "people", reference=300),
        line("solve_time", round(seconds, 1), "s", reference=300),
        line("working_time_breaches", len(report.working_time_breaches), "breaches", reference=0),
        line("coverage_shortfall", short, "person-shifts", of=demanded),
        line("competence_mix_shortfall",
             sum(b.amount for b in report.breaches if b.rule == "competence_mix"), "people"),
        line("weekend_shifts_max", stats.weekend_shifts_max, "shifts/person"),
        line("weekend_shifts_sd", stats.weekend_shifts_sd, "shifts"),
        line("unsocial_shifts_max", stats.unsocial_shifts_max, "shifts/person"),
        line("unsocial_shifts_sd", stats.unsocial_shifts_sd, "shifts"),
        line("wishes_off_honoured", stats.wishes_off_honoured, "share"),
        line("avoided_shifts_worked", stats.avoided_shifts_worked, "shifts"),
        line("hours_vs_contract_abs", stats.hours_vs_contract_abs_h, "h/person"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small scale, 15 s")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=None)
    args = parser.parse_args()
    scale = "small" if args.quick else "default"
    limit = args.time_limit or (15.0 if args.quick else 240.0)
    for line in measure(scale, args.seed, limit):
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
