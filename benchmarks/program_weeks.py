"""Benchmark: the optimised program rolled over several weeks, to weigh urgency against use.

`program.py` measures one week; what urgency points buy (planning a case due in three weeks
now rather than a case that fits the session better) only shows in the weeks after. This plans
week after week from the same waiting list (each week excludes the cases already planned, as
a rolling plan would), and reports per week and in total: expected utilisation with turnover,
the share of sessions expected to overrun by 30+ minutes (sampled truth for the surgeon and
location each case gets, as the simulator runs a program), cases planned after their deadline,
and ready cases whose deadline falls inside the weeks but that were never planned.

    python benchmarks/program_weeks.py [--seed N] [--weeks 4] [--settings FILE.toml]

No new referrals arrive between weeks (the hospital is one snapshot), so the later weeks run
out of urgent work sooner than a real hospital would; compare settings with each other, not
with a live hospital.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

from kontrolltarn.experiments.program_truth import assigned_truth, expected_kpis
from kontrolltarn.plan.check import check
from kontrolltarn.plan.program import ProgramSettings, plan_program
from kontrolltarn.predict import CaseDurations
from kontrolltarn.synth import generate

BENCH = "program_weeks"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--settings", default=None, help="planning settings TOML")
    args = parser.parse_args(argv)
    syn = generate("default", args.seed)
    hospital = syn.hospital
    estimator = CaseDurations.from_history(syn.history)
    settings = ProgramSettings.from_toml(args.settings)
    case = f"default-seed{args.seed}-weeks{args.weeks}" + (
        f"-settings-{Path(args.settings).stem}" if args.settings else "")
    planned: set[str] = set()  # case ids planned in an earlier week
    late = 0
    staffed = used = flagged = sessions = 0.0
    failed = False
    for week in range(args.weeks):
        first = hospital.today + timedelta(days=7 * week)
        started = time.perf_counter()
        plan = plan_program(hospital, first, 5, durations=estimator, seed=args.seed,
                            time_limit=100.0, settings=settings, exclude=planned,
                            condition=True)
        seconds = time.perf_counter() - started
        report = check(plan.hospital, plan.program)
        failed |= not report.feasible
        truth = assigned_truth(syn.hospital, syn.truth, plan.program)
        kpis = expected_kpis(plan.hospital, plan.program, truth, first, 5, args.samples, args.seed)
        week_late = sum(1 for e in plan.program.entries
                        if e.date > hospital.referral_by_id[e.case_id].deadline)
        late += week_late
        planned.update(e.case_id for e in plan.program.entries)
        n = kpis["sessions"]
        week_staffed = sum(s.staffed_min for s in
                           plan.hospital.sessions_between(first, first + timedelta(days=4))
                           if not s.emergency)
        staffed += week_staffed
        used += kpis["utilisation_with_turnover"] * week_staffed
        flagged += kpis["share_sessions_over_30_min_overtime"] * n
        sessions += n
        _emit(case, f"week{week + 1}", {
            "feasible": float(report.feasible), "solve_time_s": seconds,
            "cases_planned": len(plan.program.entries),
            "expected_utilisation_with_turnover": kpis["utilisation_with_turnover"],
            "expected_share_sessions_overrun_30min": kpis["share_sessions_over_30_min_overtime"],
            "planned_after_deadline": week_late, "sessions_released": len(plan.released)})
    last = hospital.today + timedelta(days=7 * args.weeks - 3)
    never = sum(1 for r in hospital.referrals
                if r.ready and r.id not in planned and r.deadline <= last)
    _emit(case, "total", {
        "expected_utilisation_with_turnover": used / staffed if staffed else 0.0,
        "expected_share_sessions_overrun_30min": flagged / sessions if sessions else 0.0,
        "cases_planned": len(planned), "planned_after_deadline": late,
        "due_within_weeks_never_planned": never})
    return 1 if failed else 0


def _emit(case: str, scope: str, values: dict[str, float | int]) -> None:
    for metric, value in values.items():
        print(json.dumps({"bench": BENCH, "case": case, "scope": scope, "metric": metric,
                          "value": round(float(value), 4)}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
