"""The session calendar and surgeon availability for a simulated period of any length.

The generator builds 84 days of sessions; a year-long run needs more. The rules here are the
generator's (``synth.generator``): a room is staffed on a day by a draw that depends only on the
room, the day and the scale; summer runs at half capacity; one room in five is shared and goes
to a related specialty on Fridays. The room's own specialty is read from the generated calendar.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from kontrolltarn.model import Hospital, ModelError, Room, Session, StaffRole
from kontrolltarn.synth.generator import (
    STAFFED_END,
    STAFFED_START,
    SURGEON_AWAY_SHARE,
    is_operating_day,
    summer_factor,
)
from kontrolltarn.synth.scales import Scale


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


def _staffed(room: Room, day: date, scale: Scale) -> bool:
    if room.emergency:
        return True
    if not is_operating_day(day):
        return False
    draw = random.Random(f"{room.id}-{day.isoformat()}-{scale.name}").random()
    return draw < scale.staffed_share * summer_factor(day)


def _specialty_on(room: Room, own: str, day: date) -> str:
    others = sorted(room.specialties - {own})
    shared = int(room.id[-2:]) % 5 == 0
    if day.weekday() == 4 and others and shared:
        return others[(day.toordinal() // 7) % len(others)]
    return own


def sessions_for(hospital: Hospital, scale: Scale, first: date, days: int) -> list[Session]:
    """All sessions from ``first`` for ``days`` days, by the generator's calendar rules."""
    own = room_specialties(hospital)
    result: list[Session] = []
    for k in range(days):
        day = first + timedelta(days=k)
        for room in hospital.rooms:
            if not _staffed(room, day, scale):
                continue
            sid = f"S-{day:%Y%m%d}-{room.id}"
            if room.emergency:
                result.append(Session(sid, room.id, day, 0, 24 * 60, None, emergency=True))
            else:
                result.append(Session(sid, room.id, day, STAFFED_START, STAFFED_END,
                                      _specialty_on(room, own[room.id], day)))
    return result


@dataclass(frozen=True)
class Absence:
    """A surgeon away on ``day``; the planners learn of it on ``known_from``."""

    surgeon_id: str
    day: date
    known_from: date


def surgeon_absences(hospital: Hospital, first: date, days: int, seed: int,
                     short_notice_share: float) -> list[Absence]:
    """Surgeon absences over the period. Inside the generated horizon the hospital's own
    ``unavailable`` days are used; beyond it they are drawn with the generator's share. Both
    are known six weeks ahead (rotas are published early). On top, short-notice absences
    (illness) are known 0–3 days before."""
    rng = random.Random(f"kontrolltarn-sim-absence-{seed}")
    horizon_end = max((s.date for s in hospital.sessions), default=first)
    result: list[Absence] = []
    for person in hospital.staff:
        if person.role is not StaffRole.SURGEON:
            continue
        for k in range(days):
            day = first + timedelta(days=k)
            planned = day in person.unavailable if day <= horizon_end \
                else rng.random() < SURGEON_AWAY_SHARE
            sick = rng.random() < short_notice_share
            notice = rng.randint(0, 3)
            if planned:
                result.append(Absence(person.id, day, day - timedelta(days=42)))
            elif sick:
                result.append(Absence(person.id, day, day - timedelta(days=notice)))
    return result
