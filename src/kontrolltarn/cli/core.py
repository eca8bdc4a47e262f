"""Core commands: generate, plan, check, constraints, demo and bench."""

from __future__ import annotations

import runpy
import sys
import time
from datetime import timedelta
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from kontrolltarn.cli.serve import (
    parse_clock_time,
    replay_speed_option,
    replay_start_option,
    serve_demo,
)
from kontrolltarn.experiments.program_truth import assigned_truth, expected_kpis
from kontrolltarn.formats.native import save_hospital, save_program
from kontrolltarn.kpi import format_value, label
from kontrolltarn.model import ModelError, Program
from kontrolltarn.plan.charts import write_week_html, write_week_png
from kontrolltarn.plan.check import CheckReport, LocalRules, check, constraints_table
from kontrolltarn.plan.registry import get_planner
from kontrolltarn.synth import SyntheticHospital

from .options import (
    HOSPITAL_HELP,
    fail,
    generate_synthetic,
    hospital_option,
    load_hospital_file,
    load_program_file,
    parse_date,
    report_text,
    scale_option,
    time_limit_option,
)

console = Console()

#: the optimiser's time for the demo's week: the demo prints its KPIs within two minutes
DEMO_OPTIMISE_S = 40.0
#: draws of every case's true duration when the demo judges the two programs
DEMO_TRUTH_SAMPLES = 200


def generate_cmd(
    output: Path = typer.Option(Path("out/hospital.json.gz"), "--output", "-o",
                                help="where to write the hospital (.json or .json.gz)"),
    scale: str = scale_option(help="default (5 locations, ~90 rooms) or small"),
    seed: int = typer.Option(0, help="random seed; the same seed gives the same bytes"),
    today: str | None = typer.Option(None, help="the planning date, YYYY-MM-DD (default 2026-11-30)"),
) -> None:
    """Generate a synthetic hospital with its waiting list, calendar and a year of history."""
    syn = generate_synthetic(scale, seed, parse_date(today, "today"))
    output.parent.mkdir(parents=True, exist_ok=True)
    save_hospital(syn.hospital, output, history=syn.history)
    h = syn.hospital
    console.print(f"wrote {output}: {len(h.locations)} locations, {len(h.rooms)} rooms, "
                  f"{len(h.referrals)} referrals waiting, {len(h.sessions)} sessions, "
                  f"{len(syn.history)} past operations")


def plan_cmd(
    hospital_path: Path = hospital_option(),
    method: str = typer.Option("baseline", help="planner: baseline (today's practice) or optimise"),
    start: str | None = typer.Option(None, help="first day, YYYY-MM-DD (default: the hospital's today)"),
    days: int = typer.Option(7, min=1, max=84, help="days to plan"),
    seed: int = typer.Option(0, help="seed for planners that search"),
    time_limit: float = time_limit_option(60.0, "seconds for planners that search"),
    output: Path = typer.Option(Path("out/program.json"), "--output", "-o"),
) -> None:
    """Plan a program and judge it with the independent validator (exit 1 if infeasible)."""
    hospital = load_hospital_file(hospital_path)
    first = parse_date(start, "start") or hospital.today
    try:
        planner = get_planner(method)
    except KeyError as exc:
        raise fail(str(exc.args[0])) from exc
    began = time.perf_counter()
    with console.status(f"planning {days} days with {method} …"):
        program = planner(hospital, first, days, seed=seed, time_limit=time_limit)
    seconds = time.perf_counter() - began
    output.parent.mkdir(parents=True, exist_ok=True)
    save_program(program, output)
    report = check(hospital, program)
    console.print(f"wrote {output}: {len(program.entries)} cases in {seconds:.1f} s")
    _print_kpis({method: report}, title=f"{method}: {first} + {days} days")
    if not report.feasible:
        typer.echo(report_text(report))
        raise typer.Exit(1)


