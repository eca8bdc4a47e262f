"""Benchmark of the prediction models against the issue's must-show (JSON lines on stdout).

    python benchmarks/predict.py [--quick] [--seed 0]

Full: the default-scale synthetic hospital (one year of history; models learn from the first
80 % of days and are judged on the last 20 %), its referral notes, training time on the whole
year, and the real TCT cardiothoracic data (5-fold CV) when ``../shared/datasets`` holds it.
Quick (< 45 s): the small-scale hospital only; the TCT evaluation is skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from kontrolltarn.predict.evaluate import (
    evaluate_cancellation,
    evaluate_durations,
    evaluate_notes,
    evaluate_notes_corpus,
    evaluate_tct,
    evaluate_training_time,
)
from kontrolltarn.predict.tct import find_dataset
from kontrolltarn.synth import generate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small scale, under 45 s")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    scale = "small" if args.quick else "default"

    def say(message: str) -> None:
        print(f"[predict] {message}", file=sys.stderr, flush=True)

    def emit(measures: object) -> None:
        for measure in measures:  # type: ignore[attr-defined]
            print(json.dumps(measure.as_json()), flush=True)

    started = time.perf_counter()
    try:
        say(f"generating the {scale} hospital (seed {args.seed})")
        syn = generate(scale=scale, seed=args.seed)
        case = f"synth-{scale}-seed{args.seed}"
        say("durations: train on the first 80 % of days, test on the rest")
        emit(evaluate_durations(syn, case))
        say("cancellation risk")
        emit(evaluate_cancellation(syn, case))
        say("notes")
        emit(evaluate_notes(syn, case))
        say("notes: the independent hand-labelled corpus")
        emit(evaluate_notes_corpus(Path(__file__).parent / "data" / "notes_independent.jsonl",
                                   "notes-independent"))
        if not args.quick:
            say("training time on the whole year")
            emit(evaluate_training_time(syn, case))
            path = find_dataset()
            if path is None:
                say("TCT dataset not found in ../shared/datasets: real-data evaluation skipped")
            else:
                say("TCT cardiothoracic data: 5-fold CV (seed 0)")
                emit(evaluate_tct(path))
        else:
            say("quick run: TCT evaluation skipped")
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    say(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
