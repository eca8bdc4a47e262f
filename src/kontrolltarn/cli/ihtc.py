"""`kontrolltarn ihtc solve|check|variant`: the IHTC-2024 planner, its independent judge, and
unseen instances to try it on."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer
from rich.live import Live
from rich.table import Table

from kontrolltarn.formats.ihtc import read_instance, read_solution, write_solution
from kontrolltarn.model import ModelError

from .options import fail

ihtc_app = typer.Typer(help="IHTC-2024 integrated planning (surgery day, theater, bed, nurses).",
                       no_args_is_help=True)


@ihtc_app.command("solve")
def solve_command(
    instance: Path = typer.Argument(..., help="IHTC instance JSON"),
    output: Path = typer.Option(..., "--output", "-o", help="where to write the solution JSON"),
    time_limit: float = typer.Option(60.0, "--time-limit", min=1.0, help="seconds (wall clock)"),
    seed: int = typer.Option(0, "--seed", help="random seed (search k uses seed + k)"),
    threads: int = typer.Option(2, "--threads", min=1, help="independent parallel searches"),
    max_iterations: int | None = typer.Option(None, "--max-iterations",
                                              help="stop each search after this many moves"),
    exact: bool = typer.Option(False, "--exact",
                               help="CP-SAT exact model warm-started by the heuristic "
                                    "(small instances; reports the proven bound)"),
) -> None:
    """Plan INSTANCE within the time limit; Ctrl-C stops and still writes the best solution."""
    from kontrolltarn.plan.ihtc import evaluate, solve, solve_exact_warm  # deferred: heavy (OR-Tools, pandas)

    try:
        inst = read_instance(instance)
    except ModelError as exc:
        raise fail(str(exc)) from exc
    rows: dict[int, tuple[float, int, int, int]] = {}
    started = time.monotonic()
    if exact:
        typer.echo(f"exact mode: heuristic warm start, then CP-SAT ({time_limit:.0f} s)")
        best, proof = solve_exact_warm(inst, seed=seed, time_limit=time_limit, threads=threads)
        write_solution(inst, best.solution, output)
        judged = evaluate(inst, best.solution)
        typer.echo(f"wrote {output}: cost {judged.total_cost}, lower bound {proof.bound:g}, "
                   f"{'optimal' if proof.optimal and judged.total_cost <= proof.bound else 'not proven'}"
                   f", hard violations {judged.total_violations}")
        raise typer.Exit(0 if judged.feasible else 1)

    def render() -> Table:
        table = Table(title=f"IHTC {inst.name}: {time.monotonic() - started:5.1f} s "
                            f"of {time_limit:.0f} s")
        for col in ("search", "seed", "time s", "moves", "current", "best"):
            table.add_column(col, justify="right")
        for w, (elapsed, its, cur, best) in sorted(rows.items()):
            table.add_row(str(w), str(seed + w), f"{elapsed:.1f}", f"{its:,}", str(cur), str(best))
        return table

    with Live(render(), refresh_per_second=4, transient=False) as live:
        def progress(w: int, elapsed: float, its: int, cur: int, best: int) -> None:
            rows[w] = (elapsed, its, cur, best)
            live.update(render())

        try:
            result = solve(inst, seed=seed, time_limit=time_limit, threads=threads,
                           max_iterations=max_iterations, progress=progress)
        except KeyboardInterrupt:  # single-search mode re-raises: nothing to write
            typer.echo("interrupted before any solution was complete", err=True)
            raise typer.Exit(130) from None
    write_solution(inst, result.solution, output)
    judged = evaluate(inst, result.solution)
    typer.echo(f"wrote {output}: cost {judged.total_cost}, hard violations "
               f"{judged.total_violations}, seed {result.seed}, "
               f"{time.monotonic() - started:.1f} s")
    if not judged.feasible:
        raise typer.Exit(1)


@ihtc_app.command("check")
def check_command(
    instance: Path = typer.Argument(..., help="IHTC instance JSON"),
    solution: Path = typer.Argument(..., help="solution JSON"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="list every hard violation"),
) -> None:
    """Print violations and the weighted cost breakdown; exit 1 on any hard violation."""
    from kontrolltarn.plan.ihtc import evaluate, format_report  # deferred: heavy (OR-Tools, pandas)

    try:
        inst = read_instance(instance)
        sol = read_solution(inst, solution)
    except ModelError as exc:
        raise fail(str(exc)) from exc
    result = evaluate(inst, sol)
    typer.echo(format_report(result, inst.weights))
    if verbose:
        for line in result.details:
            typer.echo(f"  - {line}")
    if not result.feasible:
        raise typer.Exit(1)


@ihtc_app.command("variant")
def variant_command(
    instance: Path = typer.Argument(..., help="IHTC instance JSON to start from"),
    output: Path = typer.Option(..., "--output", "-o", help="where to write the new instance"),
    seed: int = typer.Option(1, "--seed", help="which variant"),
) -> None:
    """Write an unseen variant of INSTANCE: reordered, re-weighted, hard rules only loosened, so
    every solution feasible for INSTANCE stays feasible (see plan.ihtc.variants)."""
    from kontrolltarn.plan.ihtc import variant  # deferred: heavy (OR-Tools, pandas)

    try:
        read_instance(instance)  # refuse a malformed base with the reader's clear error
        data = json.loads(instance.read_text(encoding="utf-8"))
        changed = variant(data, seed)
        read_instance(changed, name=f"{instance.stem}-v{seed}")
    except ModelError as exc:
        raise fail(str(exc)) from exc
    output.write_text(json.dumps(changed, indent=1), encoding="utf-8")
    typer.echo(f"wrote {output} (variant {seed} of {instance.name})")


def register(app: typer.Typer) -> None:
    app.add_typer(ihtc_app, name="ihtc")
