"""The `kontrolltarn` command. Each capability adds its commands from its own module here."""

from __future__ import annotations

import typer

from kontrolltarn import __version__

app = typer.Typer(
    name="kontrolltarn",
    help="Kontrolltårn: plans and steers surgery — program, live control tower, simulator.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command("show-versions")
def show_versions() -> None:
    """Print the versions of Kontrolltårn and the libraries that decide its results."""
    import importlib.metadata as md
    import platform

    typer.echo(f"kontrolltarn {__version__}")
    typer.echo(f"python {platform.python_version()}")
    for package in ("ortools", "highspy", "simpy", "numpy", "scikit-learn", "lightgbm", "pandas",
                    "fastapi", "sqlalchemy"):
        try:
            typer.echo(f"{package} {md.version(package)}")
        except md.PackageNotFoundError:
            typer.echo(f"{package} (not installed)")


def _register() -> None:
    """Attach each capability's commands. One line per module keeps ownership clear."""
    from kontrolltarn.cli import core

    core.register(app)
    __import__("kontrolltarn.cli.io", fromlist=["register"]).register(app)
    __import__("kontrolltarn.cli.simulate", fromlist=["register"]).register(app)
    __import__("kontrolltarn.cli.staffing", fromlist=["register"]).register(app)
    __import__("kontrolltarn.cli.capacity", fromlist=["register"]).register(app)
    __import__("kontrolltarn.cli.serve", fromlist=["register"]).register(app)
    __import__("kontrolltarn.cli.ihtc", fromlist=["register"]).register(app)
    __import__("kontrolltarn.cli.predict", fromlist=["register"]).register(app)
    __import__("kontrolltarn.cli.program", fromlist=["register"]).register(app)


def main() -> None:
    _register()
    app()


if __name__ == "__main__":
    main()
