"""Today's practice, as a planner: fill each specialty's sessions in deadline order using the
surgeons' booked durations. No optimisation, no look-ahead, no duration distributions.

It is the honest yardstick every later planner must beat on the same input. It does what a
competent coordinator does by hand: only ready cases, the named surgeon when available,
equipment and beds respected, children first and infected cases last.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from kontrolltarn.model import (
    Hospital,
    Procedure,
    Program,
    ProgramEntry,
    Referral,
    Session,
    Staff,
)
from kontrolltarn.plan.intervals import peak_use


@dataclass(frozen=True)
class BaselineOptions:
    #: minutes left unbooked at the end of each session (0: fill to the staffed end, by bookings)
    buffer_min: int = 0
    #: also plan cases whose deadline is far away (coordinators fill sessions with whoever fits)
    only_due_within_days: int | None = None


def plan_baseline(hospital: Hospital, first: date, days: int = 7,
                  options: BaselineOptions | None = None,
                  exclude: set[str] | None = None) -> Program:
    """A program for the sessions from ``first`` for ``days`` days. ``exclude`` holds referral ids
    already planned elsewhere (they are not offered again)."""
    opts = options or BaselineOptions()
    last = first + timedelta(days=days - 1)
    taken = set(exclude or ())
    queue = _waiting_by_specialty(hospital, taken)
    surgeon_day: dict[tuple[str, date], str] = {}  # surgeon, day -> session they operate in
    equipment_use: dict[tuple[str, str, date], list[tuple[int, int]]] = defaultdict(list)
    beds_used: dict[tuple[str, date, str], int] = defaultdict(int)
    entries: list[ProgramEntry] = []
    for session in hospital.sessions_between(first, last):
        if session.emergency or session.specialty_id is None:
            continue
        chosen = _fill_session(hospital, session, queue[session.specialty_id], surgeon_day,
                               beds_used, opts)
        placed = _sequence_and_place(hospital, session, chosen, equipment_use)
        for referral, _surgeon, _ in chosen:
            if referral.id not in {e.case_id for e in placed}:
                # could not be placed (equipment): give it back, with its bed
                queue[session.specialty_id].insert(0, referral)
                proc = hospital.procedure_by_id[referral.procedure_code]
                room = hospital.room_by_id[session.room_id]
                beds_used[(room.location_id, session.date, proc.bed_type.value)] -= 1
        entries.extend(placed)
    return Program(tuple(entries), method="baseline")


def _waiting_by_specialty(hospital: Hospital, taken: set[str]) -> dict[str, list[Referral]]:
    queue: dict[str, list[Referral]] = defaultdict(list)
    for referral in hospital.referrals:
        if referral.id not in taken and referral.ready:
            queue[referral.specialty_id].append(referral)
    for referrals in queue.values():
        referrals.sort(key=lambda r: (r.deadline, r.referral_date, r.id))
    return queue


def _fill_session(hospital: Hospital, session: Session, waiting: list[Referral],
                  surgeon_day: dict[tuple[str, date], str],
                  beds_used: dict[tuple[str, date, str], int],
                  opts: BaselineOptions) -> list[tuple[Referral, Staff, Procedure]]:
    room = hospital.room_by_id[session.room_id]
    location = hospital.location_by_id[room.location_id]
    bed_capacity = {k.value: v for k, v in location.post_op_beds.items()}
    turnover = hospital.specialty_by_id[session.specialty_id or ""].turnover_min
    capacity = session.staffed_min - opts.buffer_min
    used = 0
    chosen: list[tuple[Referral, Staff, Procedure]] = []
    session_surgeon: Staff | None = None
    for referral in list(waiting):
        if opts.only_due_within_days is not None and \
                (referral.deadline - session.date).days > opts.only_due_within_days:
            continue
        need = referral.booked_min + (turnover if chosen else 0)
        if used + need > capacity:
            continue
        proc = hospital.procedure_by_id[referral.procedure_code]
        if not hospital.room_takes(room, proc):
            continue
        bed_key = (room.location_id, session.date, proc.bed_type.value)
        if beds_used[bed_key] + 1 > bed_capacity.get(proc.bed_type.value, 10**9):
            continue
        surgeon = _surgeon_for(hospital, referral, proc, session, session_surgeon, surgeon_day)
        if surgeon is None:
            continue
        surgeon_day[(surgeon.id, session.date)] = session.id
        session_surgeon = session_surgeon or surgeon
        beds_used[bed_key] += 1
        chosen.append((referral, surgeon, proc))
        waiting.remove(referral)
        used += need
    return chosen


def _surgeon_for(hospital: Hospital, referral: Referral, proc: Procedure, session: Session,
                 session_surgeon: Staff | None,
                 surgeon_day: dict[tuple[str, date], str]) -> Staff | None:
    """The named surgeon if free that day; else the session's surgeon; else any free one."""
    def free(s: Staff) -> bool:
        elsewhere = surgeon_day.get((s.id, session.date))
        return s.available_on(session.date) and elsewhere in (None, session.id) \
            and hospital.can_operate(s, proc)

    if referral.surgeon_id is not None:
        named = hospital.staff_by_id[referral.surgeon_id]
        return named if free(named) else None
    if session_surgeon is not None and free(session_surgeon):
        return session_surgeon
    room = hospital.room_by_id[session.room_id]
    for s in hospital.surgeons(referral.specialty_id):
        if free(s) and (not s.location_ids or room.location_id in s.location_ids):
            return s
    return None


def _sequence_and_place(hospital: Hospital, session: Session,
                        chosen: list[tuple[Referral, Staff, Procedure]],
                        equipment_use: dict[tuple[str, str, date], list[tuple[int, int]]],
                        ) -> list[ProgramEntry]:
    """Children first, infected last, otherwise deadline order; then times back to back. A case
    whose mobile equipment is all in use at its time is left out."""
    room = hospital.room_by_id[session.room_id]

    def child(r: Referral) -> bool:
        return hospital.patient_by_id[r.patient_id].age_on(session.date) < 16

    ordered = sorted(chosen, key=lambda t: (not child(t[0]), t[0].infected))
    turnover = hospital.specialty_by_id[session.specialty_id or ""].turnover_min
    clock = session.start_min
    placed: list[ProgramEntry] = []
    for referral, surgeon, proc in ordered:
        start, end = clock, clock + referral.booked_min
        mobile = [e for e in proc.equipment
                  if e not in room.equipment and hospital.equipment_by_id[e].mobile]
        if any(peak_use(equipment_use[(e, room.location_id, session.date)], start, end)
               >= hospital.equipment_by_id[e].count_per_location.get(room.location_id, 0)
               for e in mobile):
            continue
        for e in mobile:
            equipment_use[(e, room.location_id, session.date)].append((start, end))
        placed.append(ProgramEntry(referral.id, session.id, session.room_id, session.date, start,
                                   referral.booked_min, surgeon.id, len(placed) + 1))
        clock = end + turnover
    return placed
