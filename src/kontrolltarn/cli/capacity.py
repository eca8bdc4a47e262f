"""`kontrolltarn capacity`: the need-based session plan and its gap against need and budget."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from kontrolltarn.experiments.capacity import compare_plans, markdown_table, summarise_arms
from kontrolltarn.formats.native import load_history
from kontrolltarn.model import Hospital, ModelError, PastOperation
from kontrolltarn.plan.check import LocalRules

from .options import (
    err_console,
    fail,
    generate_synthetic,
    hospital_option,
    load_hospital_file,
    parse_date,
    scale_option,
    time_limit_option,
)

if TYPE_CHECKING:
    from kontrolltarn.plan.capacity import CapacityReport

console = Console()


def _load(path: Path | None, scale: str, seed: int) -> tuple[Hospital, tuple[PastOperation, ...], Any]:
    if path is not None:
        hospital = load_hospital_file(path)
        history = load_history(path)
        if not history:
            err_console.print(
                "no history in the hospital file: no forecast, and no budget unless --targets gives one"
            )
        return hospital, history, None
    syn = generate_synthetic(scale, seed)
    return syn.hospital, syn.history, syn


def _targets(path: Path | None) -> dict[str, float] | None:
    """CSV with columns specialty, cases_per_week."""
    if path is None:
        return None
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise fail(f"targets file {path}: {exc}") from exc
    result = {}
    for i, row in enumerate(rows):
        try:
            result[row["specialty"]] = float(row["cases_per_week"])
        except (KeyError, ValueError) as exc:
            raise fail(
                f"targets file {path} row {i + 2}: needs specialty and a numeric cases_per_week, got {row}"
            ) from exc
    return result


def capacity(
    hospital_path: Path | None = hospital_option(required=False, note="without it, the synthetic hospital"),
    scale: str = scale_option(help="synthetic hospital when no --hospital"),
    seed: int = typer.Option(0, help="seed of the synthetic hospital"),
    weeks: int = typer.Option(12, min=1, max=26, help="weeks to plan (4-12 typical)"),
    start: str | None = typer.Option(None, help="first Monday, YYYY-MM-DD (default: next Monday)"),
    targets: Path | None = typer.Option(None, help="CSV specialty,cases_per_week (the budget)"),
    growth: float = typer.Option(0.0, help="budget growth over last year's activity, e.g. 0.05"),
    utilisation: float = typer.Option(0.85, help="bookable share of staffed minutes"),
    rules_path: Path | None = typer.Option(
        None, "--rules", help="local rules TOML (default: the shipped rules): a specialty's "
        "utilisation_target replaces --utilisation for it; its activity_target is the budget "
        "unless --targets gives one"),
    unit_sessions: float = typer.Option(
        1.0, help="sessions' worth of work one mobile unit (robot, microscope) serves a day"
    ),
    time_limit: float = time_limit_option(90.0, "seconds for the MIP"),
    output_dir: Path = typer.Option(Path("out/capacity"), "--output-dir", "-o"),
    simulate: int = typer.Option(
        0, "--simulate", min=0, help="simulate the plan beside the current one, N replications "
        "(baseline policy, common random numbers; synthetic hospital only)"
    ),
) -> None:
    """Plan sessions from need (waiting list, forecast, budget) with the fewest staffed sessions."""
    # deferred: heavy (scipy)
    from kontrolltarn.plan.capacity import (
        CapacitySettings,
        blocks_csv,
        check_capacity_plan,
        demand_from_hospital,
        gaps_csv,
        plan_capacity,
        sessions_json,
        write_charts,
    )

    try:
        rules = LocalRules.from_toml(rules_path)
        settings = CapacitySettings(
            weeks=weeks,
            utilisation=utilisation,
            specialty_utilisation=rules.utilisation_targets(),
            target_growth=growth,
            time_limit=time_limit,
            mobile_unit_sessions=unit_sessions,
        )
    except ModelError as exc:
        raise fail(str(exc)) from exc
    if simulate and hospital_path is not None:
        raise fail("--simulate needs the synthetic hospital (no --hospital): the simulator "
                   "draws its world from the generator")
    budget = _targets(targets) or rules.activity_targets() or None  # a bad file: refused first
    hospital, history, syn = _load(hospital_path, scale, seed)
    first = parse_date(start, "start") or (
        hospital.today + timedelta(days=(7 - hospital.today.weekday()) % 7))
    demand = demand_from_hospital(hospital, history, first, settings, budget)
    end = first + timedelta(weeks=weeks)
    current = [s for s in hospital.sessions if not s.emergency and first <= s.date < end]
    try:
        with err_console.status(f"planning {weeks} weeks from {first} (HiGHS, ≤ {time_limit:.0f} s)"):
            plan = plan_capacity(hospital, demand, first, settings, replaces=current)
    except KeyboardInterrupt:
        raise fail("stopped by Ctrl-C; nothing written", 130) from None
    except ModelError as exc:
        raise fail(str(exc)) from exc
    report = check_capacity_plan(hospital, plan.sessions, demand, first, settings, current)
    _print_gaps(report, f"{len(plan.sessions)} sessions planned ({len(current)} in the current "
                f"plan), {weeks} weeks from {first}; {plan.seconds:.1f} s, {plan.status}")
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / "sessions.json").write_text(sessions_json(plan.sessions), encoding="utf-8")
    (output_dir / "gaps.csv").write_text(gaps_csv(report), encoding="utf-8")
    (output_dir / "blocks.csv").write_text(blocks_csv(plan.sessions), encoding="utf-8")
    write_charts(report, output_dir / "capacity.html", f"Capacity plan from {first}")
    console.print(f"wrote {output_dir}/sessions.json, gaps.csv, blocks.csv, capacity.html")
    if simulate:
        try:
            with err_console.status(f"simulating both plans, {simulate} replication(s)"):
                runs = compare_plans(syn, plan.sessions, first, weeks, range(simulate))
        except ModelError as exc:
            raise fail(f"simulation: {exc}") from exc
        text = markdown_table(summarise_arms(runs))
        (output_dir / "simulation.md").write_text(text + "\n", encoding="utf-8")
        console.print(text)
        console.print(f"wrote {output_dir}/simulation.md")
    if not report.ok:
        for v in report.violations[:20]:
            console.print(f"  {v}")
        raise fail(f"the independent check found {len(report.violations)} violations", 1)
    console.print("[bold green]independent check: 0 violations[/]")


def _print_gaps(report: CapacityReport, title: str) -> None:
    """Per specialty: sessions now and planned, and the gaps against deadlines and budget."""
    table = Table(title=title)
    for column in (
        "specialty",
        "current",
        "planned",
        "capacity ops",
        "due ops",
        "deadline gap",
        "now late",
        "budget ops",
        "vs budget",
    ):
        table.add_column(column, justify="left" if column == "specialty" else "right")
    for g in report.gaps:
        table.add_row(
            g.specialty_id,
            str(g.current_sessions),
            str(g.sessions),
            f"{g.capacity_cases:.0f}",
            f"{g.due_cases:.0f}",
            f"{g.deadline_gap_cases:.0f}",
            "" if g.current_deadline_gap_cases is None else f"{g.current_deadline_gap_cases:.0f}",
            f"{g.budget_cases:.0f}",
            f"{g.budget_gap_cases:+.0f}",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("capacity")(capacity)
