"""Today's practice, as a planner: fill each specialty's sessions in deadline order using the
surgeons' booked durations. No optimisation, no look-ahead, no duration distributions.

It is the honest yardstick every later planner must beat on the same input. It does what a
competent coordinator does by hand: only ready cases, the named surgeon when available,
equipment and beds respected, children first and infected cases last.
"""

from __future__ import annotations

from collections import ChainMap, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from kontrolltarn.model import (
    Hospital,
    Program,
    ProgramEntry,
    Referral,
    Session,
    Staff,
)
from kontrolltarn.plan.check import ProgramState


@dataclass(frozen=True)
class BaselineOptions:
    #: minutes left unbooked at the end of each session (0: fill to the staffed end, by bookings)
    buffer_min: int = 0
    #: also plan cases whose deadline is far away (coordinators fill sessions with whoever fits)
    only_due_within_days: int | None = None
    #: a session first offered to the cases whose deadline its date still meets (deadline
    #: order), then to those already past theirs (``deadline_met_order``)
    met_deadlines_first: bool = False


def plan_baseline(hospital: Hospital, first: date, days: int = 7,
                  options: BaselineOptions | None = None,
                  exclude: set[str] | None = None,
                  fixed: Sequence[tuple[ProgramEntry, Session, Referral]] = ()) -> Program:
    """A program for the sessions from ``first`` for ``days`` days. ``exclude`` holds referral ids
    already planned elsewhere (they are not offered again). ``fixed`` are cases already given
    a date in sessions outside ``hospital`` (with their session and referral): the program
    plans around them (their surgeons, beds and equipment count) and does not return them.
    Every hard rule is asked of ``plan.check``'s feasibility kernel."""
    opts = options or BaselineOptions()
    last = first + timedelta(days=days - 1)
    taken = set(exclude or ()) | {e.case_id for e, _, _ in fixed}
    queue = _waiting_by_specialty(hospital, taken)
    # surgeon, day -> session they operate in
    surgeon_day: dict[tuple[str, date], str] = {(e.surgeon_id, e.date): e.session_id for e, _, _ in fixed}
    state = ProgramState(hospital, [e for e, _, _ in fixed],
                         sessions=ChainMap({s.id: s for _, s, _ in fixed}, hospital.session_by_id),
                         referrals=ChainMap({r.id: r for _, _, r in fixed}, hospital.referral_by_id)) \
        if fixed else ProgramState(hospital)
    for session in hospital.sessions_between(first, last):
        if session.emergency or session.specialty_id is None:
            continue
        chosen = _fill_session(state, session, queue[session.specialty_id], surgeon_day, opts)
        placed = _sequence_and_place(state, session, chosen)
        for referral, _surgeon in chosen:
            if referral.id not in placed:  # could not be placed (equipment): give it back
                queue[session.specialty_id].insert(0, referral)
    program = state.program("baseline")
    if fixed:
        program = Program(tuple(e for e in program.entries if e.case_id not in taken), method=program.method)
    return program


def _waiting_by_specialty(hospital: Hospital, taken: set[str]) -> dict[str, list[Referral]]:
    queue: dict[str, list[Referral]] = defaultdict(list)
    for referral in hospital.referrals:
        if referral.id not in taken and referral.ready:
            queue[referral.specialty_id].append(referral)
    for referrals in queue.values():
        referrals.sort(key=lambda r: (r.deadline, r.referral_date, r.id))
    return queue


def deadline_met_order(waiting: Sequence[Referral], day: date) -> list[Referral]:
    """``waiting`` (in deadline order) with the cases whose deadline ``day`` still meets first:
    a date after a patient's deadline can no longer meet it (the breach has happened; the
    patient is offered another provider), a date on or before it still can. Each group keeps
    its order."""
    return sorted(waiting, key=lambda r: r.deadline < day)


def _fill_session(state: ProgramState, session: Session, waiting: list[Referral],
                  surgeon_day: dict[tuple[str, date], str],
                  opts: BaselineOptions) -> list[tuple[Referral, Staff]]:
    """The session's cases in deadline order while their booked minutes fit, each with a
    surgeon the kernel admits there and a post-operative bed left at the location."""
    hospital = state.hospital
    location_id = hospital.room_by_id[session.room_id].location_id
    turnover = hospital.specialty_by_id[session.specialty_id or ""].turnover_min
    capacity = session.staffed_min - opts.buffer_min
    used = 0
    chosen: list[tuple[Referral, Staff]] = []
    beds_chosen: dict[str, int] = defaultdict(int)  # chosen here, not yet timed and placed
    session_surgeon: Staff | None = None
    for referral in deadline_met_order(waiting, session.date) if opts.met_deadlines_first else list(waiting):
        if opts.only_due_within_days is not None and \
                (referral.deadline - session.date).days > opts.only_due_within_days:
            continue
        need = referral.booked_min + (turnover if chosen else 0)
        if used + need > capacity:
            continue
        bed = hospital.procedure_by_id[referral.procedure_code].bed_type.value
        left = state.beds_left(location_id, session.date, bed)
        if left is not None and beds_chosen[bed] + 1 > left:
            continue
        surgeon = _surgeon_for(state, referral, session, session_surgeon, surgeon_day)
        if surgeon is None:
            continue
        surgeon_day[(surgeon.id, session.date)] = session.id
        session_surgeon = session_surgeon or surgeon
        beds_chosen[bed] += 1
        chosen.append((referral, surgeon))
        waiting.remove(referral)
        used += need
    return chosen


def _surgeon_for(state: ProgramState, referral: Referral, session: Session,
                 session_surgeon: Staff | None,
                 surgeon_day: dict[tuple[str, date], str]) -> Staff | None:
    """The named surgeon if free that day; else the session's surgeon; else any free one. Free:
    the kernel admits the case in the session with them, and they operate in no other session
    that day (today's practice: one list per surgeon a day)."""
    def free(s: Staff) -> bool:
        elsewhere = surgeon_day.get((s.id, session.date))
        return elsewhere in (None, session.id) and state.admits(referral.id, session, s.id)

    hospital = state.hospital
    if referral.surgeon_id is not None:
        named = hospital.staff_by_id[referral.surgeon_id]
        return named if free(named) else None
    if session_surgeon is not None and free(session_surgeon):
        return session_surgeon
    for s in hospital.surgeons(referral.specialty_id):
        if free(s):
            return s
    return None


def _sequence_and_place(state: ProgramState, session: Session,
                        chosen: list[tuple[Referral, Staff]]) -> set[str]:
    """Children first, infected last, otherwise deadline order; then times back to back. A case
    the kernel refuses at its time (its mobile equipment all in use) is left out. Returns the
    ids placed."""
    hospital = state.hospital

    def child(r: Referral) -> bool:
        return hospital.patient_by_id[r.patient_id].age_on(session.date) < 16

    ordered = sorted(chosen, key=lambda t: (not child(t[0]), t[0].infected))
    turnover = hospital.specialty_by_id[session.specialty_id or ""].turnover_min
    clock = session.start_min
    placed: set[str] = set()
    for referral, surgeon in ordered:
        entry = ProgramEntry(referral.id, session.id, session.room_id, session.date, clock,
                             referral.booked_min, surgeon.id, len(placed) + 1)
        if not state.fits(entry):
            continue
        state.add(entry)
        placed.add(referral.id)
        clock = entry.end_min + turnover
    return placed
