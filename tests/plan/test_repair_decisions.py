"""A coordinator's decisions through ``plan.repair``: a move goes to the end of the target list
and keeps every hard rule, a swap puts the later case first; a target that cannot take the case
refuses the decision, naming the rule of ``plan.check``, and changes nothing."""

from __future__ import annotations

import pytest

from kontrolltarn.model import ChangeKind, Hospital, ModelError, Program, ProgramEntry
from kontrolltarn.plan.baseline import plan_baseline
from kontrolltarn.plan.check import HARD_RULES, check
from kontrolltarn.plan.repair import AddCase, CloseUp, MoveCase, RepairRefused, Repairs, SwapOrder, repair


@pytest.fixture(scope="module")
def day(small_synthetic) -> tuple[Hospital, Program]:  # type: ignore[no-untyped-def]
    h = small_synthetic.hospital
    return h, plan_baseline(h, h.today, 1)


def _target(h: Hospital, entry: ProgramEntry, *, takes: bool) -> str | None:
    """Another elective session that day whose room does (or does not) take the case."""
    procedure = h.procedure_by_id[h.referral_by_id[entry.case_id].procedure_code]
    for s in sorted(h.sessions_between(entry.date, entry.date), key=lambda s: s.id):
        if s.id == entry.session_id or s.emergency:
            continue
        ok = h.room_takes(h.room_by_id[s.room_id], procedure) and \
            s.specialty_id in (None, procedure.specialty_id)
        if ok == takes:
            return s.id
    return None


def _pair(h: Hospital, program: Program, *, takes: bool) -> tuple[ProgramEntry, str]:
    """The first case of the day (by room and start) with such a target."""
    for entry in sorted(program.entries, key=lambda e: (e.room_id, e.start_min)):
        target = _target(h, entry, takes=takes)
        if target is not None:
            return entry, target
    raise AssertionError("the small hospital has no such case and session that day")


def test_a_move_goes_to_the_end_of_the_target_list_and_passes_check(day) -> None:  # type: ignore[no-untyped-def]
    h, program = day
    entries = sorted(program.entries, key=lambda e: (e.room_id, e.start_min))
    for entry in entries:
        target = _target(h, entry, takes=True)
        if target is None:
            continue
        try:
            result = repair(h, program, MoveCase(entry.case_id, target), told=program.case_ids())
        except RepairRefused:
            continue  # this target is full or its surgeons busy; try the next case
        break
    else:
        pytest.fail("no case of the day could be moved anywhere")
    moved = {e.case_id: e for e in result.program.entries}[entry.case_id]
    assert moved.session_id == target
    listed = [e for e in result.program.entries if e.session_id == target]
    assert moved.start_min == max(e.start_min for e in listed)  # at the end of the list
    assert [c.kind for c in result.changes] == ["moved"]
    assert result.moves == 1 and result.date_changes_told == 0
    assert check(result.hospital, result.program).feasible
    assert result.hospital.case_by_id[entry.case_id].history[-1].kind is ChangeKind.RESCHEDULED


def test_a_move_to_a_room_that_cannot_take_the_case_is_refused_naming_the_rule(day) -> None:  # type: ignore[no-untyped-def]
    h, program = day
    entry, target = _pair(h, program, takes=False)
    with pytest.raises(RepairRefused) as refused:
        repair(h, program, MoveCase(entry.case_id, target))
    assert refused.value.rule == "room or session cannot take the case"
    assert refused.value.field == "session_id" and refused.value.value == target
    assert "room or session cannot take the case" in str(refused.value)


def test_a_move_past_the_allowed_overtime_is_refused_as_outside_staffed_hours(day) -> None:  # type: ignore[no-untyped-def]
    h, program = day
    entry, target_id = _pair(h, program, takes=True)
    target = h.session_by_id[target_id]
    late = target.end_min + h.allowed_overtime_min  # would start when it must be over
    with pytest.raises(RepairRefused) as refused:
        repair(h, program, MoveCase(entry.case_id, target.id, not_before_min=late))
    assert refused.value.rule == "outside staffed hours"


def test_unknown_target_and_same_session_are_clear_errors(day) -> None:  # type: ignore[no-untyped-def]
    h, program = day
    entry = program.entries[0]
    with pytest.raises(ModelError, match="session_id='nowhere'"):
        repair(h, program, MoveCase(entry.case_id, "nowhere"))
    with pytest.raises(ModelError, match="already there"):
        repair(h, program, MoveCase(entry.case_id, entry.session_id))


def test_a_swap_puts_the_later_case_first_and_reflows_the_list(day) -> None:  # type: ignore[no-untyped-def]
    h, program = day
    by_session = program.by_session()
    session_id = max(by_session, key=lambda s: (len(by_session[s]), s))
    listed = sorted(by_session[session_id], key=lambda e: e.start_min)
    assert len(listed) >= 2
    earlier, later = listed[0], listed[1]
    result = repair(h, program, SwapOrder(later.case_id, earlier.case_id))
    after = sorted((e for e in result.program.entries if e.session_id == session_id),
                   key=lambda e: e.start_min)
    assert [e.case_id for e in after[:2]] == [later.case_id, earlier.case_id]
    assert after[0].start_min == earlier.start_min  # the list starts when it did
    assert {c.case_id for c in result.changes} <= {e.case_id for e in listed}
    assert all(c.kind == "retimed" for c in result.changes)
    assert check(result.hospital, result.program).feasible
    with pytest.raises(ModelError, match="already goes before"):
        repair(h, program, SwapOrder(earlier.case_id, later.case_id))


