"""The generator's calendar rules: operating days, staffed hours, which rooms are staffed and for
which specialty. The generated calendar and the simulator's continuation of it beyond the
generated horizon both follow them: a room is staffed on a day by a draw that depends only on
the room, the day and the scale; summer runs at half capacity; one room in five is shared and
goes to a related specialty on Fridays.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from kontrolltarn.model import Hospital, ModelError, Room, Session

from .scales import Scale

STAFFED_START = 8 * 60  # 08:00
STAFFED_END = 15 * 60 + 30  # 15:30
#: Share of days a surgeon does not operate (clinic, on call, leave, teaching)
SURGEON_AWAY_SHARE = 0.25
NORWEGIAN_HOLIDAYS = ((1, 1), (5, 1), (5, 17), (12, 24), (12, 25), (12, 26), (12, 31))


def is_operating_day(day: date) -> bool:
    """A weekday that is not a Norwegian public holiday with fixed date."""
    return day.weekday() < 5 and (day.month, day.day) not in NORWEGIAN_HOLIDAYS


def summer_factor(day: date) -> float:
    """Share of elective rooms open: Norwegian hospitals run about half capacity in July."""
    week = day.isocalendar().week
    if 28 <= week <= 31:
        return 0.5
    if week in (27, 32):
        return 0.8
    return 1.0


def room_is_staffed(room: Room, day: date, scale: Scale) -> bool:
    """Deterministic per (room, day, scale) so history, future and simulation agree."""
    if room.emergency:
        return True
    if not is_operating_day(day):
        return False
    draw = random.Random(f"{room.id}-{day.isoformat()}-{scale.name}").random()
    return draw < scale.staffed_share * summer_factor(day)


def specialty_on(room: Room, own: str, day: date) -> str:
    """A room belongs to one specialty (``own``); one room in five is shared and goes on Fridays
    to a related specialty in turn (the block schedule that coordinators keep today)."""
    others = sorted(room.specialties - {own})
    shared = int(room.id[-2:]) % 5 == 0
    if day.weekday() == 4 and others and shared:
        return others[(day.toordinal() // 7) % len(others)]
    return own


def calendar_sessions(rooms: Iterable[Room], own: Mapping[str, str], scale: Scale,
                      days: Iterable[date]) -> list[Session]:
    """The staffed sessions of ``rooms`` on ``days``; ``own`` is each elective room's specialty."""
    rooms = list(rooms)
    result: list[Session] = []
    for day in days:
        for room in rooms:
            if not room_is_staffed(room, day, scale):
                continue
            sid = f"S-{day:%Y%m%d}-{room.id}"
            if room.emergency:
                result.append(Session(sid, room.id, day, 0, 24 * 60, None, emergency=True))
            else:
                result.append(Session(sid, room.id, day, STAFFED_START, STAFFED_END,
                                      specialty_on(room, own[room.id], day)))
    return result


def room_specialties(hospital: Hospital) -> dict[str, str]:
    """Each elective room's own specialty: its most common session specialty Monday–Thursday."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for s in hospital.sessions:
        if not s.emergency and s.specialty_id is not None and s.date.weekday() < 4:
            seen[s.room_id][s.specialty_id] += 1
    own = {room_id: counts.most_common(1)[0][0] for room_id, counts in seen.items()}
    for room in hospital.rooms:
        if not room.emergency and room.id not in own:
            raise ModelError(f"room[{room.id}]", room.id,
                    "has no elective session to learn its specialty from")
    return own


def sessions_for(hospital: Hospital, scale: Scale, first: date, days: int) -> list[Session]:
    """All sessions from ``first`` for ``days`` days, by the generator's calendar rules, each
    room's specialty read from the hospital's calendar."""
    return calendar_sessions(hospital.rooms, room_specialties(hospital), scale,
                             (first + timedelta(days=k) for k in range(days)))
