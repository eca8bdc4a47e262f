"""Measurements against the issue's must-show, shared by the benchmark, the CLI and the tests.

Synthetic data is split in time: models learn from the first 80 % of the history's days and are
judged on the last 20 % (data they never saw). A small hospital (28 days) leaves about 100 test
cases, too few to judge calibration (the generator's own risks miss ECE 0.03 on one of them),
so several small hospitals can be pooled: each model learns from its own hospital's history
only, and the test predictions are judged together. The TCT data has no dates: 5-fold CV, rows
shuffled with the fold seed.

A measure with a target (``at_least`` / ``at_most``) says whether it met it; ``warning`` words a
miss, with the oracle's value beside it where the oracle itself misses (then the target is out
of reach on that data, not only for the model).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from kontrolltarn.model import ModelError

from .cancellation import CancellationModel, expected_calibration_error
from .durations import CaseDurations, DurationModel
from .features import as_text, bookings_frame, operations_frame
from .notes import FACTS, NoteExtractor, RuleExtractor, extract_facts
from .tct import load_tct, tct_model

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Measure:
    case: str
    metric: str
    value: float
    unit: str
    reference: float | None = None
    reference_name: str = "reference"
    at_least: float | None = None
    at_most: float | None = None
    #: what the oracle (the generator's truth) reaches on the same rows, if known
    oracle: float | None = None

    @property
    def met(self) -> bool | None:
        """Whether the target holds (None: this measure has no target)."""
        if self.at_least is None and self.at_most is None:
            return None
        return ((self.at_least is None or self.value >= self.at_least)
                and (self.at_most is None or self.value <= self.at_most))

    def target_text(self) -> str:
        if self.at_least is not None and self.at_most is not None:
            return f"{self.at_least:g}–{self.at_most:g}"
        return f"≥ {self.at_least:g}" if self.at_least is not None else f"≤ {self.at_most:g}"

    def warning(self) -> str | None:
        """A sentence for a missed target, None when it is met or there is none."""
        if self.met is not False:
            return None
        text = (f"WARNING {self.case}: {self.metric} = {self.value:.4g} misses its reference "
                f"{self.target_text()}")
        if self.oracle is not None:
            oracle = replace(self, value=self.oracle, oracle=None)
            text += (f" (the oracle: {self.oracle:.4g}, out of reach on these rows)"
                     if oracle.met is False else f" (the oracle reaches {self.oracle:.4g})")
        return text

    def as_json(self, bench: str = "predict") -> dict[str, Any]:
        row: dict[str, Any] = {"bench": bench, "case": self.case, "metric": self.metric,
                               "value": round(self.value, 4), "unit": self.unit}
        if self.reference is not None:
            row[self.reference_name] = round(self.reference, 4)
        if self.met is not None:
            row["target"] = self.target_text()
            row["met"] = self.met
        if self.oracle is not None:
            row["oracle"] = round(self.oracle, 4)
        return row


def time_split(frame: pd.DataFrame, share: float = 0.8) -> tuple[pd.DataFrame, pd.DataFrame]:
    days = sorted(frame["date"].unique())
    cut = days[int(share * len(days))]
    return frame[frame["date"] < cut], frame[frame["date"] >= cut]


def _interval_metrics(y: np.ndarray, q: dict[float, np.ndarray], case: str) -> list[Measure]:
    return [Measure(case, "mae", float(np.mean(np.abs(q[0.5] - y))), "min"),
            Measure(case, "coverage_80", float(np.mean((y >= q[0.1]) & (y <= q[0.9]))), "share",
                    0.8)]


def _hospitals(syn: Any) -> list[Any]:
    return list(syn) if isinstance(syn, Sequence) else [syn]


def evaluate_durations(syn: Any, case: str) -> Iterator[Measure]:
    """Durations on one synthetic hospital or several pooled (each model learns only from its
    own hospital's first 80 % of days)."""
    ys, medians, lows, highs, booked, oracle = [], [], [], [], [], []
    fit_s = 0.0
    for one in _hospitals(syn):
        train, test = time_split(operations_frame(one.history))
        started = time.perf_counter()
        model = DurationModel().fit(train)
        fit_s += time.perf_counter() - started
        q = model.predict_quantiles(test)
        ys.append(test["actual_min"].to_numpy(dtype=float))
        medians.append(q[0.5])
        lows.append(q[0.1])
        highs.append(q[0.9])
        booked.append(test["booked_min"].to_numpy(dtype=float))
        oracle.append(np.array([one.truth.operation_median[i] for i in test["id"]]))
    y, median, low, high = (np.concatenate(a) for a in (ys, medians, lows, highs))
    booked_mae = float(np.mean(np.abs(np.concatenate(booked) - y)))
    oracle_mae = float(np.mean(np.abs(np.concatenate(oracle) - y)))
    mae = float(np.mean(np.abs(median - y)))
    yield Measure(case, "duration_fit_time_80pct_history", fit_s / len(ys), "s")
    yield Measure(case, "duration_mae", mae, "min", booked_mae, "baseline")
    yield Measure(case, "duration_mae_vs_booked", 1 - mae / booked_mae, "share_below", 0.25,
                  at_least=0.25, oracle=1 - oracle_mae / booked_mae)
    yield Measure(case, "duration_mae_oracle", oracle_mae, "min")
    yield Measure(case, "duration_mae_vs_oracle", mae / oracle_mae - 1, "share_above", 0.10,
                  at_most=0.10)
    yield Measure(case, "duration_oracle_vs_booked", 1 - oracle_mae / booked_mae, "share_below")
    yield Measure(case, "duration_coverage_80", float(np.mean((y >= low) & (y <= high))), "share",
                  0.8, at_least=0.75, at_most=0.85)
    yield Measure(case, "duration_test_rows", len(y), "rows")


def evaluate_training_time(syn: Any, case: str) -> Iterator[Measure]:
    """Training on the whole history, and predicting the ready list as the planner does (one
    batch, then each case for a surgeon and a location)."""
    frame = operations_frame(syn.history)
    started, cpu = time.perf_counter(), time.process_time()
    model = DurationModel().fit(frame)
    yield Measure(case, "duration_fit_time_full_history", time.perf_counter() - started, "s", 60.0,
                  at_most=60.0)
    yield Measure(case, "duration_fit_cpu_full_history", time.process_time() - cpu, "s")
    hospital = syn.hospital
    ready = [r for r in hospital.referrals if r.ready]
    surgeons = [s.id for s in hospital.surgeons()][:3]
    durations = CaseDurations(model)
    started = time.perf_counter()
    durations.prefetch(ready, hospital)
    for r in ready:
        for surgeon in surgeons:
            durations.distribution(r, hospital, surgeon_id=surgeon,
                                   location_id=hospital.locations[0].id)
    yield Measure(case, "duration_predict_ms_per_case",
                  1000 * (time.perf_counter() - started) / max(1, len(ready)), "ms")
    yield Measure(case, "duration_predicted_cases", len(ready), "cases")
    bookings = bookings_frame(syn.bookings)
    started = time.perf_counter()
    CancellationModel().fit(bookings)
    yield Measure(case, "cancellation_fit_time_full_history", time.perf_counter() - started, "s",
                  60.0, at_most=60.0)


def evaluate_cancellation(syn: Any, case: str) -> Iterator[Measure]:
    """Cancellation risk on one synthetic hospital or several pooled (as ``evaluate_durations``)."""
    ys, ps, oracles = [], [], []
    for one in _hospitals(syn):
        train, test = time_split(bookings_frame(one.bookings))
        model = CancellationModel().fit(train)
        ys.append(test["cancelled_late"].to_numpy())
        ps.append(model.predict_proba(test))
        oracles.append(np.array([one.truth.booking_risk[i] for i in test["id"]]))
    y, p, oracle = np.concatenate(ys), np.concatenate(ps), np.concatenate(oracles)
    auc, oracle_auc = float(roc_auc_score(y, p)), float(roc_auc_score(y, oracle))
    yield Measure(case, "cancellation_auc", auc, "auc", oracle_auc)
    yield Measure(case, "cancellation_auc_gap_to_oracle", oracle_auc - auc, "auc", 0.05,
                  at_most=0.05)
    yield Measure(case, "cancellation_ece", expected_calibration_error(y, p), "probability", 0.03,
                  at_most=0.03, oracle=expected_calibration_error(y, oracle))
    yield Measure(case, "cancellation_ece_oracle", expected_calibration_error(y, oracle),
                  "probability")
    yield Measure(case, "cancellation_ece_uniform_bins",
                  expected_calibration_error(y, p, strategy="uniform"), "probability", 0.03,
                  at_most=0.03, oracle=expected_calibration_error(y, oracle, strategy="uniform"))
    yield Measure(case, "cancellation_test_rows", len(y), "rows")
    yield Measure(case, "cancellation_test_rate", float(y.mean()), "share")


def _fact_counts(labelled: Iterable[tuple[str, frozenset[str]]],
                 extractor: NoteExtractor | None) -> dict[str, list[int]]:
    """Per fact [true positives, false positives, false negatives] over (text, labels) pairs."""
    counts = {fact: [0, 0, 0] for fact in FACTS}
    for text, labels in labelled:
        found = extract_facts(text, extractor).facts
        for fact in FACTS:
            if fact in found and fact in labels:
                counts[fact][0] += 1
            elif fact in found:
                counts[fact][1] += 1
            elif fact in labels:
                counts[fact][2] += 1
    return counts


def _precision_recall(case: str, tp: int, fp: int, fn: int) -> Iterator[Measure]:
    """Precision and recall with their 0.9 target (none when nothing was found or labelled:
    a small hospital may have no note with a fact)."""
    yield Measure(case, "notes_precision", tp / max(1, tp + fp), "share", 0.9,
                  at_least=0.9 if tp + fp else None)
    yield Measure(case, "notes_recall", tp / max(1, tp + fn), "share", 0.9,
                  at_least=0.9 if tp + fn else None)


def evaluate_notes(syn: Any, case: str, extractor: NoteExtractor | None = None,
                   limit: int | None = None) -> Iterator[Measure]:
    notes = {r.id: r.note for r in syn.hospital.referrals}
    labelled = [(rid, labels) for rid, labels in syn.truth.note_labels.items() if rid in notes]
    labelled = labelled[:limit] if limit else labelled
    counts = _fact_counts(((notes[rid], labels) for rid, labels in labelled), extractor)
    yield Measure(case, "notes_labelled", len(labelled), "notes", 300)
    sample = [notes[rid] for rid, _ in labelled[:2000]]
    started = time.perf_counter()
    for text in sample:
        RuleExtractor.read_uncached(text)  # the rules, not the cache
    yield Measure(case, "notes_ms_per_note", 1000 * (time.perf_counter() - started) / max(1, len(sample)),
                  "ms")
    for fact, (tp, fp, fn) in counts.items():
        yield from _precision_recall(f"{case}/{fact}", tp, fp, fn)
        yield Measure(f"{case}/{fact}", "notes_positives", tp + fn, "notes")


def evaluate_tct(path: Any, folds: int = 5, seed: int = 0) -> Iterator[Measure]:
    """5-fold CV on the real TCT data, rows shuffled by ``seed``; beside the model, the booked
    durations, the median per procedure and surgeon, and an untuned gradient-boosted model on
    the same columns (LightGBM's defaults on log minutes: the rival to beat)."""
    frame = load_tct(path)
    case = f"tct-seed{seed}"
    fold_of = np.random.default_rng(seed).permutation(len(frame)) % folds
    y = frame["actual_min"].to_numpy(dtype=float)
    q = {p: np.empty(len(frame)) for p in (0.1, 0.5, 0.9)}
    grouped = np.empty(len(frame))
    untuned = np.empty(len(frame))
    started = time.perf_counter()
    for k in range(folds):
        train, test = frame[fold_of != k], frame[fold_of == k]
        part = tct_model(seed).fit(train).predict_quantiles(test)
        for p in q:
            q[p][fold_of == k] = part[p]
        grouped[fold_of == k] = _group_median(train, test)
        untuned[fold_of == k] = _untuned_boosting(train, test, seed)
    booked = float(np.mean(np.abs(frame["booked_min"].to_numpy() - y)))
    mae, coverage = _interval_metrics(y, q, case)
    yield Measure(case, "cases", len(frame), "rows", 4084)
    yield Measure(case, "duration_mae_cv5", mae.value, "min", booked, "baseline")
    yield Measure(case, "duration_mae_vs_booked", 1 - mae.value / booked, "share_below", 0.25,
                  at_least=0.25)
    yield Measure(case, "duration_mae_procedure_surgeon_median",
                  float(np.mean(np.abs(grouped - y))), "min")
    yield Measure(case, "duration_mae_untuned_boosting", float(np.mean(np.abs(untuned - y))),
                  "min")
    yield Measure(case, "duration_coverage_80", coverage.value, "share", 0.8, at_least=0.78,
                  at_most=0.82)
    yield Measure(case, "cv_time", time.perf_counter() - started, "s")
    # per procedure and per surgeon (aggregates of 150+ cases only: no row is shown)
    for column, label in (("procedure_code", "procedure"), ("surgeon_id", "surgeon")):
        keys = as_text(frame[column]).to_numpy()
        for key in sorted(set(keys)):
            rows = keys == key
            if rows.sum() < 150:
                continue
            booked_part = float(np.mean(np.abs(frame["booked_min"].to_numpy()[rows] - y[rows])))
            yield Measure(f"{case}/{label}={key}", "duration_mae_cv5",
                          float(np.mean(np.abs(q[0.5][rows] - y[rows]))), "min", booked_part,
                          "baseline")


def _untuned_boosting(train: pd.DataFrame, test: pd.DataFrame, seed: int) -> np.ndarray:
    import lightgbm as lgb  # deferred: heavy (lightgbm)

    from .durations import booster_table
    from .tct import TCT_CATEGORICAL, TCT_NUMERIC

    model = lgb.LGBMRegressor(random_state=seed, verbose=-1, n_jobs=1)
    model.fit(booster_table(train, TCT_CATEGORICAL, TCT_NUMERIC), np.log(train["actual_min"]))
    return np.exp(model.predict(booster_table(test, TCT_CATEGORICAL, TCT_NUMERIC)))


def _group_median(train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    """The simple rival: median per procedure and surgeon, else per procedure, else booked."""
    by_pair = train.groupby("procedure_surgeon")["actual_min"].median()
    by_proc = train.groupby(train["procedure_code"].astype(str))["actual_min"].median()
    guess = test["procedure_surgeon"].map(by_pair)
    guess = guess.fillna(test["procedure_code"].astype(str).map(by_proc))
    return guess.fillna(test["booked_min"]).to_numpy(dtype=float)


def read_notes_corpus(path: Path) -> list[tuple[str, str, frozenset[str]]]:
    """(id, text, labels) of a labelled notes file: one JSON object a line, as
    ``{"id": ..., "text": ..., "labels": [...], "absent": [...]}`` (``absent`` optional: facts whose
    words appear although the fact does not hold; documentation only, never used as truth).

    Every line is checked before anything is measured, so a typo in a hand-written corpus is named
    (file, line, field) instead of silently turning into a false negative.
    """
    known = set(FACTS)
    notes: list[tuple[str, str, frozenset[str]]] = []
    first_line: dict[str, int] = {}
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{Path(path).name} line {number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ModelError(where, line.strip()[:60], f"not valid JSON ({error.msg})") from None
            if not isinstance(row, dict):
                raise ModelError(where, row, "must be a JSON object with id, text and labels")
            unknown_keys = sorted(set(row) - {"id", "text", "labels", "absent"})
            if unknown_keys:
                raise ModelError(f"{where}: {unknown_keys[0]}", row[unknown_keys[0]],
                                 "unknown field (expected id, text, labels, absent)")
            note_id, text = row.get("id"), row.get("text")
            if not isinstance(note_id, str) or not note_id.strip():
                raise ModelError(f"{where}: id", note_id, "must be a non-empty string")
            if note_id in first_line:
                raise ModelError(f"{where}: id", note_id, f"duplicate of line {first_line[note_id]}")
            if not isinstance(text, str) or not text.strip():
                raise ModelError(f"{where}: text", text, "must be a non-empty string")
            labels = _corpus_labels(row, "labels", where, known, required=True)
            absent = _corpus_labels(row, "absent", where, known, required=False)
            both = sorted(labels & absent)
            if both:
                raise ModelError(f"{where}: absent", both[0], "also in labels: a fact holds or not")
            first_line[note_id] = number
            notes.append((note_id, text, labels))
    return notes


def _corpus_labels(row: dict[str, Any], field: str, where: str, known: set[str],
                   required: bool) -> frozenset[str]:
    if field not in row and not required:
        return frozenset()
    values = row.get(field)
    if not isinstance(values, list):
        raise ModelError(f"{where}: {field}", values, "must be a list of fact labels (may be empty)")
    for value in values:
        if value not in known:
            raise ModelError(f"{where}: {field}", value, f"unknown fact label (known: {', '.join(FACTS)})")
    if len(set(values)) != len(values):
        raise ModelError(f"{where}: {field}", values, "lists a fact twice")
    return frozenset(values)


def evaluate_notes_corpus(path: Path, case: str,
                          extractor: NoteExtractor | None = None) -> Iterator[Measure]:
    """Precision, recall and positives per fact on a hand-labelled notes file (``read_notes_corpus``),
    judged like ``evaluate_notes``; plus the micro average over all facts."""
    notes = read_notes_corpus(path)
    counts = _fact_counts(((text, labels) for _, text, labels in notes), extractor)
    yield Measure(case, "notes_labelled", len(notes), "notes", 300)
    for fact, (tp, fp, fn) in counts.items():
        yield from _precision_recall(f"{case}/{fact}", tp, fp, fn)
        yield Measure(f"{case}/{fact}", "notes_positives", tp + fn, "notes")
    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in range(3))
    yield from _precision_recall(f"{case}/micro", tp, fp, fn)
