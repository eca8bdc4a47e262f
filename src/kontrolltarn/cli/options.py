"""What every command shares: the error exit, the ``--hospital/-H`` option, loading a hospital
file (or generating the synthetic one) and reading a date. One place, so that every command
names a bad file or value the same way and takes the same flags."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from kontrolltarn.formats.native import load_hospital, load_program
from kontrolltarn.model import Hospital, ModelError, Program
from kontrolltarn.synth import DEFAULT_TODAY, SCALES, generate

if TYPE_CHECKING:
    from kontrolltarn.synth import SyntheticHospital

err_console = Console(stderr=True)

#: what the hospital file is, for every command's ``--help``
HOSPITAL_HELP = "hospital file (.json or .json.gz, from `generate` or `import`)"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr and return the exit to raise (``raise fail(...)``):
    code 2 for bad input, 1 for a failed check, 130 for Ctrl-C."""
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def cli_actor() -> str:
    """Who runs this command, for the audit log: "cli:<operating-system user>"."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (containers)
        return "cli"


def hospital_option(*, required: bool = True, note: str = "") -> Any:
    """The one ``--hospital/-H`` option. Optional where the command falls back to the
    synthetic hospital; ``note`` says what the command does with the file."""
    help_text = HOSPITAL_HELP + (f"; {note}" if note else "")
    return typer.Option(... if required else None, "--hospital", "-H", help=help_text)


def load_hospital_file(path: Path) -> Hospital:
    """The hospital in ``path``; a missing or malformed file exits with an error naming it."""
    try:
        return load_hospital(path)
    except (ModelError, OSError) as exc:
        raise fail(f"hospital file {path}: {exc}") from exc


def generate_synthetic(scale: str, seed: int, today: date | None = None) -> SyntheticHospital:
    """The synthetic hospital of ``scale`` and ``seed``, with a progress bar on stderr; an
    unknown scale exits with an error naming it."""
    if scale not in SCALES:
        raise fail(f"scale={scale!r}: unknown scale, choose one of {sorted(SCALES)}")
    with Progress(TextColumn("[bold]generating[/] {task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as progress:
        task = progress.add_task("resources", total=1.0)

        def report(step: str, share: float) -> None:
            progress.update(task, description=step, completed=share)

        return generate(scale, seed, today or DEFAULT_TODAY, progress=report)


def parse_date(value: str | None, field: str) -> date | None:
    """``value`` as a date (None stays None); anything else exits naming ``field``."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise fail(f"{field}={value!r}: expected a date as YYYY-MM-DD") from exc


def load_program_file(path: Path) -> Program:
    """The program in ``path``; a missing or malformed file exits with an error naming it."""
    try:
        return load_program(path)
    except (ModelError, OSError) as exc:
        raise fail(f"program file {path}: {exc}") from exc
