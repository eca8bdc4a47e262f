"""`kontrolltarn simulate`: run policies over a simulated period and write the KPI report."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kontrolltarn.experiments.control_practice import PRACTICES
from kontrolltarn.experiments.replications import run_replications
from kontrolltarn.kpi import format_value, label
from kontrolltarn.simulate.replications import summarise
from kontrolltarn.simulate.report import write_html, write_png

from .options import scale_option

#: the KPIs of the table, in this order
TABLE_KPIS = ("utilisation_in_room", "utilisation_with_turnover", "late_cancellations",
              "changes_after_date", "elective_operations", "deadline_breaches", "overtime_minutes",
              "sessions_over_30_min_overtime", "emergency_within_limit_share", "mean_wait_days")


def simulate_command(
    policy: str = typer.Option("baseline", "--policy", help="policy NAME, or two separated by a comma "
                               "for a paired comparison (baseline, optimised, optimised-practice, control)"),
    days: int = typer.Option(28, "--days", min=1, help="days measured (after a 14-day warm-up); "
                             "a year is --days 365"),
    seed: int = typer.Option(0, "--seed", help="first simulation seed; replication k uses seed + k"),
    replications: int = typer.Option(1, "--replications", min=1, help="seeds to run"),
    cluster: str = typer.Option("local", "--cluster", help="'local' (a local Dask cluster), 'none' "
                                "(in this process) or a Dask scheduler ADDRESS"),
    workers: int = typer.Option(2, "--workers", min=1, help="local cluster worker processes"),
    scale: str = scale_option("small"),
    hospital_seed: int = typer.Option(0, "--hospital-seed", help="seed of the synthetic hospital"),
    report: Path = typer.Option(Path("simulation.html"), "--report",
            help="HTML report; a PNG is written beside it"),
) -> None:
    """Simulate the operating department under one or two policies and report the KPIs. With
    no options: the small hospital, 28 days, one replication (a minute or so); the default
    hospital over a year is `--scale default --days 365`."""
    console = Console()
    policies = [p.strip() for p in policy.split(",") if p.strip()]
    for p in policies:
        if p not in PRACTICES:
            raise typer.BadParameter(f"policy={p!r}: choose from {list(PRACTICES)}", param_hint="--policy")
    if not 1 <= len(policies) <= 2:
        raise typer.BadParameter(f"policy={policy!r}: give one policy or two to compare",
                param_hint="--policy")
    seeds = list(range(seed, seed + replications))
    jobs = len(seeds) * len(policies)
    target = None if cluster == "none" else cluster
    try:
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task(f"simulating {days} days × {jobs} run(s)", total=jobs)
            results = run_replications(scale, hospital_seed, policies, days, seeds, target, workers,
                                       on_done=lambda r: bar.advance(task))
    except KeyboardInterrupt:
        console.print("[yellow]Stopped; no report written.[/]")
        raise typer.Exit(130) from None
    title = f"Kontrolltårn simulation: {' vs '.join(policies)}, {days} days, {scale} hospital"
    report.parent.mkdir(parents=True, exist_ok=True)
    write_html(report, results, policies, title)
    png = report.with_suffix(".png")
    write_png(png, results, policies, title)
    table = summarise(results, policies)
    view = Table(title=title)
    view.add_column("KPI")
    columns = policies + (["difference"] if "difference" in table else [])
    for c in columns:
        view.add_column(c, justify="right")
    for key in TABLE_KPIS:
        if key in table[policies[0]]:
            # a spread (95 % interval) only when there are replications to give one
            view.add_row(label(key), *(format_value(
                key, table[c][key].mean,
                table[c][key].high - table[c][key].mean if replications > 1 else None)
                for c in columns))
    console.print(view)
    console.print(f"Report: {report}  PNG: {png}")


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)
