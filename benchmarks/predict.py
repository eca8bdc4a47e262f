"""Benchmark of the prediction models against the issue's must-show (JSON lines on stdout).

    python benchmarks/predict.py [--quick] [--seed 0] [--tct-seeds 0,1,2]

Full: the default-scale synthetic hospital (one year of history; models learn from the first
80 % of days and are judged on the last 20 %), its referral notes, training and prediction time
on the whole year; little history: ten small hospitals (28 days each) pooled, seeds 0-9 (the
development seeds) and 10-19 (held out, never looked at while developing); and the real TCT
cardiothoracic data (5-fold CV, one line set per fold seed) when ``../shared/datasets`` holds it.
Quick: the pooled small hospitals of seeds 0-9 only. A missed reference value is said on stderr
(``WARNING …``) and marked ``"met": false``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from kontrolltarn.predict.evaluate import (
    Measure,
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
    parser.add_argument("--tct-seeds", default="0,1,2", help="fold seeds of the TCT CV")
    args = parser.parse_args()
    missed: list[str] = []

    def say(message: str) -> None:
        print(f"[predict] {message}", file=sys.stderr, flush=True)

    def emit(measures: Iterable[Measure]) -> None:
        for measure in measures:
            print(json.dumps(measure.as_json()), flush=True)
            warning = measure.warning()
            if warning is not None:
                missed.append(warning)
                print(warning, file=sys.stderr, flush=True)

    started = time.perf_counter()
    try:
        for first in ((0,) if args.quick else (0, 10)):
            say(f"little history: ten small hospitals (seeds {first}-{first + 9}) pooled")
            small = [generate(scale="small", seed=first + k) for k in range(10)]
            case = f"synth-small-seeds{first}-{first + 9}"
            emit(evaluate_durations(small, case))
            emit(evaluate_cancellation(small, case))
        say("notes: the independent hand-labelled corpus")
        emit(evaluate_notes_corpus(Path(__file__).parent / "data" / "notes_independent.jsonl",
                                   "notes-independent"))
        if not args.quick:
            say(f"generating the default hospital (seed {args.seed})")
            syn = generate(scale="default", seed=args.seed)
            case = f"synth-default-seed{args.seed}"
            say("durations: train on the first 80 % of days, test on the rest")
            emit(evaluate_durations(syn, case))
            say("cancellation risk")
            emit(evaluate_cancellation(syn, case))
            say("notes")
            emit(evaluate_notes(syn, case))
            say("training and prediction time on the whole year")
            emit(evaluate_training_time(syn, case))
            path = find_dataset()
            if path is None:
                say("TCT dataset not found in ../shared/datasets: real-data evaluation skipped")
            else:
                for fold_seed in (int(s) for s in args.tct_seeds.split(",")):
                    say(f"TCT cardiothoracic data: 5-fold CV (fold seed {fold_seed})")
                    emit(evaluate_tct(path, seed=fold_seed))
        else:
            say("quick run: default hospital and TCT evaluation skipped")
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    say(f"done in {time.perf_counter() - started:.0f} s; {len(missed)} reference value(s) missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
