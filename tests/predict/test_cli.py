"""`kontrolltarn predict notes` through the Typer app (registered as main.py does)."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from kontrolltarn.cli.predict import register


def app() -> typer.Typer:
    root = typer.Typer()
    root.command("noop")(lambda: None)  # a group needs two commands to keep subcommand names
    register(root)
    return root


def test_notes_command_prints_facts_and_negations() -> None:
    result = CliRunner().invoke(app(), ["predict", "notes", "Trenger tolk. Ingen latexallergi."])
    assert result.exit_code == 0, result.output
    assert "interpreter" in result.output
    assert "not: latex_allergy" in result.output


def test_notes_command_json() -> None:
    result = CliRunner().invoke(app(), ["predict", "notes", "--json", "Bruker rullator."])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["facts"] == ["mobility_aid"]
