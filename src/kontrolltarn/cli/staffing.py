"""`kontrolltarn roster`: build a roster within the Working Environment Act, and check one."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kontrolltarn.model import ModelError
from kontrolltarn.plan.staffing import (
    CheckReport,
    Demand,
    Person,
    WorkingTimeRules,
    check_roster,
    demand_from_sessions,
    first_monday_on_or_after,
    load_roster,
    load_rules,
    people_from_hospital,
    roster_stats,
    save_roster,
)

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
    from kontrolltarn.plan.staffing import RosterResult

console = Console()

roster_app = typer.Typer(
    help="Rosters for OR nurses and anaesthesia staff within the Working Environment Act.",
    no_args_is_help=False,
    invoke_without_command=True,
)


def _rules(path: Path | None) -> WorkingTimeRules:
    try:
        return load_rules(path)
    except (ModelError, OSError, ValueError) as exc:
        raise fail(f"rules file {path}: {exc}") from exc


@roster_app.callback()
def build(
    ctx: typer.Context,
    hospital_path: Path | None = hospital_option(
        required=False, note="its sessions are the demand; without it, the synthetic hospital"),
    scale: str = scale_option(help="synthetic hospital when no --hospital/--demand"),
    seed: int = typer.Option(0, help="seed of the synthetic hospital and the solver"),
    sessions_path: Path | None = typer.Option(
        None, "--sessions", help="elective session plan (sessions.json from `kontrolltarn capacity`)"
    ),
    demand_path: Path | None = typer.Option(
        None, "--demand", help="roster-format JSON with people and demand (shifts ignored)"
    ),
    start: str | None = typer.Option(
        None, help="first Monday, YYYY-MM-DD (default: the first Monday 14 days after today)"
    ),
    weeks: int = typer.Option(4, min=1, max=12, help="weeks to roster"),
    rules_path: Path | None = typer.Option(None, "--rules", help="TOML of rule values"),
    time_limit: float = time_limit_option(240.0, "seconds for the whole solve"),
    workers: int = typer.Option(2, min=1, help="CP-SAT workers"),
    output: Path = typer.Option(Path("out/roster.json"), "--output", "-o", help=".json or .csv"),
) -> None:
    """Build a roster (when no subcommand is given) and check it before it is written."""
    if ctx.invoked_subcommand is not None:
        return
    from kontrolltarn.plan.staffing import build_roster  # deferred: heavy (OR-Tools)

    rules = _rules(rules_path)
    if demand_path is not None:
        people, demand, first, weeks, published = _from_roster_file(demand_path)
    else:
        people, demand, first, published = _from_hospital(
            hospital_path, scale, seed, sessions_path, start, weeks, rules)
    console.print(
        f"rostering {len(people)} people, {sum(d.count for d in demand)} person-shifts demanded, "
        f"{weeks} weeks from {first} (time limit {time_limit:.0f} s)"
    )
    with Progress(
        TextColumn("[bold]rostering[/] {task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} groups"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=1)

        def report(group: str, done: int, total: int) -> None:
            progress.update(task, description=group, completed=done, total=total)

        try:
            result = build_roster(
                people,
                demand,
                first,
                weeks,
                rules,
                published_on=published,
                time_limit=time_limit,
                workers=workers,
                seed=seed,
                progress=report,
            )
        except KeyboardInterrupt:
            raise fail("stopped by Ctrl-C; nothing written", 130) from None
        except ModelError as exc:
            raise fail(str(exc)) from exc
    _print_groups(result)
    output.parent.mkdir(parents=True, exist_ok=True)
    save_roster(result.roster, output)
    if output.suffix == ".csv":  # the CSV holds shifts only; keep the checkable JSON beside it
        save_roster(result.roster, output.with_suffix(".json"))
    console.print(f"wrote {output}")
    report_ = check_roster(result.roster, rules)
    _print_report(report_, limit=10)
    if not report_.ok:
        raise typer.Exit(1)


def _from_roster_file(path: Path) -> tuple[list[Person], list[Demand], date, int, date]:
    """People, demand, first day, weeks and publication day of a roster-format file."""
    try:
        template = load_roster(path)
    except (ModelError, OSError) as exc:
        raise fail(f"demand file {path}: {exc}") from exc
    return (list(template.people), list(template.demand), template.first_day, template.weeks,
            template.published_on or date.today())


def _from_hospital(hospital_path: Path | None, scale: str, seed: int, sessions_path: Path | None,
                   start: str | None, weeks: int, rules: WorkingTimeRules
                   ) -> tuple[list[Person], list[Demand], date, date]:
    """People, demand, first day and publication day from a hospital (or the synthetic one):
    its sessions are the demand, or a capacity plan's elective sessions with its emergency
    rooms'. The roster starts on the first Monday after the publication notice."""
    hospital = (load_hospital_file(hospital_path) if hospital_path is not None
                else generate_synthetic(scale, seed).hospital)
    earliest = hospital.today + timedelta(days=rules.publication_notice_days)
    first = parse_date(start, "start") or first_monday_on_or_after(earliest)
    people = people_from_hospital(hospital, first, 7 * weeks, seed)
    sessions = list(hospital.sessions)
    if sessions_path is not None:  # the plan's elective sessions, the hospital's emergency rooms
        from kontrolltarn.plan.capacity import sessions_from_json  # deferred: heavy (scipy)

        try:
            planned = sessions_from_json(sessions_path.read_text(encoding="utf-8"))
        except (ModelError, OSError) as exc:
            raise fail(f"sessions file {sessions_path}: {exc}") from exc
        sessions = [s for s in sessions if s.emergency] + planned
    try:
        demand = demand_from_sessions(hospital, sessions, first, 7 * weeks)
    except ModelError as exc:
        raise fail(str(exc)) from exc
    return people, demand, first, hospital.today


