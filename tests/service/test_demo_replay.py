"""The demo's replay starts in the morning of a busy day, its speed and start time are options,
and the board shows no "quiet feed" banner before the day has started (issue 19 finding 6: the
replay began at 23:15 the day before, with six minutes of "no events for ∞ s")."""

from __future__ import annotations

import threading
import time as clock
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kontrolltarn.cli.main import _register, app
from kontrolltarn.cli.serve import (
    DEFAULT_REPLAY_SPEED,
    build_runtime,
    busy_day,
    demo_password,
    fresh_demo_store,
    start_replay,
)
from kontrolltarn.synth import generate

from .conftest import run_server

runner = CliRunner()
_register()


def _demo_runtime(tmp_path: Path) -> Any:
    """The runtime `demo --serve` builds (demo mode, demo users, replay clock), on the small
    hospital and a short planning time so the test stays quick."""
    return build_runtime(f"sqlite:///{tmp_path / 'demo.sqlite3'}", None, "small", 1, None,
                         DEFAULT_REPLAY_SPEED, True, predict=False, plan_time_limit=3,
                         environment="demo")


def _local(runtime: Any, at: datetime) -> datetime:
    return at.astimezone(runtime.tower.clock.tz)


def test_the_demo_day_is_busy_and_its_replay_starts_in_the_morning_with_events_at_once(
        tmp_path: Path, browser: Any) -> None:
    """Issue 19 finding 6: within the first seconds of a demo replay events arrive, the board
    (real service, Chromium) shows no quiet-feed banner, and the replayed clock stands in the
    morning of the chosen day, not the evening before."""
    runtime = _demo_runtime(tmp_path)
    hospital = runtime.hospital
    assert runtime.day == busy_day(hospital)
    elective = {d: sum(1 for s in hospital.sessions if s.date == d and not s.emergency)
                for d in {s.date for s in hospital.sessions}}
    assert elective[runtime.day] >= 0.9 * max(elective.values())
    stop = threading.Event()
    started = clock.monotonic()
    start_replay(runtime, seed=1, stop=stop)
    begin = _local(runtime, runtime.clock.start)
    assert begin.date() == runtime.day and 6 <= begin.hour < 10, begin
    freshness = runtime.freshness()
    assert not freshness["quiet"], freshness
    try:
        for server in run_server(runtime):
            page = browser.new_page(viewport={"width": 1600, "height": 900})
            page.goto(server.url + "/")
            page.fill("#login-form input[name=username]", "koordinator")
            page.fill("#login-form input[name=password]", demo_password("koordinator"))
            page.click("#login-form button[type=submit]")
            page.wait_for_selector("body[data-ready=true]", timeout=15_000)
            page.wait_for_function("document.querySelector('#freshness').dataset.quiet",
                                   timeout=5_000)
            deadline = started + 15
            while runtime.store.events.count() == 0 and clock.monotonic() < deadline:
                # never the quiet-feed state (on a loaded machine a heartbeat more than 5 s
                # late may show the connection as lost for a moment: that is another banner)
                assert page.locator("#freshness").get_attribute("data-quiet") != "true"
                clock.sleep(0.25)
            assert runtime.store.events.count() > 0, "no replayed event within 15 s"
            # a few seconds in, the board says data is fresh and shows no banner
            page.wait_for_timeout(1_500)
            page.wait_for_function("document.querySelector('#freshness').dataset.quiet === 'false'",
                                   timeout=10_000)
            assert page.locator("#quiet-banner").is_hidden()
            page.close()
    finally:
        stop.set()


def test_the_replay_start_option_sets_the_replayed_clock(tmp_path: Path) -> None:
    """Issue 19 finding 6: ``--replay-start 11:30`` starts the replay at 11:30 hospital time of
    the day; what happened before arrives at once."""
    runtime = _demo_runtime(tmp_path)
    stop = threading.Event()
    try:
        start_replay(runtime, seed=1, stop=stop, start_at=time(11, 30))
        begin = _local(runtime, runtime.clock.start)
        assert (begin.date(), begin.hour, begin.minute) == (runtime.day, 11, 30)
        deadline = clock.monotonic() + 10
        while runtime.store.events.count() < 20 and clock.monotonic() < deadline:
            clock.sleep(0.1)
        assert runtime.store.events.count() >= 20  # the morning's milestones, at once
        assert not runtime.freshness()["quiet"]
    finally:
        stop.set()


@pytest.mark.parametrize("args", [
    ["serve", "--replay", "--replay-start", "25:00"],
    ["serve", "--replay", "--replay-start", "7h"],
    ["serve", "--replay", "--replay-speed", "0"],
    ["demo", "--no-serve", "--replay-start", "08:7"],
    ["demo", "--replay-speed", "-3"],
])
def test_bad_replay_options_give_one_line_and_exit_2(args: list[str], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 19 finding 6: a bad replay time or speed is refused before anything starts."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KONTROLLTARN_ENV", "development")
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and args[-2] in lines[0] and args[-1] in lines[0], result.output
    assert list(tmp_path.iterdir()) == []


def test_a_busy_today_is_the_demo_day_else_the_weeks_busiest() -> None:
    """The default hospital's today (a Monday) is busy; a Saturday's is not."""
    hospital = generate(scale="default", seed=0).hospital
    assert busy_day(hospital) == hospital.today
    saturday = hospital.today + timedelta(days=5 - hospital.today.weekday())
    chosen = busy_day(replace(hospital, today=saturday))
    assert chosen.weekday() < 5 and chosen > saturday


def test_a_second_demo_starts_the_day_again_from_the_morning(tmp_path: Path) -> None:
    """Issue 19 finding 6: a demo run again in the same folder read the previous replay's
    events back at start, so its board showed the day as it had ended before the replay began.
    Each demo now starts on a fresh store: in its first seconds no case is done yet."""
    for _ in range(2):
        runtime = build_runtime(fresh_demo_store(tmp_path), None, "small", 1, None, 3000.0, True,
                                predict=False, plan_time_limit=3, environment="demo")
        assert runtime.tower.live.events_applied == 0
        stop = threading.Event()
        try:
            replay = start_replay(runtime, seed=1, stop=stop)
            replay.join(timeout=60)  # the whole day at 3000x, stored in the demo's file
            assert not replay.is_alive() and runtime.store.events.count() > 0
        finally:
            stop.set()
            runtime.store.close()
