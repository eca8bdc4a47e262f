from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from kontrolltarn.store import Store
from kontrolltarn.store.tables import Base

from .databases import postgres_url


@pytest.fixture(scope="session")
def _postgres_store() -> Iterator[Store]:
    """One PostgreSQL schema per session, migrated once (migrations cost seconds under load)."""
    with postgres_url() as url:
        opened = Store.open(url)
        yield opened
        opened.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened = Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}")
        yield opened
        opened.close()
        return
    shared: Store = request.getfixturevalue("_postgres_store")
    # every test starts from empty tables (and fresh sequences) in the migrated schema
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with shared.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield shared
