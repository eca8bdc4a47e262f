from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kontrolltarn.store import Store

from .databases import postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened = Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}")
        yield opened
        opened.close()
        return
    with postgres_url() as url:
        opened = Store.open(url)
        yield opened
        opened.close()
