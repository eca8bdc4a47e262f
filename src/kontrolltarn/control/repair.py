"""What accepting a suggestion changes: a minimal-change repair of the day's plan.

Cancelling early runs ``kontrolltarn.plan.repair.repair`` (a ``LateCancellation`` for capacity,
without refilling the freed time from the waiting list on the day itself) when the day's program
is given, and applies the changes it returns. ``plan.repair`` has no event for "move this case to
that room", "swap these two" or "call early", so those stay minimal changes here: only the cases
the action names change, and an action the room cannot take is refused. The result lists plan
changes (applied by the service through the versioned store), events to record, porter requests
and released sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kontrolltarn.model import CancellationReason, Event, EventKind, ModelError, Program

from .tower import Tower


class RepairRefused(Exception):
    """The action no longer fits the plan (the situation moved on); nothing was changed."""


@dataclass
class Repair:
    changes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    porter_requests: list[tuple[str, str]] = field(default_factory=list)  # room, case
    released_rooms: list[str] = field(default_factory=list)
    plan_repair: str | None = None  # plan.repair's summary when it made the changes


def _planned_repair(tower: Tower, program: Program, case_id: str, now: datetime,
                    result: Repair) -> None:
    """A late cancellation through ``plan.repair``; its changes to today's cases become plan
    changes (cancelled → status, retimed/moved → new start, room, session, position)."""
    from kontrolltarn.plan.repair import LateCancellation
    from kontrolltarn.plan.repair import repair as plan_repair

    try:
        planned = plan_repair(tower.hospital, program,
                              LateCancellation(case_id, CancellationReason.CAPACITY),
                              now=now, refill=False)
    except ModelError as refused:
        raise RepairRefused(f"plan.repair: {refused}") from None
    for change in planned.changes:
        if change.case_id not in tower.live.planned:
            continue
        if change.kind == "cancelled" or change.new is None:
            result.changes.append((change.case_id, {"status": "cancelled"}))
        elif change.new.date == tower.day:
            new = change.new
            result.changes.append((change.case_id, {
                "room_id": new.room_id, "session_id": new.session_id, "position": new.order,
                "start_min": new.start_min}))
    result.plan_repair = planned.summary()


def repair(tower: Tower, kind: str, action: dict[str, Any], now: datetime,
           decision_id: str, program: Program | None = None) -> Repair:
    result = Repair()
    if kind == "move_case":
        case_id, target = action["case_id"], action["to_room"]
        plan = tower.live.planned.get(case_id)
        state = tower.live.cases.get(case_id)
        if plan is None or (state is not None and state.phase in ("in_room", "done", "cancelled")):
            raise RepairRefused(f"case {case_id} can no longer be moved")
        referral = tower.hospital.referral_by_id[case_id]
        room = tower.hospital.room_by_id[target]
        if not tower.hospital.room_takes(room, tower.hospital.procedure_by_id[
                referral.procedure_code]):
            raise RepairRefused(f"room {target} cannot take {referral.procedure_code}")
        forecast = tower.forecast(target, now)
        others = [tower.live.planned[c] for c in tower.order(target) if c in tower.live.planned]
        position = max((p.position for p in others), default=0) + 1
        start = forecast.end_median + tower.durations.turnover(case_id) \
            if forecast.end_median is not None else tower.sessions[target].start_min
        result.changes.append((case_id, {"room_id": target, "session_id": action["to_session"],
                                         "position": position, "start_min": int(round(start))}))
    elif kind == "change_order":
        first, then = tower.live.planned[action["first"]], tower.live.planned[action["then"]]
        for case_id in (first.case_id, then.case_id):
            state = tower.live.cases.get(case_id)
            if state is not None and state.phase not in ("waiting", "arrived", "called"):
                raise RepairRefused(f"case {case_id} has started")
        result.changes.append((first.case_id, {"position": then.position,
                                               "start_min": then.start_min}))
        result.changes.append((then.case_id, {"position": first.position,
                                              "start_min": first.start_min}))
    elif kind == "cancel_early":
        case_id = action["case_id"]
        state = tower.live.cases.get(case_id)
        if state is not None and state.phase not in ("waiting", "arrived", "called"):
            raise RepairRefused(f"case {case_id} has started")
        if program is not None and case_id in program.case_ids():
            _planned_repair(tower, program, case_id, now, result)
        else:
            result.changes.append((case_id, {"status": "cancelled"}))
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
        raise RepairRefused(f"kind={kind!r}: unknown action")
    return result
