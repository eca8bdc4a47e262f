"""Order and times of the cases in each session, judged by the feasibility kernel.

Cases run back to back from the session's start with the specialty's turnover between them, in
the order the sequencing rules give (local ``first_only`` procedures always first). Each timed
list is asked of ``plan.check``'s kernel against the program so far (above all: mobile
equipment in use at the location at the same time); when the preferred order is refused, other
orders are tried, and a case is given back to the waiting list only when no order fits.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kontrolltarn.model import Hospital, ProgramEntry, Session
from kontrolltarn.plan.check import ProgramState, SessionRules

from .candidates import Candidate

MAX_PERMUTATIONS = 720


@dataclass
class Placed:
    candidate: Candidate
    surgeon_id: str


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


def place_session(kernel: ProgramState, session: Session, turnover: int, placed: list[Placed],
                  rules: tuple[str, ...], local: SessionRules) -> tuple[list[ProgramEntry], list[Placed]]:
    """Entries for one session (the first order whose every entry the kernel accepts) and the
    cases that could not be placed. The kernel is left as it was: the caller adds the entries
    when it takes them."""
    hospital = kernel.hospital
    room = hospital.room_by_id[session.room_id]
    kernel.use_session(session)
    key = order_key(hospital, session, rules, local)
    preferred = sorted(placed, key=lambda p: (key(p), p.candidate.id))
    remaining = list(preferred)
    dropped: list[Placed] = []
    while remaining:
        for order in _orders(remaining):
            entries = _times(session, turnover, order)
            if _fits(kernel, entries):
                return entries, dropped
        # no order fits: give back the equipment case with the fewest points (the last one)
        needing = [p for p in remaining if _mobile(hospital, room.equipment, p)]
        victim = needing[-1] if needing else remaining[-1]
        remaining.remove(victim)
        dropped.append(victim)
    return [], dropped


def _fits(kernel: ProgramState, entries: list[ProgramEntry]) -> bool:
    """Whether the kernel accepts the entries one after the other (then takes them out again)."""
    added: list[str] = []
    try:
        for e in entries:
            if not kernel.fits(e):
                return False
            kernel.add(e)
            added.append(e.case_id)
        return True
    finally:
        for case_id in added:
            kernel.remove(case_id)


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
