"""The `kontrolltarn` command. Each capability adds its commands from its own module here."""

from __future__ import annotations

import importlib.metadata as md
import platform

import typer

from kontrolltarn import __version__
from kontrolltarn.cli import capacity, core, ihtc, io, predict, program, serve, simulate, staffing
from kontrolltarn.cli.options import CommandGroup

app = typer.Typer(
    name="kontrolltarn",
    help="Kontrolltårn: plans and steers surgery — program, live control tower, simulator.",
    no_args_is_help=True,
    add_completion=False,
    # every bad argument or input: one line, exit code 2, no traceback
    cls=CommandGroup,
    pretty_exceptions_enable=False,
)


@app.command("show-versions")
def show_versions() -> None:
    """Print the versions of Kontrolltårn and the libraries that decide its results."""
    typer.echo(f"kontrolltarn {__version__}")
    typer.echo(f"python {platform.python_version()}")
    for package in ("ortools", "highspy", "simpy", "numpy", "scikit-learn", "lightgbm", "pandas",
                    "fastapi", "sqlalchemy"):
        try:
            typer.echo(f"{package} {md.version(package)}")
        except md.PackageNotFoundError:
            typer.echo(f"{package} (not installed)")


#: Each capability's command module; every one exposes ``register(app)``.
#: (each defers its heavy libraries, so `--help` stays quick to load)
COMMAND_MODULES = (core, io, simulate, staffing, capacity, serve, ihtc, predict, program)


def _register() -> None:
    """Attach each capability's commands."""
    for module in COMMAND_MODULES:
        module.register(app)


def main() -> None:
    _register()
    app()


if __name__ == "__main__":
    main()