def check_cmd(
    hospital_path: Path = typer.Argument(..., help=HOSPITAL_HELP),
    program_path: Path = typer.Argument(..., help="program file"),
    as_json: bool = typer.Option(False, "--json", help="print the JSON report"),
    output: Path | None = typer.Option(None, "--output", "-o", help="also write the JSON report here"),
    rules_path: Path | None = typer.Option(
        None, "--rules", help="local planning rules TOML (default: the shipped rules)"),
) -> None:
    """Validate a program: every hard violation, soft cost and KPI. Exit 1 if any hard violation."""
    try:
        rules = LocalRules.from_toml(rules_path) if rules_path is not None else None
    except ModelError as exc:
        raise fail(str(exc)) from exc
    hospital = load_hospital_file(hospital_path)
    program = load_program_file(program_path)
    report = check(hospital, program, rules)
    if output is not None:
        output.write_text(report.to_json(), encoding="utf-8")
    typer.echo(report.to_json() if as_json else report_text(report))
    if not report.feasible:
        raise typer.Exit(1)


def constraints_cmd() -> None:
    """Print the planning rules as a table a clinician can read."""
    typer.echo(constraints_table())


def demo(
    output_dir: Path = typer.Option(Path("out/demo"), help="folder for the chart and files"),
    seed: int = typer.Option(0, help="random seed of the synthetic hospital"),
    serve: bool | None = typer.Option(
        None, "--serve/--no-serve",
        help="then start the control tower and replay a simulated day (default: yes when run in "
             "a terminal, no in scripts and CI, so that the demo ends there)"),
    replay_speed: float = replay_speed_option(),
    replay_start: str | None = replay_start_option(),
) -> None:
    """Generate the default hospital, plan a week with the optimiser beside today's practice,
    print both programs' KPIs, write a chart of the optimised week, then (in a terminal) start
    the control tower board and replay a busy day (from the morning, a day in 10 minutes)."""
    start_at = parse_clock_time(replay_start)  # refused before the minutes of planning
    began = time.perf_counter()
    syn = generate_synthetic("default", seed, None)
    h = syn.hospital
    weekdays = [d for d in (h.today + timedelta(days=k) for k in range(7)) if d.weekday() < 5]
    rooms_per_day = sum(1 for s in h.sessions if s.date == weekdays[0])
    console.print(f"[bold]{h.name}[/]: {len(h.locations)} locations, {rooms_per_day} staffed rooms "
                  f"on {weekdays[0]:%A %d.%m.%Y}, {len(h.referrals)} referrals waiting, "
                  f"{len(syn.history):,} operations in the past year")
    with console.status("planning the week with today's practice (baseline) …"):
        baseline = get_planner("baseline")(h, h.today, 7)
    from kontrolltarn.predict import CaseDurations  # deferred: heavy (pandas, scikit-learn)

    with console.status("learning durations from the past year (predict) …"):
        durations = CaseDurations.from_history(syn.history)
    with console.status(f"optimising the week's program (at most {DEMO_OPTIMISE_S:.0f} s) …"):
        program = get_planner("optimise")(h, h.today, 7, seed=seed, time_limit=DEMO_OPTIMISE_S,
                                          durations=durations)
    reports = {"today's practice (baseline)": check(h, baseline), "optimised": check(h, program)}
    _print_kpis(reports, title=f"Programs for the week from {h.today}")
    console.print("Planned minutes: the baseline books the surgeons' estimates; the optimiser "
                  "plans predicted distributions. Below, both are judged against the durations "
                  "the cases will truly take (the generator's truth), not their own estimates.")
    _print_expected({"today's practice (baseline)": baseline, "optimised": program}, syn)
    report = reports["optimised"]
    output_dir.mkdir(parents=True, exist_ok=True)
    save_program(program, output_dir / "program.json")
    save_program(baseline, output_dir / "program-baseline.json")
    html = write_week_html(h, program, report, output_dir / "week.html")
    png = write_week_png(h, program, output_dir / "week.png")
    feasible = all(r.feasible for r in reports.values())
    console.print(f"validator: {'feasible' if feasible else 'INFEASIBLE'}; "
                  f"chart: {html} and {png}; took {time.perf_counter() - began:.1f} s")
    if not feasible:
        raise typer.Exit(1)
    if serve is None:
        serve = sys.stdin.isatty() and sys.stdout.isatty()
    if serve:
        serve_demo(seed=seed, replay_speed=replay_speed, replay_start_at=start_at)


