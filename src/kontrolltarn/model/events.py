"""Milestone events: the truth about execution, the same from a real day and a simulated one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .cases import CancellationReason
from .errors import require, require_id


class EventKind(StrEnum):
    CALLED = "called"  # porter sent for the patient
    ARRIVED = "arrived"  # patient at the operating department
    IN_ROOM = "in_room"
    ANAESTHESIA_START = "anaesthesia_start"
    INCISION = "incision"
    CLOSURE = "closure"
    OUT_OF_ROOM = "out_of_room"
    ROOM_READY = "room_ready"  # cleaned and prepared for the next case
    CANCELLED = "cancelled"
    EMERGENCY_REQUESTED = "emergency_requested"


#: Order of the in-room milestones of one case.
CASE_MILESTONES = (
    EventKind.CALLED,
    EventKind.ARRIVED,
    EventKind.IN_ROOM,
    EventKind.ANAESTHESIA_START,
    EventKind.INCISION,
    EventKind.CLOSURE,
    EventKind.OUT_OF_ROOM,
)
#: the milestones recorded in the room (by one system, on one clock): their times follow the
#: order above. Calling and arrival are left out: porters and reception report them on other
#: clocks, and a patient may arrive before anyone is called.
IN_ROOM_MILESTONES = CASE_MILESTONES[CASE_MILESTONES.index(EventKind.IN_ROOM):]


@dataclass(frozen=True, slots=True)
class Event:
    """One milestone. ``id`` makes events idempotent; ``at`` is timezone-aware."""

    id: str
    kind: EventKind
    at: datetime
    case_id: str | None = None
    room_id: str | None = None
    reason: CancellationReason | None = None
    source: str = "live"

    def __post_init__(self) -> None:
        require_id(self.id, "event.id")
        require(isinstance(self.kind, EventKind), f"event[{self.id}].kind", self.kind, "unknown kind")
        require(self.at.tzinfo is not None, f"event[{self.id}].at", self.at, "must be timezone-aware")
        require(self.kind is not EventKind.CANCELLED or self.reason is not None,
                f"event[{self.id}].reason", self.reason, "a cancellation needs a reason")
        require(self.kind is EventKind.ROOM_READY or self.kind is EventKind.EMERGENCY_REQUESTED
                or self.case_id is not None, f"event[{self.id}].case_id", self.case_id,
                f"a {self.kind} event needs a case")


def out_of_order(known: Mapping[EventKind, datetime],
                 events: Iterable[Event]) -> tuple[Event, EventKind, datetime] | None:
    """The last of one case's ``events`` stamped before an earlier in-room milestone or after
    a later one (by the earliest time of each, among ``known`` and ``events``), with that
    milestone and its time; None when they are in order. (Of two events of a batch that
    disagree, the later one in the batch is named.) Arrival order does not matter: an
    ``out_of_room`` may arrive before its ``in_room``, but not be stamped before it."""
    rank = {kind: i for i, kind in enumerate(IN_ROOM_MILESTONES)}
    events = [e for e in events if e.kind in rank]
    earliest = {k: t for k, t in known.items() if k in rank}
    for e in events:
        if e.kind not in earliest or e.at < earliest[e.kind]:
            earliest[e.kind] = e.at
    for e in reversed(events):
        for kind, at in earliest.items():
            if (rank[kind] < rank[e.kind] and at > e.at) or \
                    (rank[kind] > rank[e.kind] and at < e.at):
                return e, kind, at
    return None
