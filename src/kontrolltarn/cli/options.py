"""What every command shares: the error exit and the command group that turns every bad
argument or input into it, the ``--hospital/-H`` and ``--scale`` options, loading a hospital
file (or generating the synthetic one) and reading a date. One place, so that every command
names a bad file or value the same way and takes the same flags."""

from __future__ import annotations

import errno
import getpass
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from typer.core import TyperGroup

from kontrolltarn.formats.native import load_hospital, load_program
from kontrolltarn.kpi import format_value, label
from kontrolltarn.model import Hospital, ModelError, Program
from kontrolltarn.synth import DEFAULT_TODAY, SCALES, generate

if TYPE_CHECKING:
    from kontrolltarn.plan.check import CheckReport
    from kontrolltarn.synth import SyntheticHospital

err_console = Console(stderr=True)

#: what the hospital file is, for every command's ``--help``
HOSPITAL_HELP = "hospital file (.json or .json.gz, from `generate` or `import`)"


#: what a bad input raises where no command catches it: a value the domain cannot hold (the
#: loaders wrap unreadable and malformed files in it) or a file that cannot be read or written
BAD_INPUT: tuple[type[Exception], ...] = (ModelError, OSError)
#: Click's usage error, whichever copy of Click this Typer uses (newer Typers carry their own):
#: a bad type, range or choice, a missing or unknown option or command
UsageError: type[Exception] = next(c for c in typer.BadParameter.__mro__
                                   if c.__name__ == "UsageError")
#: where ``CommandGroup`` keeps the command line, to name the value of a refused option
_ARGV = "kontrolltarn.argv"


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` on stderr as one line (never wrapped, whatever the terminal's
    width) and return the exit to raise (``raise fail(...)``): code 2 for bad input, 1 for a
    failed check or a result not fit for use, 130 for Ctrl-C."""
    one_line = " ".join(message.split())
    err_console.print(f"[bold red]error:[/] {escape(one_line)}", soft_wrap=True)
    return typer.Exit(code)


def _given_value(param: Any, argv: Sequence[str]) -> str | None:
    """What the command line gave for the option ``param`` (its last occurrence)."""
    if getattr(param, "param_type_name", None) != "option":
        return None
    value = None
    for i, token in enumerate(argv):
        for name in param.opts:
            if token == name and i + 1 < len(argv):
                value = argv[i + 1]
            elif token.startswith(name + "="):
                value = token[len(name) + 1:]
    return value


def usage_message(exc: Any, argv: Sequence[str]) -> str:
    """A refused argument (a ``UsageError``) as one line naming the option and the value
    given, and where the command's help is."""
    path = exc.ctx.command_path if exc.ctx is not None else "kontrolltarn"
    if isinstance(exc, typer.BadParameter):
        value = _given_value(exc.param, argv)
        if value is not None and exc.param is not None:
            name = max(exc.param.opts, key=len)  # --time-limit rather than -t
            return f"{name}={value!r}: {exc.message} (see `{path} --help`)"
    return f"{exc.format_message()} (see `{path} --help`)"


class CommandGroup(TyperGroup):
    """The `kontrolltarn` command group: a bad argument (type, range, choice, a missing or
    unknown option) or a bad input found while a command runs (``BAD_INPUT``, an unreachable
    database) ends in one line on stderr, ``error: …`` naming the option or field and the
    value, with exit code 2 and no traceback. Covers the subcommands of every nested group."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta[_ARGV] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":
                raise  # a group given no subcommand shows its help
            raise fail(usage_message(exc, ctx.meta.get(_ARGV, ()))) from None
        except BAD_INPUT as exc:
            if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                raise  # output piped into `head`: Click ends quietly
            raise fail(str(exc)) from None
        except (typer.Exit, typer.Abort):
            raise  # a command's own exit (typer.Exit is a RuntimeError)
        except RuntimeError as exc:
            # deferred: heavy (sqlalchemy); a store was opened if this is its failure
            from kontrolltarn.store import DatabaseUnavailable

            if not isinstance(exc, DatabaseUnavailable):
                raise
            # a wrong URL is the user's to fix: one line saying which setting
            raise fail(str(exc)) from None


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


def _known_scale(scale: str) -> str:
    if scale not in SCALES:
        raise typer.BadParameter(f"unknown scale, choose one of {', '.join(sorted(SCALES))}")
    return scale


def scale_option(default: str = "default", help: str = "synthetic hospital scale") -> Any:
    """The one ``--scale`` option: an unknown scale is refused before anything runs."""
    return typer.Option(default, "--scale", callback=_known_scale,
                        help=f"{help}: {' or '.join(sorted(SCALES))}")


#: the shortest time limit a search may be given (seconds)
MIN_TIME_LIMIT_S = 0.1


def time_limit_option(default: float, help: str) -> Any:
    """The one ``--time-limit`` option of the planners: zero or negative is refused."""
    return typer.Option(default, "--time-limit", min=MIN_TIME_LIMIT_S, help=help)


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


def kpi_line(kpi: str, value: float) -> str:
    """One KPI for people: its name in words and its value in its unit."""
    return f"{label(kpi)}: {format_value(kpi, value)}"


def report_text(report: CheckReport) -> str:
    """The validator's report as every command prints it (KPIs named in words)."""
    return report.to_text(kpi_line=kpi_line)
