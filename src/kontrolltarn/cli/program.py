"""Commands of the optimised program: `optimise` (plan with rules and readiness shown) and
`replan` (minimal-change repair after one event). `plan --method optimise` comes via the
planner registry."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kontrolltarn.formats.native import load_history, save_hospital, save_program
from kontrolltarn.model import CancellationReason, EmergencyRequest, Hospital, ModelError, Urgency
from kontrolltarn.plan.check import check
from kontrolltarn.plan.repair import (
    CaseOverrun,
    EmergencyInsert,
    LateCancellation,
    RoomClosed,
    SurgeonAbsent,
    repair,
)

from .options import (
    err_console,
    fail,
    hospital_option,
    load_hospital_file,
    load_program_file,
    parse_date,
    report_text,
    time_limit_option,
)

console = Console()

EVENT_HELP = ("cancel CASE [REASON] | emergency ID PROCEDURE LOCATION URGENCY YYYY-MM-DDTHH:MM "
              "MINUTES [PATIENT] | surgeon-absent SURGEON YYYY-MM-DD | room-closed ROOM "
              "YYYY-MM-DD | overrun CASE MINUTES")


def optimise_cmd(
    hospital_path: Path = hospital_option(),
    start: str | None = typer.Option(None, help="first day, YYYY-MM-DD (default: the hospital's today)"),
    days: int = typer.Option(5, min=1, max=31, help="days to plan"),
    seed: int = typer.Option(0, help="solver seed"),
    time_limit: float = time_limit_option(100.0, "seconds for the whole plan"),
    settings_path: Path | None = typer.Option(None, "--settings", help="planning settings TOML"),
    rules_path: Path | None = typer.Option(None, "--rules", help="local rules TOML"),
    release: bool = typer.Option(False, help="release sessions their specialty cannot fill first"),
    output: Path = typer.Option(Path("out/program.json"), "--output", "-o"),
) -> None:
    """Plan with the optimiser, show the local rules and the cases not ready, judge with check."""
    # deferred: heavy (OR-Tools, pandas, scipy, scikit-learn)
    from kontrolltarn.plan.program import (
        LocalRules,
        ProgramSettings,
        plan_program,
        release_unused,
    )
    from kontrolltarn.predict import CaseDurations  # deferred: heavy (pandas, scipy, scikit-learn)

    hospital = load_hospital_file(hospital_path)
    first = parse_date(start, "start") or hospital.today
    try:
        settings = ProgramSettings.from_toml(settings_path)
        rules = LocalRules.from_toml(rules_path)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    try:
        history = load_history(hospital_path)
        durations = CaseDurations.from_history(history) if history else None
    except (ModelError, KeyError, OSError):
        durations = None
    released: list[str] = []
    if release:
        hospital, released = release_unused(hospital, first, days, cadence=settings.cadence)
    with Progress(TextColumn("[bold]planning[/] {task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as progress:
        task = progress.add_task("", total=1.0)
        try:
            plan = plan_program(hospital, first, days, settings=settings, rules=rules,
                                durations=durations, seed=seed, time_limit=time_limit,
                                progress=lambda step, share: progress.update(
                                    task, description=step, completed=share))
        except KeyboardInterrupt:
            err_console.print("stopped: nothing written")
            raise typer.Exit(130) from None
    if plan.released:
        hospital = plan.hospital  # sessions their own specialty could not staff or fill, refilled
        released = sorted({*released, *plan.released})
    output.parent.mkdir(parents=True, exist_ok=True)
    save_program(plan.program, output)
    if released:
        beside = output.with_name(output.stem + "-hospital.json.gz")
        save_hospital(hospital, beside)
        console.print(f"released {len(released)} sessions to other specialties; the hospital "
                      f"with the release recorded is {beside} (pass it to replan -H)")
    report = check(hospital, plan.program)
    console.print(f"wrote {output}: {len(plan.program.entries)} cases in "
                  f"{plan.stats['solve_seconds']:.1f} s; durations: "
                  f"{'trained on the history' if durations else 'procedure distributions'}; feasible: "
                  f"{'yes' if report.feasible else 'NO'}")
    console.print(f"mean planned chance of a 30+ min overrun: "
                  f"{plan.stats['mean_overrun_probability']:.1%}")
    if plan.staffed_ends:
        console.print(f"staffed hours from need: {len(plan.staffed_ends)} sessions could end earlier, "
                      f"{plan.stats['minutes_to_give_back'] / 60:.0f} hours in all, each list still within "
                      f"{settings.risk.give_back_within:.0%} chance of a 30+ min overrun (a proposal, "
                      f"not applied)")
    console.print("[bold]Local rules applied[/]")
    for line in plan.rules:
        console.print(f"  {line}")
    table = Table(title=f"Not ready: {len(plan.incomplete)} cases (first 15 by deadline)")
    for column in ("referral", "specialty", "priority", "deadline", "missing"):
        table.add_column(column)
    for case in plan.incomplete[:15]:
        table.add_row(case.referral_id, case.specialty_id, f"P{case.priority}",
                      case.deadline.isoformat(), ", ".join(case.missing))
    console.print(table)
    if not report.feasible:
        typer.echo(report_text(report))
        raise typer.Exit(1)


def parse_event(text: str, hospital: Hospital) -> Any:
    """An event from its command-line form (see EVENT_HELP)."""
    parts = text.split()
    if not parts:
        raise ModelError("event", text, f"empty; use {EVENT_HELP}")
    kind, args = parts[0], parts[1:]
    try:
        if kind == "cancel" and len(args) in (1, 2):
            reason = CancellationReason(args[1]) if len(args) == 2 else CancellationReason.PATIENT
            return LateCancellation(args[0], reason)
        if kind == "surgeon-absent" and len(args) == 2:
            return SurgeonAbsent(args[0], date.fromisoformat(args[1]))
        if kind == "room-closed" and len(args) == 2:
            return RoomClosed(args[0], date.fromisoformat(args[1]))
        if kind == "overrun" and len(args) == 2:
            return CaseOverrun(args[0], int(args[1]))
        if kind == "emergency" and len(args) in (6, 7):
            ident, code, location, urgency, at, minutes = args[:6]
            procedure = hospital.procedure_by_id.get(code)
            if procedure is None:
                raise ModelError("event.procedure", code, "unknown procedure")
            patient = args[6] if len(args) == 7 else hospital.patients[0].id
            requested = datetime.fromisoformat(at)
            if requested.tzinfo is None:
                requested = requested.replace(tzinfo=ZoneInfo(hospital.timezone))
            return EmergencyInsert(EmergencyRequest(ident, patient, code, procedure.specialty_id,
                                                    location, Urgency(urgency), requested,
                                                    int(minutes)))
    except ValueError as exc:
        if isinstance(exc, ModelError):
            raise
        raise ModelError("event", text, f"{exc}; use {EVENT_HELP}") from exc
    raise ModelError("event", text, f"not understood; use {EVENT_HELP}")


def event_from_file(path: Path, hospital: Hospital) -> Any:
    """A TOML file with ``event = "<command-line form>"``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ModelError("event_file", str(path), str(exc)) from exc
    if not isinstance(data.get("event"), str):
        raise ModelError("event_file.event", data.get("event"), "needs event = \"...\"")
    return parse_event(data["event"], hospital)


