"""What a policy is: the planning decisions (weekly program, daily re-plan, reaction to
disruptions) and the coordinator's rules during the day. Policies are pluggable: the simulator
calls these methods and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from kontrolltarn.model import CancellationReason, Referral

if TYPE_CHECKING:
    from .state import PlanState


@dataclass(frozen=True)
class CoordinatorRules:
    """Decisions taken in the day, by the coordinator on the floor."""

    #: start a case only if its estimated end is at most this many minutes past the staffed end;
    #: otherwise move it to another room with time left, or cancel it (and the rest of the list)
    overrun_tolerance_min: int = 30
    #: try another room of the same location and specialty before cancelling for overrun
    move_between_rooms: bool = True
    #: an urgent emergency that no emergency room can take in time goes into the next elective
    #: room of its location that finishes a case
    elective_rooms_take_emergencies: bool = True
    #: ... and so does an elective room whose list is done before its staffed end, until that
    #: end (its staff are there; needs the rooms' state at a glance: the board; today's
    #: practice sends an idle room's team to other work)
    idle_rooms_take_emergencies: bool = False
    #: a room closed on the morning (staff sick): move its cases to other rooms of the
    #: location with time left, same day, before cancelling (needs every room's free time at
    #: 07:00 at a glance: the board; today's practice cancels)
    move_from_closed_room: bool = False
    #: a list expected to end past its staffed end sends its last case to another elective
    #: room of the location that will otherwise stand idle, where it is expected to end within
    #: that room's staffed hours (same day: the patient keeps the date; needs every room's
    #: expected end at a glance: the board; today's practice moves only lists past the tolerance)
    balance_between_rooms: bool = False


class Policy(Protocol):
    name: str
    rules: CoordinatorRules

    def estimate_min(self, referral: Referral) -> int:
        """In-room minutes the coordinator expects for a case (booked, or predicted)."""
        ...

    def plan(self, state: PlanState, day: date) -> None:
        """Called every day at 13:00 after the day's news: make programs, re-plan, tell patients."""
        ...

    def displaced(self, state: PlanState, day: date, case_ids: list[str],
                  reason: CancellationReason) -> None:
        """Planned cases (on future days) lost their slot: session closed, surgeon away."""
        ...
