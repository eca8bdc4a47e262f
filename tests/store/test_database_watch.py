"""The store knows when its database is away and uses it again when it is back (issue 21
finding 11), on the embedded SQLite store: a deleted file is noticed (an open connection would
go on answering from it, and storing into it, lost), and after the file is restored from a
backup the store writes into the restored file, not into the deleted one."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from kontrolltarn.model import Event, EventKind
from kontrolltarn.store import DatabaseUnavailable, Store

T0 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


def _event(n: int) -> Event:
    return Event(f"w{n}", EventKind.ROOM_READY, T0, room_id="R1")


def _files(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def test_a_deleted_sqlite_file_is_noticed_and_a_restored_one_used(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "store.sqlite3"
    store = Store.open(f"sqlite:///{path}")
    store.events.append([_event(1)])
    with store.engine.connect() as conn:  # a consistent backup: the WAL folded into the file
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    shutil.copyfile(path, tmp_path / "backup.sqlite3")
    assert store.database.check() and store.database.available

    with caplog.at_level(logging.WARNING, logger="kontrolltarn.store"):
        for file in _files(path):
            file.unlink()
        assert not store.database.check()
        assert store.database.reason == "the database file store.sqlite3 is missing"
        assert not store.database.check()  # said once, not at every probe

        shutil.copyfile(tmp_path / "backup.sqlite3", path)
        assert store.database.check()
    # the store's records only: the test run logs every level (tests/logscan.py)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("kontrolltarn.store")] == [
        "database unavailable: the database file store.sqlite3 is missing",
        "database available again"]

    store.events.append([_event(2)])
    store.close()
    again = Store.open(f"sqlite:///{path}")  # what the restored file holds
    assert [e.id for _, e in again.events.read()] == ["w1", "w2"]
    again.close()


def test_opening_a_store_that_cannot_be_opened_is_one_line_naming_the_setting() -> None:
    with pytest.raises(DatabaseUnavailable) as refused:
        Store.open("postgresql://kt:hemmelig@127.0.0.1:1/kt")
    message = str(refused.value)
    assert "\n" not in message and "hemmelig" not in message
    assert "--database-url" in message and "KONTROLLTARN_DATABASE_URL" in message
    assert "Connection refused" in message
