"""A simulated day as milestone events, for the demo, the benchmark and the alert evaluation.

A stand-in until ``kontrolltarn.simulate`` lands (it will emit the same Event stream): each room
runs its program in order with durations drawn from the procedures' distributions (the same ones
the forecaster uses, so alert figures measured on it are optimistic), a few patients do not come,
and when a case could not finish within the allowed overtime by its booking it is cancelled.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

from kontrolltarn.model import CancellationReason, Event, EventKind, Hospital, Program

from .forecast import Clock

NO_SHOW = 0.03
CALL_LEAD_MIN = 30


def simulate_day(hospital: Hospital, program: Program, day: date, seed: int = 0) -> list[Event]:
    """Every milestone event of ``day`` for the program's cases, in time order."""
    rng = random.Random(seed)
    clock = Clock(day, hospital.timezone)
    sessions = {s.id: s for s in hospital.sessions if s.date == day}
    events: list[Event] = []
    by_room: dict[str, list] = defaultdict(list)
    for entry in program.entries:
        if entry.date == day:
            by_room[entry.room_id].append(entry)

    def emit(kind: EventKind, minute: float, case_id: str | None, room_id: str,
             reason: CancellationReason | None = None) -> None:
        ident = f"sim-{day.isoformat()}-{case_id or room_id}-{kind.value}-{len(events)}"
        events.append(Event(ident, kind, clock.at(minute), case_id=case_id, room_id=room_id,
                            reason=reason, source="simulated"))

    for room_id, entries in sorted(by_room.items()):
        entries.sort(key=lambda e: (e.order, e.start_min))
        session = sessions.get(entries[0].session_id)
        end = session.end_min if session else entries[-1].end_min
        free = float(session.start_min if session else entries[0].start_min)
        for entry in entries:
            if rng.random() < NO_SHOW:
                emit(EventKind.CANCELLED, entry.start_min - 120, entry.case_id, room_id,
                     CancellationReason.PATIENT)
                continue
            if free + entry.planned_min > end + hospital.allowed_overtime_min:
                emit(EventKind.CANCELLED, free, entry.case_id, room_id, CancellationReason.CAPACITY)
                continue
            referral = hospital.referral_by_id.get(entry.case_id)
            if referral is not None:
                dist = hospital.procedure_by_id[referral.procedure_code].duration
                duration = dist.median * pow(2.718281828, dist.sigma * rng.gauss(0, 1))
                turnover = hospital.specialty_by_id[referral.specialty_id].turnover_min
            else:
                duration, turnover = float(entry.planned_min), 25
            start = free
            emit(EventKind.CALLED, start - CALL_LEAD_MIN, entry.case_id, room_id)
            emit(EventKind.ARRIVED, start - CALL_LEAD_MIN + 15 + rng.uniform(0, 10), entry.case_id,
                 room_id)
            emit(EventKind.IN_ROOM, start, entry.case_id, room_id)
            emit(EventKind.ANAESTHESIA_START, start + min(10, duration * 0.1), entry.case_id,
                 room_id)
            emit(EventKind.INCISION, start + duration * 0.25, entry.case_id, room_id)
            emit(EventKind.CLOSURE, start + duration - min(15, duration * 0.1), entry.case_id,
                 room_id)
            emit(EventKind.OUT_OF_ROOM, start + duration, entry.case_id, room_id)
            free = start + duration + turnover
            emit(EventKind.ROOM_READY, free, None, room_id)
    events.sort(key=lambda e: (e.at, e.id))
    return events
