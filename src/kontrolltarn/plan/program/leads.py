"""Who operates each elective session's unnamed cases on a day, and which sessions are released.

The lead surgeons of a day are chosen for all its locations at once, as one minimum-cost
assignment of surgeons to sessions. Chosen location by location, a surgeon who may work at
several locations went to the first location planned and left a later location's session of
the same specialty with nobody (seed 2's default week: 10 of its 13 empty sessions).

A session its own specialty cannot staff that day is released and refilled: it may take a
surgeon of another specialty the room takes, when that specialty has waiting cases the room can
do. Staffing a session with its own specialty always comes first; among equal choices a surgeon
named by waiting cases is used last (they are kept for their own patients, who may go in any
session) and one with more competences first (more unnamed cases are open to them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from kontrolltarn.model import Hospital, Session, Staff

from .candidates import Candidate

#: the cost of staffing a session with another specialty than its own (release and refill)
RELEASE_COST = 1_000.0
#: a surgeon named by waiting cases leads a session only when nobody else can
NAMED_COST = 10.0
_FORBIDDEN = 1e9


@dataclass(frozen=True)
class Lead:
    """The specialty that uses a session on the day and the surgeon for its unnamed cases."""

    session: Session
    specialty_id: str
    surgeon: Staff | None
    released: bool  # its own specialty could not staff it; refilled from another list


def assign_leads(hospital: Hospital, sessions: list[Session], own: Mapping[str, str],
                 waiting: Mapping[str, Iterable[Candidate]], named: set[str]) -> dict[str, Lead]:
    """A lead for each of the day's ``sessions`` (one date). ``own`` maps a session id to the
    specialty it belongs to (for an open session: the one chosen to refill it); ``waiting`` is
    each specialty's ready cases still unplanned; ``named``: surgeons named by such cases."""
    if not sessions:
        return {}
    day = sessions[0].date
    refill = _refill_options(hospital, sessions, own, waiting)
    surgeons = [s for s in hospital.surgeons() if s.available_on(day)]
    most_competences = max((len(s.competences) for s in surgeons), default=0)
    cost = np.full((len(sessions), max(1, len(surgeons))), _FORBIDDEN)
    for i, session in enumerate(sessions):
        location_id = hospital.room_by_id[session.room_id].location_id
        for j, surgeon in enumerate(surgeons):
            if surgeon.location_ids and location_id not in surgeon.location_ids:
                continue
            if surgeon.specialty_id == own[session.id]:
                base = 0.0
            elif surgeon.specialty_id in refill[session.id]:
                base = RELEASE_COST
            else:
                continue
            cost[i, j] = (base + NAMED_COST * (surgeon.id in named)
                          + (most_competences - len(surgeon.competences)))
    rows, cols = linear_sum_assignment(cost)
    chosen = {int(i): surgeons[int(j)] for i, j in zip(rows, cols, strict=True)
              if cost[i, j] < _FORBIDDEN}
    leads = {}
    for i, session in enumerate(sessions):
        lead = chosen.get(i)
        specialty_id = own[session.id] if lead is None else lead.specialty_id
        assert specialty_id is not None
        leads[session.id] = Lead(session, specialty_id, lead, specialty_id != own[session.id])
    return leads


def _refill_options(hospital: Hospital, sessions: list[Session], own: Mapping[str, str],
                    waiting: Mapping[str, Iterable[Candidate]]) -> dict[str, set[str]]:
    """Per session, the other specialties its room takes whose unnamed waiting cases include
    one the room can do."""
    codes = {specialty: {c.referral.procedure_code for c in cases if c.referral.surgeon_id is None}
             for specialty, cases in waiting.items()}
    result: dict[str, set[str]] = {}
    for session in sessions:
        room = hospital.room_by_id[session.room_id]
        result[session.id] = {
            specialty for specialty in room.specialties
            if specialty != own[session.id] and any(
                hospital.room_takes(room, hospital.procedure_by_id[code])
                for code in codes.get(specialty, ()))}
    return result
