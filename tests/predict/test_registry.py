"""Saved models: round trip with card, tampering and wrong kinds refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from kontrolltarn.model import ModelError
from kontrolltarn.predict.durations import DurationModel
from kontrolltarn.predict.features import operations_frame
from kontrolltarn.predict.registry import ModelCard, load_card, load_model, save_model


def test_round_trip_and_tampering(tmp_path: Path, small_synth) -> None:  # type: ignore[no-untyped-def]
    frame = operations_frame(small_synth.history)
    model = DurationModel(folds=3).fit(frame)
    card = ModelCard("durations", "test", training_data={"rows": len(frame)},
                     metrics={"mae_min": 1.0})
    save_model(model, card, tmp_path / "durations")
    loaded, loaded_card = load_model(tmp_path / "durations", DurationModel)
    assert loaded_card.training_data == {"rows": len(frame)} and loaded_card.sha256
    assert (loaded.predict_quantiles(frame.head(5))[0.5] == model.predict_quantiles(frame.head(5))[0.5]).all()

    with pytest.raises(ModelError, match="expected str"):
        load_model(tmp_path / "durations", str)
    pickle_path = tmp_path / "durations" / "model.pkl"
    pickle_path.write_bytes(pickle_path.read_bytes() + b"x")
    with pytest.raises(ModelError, match="hash"):
        load_model(tmp_path / "durations")


def test_missing_or_old_cards_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="card.json"):
        load_card(tmp_path)
    (tmp_path / "card.json").write_text('{"name": "x", "kind": "y", "format_version": 0}')
    with pytest.raises(ModelError, match="format_version"):
        load_card(tmp_path)