def test_a_swap_across_sessions_is_refused(day) -> None:  # type: ignore[no-untyped-def]
    h, program = day
    by_session = program.by_session()
    a, b = sorted(by_session)[:2]
    with pytest.raises(ModelError, match="is not in the session of"):
        repair(h, program, SwapOrder(by_session[a][0].case_id, by_session[b][0].case_id))


def test_an_added_waiting_case_goes_to_the_end_of_the_list_or_is_refused(day) -> None:  # type: ignore[no-untyped-def]
    """Free time filled by phone (the simulator's refill): a session's last case, taken off,
    comes back by ``AddCase`` exactly where it was (the end of the list, after the turnover);
    asked to end earlier than it can, or put in a room that cannot take it, it is refused."""
    h, full = day
    by_session = full.by_session()
    session_id = max(by_session, key=lambda s: (len(by_session[s]), s))
    last = max(by_session[session_id], key=lambda e: e.start_min)
    program = Program(tuple(e for e in full.entries if e.case_id != last.case_id))
    added = repair(h, program, AddCase(last.case_id, session_id), told=program.case_ids())
    entry = next(e for e in added.program.entries if e.case_id == last.case_id)
    assert (entry.session_id, entry.start_min, entry.planned_min) == \
        (session_id, last.start_min, h.referral_by_id[last.case_id].booked_min)
    assert [c.kind for c in added.changes] == ["added"]
    assert check(added.hospital, added.program).feasible
    with pytest.raises(RepairRefused) as late:
        repair(h, program, AddCase(last.case_id, session_id, until_min=last.end_min - 1))
    assert late.value.field == "until_min"
    with pytest.raises(ModelError, match="in the program already"):
        repair(h, full, AddCase(last.case_id, session_id))
    room = h.room_by_id[h.session_by_id[session_id].room_id]
    cannot = next(r for r in h.referrals if r.id not in full.case_ids()
                  and not h.room_takes(room, h.procedure_by_id[r.procedure_code]))
    with pytest.raises(RepairRefused) as refused:
        repair(h, program, AddCase(cannot.id, session_id))
    assert refused.value.rule in {rule.name for rule in HARD_RULES}


def test_a_run_of_additions_refuses_without_change_and_matches_one_repair_at_a_time(day) -> None:  # type: ignore[no-untyped-def]
    """``Repairs`` (the simulator's afternoon refill: one view, patients phoned in turn): a
    refused ``AddCase`` leaves the program as it was and the run goes on; the added cases land
    where one ``repair`` call after another puts them, and the result passes ``plan.check``."""
    h, full = day
    by_session = full.by_session()
    session_id = max(by_session, key=lambda s: (len(by_session[s]), s))
    listed = sorted(by_session[session_id], key=lambda e: e.start_min)
    off = [e.case_id for e in listed[-2:]]
    program = Program(tuple(e for e in full.entries if e.case_id not in off))
    room = h.room_by_id[h.session_by_id[session_id].room_id]
    cannot = next(r for r in h.referrals if r.id not in full.case_ids()
                  and not h.room_takes(room, h.procedure_by_id[r.procedure_code]))
    run = Repairs(h, program, told=set())
    run.apply(AddCase(off[0], session_id), refill=False)
    with pytest.raises(RepairRefused):
        run.apply(AddCase(cannot.id, session_id), refill=False)
    assert run.find(cannot.id) is None
    run.apply(AddCase(off[1], session_id), refill=False)
    result = run.result()
    one = repair(h, program, AddCase(off[0], session_id), told=set(), refill=False)
    two = repair(one.hospital, one.program, AddCase(off[1], session_id), told=set(), refill=False)
    assert sorted(result.program.entries, key=lambda e: e.case_id) == \
        sorted(two.program.entries, key=lambda e: e.case_id)
    assert [c.kind for c in result.changes] == ["added", "added"]
    assert [c.kind for c in result.hospital.case_by_id[off[1]].history] == \
        [c.kind for c in two.hospital.case_by_id[off[1]].history]
    assert check(result.hospital, result.program).feasible


def test_closing_up_moves_the_list_into_the_time_a_case_left_and_frees_the_end(day) -> None:  # type: ignore[no-untyped-def]
    """A case taken from the start of a list leaves its time there; ``CloseUp`` moves the rest
    up (order kept, same date, back to back after the turnovers), so the freed time is at the
    end where ``AddCase`` can fill it: the case taken off fits again, last. Nothing to close
    up changes nothing."""
    h, full = day
    by_session = full.by_session()
    session_id = max(by_session, key=lambda s: (len(by_session[s]), s))
    listed = sorted(by_session[session_id], key=lambda e: e.start_min)
    assert len(listed) >= 2
    first = listed[0]
    program = Program(tuple(e for e in full.entries if e.case_id != first.case_id))
    run = Repairs(h, program, told=set())
    changes = run.apply(CloseUp(session_id), refill=False)
    assert {c.kind for c in changes} == {"retimed"}
    found = [run.find(e.case_id) for e in listed[1:]]
    moved = [e for e in found if e is not None]
    assert len(moved) == len(found)
    assert sorted(moved, key=lambda e: e.start_min) == moved  # the order kept
    assert moved[0].start_min == first.start_min
    assert all(e.date == first.date and e.session_id == session_id for e in moved)
    assert moved[-1].end_min < listed[-1].end_min
    run.apply(AddCase(first.case_id, session_id), refill=False)
    again = run.find(first.case_id)
    assert again is not None and again.start_min > moved[-1].start_min
    result = run.result()
    assert check(result.hospital, result.program).feasible
    assert repair(h, full, CloseUp(session_id), told=set(), refill=False).changes == []
