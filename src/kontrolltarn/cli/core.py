"""Core commands: bench (more are added by the foundation: generate, plan, check, demo)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import typer


def _benchmarks_dir() -> Path:
    """benchmarks/ of the source checkout (the runners are not part of the installed package)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "benchmarks").is_dir() and (parent / "pyproject.toml").exists():
            return parent / "benchmarks"
    candidate = Path.cwd() / "benchmarks"
    if candidate.is_dir():
        return candidate
    raise typer.BadParameter("no benchmarks/ folder found: run from the source checkout")


def bench(
    name: str = typer.Argument(..., help="benchmark NAME (a file benchmarks/NAME.py), or 'all'"),
    quick: bool = typer.Option(False, "--quick", help="reduced run, under 45 s"),
) -> None:
    """Run benchmark NAME; it prints one JSON line per measurement."""
    folder = _benchmarks_dir()
    available = sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))
    names = available if name == "all" else [name]
    for bench_name in names:
        if bench_name not in available:
            raise typer.BadParameter(f"unknown benchmark {bench_name!r}; available: {available}",
                                     param_hint="NAME")
        sys.argv = [str(folder / f"{bench_name}.py"), *(["--quick"] if quick else [])]
        runpy.run_path(str(folder / f"{bench_name}.py"), run_name="__main__")


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)
