"""Live state of the day, rebuilt from milestone events.

The state is a function of the *set* of events, not of their arrival order: each milestone keeps
its earliest reported time, a repeated event id changes nothing, and a late-arriving earlier
milestone slots into place. So replaying the store after a restart gives the same state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from kontrolltarn.model import CASE_MILESTONES, CancellationReason, Event, EventKind, PlannedCase

_ORDER = {kind: i for i, kind in enumerate(CASE_MILESTONES)}


@dataclass
class CaseState:
    case_id: str
    room_id: str | None
    milestones: dict[EventKind, datetime] = field(default_factory=dict)
    cancelled: CancellationReason | None = None
    cancelled_at: datetime | None = None

    @property
    def milestone(self) -> EventKind | None:
        """The furthest milestone reached (by the order of a case, not by arrival)."""
        reached = [k for k in self.milestones if k in _ORDER]
        return max(reached, key=_ORDER.__getitem__) if reached else None

    @property
    def phase(self) -> str:
        if self.cancelled is not None and EventKind.IN_ROOM not in self.milestones:
            return "cancelled"
        if EventKind.OUT_OF_ROOM in self.milestones and EventKind.IN_ROOM in self.milestones:
            return "done"  # (an out_of_room that arrived before its in_room waits for it)
        if EventKind.IN_ROOM in self.milestones:
            return "in_room"
        if EventKind.ARRIVED in self.milestones:
            return "arrived"
        if EventKind.CALLED in self.milestones:
            return "called"
        return "waiting"


@dataclass
class RoomState:
    room_id: str
    ready_at: list[datetime] = field(default_factory=list)


class LiveDay:
    """Cases and rooms of one day, driven by events. ``apply`` returns the rooms it changed."""

    def __init__(self, day: date, planned: list[PlannedCase], zone: ZoneInfo | None = None) -> None:
        """``zone``: the hospital's, in which a room-ready event is on the day or not."""
        self.day = day
        self.zone = zone
        self.planned: dict[str, PlannedCase] = {p.case_id: p for p in planned}
        self.cases: dict[str, CaseState] = {}
        self.rooms: dict[str, RoomState] = {}
        self.seen: set[str] = set()
        self.last_event_at: datetime | None = None
        self.events_applied = 0
        self._by_room: dict[str, list[str]] | None = None  # planned case ids per room, cached
        self._unplanned: set[str] = set()  # cases seen in events but not in the program

    def snapshot(self) -> LiveDay:
        """A copy to forecast from without holding up ingest (the set of seen event ids is not
        copied: a snapshot is read, never fed)."""
        copy = LiveDay.__new__(LiveDay)
        copy.day, copy.zone, copy.planned = self.day, self.zone, dict(self.planned)
        copy.cases = {k: CaseState(c.case_id, c.room_id, dict(c.milestones), c.cancelled,
                                   c.cancelled_at) for k, c in self.cases.items()}
        copy.rooms = {k: RoomState(r.room_id, list(r.ready_at)) for k, r in self.rooms.items()}
        copy.seen = set()
        copy.last_event_at, copy.events_applied = self.last_event_at, self.events_applied
        copy._by_room, copy._unplanned = self._by_room, set(self._unplanned)
        return copy

    def set_plan(self, plan: PlannedCase) -> set[str]:
        """A decision changed a case's plan; returns the rooms affected (old and new)."""
        old = self.planned.get(plan.case_id)
        self.planned[plan.case_id] = plan
        self._by_room = None
        state = self.cases.get(plan.case_id)
        if state is not None and EventKind.IN_ROOM not in state.milestones:
            state.room_id = plan.room_id
        return {plan.room_id} | ({old.room_id} if old else set())

    def case(self, case_id: str) -> CaseState:
        state = self.cases.get(case_id)
        if state is None:
            plan = self.planned.get(case_id)
            state = CaseState(case_id, plan.room_id if plan else None)
            self.cases[case_id] = state
        return state

    def apply(self, event: Event) -> set[str]:
        if event.id in self.seen:
            return set()
        self.seen.add(event.id)
        self.events_applied += 1
        if self.last_event_at is None or event.at > self.last_event_at:
            self.last_event_at = event.at
        if event.kind is EventKind.ROOM_READY:
            if event.room_id is None or (self.zone is not None
                                         and event.at.astimezone(self.zone).date() != self.day):
                return set()  # a room ready on another day says nothing of this day's rooms
            room = self.rooms.setdefault(event.room_id, RoomState(event.room_id))
            room.ready_at.append(event.at)
            room.ready_at.sort()
            return {event.room_id}
        if event.case_id is None:
            return set()
        state = self.case(event.case_id)
        if event.case_id not in self.planned:
            self._unplanned.add(event.case_id)
        if event.room_id and (state.room_id is None or event.kind is EventKind.IN_ROOM):
            state.room_id = event.room_id  # an emergency, or a case that went to another room
        if event.kind is EventKind.CANCELLED:
            if state.cancelled_at is None or event.at < state.cancelled_at:
                state.cancelled, state.cancelled_at = event.reason, event.at
        elif event.kind in _ORDER:
            known = state.milestones.get(event.kind)
            if known is None or event.at < known:
                state.milestones[event.kind] = event.at
        rooms = {state.room_id} if state.room_id else set()
        plan = self.planned.get(event.case_id)
        if plan is not None:
            rooms.add(plan.room_id)
        return rooms

    def ready_since(self, room_id: str) -> datetime | None:
        """When the room was last reported ready (cleaned and prepared), if it still is: no
        case is in it, and no case has left it since."""
        room = self.rooms.get(room_id)
        if room is None or not room.ready_at:
            return None
        last = room.ready_at[-1]
        for case_id in self.cases_in_room(room_id):
            state = self.cases.get(case_id)
            if state is None or EventKind.IN_ROOM not in state.milestones:
                continue
            out = state.milestones.get(EventKind.OUT_OF_ROOM)
            if out is None or out > last:
                return None
        return last

    def cases_in_room(self, room_id: str) -> list[str]:
        """Case ids planned for or seen in the room: planned by position, then unplanned ones."""
        if self._by_room is None:  # rebuilt after a plan change; events never change it
            by_room: dict[str, list[PlannedCase]] = {}
            for p in self.planned.values():
                if p.status != "unscheduled":  # taken off the program by a newer version
                    by_room.setdefault(p.room_id, []).append(p)
            self._by_room = {r: [p.case_id for p in sorted(ps, key=lambda p: (p.position,
                                                                               p.start_min))]
                             for r, ps in by_room.items()}
        ids = list(self._by_room.get(room_id, ()))
        extra = [cid for cid in self._unplanned
                 if cid not in self.planned and self.cases[cid].room_id == room_id]
        extra.sort(key=lambda cid: (min((t.timestamp() for t in self.cases[cid].milestones.values()),
                                        default=float("inf")), cid))
        return ids + extra
