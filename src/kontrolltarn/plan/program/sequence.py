"""Order and times of the cases in each session, and mobile equipment in time.

Cases run back to back from the session's start with the specialty's turnover between them, in
the order the sequencing rules give (local ``first_only`` procedures always first). Mobile
equipment is checked in time per location and day; when a session's order clashes with
equipment already in use, other orders are tried, and a case is given back to the waiting list
only when no order fits.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from kontrolltarn.model import Hospital, ProgramEntry, Session
from kontrolltarn.plan.intervals import peak_use

from .candidates import Candidate
from .rules import SessionRules

MAX_PERMUTATIONS = 720


@dataclass
class Placed:
    candidate: Candidate
    surgeon_id: str


EquipmentUse = dict[tuple[str, str, date], list[tuple[int, int]]]


def order_key(hospital: Hospital, session: Session, rules: tuple[str, ...],
              local: SessionRules) -> Callable[[Placed], tuple[float, ...]]:
    def key(p: Placed) -> tuple[float, ...]:
        r = p.candidate.referral
        parts: list[float] = [0 if r.procedure_code in local.first_only else 1]
        for rule in rules:
            if rule == "children_first":
                parts.append(0 if hospital.patient_by_id[r.patient_id].age_on(session.date) < 16 else 1)
            elif rule == "infected_last":
                parts.append(1 if r.infected else 0)
            elif rule == "long_first":
                parts.append(-p.candidate.moments.mean)
            elif rule == "short_first":
                parts.append(p.candidate.moments.mean)
            elif rule == "priority_first":
                parts.append(int(r.priority))
        return tuple(parts)
    return key


def place_session(hospital: Hospital, session: Session, turnover: int, placed: list[Placed],
                  rules: tuple[str, ...], local: SessionRules,
                  equipment_use: EquipmentUse) -> tuple[list[ProgramEntry], list[Placed]]:
    """Entries for one session and the cases that could not be placed (equipment)."""
    room = hospital.room_by_id[session.room_id]
    key = order_key(hospital, session, rules, local)
    preferred = sorted(placed, key=lambda p: (key(p), p.candidate.id))
    remaining = list(preferred)
    dropped: list[Placed] = []
    while remaining:
        for order in _orders(remaining):
            entries = _times(session, turnover, order)
            if _equipment_fits(hospital, room.location_id, room.equipment, session.date, order,
                               entries, equipment_use):
                _book_equipment(hospital, room.location_id, room.equipment, session.date, order,
                                entries, equipment_use)
                return entries, dropped
        # no order fits: give back the equipment case with the fewest points (the last one)
        needing = [p for p in remaining if _mobile(hospital, room.equipment, p)]
        victim = needing[-1] if needing else remaining[-1]
        remaining.remove(victim)
        dropped.append(victim)
    return [], dropped


def _orders(placed: list[Placed]) -> Iterator[list[Placed]]:
    """The preferred order first, then (only if needed) others by how far they stray from it."""
    first = list(placed)
    yield first
    if len(placed) <= 1:
        return
    others = []
    for count, perm in enumerate(itertools.permutations(placed)):
        if count >= MAX_PERMUTATIONS:
            break
        if list(perm) != first:
            others.append(list(perm))
    ranks = {id(p): i for i, p in enumerate(first)}
    others.sort(key=lambda perm: sum(abs(ranks[id(p)] - i) for i, p in enumerate(perm)))
    yield from others


def _times(session: Session, turnover: int, order: list[Placed]) -> list[ProgramEntry]:
    clock = session.start_min
    entries = []
    for position, p in enumerate(order, start=1):
        minutes = max(1, round(p.candidate.moments.mean))
        entries.append(ProgramEntry(p.candidate.id, session.id, session.room_id, session.date,
                                    clock, minutes, p.surgeon_id, position))
        clock += minutes + turnover
    return entries


def _mobile(hospital: Hospital, fixed: frozenset[str], p: Placed) -> list[str]:
    return [e for e in p.candidate.procedure.equipment
            if e not in fixed and hospital.equipment_by_id[e].mobile]


def _equipment_fits(hospital: Hospital, location_id: str, fixed: frozenset[str], day: date,
                    order: list[Placed], entries: list[ProgramEntry],
                    use: EquipmentUse) -> bool:
    for p, e in zip(order, entries, strict=True):
        for eq in _mobile(hospital, fixed, p):
            count = hospital.equipment_by_id[eq].count_per_location.get(location_id, 0)
            if peak_use(use[(eq, location_id, day)], e.start_min, e.end_min) >= count:
                return False
    return True


def _book_equipment(hospital: Hospital, location_id: str, fixed: frozenset[str], day: date,
                    order: list[Placed], entries: list[ProgramEntry], use: EquipmentUse) -> None:
    for p, e in zip(order, entries, strict=True):
        for eq in _mobile(hospital, fixed, p):
            use[(eq, location_id, day)].append((e.start_min, e.end_min))




def new_equipment_use() -> EquipmentUse:
    return defaultdict(list)
