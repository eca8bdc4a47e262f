"""The real TCT data reader (skipped when the dataset is absent; never shows rows)."""

from __future__ import annotations

import pytest

from kontrolltarn.predict.tct import TCT_CATEGORICAL, TCT_NUMERIC, find_dataset, load_tct

PATH = find_dataset()


@pytest.mark.skipif(PATH is None, reason="TCT dataset not in ../shared/datasets")
def test_reads_usable_cases_with_pre_operative_features_only() -> None:
    assert PATH is not None
    frame = load_tct(PATH)
    assert len(frame) == 4084
    features = set(TCT_CATEGORICAL) | set(TCT_NUMERIC)
    assert features <= set(frame.columns)
    # stays, anastomoses and the heart-lung machine are known only after surgery
    assert not any(word in " ".join(features).lower()
                   for word in ("ligduur", "stay", "anastom", "hlm", "actual"))
    assert (frame["actual_min"] > 0).all() and (frame["booked_min"] > 0).all()
