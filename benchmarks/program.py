"""Benchmark: the optimised program against today's practice on the same week.

Default: the default-scale synthetic hospital, a five-day week from its ``today``. ``--quick``:
the small hospital. For each planner: solve time, cases, expected session utilisation (turnover
counted as used, and in-room only), the share of sessions expected to overrun by 30+ minutes and
deadline breaches; then single-event repair times on the busiest day. Expected values come from
sampling the generator's TRUE duration of each case, never the planner's own estimates: by
default ``Truth.duration`` for the surgeon the program assigns and the location of its room,
which is how the history was generated and how the simulator runs a program;
``--truth referral`` samples ``truth.referral_duration`` instead (the named surgeon, or the
specialty's typical one when none is named, and no location effect). Every program is judged
feasible by ``plan.check`` first.

    python benchmarks/program.py [--quick] [--seed N] [--samples N] [--time-limit S]
                                 [--target-share P] [--truth assigned|referral]

The planner's durations are ``predict``'s one source (``CaseDurations``) trained on the
generated history only, never on the truth.

The KPIs are ``kpi.measures``' definitions (computed by ``kpi.expected``): minutes inside staffed
hours / staffed minutes, where "with turnover" counts each case's out-of-room → room-ready
minutes, the last case's included; a session counts as overrunning when its last patient leaves
more than 30 minutes after the staffed end (the planner's ``overrun_min``). Solve time is wall
clock, duration-model fit included; CPU seconds of the process are reported beside it (the
machine is shared, so wall >> CPU under load).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from kontrolltarn.experiments.program_truth import assigned_truth, expected_kpis
from kontrolltarn.model import Hospital, LogNormal, Program
from kontrolltarn.plan.baseline import plan_baseline
from kontrolltarn.plan.check import check
from kontrolltarn.plan.program import ProgramSettings, plan_program
from kontrolltarn.predict import CaseDurations
from kontrolltarn.synth import generate

BENCH = "program"


def emit(case: str, metric: str, value: float, unit: str, baseline: float | None = None) -> None:
    row: dict[str, object] = {"bench": BENCH, "case": case, "metric": metric,
                              "value": round(float(value), 4), "unit": unit}
    if baseline is not None:
        row["baseline"] = round(float(baseline), 4)
    print(json.dumps(row), flush=True)


def deadline_breaches(hospital: Hospital, program: Program, first: date, days: int,
                      exclude: set[str]) -> tuple[int, int]:
    """(planned after the deadline, ready cases due in the window left unplanned)."""
    last = first + timedelta(days=days - 1)
    planned = {e.case_id: e.date for e in program.entries}
    late = sum(1 for cid, d in planned.items()
               if cid in hospital.referral_by_id and d > hospital.referral_by_id[cid].deadline)
    left = sum(1 for r in hospital.referrals
               if r.ready and r.id not in planned and r.id not in exclude and r.deadline <= last)
    return late, left


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small hospital, under 45 s")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--target-share", type=float, default=None,
                        help="planned mean overrun chance (default: the shipped settings)")
    parser.add_argument("--settings", default=None,
                        help="planning settings TOML (default: the shipped settings.toml)")
    parser.add_argument("--truth", choices=("assigned", "referral"), default="assigned",
                        help="sample Truth.duration for the assigned surgeon and location (as the "
                             "simulator runs a program) or truth.referral_duration (named or "
                             "typical surgeon, no location)")
    parser.add_argument("--condition", action=argparse.BooleanOptionalAction, default=None,
                        help="plan each case for the surgeon and location it gets (default: "
                             "when --truth assigned)")
    args = parser.parse_args(argv)
    scale = "small" if args.quick else "default"
    time_limit = args.time_limit or (20.0 if args.quick else 100.0)
    syn = generate(scale, args.seed)
    hospital = syn.hospital
    first, days = hospital.today, 5
    case = f"{scale}-week-seed{args.seed}" + (f"-share{args.target_share:g}" if args.target_share else "")
    if args.truth != "assigned":
        case += f"-truth-{args.truth}"
    condition = args.truth == "assigned" if args.condition is None else args.condition
    if condition != (args.truth == "assigned"):
        case += "-conditioned" if condition else "-unconditioned"

    started = time.perf_counter()
    baseline = plan_baseline(hospital, first, days)
    baseline_s = time.perf_counter() - started
    started = time.perf_counter()
    cpu_started = time.process_time()
    estimator = CaseDurations.from_history(syn.history)
    fit_s = time.perf_counter() - started
    settings = ProgramSettings.from_toml(args.settings)
    if args.settings:
        case += "-settings-" + Path(args.settings).stem
    if args.target_share is not None:
        settings = replace(settings, risk=replace(
            settings.risk, target_share=args.target_share,
            max_probability=max(settings.risk.max_probability, args.target_share)))
    plan = plan_program(hospital, first, days, durations=estimator, seed=args.seed,
                        time_limit=time_limit, settings=settings,
                        condition=condition)
    optimise_s = time.perf_counter() - started
    optimise_cpu = time.process_time() - cpu_started

    # the optimised program is for the hospital with the sessions it released opened
    planned_for = plan.hospital
    failed = False
    for name, program, judged in (("optimise", plan.program, planned_for),
                                  ("baseline", baseline, hospital)):
        report = check(judged, program)
        emit(case, f"{name}_feasible", float(report.feasible), "bool")
        if not report.feasible:
            failed = True
            print(report.to_text(), file=sys.stderr)
    def truth_of(program: Program) -> Mapping[str, LogNormal]:
        if args.truth == "assigned":
            return assigned_truth(syn.hospital, syn.truth, program)
        return syn.truth.referral_duration

    k_opt = expected_kpis(planned_for, plan.program, truth_of(plan.program), first, days,
                          args.samples, args.seed)
    k_base = expected_kpis(hospital, baseline, truth_of(baseline), first, days,
                           args.samples, args.seed)
    emit(case, "solve_time", optimise_s, "s", baseline_s)
    emit(case, "solve_cpu_time", optimise_cpu, "s")
    emit(case, "duration_fit_time", fit_s, "s")
    emit(case, "sessions_solved_to_optimality", plan.stats["sessions_solved_to_optimality"],
         "sessions")
    emit(case, "elective_sessions", k_opt["sessions"], "sessions")
    emit(case, "cases_planned", len(plan.program.entries), "cases", len(baseline.entries))
    emit(case, "expected_utilisation_with_turnover", k_opt["utilisation_with_turnover"], "share",
         k_base["utilisation_with_turnover"])
    emit(case, "expected_utilisation_in_room", k_opt["utilisation_in_room"], "share",
         k_base["utilisation_in_room"])
    emit(case, "expected_share_sessions_overrun_30min", k_opt["share_sessions_over_30_min_overtime"],
         "share",
         k_base["share_sessions_over_30_min_overtime"])
    emit(case, "expected_overtime_per_session", k_opt["overtime_min_per_session"], "min",
         k_base["overtime_min_per_session"])
    late_o, left_o = deadline_breaches(hospital, plan.program, first, days, set())
    late_b, left_b = deadline_breaches(hospital, baseline, first, days, set())
    emit(case, "deadline_breaches_planned_late", late_o, "cases", late_b)
    emit(case, "deadline_due_in_week_not_planned", left_o, "cases", left_b)
    emit(case, "planned_mean_overrun_probability", plan.stats["mean_overrun_probability"], "share")
    emit(case, "incomplete_cases_listed", len(plan.incomplete), "cases")
    emit(case, "sessions_released", len(plan.released), "sessions")
    _repair_bench(case, planned_for, plan.program)
    return 1 if failed else 0


def _repair_bench(case: str, hospital: Hospital, program: Program) -> None:
    """Each event kind once on the busiest day, every patient in the program counted as told."""
    try:
        from kontrolltarn.plan.repair import benchmark_events, repair
    except ImportError:
        return
    for name, event in benchmark_events(hospital, program):
        started = time.perf_counter()
        result = repair(hospital, program, event, told=program.case_ids())
        seconds = time.perf_counter() - started
        report = check(result.hospital, result.program)
        emit(case, f"repair_{name}_time", seconds, "s")
        emit(case, f"repair_{name}_feasible", float(report.feasible), "bool")
        emit(case, f"repair_{name}_date_changes_told", result.date_changes_told, "patients")
        emit(case, f"repair_{name}_moves", result.moves, "cases")


if __name__ == "__main__":
    sys.exit(main())
