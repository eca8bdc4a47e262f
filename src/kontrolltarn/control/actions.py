"""What accepting a suggestion does: the thin mapping from a decided suggestion to the one repair.

A plan change goes through ``kontrolltarn.plan.repair``: ``move_case`` is a ``MoveCase`` (not
before the target room is expected to be free), ``change_order`` a ``SwapOrder``,
``cancel_early`` a ``LateCancellation`` for capacity without refilling the freed time. The repair
refuses what breaks a planning rule and names it; nothing changes then. Calling the next patient
(a porter request and a CALLED event) and releasing a session are not plan changes and stay here.
The result lists plan changes of today's cases (applied by the service through the versioned
store), events to record, porter requests and released sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kontrolltarn.model import CancellationReason, Event, EventKind, ModelError, Program
from kontrolltarn.plan.repair import Event as PlanEvent
from kontrolltarn.plan.repair import LateCancellation, MoveCase, SwapOrder, repair

from .tower import Tower

#: phases in which a case has not started and can still be moved, swapped or cancelled
NOT_STARTED = ("waiting", "arrived", "called")


class ActionRefused(Exception):
    """The suggested action no longer applies (the situation moved on, or ``plan.repair`` refused
    it for a hard rule, named in the message); nothing was changed."""


@dataclass
class ActionOutcome:
    changes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    porter_requests: list[tuple[str, str]] = field(default_factory=list)  # room, case
    released_rooms: list[str] = field(default_factory=list)
    plan_repair: str | None = None  # plan.repair's summary when it made the changes


#: the keys of a suggestion's action that name cases (the cases it concerns)
_CASE_KEYS = ("case_id", "first", "then")


def concerned_cases(action: dict[str, Any]) -> list[str]:
    """The cases a suggestion's ``action`` concerns: their versions are recorded when it is
    made, and accepting it after one of them changed is refused."""
    return [str(action[k]) for k in _CASE_KEYS if action.get(k)]


def apply_suggestion(tower: Tower, kind: str, action: dict[str, Any], now: datetime,
                     decision_id: str, program: Program) -> ActionOutcome:
    """The outcome of accepting a suggestion of ``kind`` with ``action`` on the day's
    ``program`` (as stored); raises ``ActionRefused`` when it no longer applies."""
    result = ActionOutcome()
    if kind == "move_case":
        case_id, target = action["case_id"], action["to_room"]
        _not_started(tower, case_id)
        forecast = tower.forecast(target, now)
        free = None if forecast.end_median is None else \
            int(round(forecast.end_median + tower.turnover(case_id)))
        _through_repair(tower, program, MoveCase(case_id, action["to_session"], free), now, result)
    elif kind == "change_order":
        _not_started(tower, action["first"])
        _not_started(tower, action["then"])
        _through_repair(tower, program, SwapOrder(action["first"], action["then"]), now, result)
    elif kind == "cancel_early":
        case_id = action["case_id"]
        _not_started(tower, case_id)
        _through_repair(tower, program, LateCancellation(case_id, CancellationReason.CAPACITY),
                        now, result)
        result.events.append(Event(f"{decision_id}:cancelled", EventKind.CANCELLED, now,
                                   case_id=case_id, room_id=action.get("room_id"),
                                   reason=CancellationReason.CAPACITY, source="decision"))
    elif kind == "call_next":
        case_id, room_id = action["case_id"], action["room_id"]
        result.porter_requests.append((room_id, case_id))
        result.events.append(Event(f"{decision_id}:called", EventKind.CALLED, now,
                                   case_id=case_id, room_id=room_id, source="decision"))
    elif kind == "release_session":
        result.released_rooms.append(action["room_id"])
    else:
        raise ActionRefused(f"kind={kind!r}: unknown action")
    return result


def _not_started(tower: Tower, case_id: str) -> None:
    if case_id not in tower.live.planned:
        raise ActionRefused(f"case {case_id} is not on today's plan")
    state = tower.live.cases.get(case_id)
    if state is not None and state.phase not in NOT_STARTED:
        raise ActionRefused(f"case {case_id} has started or is over ({state.phase})")


def _through_repair(tower: Tower, program: Program, event: PlanEvent, now: datetime,
                    result: ActionOutcome) -> None:
    """``event`` through ``plan.repair``; its changes to today's cases become plan changes
    (cancelled → status; moved or retimed → room, session, surgeon, position, start)."""
    try:
        planned = repair(tower.hospital, program, event, now=now, refill=False)
    except ModelError as refused:
        raise ActionRefused(f"plan.repair: {refused}") from None
    for change in planned.changes:
        if change.case_id not in tower.live.planned:
            continue
        if change.kind == "cancelled" or change.new is None:
            result.changes.append((change.case_id, {"status": "cancelled"}))
        elif change.new.date == tower.day:
            new = change.new
            result.changes.append((change.case_id, {
                "room_id": new.room_id, "session_id": new.session_id, "surgeon_id": new.surgeon_id,
                "position": new.order, "start_min": new.start_min}))
    result.plan_repair = planned.summary()
