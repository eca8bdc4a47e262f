"""Alerts and suggestions a coordinator trusts (issue 19 finding 4): alerts ranked by urgency;
suggestions best first, one per case, never two that contradict each other, at most a stated
number at once, and a swap shows both patients' priority and deadline. Real ``Tower``s on the
small hospital's day; the suggestion agent is the one the board and the simulator call."""

from __future__ import annotations

from itertools import combinations

from kontrolltarn.control import Alert, Thresholds, Tower, board_view, suggest, unique_alerts
from kontrolltarn.control.suggest import Suggestion, best_first, candidates
from kontrolltarn.model import Event, EventKind, Priority, Program, ProgramEntry

from .conftest import planned_cases


def _urgent_case_behind(small_day):  # type: ignore[no-untyped-def]
    """The day's program with three long cases stacked at the end of one room's list, the last
    of them of priority 1 (most urgent) while the room's list starts with less urgent ones: by
    the end of the day the urgent patient is the one at risk of a late cancellation."""
    hospital, day, program = small_day
    room = next(e.room_id for e in program.entries
                if hospital.referral_by_id[e.case_id].priority > Priority.P1)
    last = max((e for e in program.entries if e.room_id == room), key=lambda e: e.order)
    specialty = hospital.session_by_id[last.session_id].specialty_id
    spare = [r for r in hospital.referrals
             if r.specialty_id == specialty and r.id not in program.case_ids()]
    chosen = [r for r in spare if r.priority > Priority.P1][:2] + \
        [r for r in spare if r.priority == Priority.P1][:1]
    assert len(chosen) == 3
    extra = [ProgramEntry(r.id, last.session_id, room, day, last.start_min + 60 * (i + 1),
                          r.booked_min, last.surgeon_id, last.order + i + 1)
             for i, r in enumerate(chosen)]
    tower = Tower(hospital, day, planned_cases(Program((*program.entries, *extra))))
    return tower, room, chosen[-1].id


def _all(tower: Tower, minute: int) -> tuple[list[Suggestion], list[Suggestion]]:
    now = tower.clock.at(minute)
    forecasts = {r: tower.forecast(r, now) for r in tower.room_ids()}
    return candidates(tower, now, forecasts), suggest(tower, now, forecasts, limit=None)


def test_a_swap_shows_each_patients_priority_and_deadline(small_day) -> None:  # type: ignore[no-untyped-def]
    """Issue 19: swaps moved a 100 % risk from one patient to another with no priority shown."""
    tower, room, urgent = _urgent_case_behind(small_day)
    found, _ = _all(tower, 8 * 60)
    (swap,) = [s for s in found if s.kind == "change_order" and s.room_id == room]
    assert swap.action["first"] == urgent
    for who, prefix in ((swap.action["first"], "case"), (swap.action["then"], "other")):
        referral = tower.hospital.referral_by_id[who]
        assert swap.effect[f"{prefix}_priority"] == int(referral.priority)
        assert swap.effect[f"{prefix}_deadline"] == referral.deadline.isoformat()
    assert swap.effect["case_priority"] < swap.effect["other_priority"]  # the urgent goes first
    before, after = swap.effect["case_cancel_risk"]
    assert after < before


def test_one_suggestion_per_case_and_none_contradict(small_day) -> None:  # type: ignore[no-untyped-def]
    """Issue 19: "take A before B" and "cancel A now" were offered together. By 10:00 the agent
    finds both for a case here; it offers the better one, and no two offered claim one case."""
    tower, _, _ = _urgent_case_behind(small_day)
    found, offered = _all(tower, 10 * 60)
    by_case: dict[str, list[Suggestion]] = {}
    for s in found:
        for claim in s.claims():
            by_case.setdefault(claim, []).append(s)
    conflicts = {c: ss for c, ss in by_case.items() if len({s.kind for s in ss}) >= 2}
    assert conflicts, "a real contradiction to resolve"
    for a, b in combinations(offered, 2):
        assert not a.claims() & b.claims(), (a.id, b.id)
    for claim, rivals in conflicts.items():
        kept = [s for s in offered if claim in s.claims()]
        assert len(kept) == 1
        # the best of the rivals, unless a better one elsewhere took one of its other cases
        best = max(rivals, key=lambda s: (s.benefit, s.id))
        assert kept[0] == best or kept[0].benefit >= best.benefit or \
            any(o.claims() & best.claims() and o.benefit >= best.benefit for o in offered)


def test_the_better_of_two_contradicting_suggestions_is_kept() -> None:
    take_first = Suggestion("change_order:B:A", "change_order", "R1", "A",
                            {"first": "A", "then": "B", "room_id": "R1"}, benefit=30.0)
    cancel = Suggestion("cancel_early:A", "cancel_early", "R1", "A", {"case_id": "A"},
                        benefit=45.0)
    call = Suggestion("call_next:C", "call_next", "R2", "C", {"case_id": "C"}, benefit=10.0)
    move_in = Suggestion("move_case:D:R3", "move_case", "R2", "D",
                         {"case_id": "D", "to_room": "R3"}, benefit=20.0)
    release = Suggestion("release_session:S3", "release_session", "R3", None,
                         {"room_id": "R3"}, benefit=25.0)
    assert best_first([take_first, call, cancel, move_in, release]) == [cancel, release, call]
    assert best_first([take_first, call], limit=1) == [take_first]


def test_suggestions_come_best_first_and_at_most_the_stated_number(small_day) -> None:  # type: ignore[no-untyped-def]
    tower, _, _ = _urgent_case_behind(small_day)
    _, every = _all(tower, 10 * 60)
    assert len(every) >= 3
    benefits = [s.benefit for s in every]
    assert benefits == sorted(benefits, reverse=True)
    assert all(s.effect["benefit_min"] == s.benefit for s in every)
    now = tower.clock.at(10 * 60)
    forecasts = {r: tower.forecast(r, now) for r in tower.room_ids()}
    assert Thresholds().max_suggestions == 8
    tower.thresholds = Thresholds(max_suggestions=2)
    assert suggest(tower, now, forecasts) == every[:2]  # the setting caps the list


def test_alerts_are_ranked_by_urgency() -> None:
    """Critical first; then how sure times how soon: a late start (a fact, now) before a 0.92
    overtime risk due in three hours, which comes after a 0.95 cancellation risk due now."""
    late = Alert("late_start:R1", "late_start", "R1", None, "warning", 20.0, 0.0)
    overtime = Alert("overtime:R2", "overtime", "R2", None, "warning", 0.92, 180.0)
    cancel = Alert("late_cancellation:C", "late_cancellation", "R3", "C", "warning", 0.95, 0.0)
    critical = Alert("overtime:R4", "overtime", "R4", None, "critical", 0.98, 300.0)
    assert unique_alerts([overtime, cancel, late, critical]) == [critical, late, cancel, overtime]
    assert [a["id"] for a in unique_alerts(a.as_dict() for a in (overtime, late, critical))] == \
        [critical.id, late.id, overtime.id]


def test_the_boards_alerts_come_most_urgent_first(small_day) -> None:  # type: ignore[no-untyped-def]
    tower, room, _ = _urgent_case_behind(small_day)
    first = tower.order(room)[0]
    tower.apply([Event("t:in", EventKind.IN_ROOM, tower.clock.at(8 * 60), case_id=first,
                       room_id=room)])
    board = board_view(tower, tower.clock.at(9 * 60 + 30))
    urgencies = [a["urgency"] for a in board["alerts"]]
    assert len(urgencies) >= 2 and {a["kind"] for a in board["alerts"]} >= {"late_start"}
    assert urgencies == sorted(urgencies, reverse=True)
