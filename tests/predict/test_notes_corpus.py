"""The independent hand-labelled notes corpus and its reader / evaluation (issue 6, notes must-show)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from kontrolltarn.model import ModelError
from kontrolltarn.predict.evaluate import Measure, evaluate_notes_corpus, read_notes_corpus
from kontrolltarn.predict.notes import FACTS, CallableExtractor

CORPUS = Path(__file__).parents[2] / "benchmarks" / "data" / "notes_independent.jsonl"


def _write(tmp_path: Path, rows: list[object], name: str = "notes.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n",
                    encoding="utf-8")
    return path


def _by_key(measures: list[Measure]) -> dict[tuple[str, str], float]:
    return {(m.case, m.metric): m.value for m in measures}


# --- the corpus file -------------------------------------------------------------------------------

def test_corpus_is_well_formed_and_large_enough() -> None:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    notes = read_notes_corpus(CORPUS)  # raises on any malformed line
    assert len(notes) == len(rows) >= 300
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"ind-\d{4}", i) for i in ids)
    assert all(r["labels"] == sorted(r["labels"]) for r in rows)
    positives = Counter(f for r in rows for f in r["labels"])
    absent = Counter(f for r in rows for f in r.get("absent", []))
    for fact in FACTS:
        assert positives[fact] >= 40, (fact, positives[fact])
        assert absent[fact] >= 25, (fact, absent[fact])
    assert sum(1 for r in rows if not r["labels"]) >= 40
    assert len({r["text"].casefold() for r in rows}) == len(rows)  # no copied notes


def test_corpus_counts_in_its_documentation_match_the_file() -> None:
    doc = (CORPUS.parent / "NOTES_INDEPENDENT.md").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    positives = Counter(f for r in rows for f in r["labels"])
    absent = Counter(f for r in rows for f in r.get("absent", []))
    assert f"{len(rows)} notes" in doc
    for fact in FACTS:
        assert f"| {fact} | {positives[fact]} | {absent[fact]} |" in doc


# --- the reader refuses malformed lines, naming line and field -------------------------------------

GOOD = {"id": "x-1", "text": "Trenger tolk.", "labels": ["interpreter"]}


@pytest.mark.parametrize(("bad", "field", "value"), [
    ({"id": "x-2", "labels": []}, "line 3: text", None),
    ({"id": "x-2", "text": "   ", "labels": []}, "line 3: text", "   "),
    ({"id": "x-2", "text": "Rullator.", "labels": ["walker"]}, "line 3: labels", "walker"),
    ({"id": "x-2", "text": "Rullator.", "labels": "mobility_aid"}, "line 3: labels", "mobility_aid"),
    ({"id": "x-2", "text": "Rullator."}, "line 3: labels", None),
    ({"id": "x-2", "text": "Rullator.", "labels": ["mobility_aid", "mobility_aid"]}, "line 3: labels",
     ["mobility_aid", "mobility_aid"]),
    ({"id": "x-2", "text": "Ikke tolk.", "labels": [], "absent": ["tolk"]}, "line 3: absent", "tolk"),
    ({"id": "x-2", "text": "Tolk.", "labels": ["interpreter"], "absent": ["interpreter"]},
     "line 3: absent", "interpreter"),
    ({"id": "", "text": "Tolk.", "labels": []}, "line 3: id", ""),
    ({"id": "x-2", "text": "Tolk.", "label": ["interpreter"]}, "line 3: label", ["interpreter"]),
    ({"id": "x-1", "text": "Rullator.", "labels": ["mobility_aid"]}, "line 3: id", "x-1"),
])
def test_reader_names_line_and_field(tmp_path: Path, bad: dict[str, object], field: str,
                                     value: object) -> None:
    second = {"id": "x-0", "text": "Ingen spesielle hensyn.", "labels": []}
    path = _write(tmp_path, [GOOD, second, bad])
    with pytest.raises(ModelError) as caught:
        read_notes_corpus(path)
    assert caught.value.field == f"notes.jsonl {field}"
    assert caught.value.value == value
    with pytest.raises(ModelError):  # the evaluation refuses the file too, before measuring anything
        list(evaluate_notes_corpus(path, "t", CallableExtractor("never", lambda text: [])))


def test_duplicate_id_names_the_first_line(tmp_path: Path) -> None:
    path = _write(tmp_path, [GOOD, "", {"id": "x-1", "text": "Tolk igjen.", "labels": []}])
    with pytest.raises(ModelError, match="line 3: id='x-1': duplicate of line 1"):
        read_notes_corpus(path)


def test_reader_refuses_invalid_json_and_non_objects(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="line 2.*not valid JSON"):
        read_notes_corpus(_write(tmp_path, [GOOD, '{"id": "x-2", "text": "Tolk"']))
    with pytest.raises(ModelError, match="line 1.*JSON object"):
        read_notes_corpus(_write(tmp_path, [["x-1", "Tolk", []]]))


def test_reader_returns_ids_texts_and_labels(tmp_path: Path) -> None:
    path = _write(tmp_path, [GOOD, {"id": "x-2", "text": "MRSA neg. DM2.", "labels": ["diabetic"],
                                    "absent": ["isolation"]}])
    assert read_notes_corpus(path) == [("x-1", "Trenger tolk.", frozenset({"interpreter"})),
                                       ("x-2", "MRSA neg. DM2.", frozenset({"diabetic"}))]


# --- the evaluation ---------------------------------------------------------------------------------

# Each text carries a marker word; the stub "finds" the listed facts whatever else the text says.
STUB_FINDS = {"alfa": ["interpreter"], "beta": ["diabetic"], "gamma": ["interpreter"], "delta": [],
              "epsilon": ["isolation", "diabetic"], "zeta": ["diabetic"], "eta": ["diabetic"]}
TRUTH = {"alfa": ["interpreter"], "beta": ["diabetic", "interpreter"], "gamma": [], "delta": ["diabetic"],
         "epsilon": ["isolation"], "zeta": ["diabetic"], "eta": []}


def _stub(text: str) -> list[str]:
    return STUB_FINDS[text.split()[-1]]


def test_precision_and_recall_on_a_hand_made_corpus(tmp_path: Path) -> None:
    rows = [{"id": f"t-{i}", "text": f"Notat {word}", "labels": sorted(TRUTH[word])}
            for i, word in enumerate(TRUTH)]
    measures = list(evaluate_notes_corpus(_write(tmp_path, rows), "hand", CallableExtractor("stub", _stub)))
    got = _by_key(measures)
    assert got[("hand", "notes_labelled")] == 7
    # interpreter: alfa tp, beta fn, gamma fp
    assert got[("hand/interpreter", "notes_precision")] == pytest.approx(1 / 2)
    assert got[("hand/interpreter", "notes_recall")] == pytest.approx(1 / 2)
    assert got[("hand/interpreter", "notes_positives")] == 2
    # diabetic: beta tp, zeta tp, delta fn, epsilon fp, eta fp
    assert got[("hand/diabetic", "notes_precision")] == pytest.approx(2 / 4)
    assert got[("hand/diabetic", "notes_recall")] == pytest.approx(2 / 3)
    assert got[("hand/diabetic", "notes_positives")] == 3
    assert got[("hand/isolation", "notes_precision")] == 1.0
    assert got[("hand/isolation", "notes_recall")] == 1.0
    # no positives and nothing found: 0, as in evaluate_notes (never a flattering 1.0)
    assert got[("hand/icu_bed", "notes_recall")] == 0.0
    assert got[("hand/icu_bed", "notes_positives")] == 0
    # micro: tp 1+2+1, fp 1+2, fn 1+1
    assert got[("hand/micro", "notes_precision")] == pytest.approx(4 / 7)
    assert got[("hand/micro", "notes_recall")] == pytest.approx(4 / 6)
    assert {m.case for m in measures} == {"hand", "hand/micro"} | {f"hand/{f}" for f in FACTS}
    assert all(m.reference == 0.9 for m in measures if m.metric in ("notes_precision", "notes_recall"))


def test_an_oracle_extractor_scores_one_on_the_corpus() -> None:
    truth = {text: labels for _, text, labels in read_notes_corpus(CORPUS)}
    measures = list(evaluate_notes_corpus(CORPUS, "oracle", CallableExtractor("oracle", truth.__getitem__)))
    got = _by_key(measures)
    positives = Counter(f for labels in truth.values() for f in labels)
    for fact in FACTS:
        assert got[(f"oracle/{fact}", "notes_precision")] == 1.0
        assert got[(f"oracle/{fact}", "notes_recall")] == 1.0
        assert got[(f"oracle/{fact}", "notes_positives")] == positives[fact]


def test_default_extractor_measures_lie_in_the_unit_interval(tmp_path: Path) -> None:
    rows = [{"id": "d-1", "text": "Pas. trenger tolk (arabisk). Bruker Marevan.", "labels":
             ["anticoagulation", "interpreter"]},
            {"id": "d-2", "text": "Ingen spesielle hensyn.", "labels": []}]
    measures = list(evaluate_notes_corpus(_write(tmp_path, rows), "default"))
    shares = [m for m in measures if m.unit == "share"]
    assert len(shares) == 2 * len(FACTS) + 2
    assert all(0.0 <= m.value <= 1.0 for m in shares)
    assert all(json.dumps(m.as_json()) for m in measures)
