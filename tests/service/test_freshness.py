"""The feed's freshness: a feed is "quiet" once it has been due and silent for the limit, never
the instant it becomes due (a replay's first event arrives on the next tick of its thread)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from kontrolltarn.model import Hospital

from .conftest import make_runtime


def test_a_silent_feed_is_quiet_only_after_the_limit(small_hospital: Hospital, tmp_path: Path,
                                                     template_folder: Path) -> None:
    rt = make_runtime(small_hospital, f"sqlite:///{tmp_path / 'f.sqlite3'}", template_folder,
                      quiet_feed_s=0.5)
    first = rt.freshness()
    assert first["last_received"] is None and first["feed_due"] and not first["quiet"]
    time.sleep(0.7)
    assert rt.freshness()["quiet"]


def test_a_feed_not_yet_due_is_not_quiet_and_its_silence_counts_from_when_it_is(
        small_hospital: Hospital, tmp_path: Path, template_folder: Path) -> None:
    rt = make_runtime(small_hospital, f"sqlite:///{tmp_path / 'f.sqlite3'}", template_folder,
                      quiet_feed_s=0.5)
    rt.feed_due_from = rt.now() + timedelta(hours=1)  # a replay whose day has not started
    time.sleep(0.7)
    assert not rt.freshness()["feed_due"] and not rt.freshness()["quiet"]
    rt.feed_due_from = rt.now() - timedelta(minutes=1)  # now it is due: silent from here on
    assert rt.freshness()["feed_due"] and not rt.freshness()["quiet"]
    time.sleep(0.7)
    assert rt.freshness()["quiet"]