def replan_cmd(
    hospital_path: Path = hospital_option(),
    program_path: Path = typer.Option(..., "--program", "-p", help="program file"),
    event: str | None = typer.Option(None, "--event", "-e", help=EVENT_HELP),
    event_file: Path | None = typer.Option(None, help="TOML file with event = \"...\""),
    told: str = typer.Option("recorded", help="who knows their date: recorded (case histories), "
                             "all (everyone in the program) or none"),
    no_refill: bool = typer.Option(False, help="leave a cancellation's time empty"),
    output: Path = typer.Option(Path("out/program-replanned.json"), "--output", "-o"),
) -> None:
    """Re-plan after one event, changing as little as possible for patients already told."""
    hospital = load_hospital_file(hospital_path)
    program = load_program_file(program_path)
    if (event is None) == (event_file is None):
        raise fail("give exactly one of --event or --event-file")
    if told not in ("recorded", "all", "none"):
        raise fail(f"told={told!r}: choose recorded, all or none")
    try:
        parsed = parse_event(event, hospital) if event else event_from_file(event_file, hospital)  # type: ignore[arg-type]
        knows = None if told == "recorded" else (program.case_ids() if told == "all" else set())
        result = repair(hospital, program, parsed, told=knows, refill=not no_refill)
    except ModelError as exc:
        raise fail(str(exc)) from exc
    output.parent.mkdir(parents=True, exist_ok=True)
    save_program(result.program, output)
    save_hospital(result.hospital, output.with_name(output.stem + "-hospital.json.gz"))
    report = check(result.hospital, result.program)
    table = Table(title=result.summary())
    for column in ("case", "change", "was", "now", "told"):
        table.add_column(column)
    for ch in result.changes:
        was = f"{ch.old.date} {ch.old.room_id} {ch.old.start_min // 60:02d}:{ch.old.start_min % 60:02d}" \
            if ch.old else "—"
        now = f"{ch.new.date} {ch.new.room_id} {ch.new.start_min // 60:02d}:{ch.new.start_min % 60:02d}" \
            if ch.new else "—"
        table.add_row(ch.case_id, ch.kind, was, now, "yes" if ch.told else "")
    console.print(table)
    console.print(f"wrote {output} (and the updated hospital beside it); feasible: "
                  f"{'yes' if report.feasible else 'NO'}")
    if not report.feasible:
        typer.echo(report_text(report))
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("optimise")(optimise_cmd)
    app.command("replan")(replan_cmd)
