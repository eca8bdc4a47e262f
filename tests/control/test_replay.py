"""The control tower's replays are the simulator's days: ``play_day`` runs a given program
through the simulator's own day, and the demo's replay feeds exactly those events, starting a
few minutes before the first elective patient is called (not hours before)."""

from __future__ import annotations

import threading
from datetime import timedelta

from kontrolltarn.cli.serve import REPLAY_LEAD_MIN, start_replay
from kontrolltarn.control import Clock
from kontrolltarn.model import EventKind, Program
from kontrolltarn.service import Runtime, Settings
from kontrolltarn.service.clocks import ReplayClock
from kontrolltarn.simulate.replay import play_day
from kontrolltarn.store import Store
from kontrolltarn.synth.truth import Truth


def test_play_day_runs_the_program_through_the_simulators_day(small_day) -> None:  # type: ignore[no-untyped-def]
    hospital, day, program = small_day
    truth = Truth.of_hospital(hospital)
    events = play_day(hospital, program, day, truth=truth, seed=5)
    assert events == play_day(hospital, program, day, truth=truth, seed=5)  # stable: a replay is idempotent
    assert all(e.source == "sim" and e.id.startswith(f"{day:%Y%m%d}:") for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)
    # every planned case is either operated (in and out of its room) or cancelled, never both
    for entry in program.entries:
        kinds = {e.kind for e in events if e.case_id == entry.case_id}
        assert (EventKind.CANCELLED in kinds) != ({EventKind.IN_ROOM, EventKind.OUT_OF_ROOM} <= kinds)


def test_the_demo_replays_the_simulators_events_from_just_before_the_first_call(
        small_day, tmp_path) -> None:  # type: ignore[no-untyped-def]
    hospital, day, _ = small_day
    store = Store.open(f"sqlite:///{tmp_path / 'replay.sqlite3'}")
    try:
        # the clock as serve builds it: from midnight (an emergency room's session starts then)
        runtime = Runtime(Settings(), hospital, store, day=day,
                          clock=ReplayClock(Clock(day, hospital.timezone).at(0), 1e7))
        program = Program(tuple(p.entry for p in store.plans.day(day)))
        expected = play_day(hospital, program, day, truth=Truth.of_hospital(hospital), seed=3)
        assert expected
        thread = start_replay(runtime, seed=3, stop=threading.Event())
        first_call = next(e.at for e in expected if e.kind is EventKind.CALLED)
        assert runtime.clock.start == first_call - timedelta(minutes=REPLAY_LEAD_MIN)
        thread.join(timeout=120)
        assert not thread.is_alive()
        replayed = [event for _, event in store.events.read()]
        assert sorted(e.id for e in replayed) == sorted(e.id for e in expected)
        assert all(e.source == "sim" for e in replayed)
    finally:
        store.close()