def _print_groups(result: RosterResult) -> None:
    """One row per (location, role) group: its size, the solver's status, time and gaps."""
    table = Table(title=f"roster built in {result.seconds:.1f} s")
    for column in ("location", "role", "people", "status", "seconds", "uncovered"):
        table.add_column(column, justify="right" if column in ("people", "seconds") else "left")
    for g in result.groups:
        table.add_row(g.location_id, g.role, str(g.people), g.status, f"{g.seconds:.1f}", str(g.uncovered))
    console.print(table)


def _print_report(report: CheckReport, limit: int) -> None:
    if report.ok:
        console.print("[bold green]checker: 0 breaches[/] — fit to publish")
        return
    counts = Table(title=f"checker: {len(report.breaches)} breaches — not fit to publish")
    counts.add_column("rule")
    counts.add_column("breaches", justify="right")
    for rule, n in sorted(report.by_rule().items()):
        counts.add_row(rule, str(n))
    console.print(counts)
    for b in report.breaches[:limit]:
        console.print(f"  {b}")
    if len(report.breaches) > limit:
        console.print(f"  … {len(report.breaches) - limit} more (--limit, --json)")


@roster_app.command("check")
def check(
    roster_path: Path = typer.Argument(..., help="roster JSON from `kontrolltarn roster`"),
    rules_path: Path | None = typer.Option(None, "--rules", help="TOML of rule values"),
    as_json: bool = typer.Option(False, "--json", help="print every breach as JSON"),
    limit: int = typer.Option(30, help="breaches to list"),
    working_time_only: bool = typer.Option(
        False, "--working-time-only", help="ignore coverage and competence-mix shortfalls"
    ),
) -> None:
    """Check a roster against every working-time rule and its demand; exit 1 on any breach."""
    try:
        roster = load_roster(roster_path)
    except OSError as exc:
        raise fail(f"roster file {roster_path}: {exc}") from exc
    except ModelError as exc:
        raise fail(f"roster file {roster_path}: {exc}") from exc
    report = check_roster(roster, _rules(rules_path))
    if working_time_only:
        report = CheckReport(report.working_time_breaches)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": report.ok,
                    "by_rule": report.by_rule(),
                    "stats": roster_stats(roster).as_dict(),
                    "breaches": [
                        {
                            "rule": b.rule,
                            "person_id": b.person_id,
                            "first": b.first.isoformat(),
                            "last": b.last.isoformat(),
                            "amount": b.amount,
                            "detail": b.detail,
                        }
                        for b in report.breaches
                    ],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        stats = roster_stats(roster)
        console.print(
            f"{stats.people} people, {stats.shifts} shifts; weekend shifts per person max "
            f"{stats.weekend_shifts_max} (mean {stats.weekend_shifts_mean}); evening/night max "
            f"{stats.unsocial_shifts_max} (mean {stats.unsocial_shifts_mean}); "
            f"{stats.wishes_off_honoured:.0%} of {stats.wishes_off} days asked off honoured"
        )
        _print_report(report, limit)
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(roster_app, name="roster")
