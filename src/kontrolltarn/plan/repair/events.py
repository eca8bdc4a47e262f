"""The events a repair absorbs: what happened (or what a coordinator decided) to the program."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from typing import Union
from zoneinfo import ZoneInfo

from kontrolltarn.model import (
    CancellationReason,
    EmergencyRequest,
    Hospital,
    Program,
    ProgramEntry,
    Urgency,
)


@dataclass(frozen=True)
class LateCancellation:
    """A planned case leaves the program (patient ill, declined, …)."""

    case_id: str
    reason: CancellationReason = CancellationReason.PATIENT


@dataclass(frozen=True)
class EmergencyInsert:
    """An emergency must be operated; it is added to the hospital if not yet known."""

    emergency: EmergencyRequest


@dataclass(frozen=True)
class SurgeonAbsent:
    surgeon_id: str
    date: date


@dataclass(frozen=True)
class RoomClosed:
    room_id: str
    date: date


@dataclass(frozen=True)
class CaseOverrun:
    """A case is expected to take ``extra_min`` more minutes than planned."""

    case_id: str
    extra_min: int


@dataclass(frozen=True)
class MoveCase:
    """A coordinator's decision: the case goes to the end of another session's list (another
    room that day, or a later date), not before ``not_before_min`` (e.g. when the target room is
    expected to be free); refused when the target cannot take it."""

    case_id: str
    session_id: str
    not_before_min: int | None = None


@dataclass(frozen=True)
class SwapOrder:
    """A coordinator's decision: two cases of one session change places, ``first`` then goes
    before ``then``; the cases from the earlier place on start as early as the list allows."""

    first: str
    then: str


@dataclass(frozen=True)
class AddCase:
    """A coordinator's decision: a ready case from the waiting list takes free time at the end
    of a session's list (the freed time filled by phone), not before ``not_before_min`` and
    ending by ``until_min`` (default: the staffed end); refused when it would not fit."""

    case_id: str
    session_id: str
    not_before_min: int | None = None
    until_min: int | None = None


@dataclass(frozen=True)
class CloseUp:
    """A coordinator's decision: a session's list moves up into the time cases have left
    (back to back from the session's start, the order kept), so the free time is at its end
    where ``AddCase`` can fill it; a case that cannot start earlier (its surgeon busy, a rule)
    keeps its time and the cases after it follow from there. Same date: no patient's date
    changes."""

    session_id: str


#: what happened to the program (the first five) and what a coordinator decided (moves, swaps,
#: additions, closing up; an early cancellation is a ``LateCancellation`` without refill)
Event = Union[LateCancellation, EmergencyInsert, SurgeonAbsent, RoomClosed, CaseOverrun,  # noqa: UP007
              MoveCase, SwapOrder, AddCase, CloseUp]


def benchmark_events(hospital: Hospital, program: Program) -> list[tuple[str, Event]]:
    """One event of each kind on the program's busiest day (for benchmarks and demos)."""
    by_day: dict[date, list[ProgramEntry]] = defaultdict(list)
    for e in program.entries:
        if e.case_id in hospital.referral_by_id:
            by_day[e.date].append(e)
    if not by_day:
        return []
    day = max(by_day, key=lambda d: (len(by_day[d]), d))
    entries = sorted(by_day[day], key=lambda e: (e.room_id, e.start_min))
    first = entries[0]
    middle = entries[len(entries) // 2]
    surgeon = entries[len(entries) // 3].surgeon_id
    referral = hospital.referral_by_id[middle.case_id]
    location = hospital.room_by_id[middle.room_id].location_id
    patient = hospital.patients[0].id
    zone = ZoneInfo(hospital.timezone)
    em = EmergencyRequest("EM-BENCH-1", patient, referral.procedure_code, referral.specialty_id,
                          location, Urgency.WITHIN_6H, datetime.combine(day, clock_time(10, 0), tzinfo=zone),
                          120)
    return [
        ("cancellation", LateCancellation(middle.case_id)),
        ("emergency", EmergencyInsert(em)),
        ("surgeon_absent", SurgeonAbsent(surgeon, day)),
        ("room_closed", RoomClosed(first.room_id, day)),
        ("overrun", CaseOverrun(first.case_id, 90)),
    ]
