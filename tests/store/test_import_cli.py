"""`kontrolltarn import --database-url`: the file goes into the store's hospital in one
transaction; a broken file leaves the store as it was."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from kontrolltarn.cli.io import register
from kontrolltarn.formats.importer import export_bytes
from kontrolltarn.store import Store
from kontrolltarn.synth import generate


def test_import_into_the_store_is_all_or_nothing(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    hospital = generate(scale="small", seed=2).hospital
    good = tmp_path / "hospital.json"
    good.write_bytes(export_bytes(hospital, "fhir"))
    bundle = json.loads(good.read_text())
    request = next(e for e in bundle["entry"]
                   if e["resource"]["resourceType"] == "ServiceRequest")
    request["resource"]["subject"]["reference"] = "Patient/nobody"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(bundle))
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    runner = CliRunner()

    first = runner.invoke(app, ["import", str(good), "--database-url", url])
    assert first.exit_code == 0, first.output
    store = Store.open(url)
    stored = store.hospital.load()
    assert stored is not None and store.hospital.revision() == 1
    assert {r.id for r in stored.referrals} == {r.id for r in hospital.referrals}

    refused = runner.invoke(app, ["import", str(broken), "--database-url", url])
    assert refused.exit_code == 1 and "nothing was written" in refused.output
    assert store.hospital.revision() == 1 and store.hospital.load() == stored
    assert [e.action for e in store.audit.recent()] == ["import.accept"]
    store.close()