def _print_kpis(reports: dict[str, CheckReport], title: str) -> None:
    """One column per program, the validator's KPIs in rows."""
    table = Table(title=title)
    table.add_column("KPI")
    for name in reports:
        table.add_column(name, justify="right")
    for kpi in ("cases", "elective_sessions", "planned_utilisation",
                "planned_utilisation_with_turnover", "planned_overtime_minutes",
                "sessions_over_30_min_overtime", "planned_idle_minutes", "deadline_breaches",
                "mean_wait_days"):
        table.add_row(label(kpi), *(format_value(kpi, r.kpis[kpi]) for r in reports.values()))
    table.add_row("hard violations", *(str(len(r.hard)) for r in reports.values()))
    console.print(table)


def _print_expected(programs: dict[str, Program], syn: SyntheticHospital) -> None:
    """Each program's expected session KPIs when every case takes its true duration."""
    h = syn.hospital
    table = Table(title=f"Expected when run ({DEMO_TRUTH_SAMPLES} samples of the true durations)")
    table.add_column("KPI")
    for name in programs:
        table.add_column(name, justify="right")
    expected = [expected_kpis(h, p, assigned_truth(h, syn.truth, p), h.today, 7,
                              DEMO_TRUTH_SAMPLES, seed=0) for p in programs.values()]
    for kpi in ("utilisation_with_turnover", "utilisation_in_room",
                "share_sessions_over_30_min_overtime", "overtime_min_per_session"):
        table.add_row(label(kpi), *(format_value(kpi, k[kpi]) for k in expected))
    console.print(table)


def _benchmarks_dir() -> Path:
    """benchmarks/ of the source checkout (the runners are not part of the installed package)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "benchmarks").is_dir() and (parent / "pyproject.toml").exists():
            return parent / "benchmarks"
    candidate = Path.cwd() / "benchmarks"
    if candidate.is_dir():
        return candidate
    raise fail("no benchmarks/ folder found: run from the source checkout")


def bench(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="benchmark NAME (a file benchmarks/NAME.py), or 'all'"),
    quick: bool = typer.Option(False, "--quick", help="reduced run, under 45 s"),
) -> None:
    """Run benchmark NAME; it prints one JSON line per measurement. Further options go to the
    runner (e.g. ``bench inrc2 --time-limit 30 --seed 1``; see ``benchmarks/NAME.py --help``)."""
    folder = _benchmarks_dir()
    available = sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))
    names = available if name == "all" else [name]
    if name == "all" and ctx.args:
        raise fail(f"options {' '.join(ctx.args)!r} go to one runner, not to 'all'")
    for bench_name in names:
        if bench_name not in available:
            raise fail(f"NAME={bench_name!r}: unknown benchmark; available: {available}")
        sys.argv = [str(folder / f"{bench_name}.py"), *(["--quick"] if quick else []), *ctx.args]
        runpy.run_path(str(folder / f"{bench_name}.py"), run_name="__main__")


def register(app: typer.Typer) -> None:
    app.command("generate")(generate_cmd)
    app.command("plan")(plan_cmd)
    app.command("check")(check_cmd)
    app.command("constraints")(constraints_cmd)
    app.command("demo")(demo)
    app.command("bench", context_settings={"allow_extra_args": True,
                                           "ignore_unknown_options": True})(bench)
