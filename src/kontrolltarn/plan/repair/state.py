"""The program by session as mutable state, with the resources it uses, so a repair can ask
quickly whether one more entry keeps every hard rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from kontrolltarn.model import (
    EmergencyRequest,
    Hospital,
    Procedure,
    Program,
    ProgramEntry,
    Referral,
    Session,
    Staff,
)
from kontrolltarn.plan.intervals import peak_use


class PlanState:
    """The program by session with the resources it uses, for quick feasibility tests."""

    def __init__(self, hospital: Hospital, program: Program) -> None:
        self.h = hospital
        self.by_session: dict[str, list[ProgramEntry]] = defaultdict(list)
        for e in program.entries:
            self.by_session[e.session_id].append(e)
        for entries in self.by_session.values():
            entries.sort(key=lambda e: (e.start_min, e.order))
        self._days: dict[date, list[ProgramEntry]] = {}

    # lookups
    def item(self, case_id: str) -> Referral | EmergencyRequest:
        return self.h.referral_by_id.get(case_id) or self.h.emergency_by_id[case_id]

    def procedure(self, case_id: str) -> Procedure:
        return self.h.procedure_by_id[self.item(case_id).procedure_code]

    def turnover(self, case_id: str) -> int:
        return self.h.specialty_by_id[self.item(case_id).specialty_id].turnover_min

    def location(self, session: Session) -> str:
        return self.h.room_by_id[session.room_id].location_id

    def entries(self) -> list[ProgramEntry]:
        return [e for es in self.by_session.values() for e in es]

    def find(self, case_id: str) -> ProgramEntry | None:
        for es in self.by_session.values():
            for e in es:
                if e.case_id == case_id:
                    return e
        return None

    def day_entries(self, day: date) -> list[ProgramEntry]:
        if day not in self._days:
            self._days[day] = [e for es in self.by_session.values() for e in es if e.date == day]
        return self._days[day]

    # changes
    def remove(self, entry: ProgramEntry) -> None:
        self.by_session[entry.session_id] = [e for e in self.by_session[entry.session_id]
                                             if e.case_id != entry.case_id]
        self._days.pop(entry.date, None)

    def put(self, entry: ProgramEntry) -> None:
        entries = [e for e in self.by_session[entry.session_id] if e.case_id != entry.case_id]
        entries.append(entry)
        entries.sort(key=lambda e: (e.start_min, e.order))
        self.by_session[entry.session_id] = [replace(e, order=i) for i, e in enumerate(entries, 1)]
        self._days.pop(entry.date, None)

    # feasibility of one new entry against the rest of the program
    def fits(self, entry: ProgramEntry, surgeon: Staff, *, emergency: bool = False,
             allowed_over: int = 0, ignore: Iterable[str] = ()) -> bool:
        """Whether ``entry`` keeps every hard rule of ``plan.check`` given the rest of the
        program (``ignore``: cases about to move, not counted)."""
        h = self.h
        session = h.session_by_id[entry.session_id]
        room = h.room_by_id[session.room_id]
        item = self.item(entry.case_id)
        proc = h.procedure_by_id[item.procedure_code]
        skip = set(ignore) | {entry.case_id}
        if session.emergency and not emergency:
            return False
        if session.specialty_id is not None and session.specialty_id != item.specialty_id:
            return False
        if not h.room_takes(room, proc) or not h.can_operate(surgeon, proc):
            return False
        if not surgeon.available_on(session.date):
            return False
        if surgeon.location_ids and room.location_id not in surgeon.location_ids:
            return False
        limit = session.end_min + min(allowed_over, h.allowed_overtime_min)
        if entry.start_min < session.start_min or entry.end_min > limit:
            return False
        if isinstance(item, Referral) and not item.ready:
            return False
        others = [e for e in self.by_session[session.id] if e.case_id not in skip]
        for e in others:  # room: no overlap, turnover both ways
            if e.start_min < entry.end_min + self.turnover(entry.case_id) and \
                    entry.start_min < e.end_min + self.turnover(e.case_id):
                return False
        day = self.day_entries(session.date)
        for e in day:  # surgeon: one patient at a time
            if e.case_id not in skip and e.surgeon_id == surgeon.id and \
                    e.start_min < entry.end_min and entry.start_min < e.end_min:
                return False
        location = room.location_id
        capacity = {k.value: v for k, v in h.location_by_id[location].post_op_beds.items()}
        bed = proc.bed_type.value
        if bed in capacity:  # every case at the location needs its bed, emergencies too
            used = sum(1 for e in day if e.case_id not in skip
                       and self.location(h.session_by_id[e.session_id]) == location
                       and self.procedure(e.case_id).bed_type.value == bed)
            if used + 1 > capacity[bed]:
                return False
        for eq in proc.equipment:
            kind = h.equipment_by_id[eq]
            if not kind.mobile or eq in room.equipment:
                continue
            count = kind.count_per_location.get(location, 0)
            overlapping = [e for e in day if e.case_id not in skip
                           and self.location(h.session_by_id[e.session_id]) == location
                           and eq in self.procedure(e.case_id).equipment
                           and eq not in h.room_by_id[e.room_id].equipment
                           and e.start_min < entry.end_min and entry.start_min < e.end_min]
            if peak_use([(e.start_min, e.end_min) for e in overlapping],
                        entry.start_min, entry.end_min) >= count:
                return False
        return True

    def surgeon_for(self, entry: ProgramEntry, case_id: str, session: Session,
                    *, emergency: bool = False, ignore: Iterable[str] = (),
                    allowed_over: int = 0) -> Staff | None:
        """The case's named surgeon; else a surgeon already in the session; else anyone free
        (``allowed_over``: minutes the entry may run past the staffed end, as in ``fits``)."""
        h = self.h
        item = self.item(case_id)
        named = item.surgeon_id if isinstance(item, Referral) else None
        if named is not None:
            surgeon = h.staff_by_id[named]
            return surgeon if self.fits(entry, surgeon, emergency=emergency, ignore=ignore,
                                        allowed_over=allowed_over) else None
        ids = [e.surgeon_id for e in self.by_session[session.id]]
        ids += [s.id for s in h.surgeons(item.specialty_id)
                if not any(e.surgeon_id == s.id for e in self.day_entries(session.date))]
        ids += [s.id for s in h.surgeons(item.specialty_id)]
        seen: set[str] = set()
        for sid in ids:
            if sid in seen:
                continue
            seen.add(sid)
            surgeon = h.staff_by_id[sid]
            if self.fits(replace(entry, surgeon_id=sid), surgeon, emergency=emergency, ignore=ignore,
                         allowed_over=allowed_over):
                return surgeon
        return None
