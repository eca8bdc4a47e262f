"""Decisions on sessions ahead of the day (issue 18): an empty session given to another
specialty of its room or released (not staffed), and a room closed on the morning whose cases
move to other rooms the same day instead of being cancelled."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kontrolltarn import kpi
from kontrolltarn.model import ChangeKind, ModelError, ProgramEntry
from kontrolltarn.simulate import EnvironmentParams, execution_log, simulate
from kontrolltarn.simulate.policies import BaselinePolicy
from kontrolltarn.simulate.state import PlanState
from kontrolltarn.synth import SyntheticHospital, generate


@pytest.fixture(scope="module")
def small() -> SyntheticHospital:
    return generate("small", seed=3)


def _shared_room_session(small: SyntheticHospital):  # noqa: ANN202 - a Session and its room
    hospital = small.hospital
    for session in hospital.sessions:
        room = hospital.room_by_id[session.room_id]
        if not session.emergency and session.specialty_id and len(room.specialties) > 1:
            return session, room
    pytest.fail("the small hospital has rooms shared by two specialties")


def test_an_empty_session_goes_to_another_specialty_of_its_room(small: SyntheticHospital) -> None:
    session, room = _shared_room_session(small)
    state = PlanState(small.hospital, list(small.hospital.sessions), [])
    other = sorted(room.specialties - {session.specialty_id})[0]
    new = state.reassign(session.id, other, by="policy:test")
    assert new.specialty_id == other
    assert state.sessions[session.id].specialty_id == other
    assert [s.specialty_id for s in state.open_sessions(session.date) if s.id == session.id] == [other]
    assert state.session_log[-1].kind == "reassigned"
    assert (state.session_log[-1].old_specialty, state.session_log[-1].new_specialty) == \
        (session.specialty_id, other)


def test_a_session_is_not_given_to_a_specialty_its_room_does_not_take(small: SyntheticHospital) -> None:
    session, room = _shared_room_session(small)
    state = PlanState(small.hospital, list(small.hospital.sessions), [])
    foreign = next(s.id for s in small.hospital.specialties if s.id not in room.specialties)
    with pytest.raises(ModelError, match="specialty_id") as refused:
        state.reassign(session.id, foreign, by="policy:test")
    assert foreign in str(refused.value)
    assert state.sessions[session.id] == session and state.session_log == []


def test_a_released_session_is_not_open_and_one_holding_cases_cannot_be_released(
        small: SyntheticHospital) -> None:
    session, _ = _shared_room_session(small)
    state = PlanState(small.hospital, list(small.hospital.sessions), [])
    state.release(session.id, by="policy:test")
    assert session.id not in {s.id for s in state.open_sessions(session.date)}
    assert state.session_log[-1].kind == "released"
    with pytest.raises(ModelError, match="session_id"):
        state.release(session.id, by="policy:test")  # already closed
    # a session with a case on it
    busy = next(s for s in small.hospital.sessions
                if not s.emergency and s.specialty_id and s.id != session.id)
    referral = next(r for r in small.hospital.referrals if r.specialty_id == busy.specialty_id)
    surgeon = referral.surgeon_id or small.hospital.surgeons(referral.specialty_id)[0].id
    state.place(ProgramEntry(referral.id, busy.id, busy.room_id, busy.date, busy.start_min,
                             referral.booked_min, surgeon, 1),
                by="policy:test", tell=False)
    with pytest.raises(ModelError, match="holding cases"):
        state.release(busy.id, by="policy:test")
    assert busy.id in {s.id for s in state.open_sessions(busy.date)}


def test_cases_of_a_room_closed_on_the_morning_move_to_other_rooms_the_same_day(
        small: SyntheticHospital) -> None:
    """With many rooms closed on the morning, the board's move keeps some of their patients on
    their date (no change for them) where today's practice cancels every one."""
    env = EnvironmentParams(session_closed_on_day_share=0.25)

    def staff_cancellations(move: bool) -> tuple[int, int]:
        policy = BaselinePolicy(rules=replace(BaselinePolicy().rules, move_from_closed_room=move))
        result = simulate(small.hospital, small.truth, policy, days=10, seed=2, warmup_days=4,
                          params=env, keep_programs=False)
        figures = kpi.headline(execution_log(result))
        moved_same_day = sum(
            1 for case in result.cases for c in case.history
            if c.kind is ChangeKind.RESCHEDULED and c.by == "coordinator"
            and c.new_date == c.old_date and (c.at.hour, c.at.minute) == (7, 0))
        return int(figures.get("late_cancellations_staff", 0)), moved_same_day

    cancelled_by_hand, moved_by_hand = staff_cancellations(False)
    cancelled_with_board, moved_with_board = staff_cancellations(True)
    assert cancelled_by_hand > 0 and moved_by_hand == 0
    assert moved_with_board > 0
    assert cancelled_with_board < cancelled_by_hand


def _busy_session(small: SyntheticHospital, state: PlanState):  # noqa: ANN202 - Session, ProgramEntry
    """An elective session holding one case placed at its start."""
    session = next(s for s in small.hospital.sessions if not s.emergency and s.specialty_id)
    referral = next(r for r in small.hospital.referrals if r.specialty_id == session.specialty_id)
    surgeon = referral.surgeon_id or small.hospital.surgeons(referral.specialty_id)[0].id
    entry = ProgramEntry(referral.id, session.id, session.room_id, session.date, session.start_min,
                         referral.booked_min, surgeon, 1)
    state.place(entry, by="policy:test", tell=False)
    return session, entry


def test_a_shortened_session_ends_earlier_and_counts_only_its_hours(small: SyntheticHospital) -> None:
    state = PlanState(small.hospital, list(small.hospital.sessions), [])
    session, _ = _busy_session(small, state)
    new = state.shorten(session.id, session.end_min - 60, by="policy:test")
    assert (new.id, new.end_min, new.staffed_min) == \
        (session.id, session.end_min - 60, session.staffed_min - 60)
    assert [s for s in state.open_sessions(session.date) if s.id == session.id] == [new]
    change = state.session_log[-1]
    assert (change.kind, change.old_end_min, change.new_end_min) == \
        ("shortened", session.end_min, session.end_min - 60)
    assert session.id in state.by_session and state.by_session[session.id]  # its case stays


@pytest.mark.parametrize("end", ["start", "end", "after"])
def test_a_session_is_not_shortened_to_an_end_outside_it(small: SyntheticHospital, end: str) -> None:
    state = PlanState(small.hospital, list(small.hospital.sessions), [])
    session, _ = _busy_session(small, state)
    value = {"start": session.start_min, "end": session.end_min, "after": session.end_min + 30}[end]
    with pytest.raises(ModelError, match="end_min") as refused:
        state.shorten(session.id, value, by="policy:test")
    assert str(value) in str(refused.value)
    assert state.sessions[session.id] == session and state.session_log == []


def test_a_released_or_emergency_session_is_not_shortened(small: SyntheticHospital) -> None:
    session, _ = _shared_room_session(small)
    state = PlanState(small.hospital, list(small.hospital.sessions), [])
    state.release(session.id, by="policy:test")
    with pytest.raises(ModelError, match="session_id"):
        state.shorten(session.id, session.end_min - 60, by="policy:test")
    emergency = next(s for s in small.hospital.sessions if s.emergency)
    with pytest.raises(ModelError, match="session_id"):
        state.shorten(emergency.id, emergency.end_min - 60, by="policy:test")
