from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kontrolltarn.control import (
    ActionRefused,
    LiveDay,
    Thresholds,
    Tower,
    apply_suggestion,
    board_view,
    room_alerts,
    suggest,
)
from kontrolltarn.model import EventKind, Program, ProgramEntry
from kontrolltarn.simulate.replay import play_day
from kontrolltarn.synth.truth import Truth

from .conftest import planned_cases


def _snapshot(live: LiveDay) -> dict[str, tuple]:
    return {cid: (c.room_id, tuple(sorted(c.milestones.items())), c.cancelled)
            for cid, c in live.cases.items()}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), repeat=st.integers(0, 30))
def test_live_state_ignores_arrival_order_and_repeats(small_day, seed: int, repeat: int) -> None:
    hospital, day, program = small_day
    events = play_day(hospital, program, day, truth=Truth.of_hospital(hospital), seed=1)
    in_order = LiveDay(day, planned_cases(program))
    for e in events:
        in_order.apply(e)
    shuffled = events + events[:repeat]
    random.Random(seed).shuffle(shuffled)
    scrambled = LiveDay(day, planned_cases(program))
    for e in shuffled:
        scrambled.apply(e)
    assert _snapshot(scrambled) == _snapshot(in_order)
    assert scrambled.events_applied == len(events)


def test_every_room_of_every_location_is_on_the_board(small_day) -> None:
    hospital, day, program = small_day
    tower = Tower(hospital, day, planned_cases(program))
    board = board_view(tower, tower.clock.at(9 * 60))
    assert set(board["rooms"]) == {r.id for r in hospital.rooms}
    assert sorted(sum((loc["rooms"] for loc in board["locations"]), [])) == sorted(board["rooms"])
    planned = {e.case_id for e in program.entries}
    shown = {c["case_id"] for r in board["rooms"].values() for c in r["cases"]}
    assert shown == planned


def _overloaded_room(small_day):
    """The program of one room with three extra long cases stacked at its end (the tower's
    planned cases and the program they come from)."""
    hospital, day, program = small_day
    room = program.entries[0].room_id
    last = max((e for e in program.entries if e.room_id == room), key=lambda e: e.order)
    spare = [r for r in hospital.referrals
             if r.specialty_id == hospital.session_by_id[last.session_id].specialty_id
             and r.id not in program.case_ids()]
    extra = [ProgramEntry(r.id, last.session_id, room, day, last.start_min + 60 * (i + 1),
                          r.booked_min, last.surgeon_id, last.order + i + 1)
             for i, r in enumerate(spare[:3])]
    loaded = Program((*program.entries, *extra))
    return hospital, day, loaded, room, [e.case_id for e in extra]


def test_overload_raises_overtime_and_late_cancellation_risk(small_day) -> None:
    hospital, day, loaded_program, room, extra = _overloaded_room(small_day)
    planned = planned_cases(loaded_program)
    _, _, program = small_day
    normal = Tower(hospital, day, planned_cases(program)).forecast(room, Tower(
        hospital, day, []).clock.at(8 * 60))
    loaded_tower = Tower(hospital, day, planned)
    loaded = loaded_tower.forecast(room, loaded_tower.clock.at(8 * 60))
    assert loaded.overtime_risk > normal.overtime_risk
    assert loaded.expected_overtime_min > normal.expected_overtime_min
    risks = {c.case_id: c.cancel_risk for c in loaded.cases}
    assert risks[extra[-1]] > 0.5
    at = loaded_tower.clock.at(8 * 60)
    kinds = {a.kind for a in room_alerts(loaded, loaded_tower.clock.minutes(at),
                                         Thresholds(cancel_risk=0.5))}
    assert "late_cancellation" in kinds
    # at the default threshold, exactly the waiting cases at or above it are alerted
    alerted = {a.case_id for a in loaded_tower.alerts(loaded, at)
               if a.kind == "late_cancellation"}
    assert alerted == {c for c, r in risks.items() if r >= Thresholds().cancel_risk}


def test_remaining_time_grows_when_a_case_runs_long(small_day) -> None:
    hospital, day, program = small_day
    tower = Tower(hospital, day, planned_cases(program))
    first = min(program.entries, key=lambda e: (e.room_id, e.order))
    start = tower.clock.at(first.start_min)
    from kontrolltarn.model import Event
    tower.apply([Event("in", EventKind.IN_ROOM, start, case_id=first.case_id,
                       room_id=first.room_id)])
    early = tower.forecast(first.room_id, start + timedelta(minutes=10))
    late = tower.forecast(first.room_id, start + timedelta(minutes=400))
    assert late.end_median > early.end_median
    assert late.cases[0].end_min > tower.clock.minutes(start + timedelta(minutes=400))


def test_suggestions_come_with_effects_and_apply_only_through_plan_repair(small_day) -> None:
    hospital, day, program, room, extra = _overloaded_room(small_day)
    tower = Tower(hospital, day, planned_cases(program))
    now = tower.clock.at(8 * 60)
    before = {p.case_id: p for p in tower.live.planned.values()}
    forecasts = {r: tower.forecast(r, now) for r in tower.room_ids()}
    found = suggest(tower, now, forecasts)
    assert found, "an overloaded room must produce a suggestion"
    assert {p.case_id: p for p in tower.live.planned.values()} == before  # nothing applied
    for s in found:
        assert s.effect
        result = apply_suggestion(tower, s.kind, s.action, now, decision_id="d1", program=program)
        if s.kind in ("move_case", "change_order", "cancel_early"):
            assert result.plan_repair is not None  # plan.repair made the change
        if s.kind == "move_case":
            change = dict(result.changes)[s.case_id]
            assert change["room_id"] == s.action["to_room"] != room
            assert s.effect["expected_overtime_min"][1] < s.effect["expected_overtime_min"][0]
        if s.kind == "cancel_early":
            assert [e.kind for e in result.events] == [EventKind.CANCELLED]


def test_a_snapshot_forecasts_the_same_and_does_not_move_with_later_events(small_day) -> None:
    hospital, day, program = small_day
    tower = Tower(hospital, day, planned_cases(program))
    events = play_day(hospital, program, day, truth=Truth.of_hospital(hospital), seed=3)
    tower.apply(events[: len(events) // 2])
    now = events[len(events) // 2].at
    copy = tower.snapshot()
    assert {r: tower.forecast(r, now) for r in tower.room_ids()} == \
        {r: copy.forecast(r, now) for r in copy.room_ids()}
    before = {r: copy.forecast(r, now) for r in copy.room_ids()}
    tower.apply(events[len(events) // 2:])
    assert {r: copy.forecast(r, now) for r in copy.room_ids()} == before


def test_a_move_the_target_room_cannot_take_is_refused_by_plan_repair(small_day) -> None:
    hospital, day, program = small_day
    tower = Tower(hospital, day, planned_cases(program))
    for entry in program.entries:
        procedure = hospital.procedure_by_id[hospital.referral_by_id[entry.case_id].procedure_code]
        wrong = next((s for s in hospital.sessions_between(day, day) if not s.emergency
                      and not hospital.room_takes(hospital.room_by_id[s.room_id], procedure)), None)
        if wrong is not None:
            break
    assert wrong is not None
    with pytest.raises(ActionRefused, match="room or session cannot take the case"):
        apply_suggestion(tower, "move_case", {"case_id": entry.case_id, "to_room": wrong.room_id,
                                              "to_session": wrong.id},
                         tower.clock.at(7 * 60), decision_id="d2", program=program)
