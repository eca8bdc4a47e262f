"""Change notices between processes (``store.notify``): LISTEN/NOTIFY on PostgreSQL, delivered on
commit only; event appends that commit in seq order, so a reader's cursor misses nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kontrolltarn.model import Event, EventKind
from kontrolltarn.store import Notice, Notifier, PostgresNotifier, Store

T0 = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
DEADLINE_S = 20.0  # generous: only bounds a failing test

postgres_only = pytest.mark.parametrize("store", ["postgresql"], indirect=True)


def eventually(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {DEADLINE_S} s: {what}")
        time.sleep(0.02)


def ready(n: int, prefix: str = "e") -> Event:
    return Event(f"{prefix}{n}", EventKind.ROOM_READY, T0 + timedelta(seconds=n), room_id="R1")


@postgres_only
def test_a_committed_change_is_noticed_and_a_rolled_back_one_is_not(store: Store) -> None:
    notifier = store.notifier
    assert isinstance(notifier, PostgresNotifier)
    heard: list[Notice] = []
    notifier.listen(heard.append, on_connect=lambda: None)
    try:
        assert notifier.wait_listening(DEADLINE_S)
        with pytest.raises(RuntimeError), store.engine.begin() as conn:
            notifier.announce(conn, "rolled-back")
            raise RuntimeError("the transaction fails")
        store.events.append([ready(1), ready(2)])
        with store.engine.begin() as conn:
            notifier.announce(conn, "committed", ids=["a"])
        eventually(lambda: any(n.kind == "committed" for n in heard), "the committed notice")
        # notices come in commit order: a rolled-back one would have come before
        assert [n.kind for n in heard] == ["events", "committed"]
        seq = max(s for s, _ in store.events.read())
        assert heard[0].data == {"seq": seq}
        assert heard[1].data == {"ids": ["a"]}
        assert {n.origin for n in heard} == {notifier.origin}
    finally:
        notifier.close()


@postgres_only
def test_a_notice_too_large_for_postgresql_is_refused_naming_it(store: Store) -> None:
    with pytest.raises(ValueError, match="notice 'plans'"), store.engine.begin() as conn:
        store.notifier.announce(conn, "plans", cases=["x" * 64] * 200)


@postgres_only
def test_concurrent_appends_never_let_a_cursor_skip_an_event(store: Store) -> None:
    """Eight writers append at once while a reader follows by seq; without appends committing in
    seq order a later seq can be read before an earlier one commits, and the cursor skips it."""
    writers, batches, size = 8, 15, 5
    done = threading.Event()
    read: set[str] = set()

    def follow() -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            for seq, event in store.events.read(after_seq=cursor):
                read.add(event.id)
                cursor = seq
            if finished:
                return

    def write(w: int) -> None:
        for b in range(batches):
            store.events.append([ready(b * size + i, prefix=f"w{w}-") for i in range(size)])

    reader = threading.Thread(target=follow)
    reader.start()
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    reader.join()
    assert len(read) == writers * batches * size == store.events.count()


def test_the_embedded_store_has_the_in_process_notifier(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    try:
        assert type(store.notifier) is Notifier
        store.notifier.listen(lambda _: None, on_connect=lambda: None)  # starts nothing
        assert not store.notifier.listening
        assert store.events.append([ready(1)]) == {"e1"}
    finally:
        store.close()
