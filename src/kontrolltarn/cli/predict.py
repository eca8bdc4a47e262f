"""`kontrolltarn predict train|evaluate|notes`: the prediction models from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import typer
from rich.console import Console

from kontrolltarn.synth import generate

from .options import scale_option

predict_app = typer.Typer(help="Duration distributions, late-cancellation risk, facts from notes.",
                          no_args_is_help=True)


@predict_app.command("train")
def train(
    out: Path = typer.Option(Path("models"), "--out", help="folder for the saved models"),
    scale: str = scale_option("small"),
    seed: int = typer.Option(0, "--seed", help="seed of the synthetic hospital"),
    history_csv: Path | None = typer.Option(None, "--history-csv",
                                            help="real history CSV (docs/predict.md columns)"),
) -> None:
    """Train the duration and cancellation models and save them with model cards."""
    # deferred: heavy (pandas, scipy, scikit-learn)
    from kontrolltarn.predict.cancellation import CancellationModel
    from kontrolltarn.predict.durations import DurationModel
    from kontrolltarn.predict.evaluate import time_split  # deferred: heavy (pandas, scipy, scikit-learn)
    from kontrolltarn.predict.features import bookings_frame, operations_frame

    # deferred: heavy (pandas, scipy, scikit-learn)
    from kontrolltarn.predict.history import load_operations_csv
    from kontrolltarn.predict.registry import ModelCard, save_model

    console = Console(stderr=True)
    try:
        with console.status("preparing data") as status:
            if history_csv is not None:
                operations = load_operations_csv(history_csv)
                source: dict[str, object] = {"source": str(history_csv.name)}
                bookings = None
            else:
                syn = generate(scale=scale, seed=seed)
                operations, bookings = syn.history, syn.bookings
                source = {"source": "synthetic", "scale": scale, "seed": seed}
            frame = operations_frame(operations)
            summary = {**source, "rows": len(frame), "first_date": str(frame["date"].min()),
                       "last_date": str(frame["date"].max()),
                       "procedures": int(frame["procedure_code"].nunique()),
                       "surgeons": int(frame["surgeon_id"].nunique())}
            status.update("durations: measuring on the last 20 % of days")
            train_part, test_part = time_split(frame)
            held_out = DurationModel().fit(train_part)
            y = test_part["actual_min"].to_numpy(dtype=float)
            q = held_out.predict_quantiles(test_part)
            metrics = {"mae_min": float(abs(q[0.5] - y).mean()),
                       "booked_mae_min": float(abs(test_part["booked_min"] - y).mean()),
                       "coverage_80": float(((y >= q[0.1]) & (y <= q[0.9])).mean()),
                       "test_rows": len(test_part)}
            status.update("durations: fitting on all history")
            model = DurationModel().fit(frame, progress=lambda m: status.update(f"durations: {m}"))
            card = ModelCard("durations", model.card_summary()["kind"], training_data=summary,
                             metrics=metrics, parameters=model.card_summary())
            save_model(model, card, out / "durations")
            console.print(f"durations → {out / 'durations'}  {json.dumps(metrics)}")
            if bookings is not None:
                status.update("cancellation risk")
                bframe = bookings_frame(bookings)
                btrain, btest = time_split(bframe)
                from sklearn.metrics import roc_auc_score  # deferred: heavy (pandas, scipy, scikit-learn)

                # deferred: heavy (pandas, scipy, scikit-learn)
                from kontrolltarn.predict.cancellation import expected_calibration_error

                probe = CancellationModel().fit(btrain)
                p = probe.predict_proba(btest)
                yb = btest["cancelled_late"].to_numpy()
                bmetrics = {"auc": float(roc_auc_score(yb, p)),
                            "ece": expected_calibration_error(yb, p), "test_rows": len(btest)}
                cmodel = CancellationModel().fit(bframe)
                ccard = ModelCard("cancellation", cmodel.card_summary()["kind"],
                                  training_data={**source, "rows": len(bframe),
                                                 "late_cancellation_rate": cmodel.base_rate},
                                  metrics=bmetrics, parameters=cmodel.card_summary())
                save_model(cmodel, ccard, out / "cancellation")
                console.print(f"cancellation → {out / 'cancellation'}  {json.dumps(bmetrics)}")
    except KeyboardInterrupt:
        console.print("interrupted: nothing half-written (models are written atomically)")
        raise typer.Exit(130) from None


@predict_app.command("evaluate")
def evaluate(
    scale: str = scale_option("small"),
    seed: int = typer.Option(0, "--seed"),
    pool: int = typer.Option(10, "--pool", min=1,
                             help="hospitals pooled at small scale (seeds seed, seed+1, …): one "
                                  "small hospital leaves too few test cases to judge calibration"),
    tct: bool = typer.Option(False, "--tct", help="also the real TCT data (if present)"),
) -> None:
    """Print the must-show measurements as JSON lines (see benchmarks/predict.py); every
    missed reference value is also said on stderr."""
    # deferred: heavy (pandas, scipy, scikit-learn)
    from kontrolltarn.predict.evaluate import (
        Measure,
        evaluate_cancellation,
        evaluate_durations,
        evaluate_notes,
        evaluate_tct,
    )
    from kontrolltarn.predict.tct import find_dataset  # deferred: heavy (pandas, scipy, scikit-learn)

    count = pool if scale == "small" else 1
    hospitals = [generate(scale=scale, seed=seed + k) for k in range(count)]
    case = f"synth-{scale}-seed{seed}" + (f"-pool{count}" if count > 1 else "")
    missed: list[str] = []

    def show(measures: Iterable[Measure]) -> None:
        for m in measures:
            typer.echo(json.dumps(m.as_json()))
            warning = m.warning()
            if warning is not None:
                missed.append(warning)
                typer.echo(warning, err=True)

    show(evaluate_durations(hospitals, case))
    show(evaluate_cancellation(hospitals, case))
    show(evaluate_notes(hospitals[0], f"synth-{scale}-seed{seed}"))
    if tct:
        path = find_dataset()
        if path is None:
            typer.echo("TCT dataset not found in ../shared/datasets: skipped", err=True)
        else:
            show(evaluate_tct(path))
    if missed:
        typer.echo(f"{len(missed)} reference value(s) missed (the WARNING lines above; "
                   "\"met\": false in the JSON)", err=True)


@predict_app.command("notes")
def notes(text: str = typer.Argument(..., help="note text (Norwegian)"),
          as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Read logistics facts from one note and show the evidence."""
    # deferred: heavy (pandas, scipy, scikit-learn)
    from kontrolltarn.predict.lexicon import FACT_DESCRIPTIONS
    from kontrolltarn.predict.notes import extract_facts

    result = extract_facts(text)
    if as_json:
        typer.echo(json.dumps({"facts": sorted(result.facts), "findings": [
            {"fact": f.fact, "trigger": f.trigger, "negated": f.negated, "cue": f.cue,
             "evidence": f.evidence} for f in result.findings]}, ensure_ascii=False))
        return
    if not result.facts:
        typer.echo("no logistics facts found")
    for fact in sorted(result.facts):
        typer.echo(f"{fact:18s} {FACT_DESCRIPTIONS[fact]}")
    for f in result.findings:
        if f.negated:
            typer.echo(f"  (not: {f.fact} — '{f.trigger}' negated by '{f.cue}')")


def register(app: typer.Typer) -> None:
    app.add_typer(predict_app, name="predict")
