"""Commands `import`, `export` and `template`: FHIR R4, xlsx and CSV in and out, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from kontrolltarn.formats.issues import summarise_warnings
from kontrolltarn.formats.native import load_history
from kontrolltarn.model import ModelError

from .options import cli_actor, fail, hospital_option, load_hospital_file, load_program_file

FORMATS = ("fhir", "xlsx", "csv")


def import_command(
    file: Path = typer.Argument(..., exists=True, help="FHIR JSON (Bundle or resource), .xlsx, "
                                ".csv, or a folder of CSV files"),
    into: Path | None = typer.Option(None, "--into", help="hospital JSON to merge into"),
    output: Path | None = typer.Option(None, "--output", "-o",
                                       help="write the merged hospital here (without it: check only)"),
    program_output: Path | None = typer.Option(None, "--program-output",
                                               help="where a program in the file goes "
                                               "(default: OUTPUT with .program.json)"),
    store: bool = typer.Option(False, "--store",
                               help="merge into the store's hospital and save it there (the "
                                    "default store: KONTROLLTARN_DATABASE_URL or an SQLite file)"),
    database_url: str | None = typer.Option(None, "--database-url",
                                            help="merge into this store's hospital (implies "
                                                 "--store)"),
) -> None:
    """Check FILE completely; write the hospital (to files or the store, in one transaction)
    only if there is no error at all. Exit 1 with every error when FILE is refused."""
    # deferred: heavy (fhir.resources, openpyxl)
    from kontrolltarn.formats.importer import import_file, write_result
    from kontrolltarn.store import Store  # deferred: heavy (sqlalchemy)

    console = Console(stderr=True, soft_wrap=True)
    target = Store.open(database_url) if store or database_url else None
    if target is not None and into is not None:
        raise typer.BadParameter("merge into the store or into a file, not both",
                                 param_hint="--into")
    base = load_hospital_file(into) if into else \
        target.hospital.load() if target is not None else None
    try:
        history = load_history(into) if into else ()
        with console.status(f"reading {file} ..."):
            result = import_file(file, into=base, history=history)
    except ModelError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    except KeyboardInterrupt:
        console.print("interrupted: nothing was written")
        raise typer.Exit(130) from None
    for line in summarise_warnings(result.warnings):
        console.print(f"[yellow]{line}[/yellow]", highlight=False)
    if not result.ok:
        for issue in result.errors:
            console.print(f"[red]{issue}[/red]", highlight=False)
        console.print(f"[red]rejected: {len(result.errors)} errors; nothing was written[/red]")
        raise typer.Exit(1)
    typer.echo(f"read ({result.format}): {_counts(result.read)}")
    typer.echo(f"added: {_counts(result.added)}; updated: {_counts(result.updated)}")
    if target is not None and result.hospital is not None:
        try:
            stored = target.import_hospital(
                result.hospital, cli_actor(), "cli", file.name,
                detail={"format": result.format, "read": result.read, "added": result.added},
                program=result.program, history=result.history)
        except ModelError as exc:
            console.print(f"[red]error:[/red] {exc}; nothing was stored")
            raise typer.Exit(1) from exc
        finally:
            target.close()
        typer.echo(f"stored the hospital (revision {stored.revision})" + (
            f" and its program as proposed version {stored.program_version}"
            if stored.program_version else ""))
    if output is None:
        if target is not None:
            return
        typer.echo("checked: no errors (give --output to write the hospital)")
        return
    written = write_result(result, output, program_output)
    typer.echo("wrote " + ", ".join(str(p) for p in written))


def export_command(
    format: str = typer.Option(..., "--format", "-f", help="fhir, xlsx or csv"),
    hospital: Path = hospital_option(),
    program: Path | None = typer.Option(None, "--program", help="program JSON to include"),
    output: Path = typer.Option(..., "--output", "-o",
                                help="file (fhir, xlsx; csv as .zip) or folder (csv)"),
) -> None:
    """Write the hospital (and program) as a FHIR R4 Bundle, an xlsx workbook or CSV files."""
    from kontrolltarn.formats.importer import export_to_path  # deferred: heavy (fhir.resources, openpyxl)

    if format not in FORMATS:
        raise typer.BadParameter(f"{format!r}: choose one of {', '.join(FORMATS)}",
                                 param_hint="--format")
    base = load_hospital_file(hospital)
    planned = load_program_file(program) if program else None
    try:
        written = export_to_path(base, format, output, planned)  # type: ignore[arg-type]
    except ModelError as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"wrote {len(written)} file(s): {written[0] if len(written) == 1 else output}")


def template_command(
    output: Path = typer.Argument(Path("kontrolltarn-template.xlsx"), help="xlsx to create"),
) -> None:
    """Create the empty workbook a coordinator fills in (README sheet explains each column)."""
    from kontrolltarn.formats.tabular import write_template  # deferred: heavy (openpyxl)

    write_template(output)
    typer.echo(f"wrote {output}")


def _counts(counts: dict[str, Any]) -> str:
    return ", ".join(f"{v} {k}" for k, v in counts.items()) or "nothing"


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("export")(export_command)
    app.command("template")(template_command)
