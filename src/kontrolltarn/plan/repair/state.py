"""The program being repaired: the feasibility kernel's ``ProgramState`` (``plan.check``), plus
what only a repair adds: the lists renumbered when a case goes in, the repair's own limit on
overtime, and a surgeon found for a case."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from kontrolltarn.model import (
    EmergencyRequest,
    Hospital,
    Program,
    ProgramEntry,
    Referral,
    Session,
    Staff,
)
from kontrolltarn.plan.check import LocalRules, ProgramState


class RepairState:
    """The program by session, asked through the kernel whether one more entry keeps every
    hard rule."""

    def __init__(self, hospital: Hospital, program: Program,
                 rules: LocalRules | None = None) -> None:
        self.kernel = ProgramState(hospital, program, rules=rules)

    @property
    def h(self) -> Hospital:
        return self.kernel.hospital

    @h.setter
    def h(self, hospital: Hospital) -> None:
        self.kernel.hospital = hospital

    # lookups
    def item(self, case_id: str) -> Referral | EmergencyRequest:
        return self.h.referral_by_id.get(case_id) or self.h.emergency_by_id[case_id]

    def turnover(self, case_id: str) -> int:
        return self.kernel.turnover(case_id)

    def location(self, session: Session) -> str:
        return self.h.room_by_id[session.room_id].location_id

    def entries(self) -> list[ProgramEntry]:
        return self.kernel.entries()

    def find(self, case_id: str) -> ProgramEntry | None:
        return self.kernel.find(case_id)

    def session_entries(self, session_id: str) -> list[ProgramEntry]:
        return self.kernel.session_entries(session_id)

    def day_entries(self, day: date) -> list[ProgramEntry]:
        return self.kernel.day_entries(day)

    # changes
    def remove(self, entry: ProgramEntry) -> None:
        if entry.case_id in self.kernel:
            self.kernel.remove(entry.case_id)

    def put(self, entry: ProgramEntry) -> None:
        """The entry in (moved if its case was elsewhere); its session's list renumbered."""
        self.kernel.add(entry)
        for i, e in enumerate(self.kernel.session_entries(entry.session_id), 1):
            if e.order != i:
                self.kernel.add(replace(e, order=i))

    # feasibility of one new entry against the rest of the program
    def fits(self, entry: ProgramEntry, surgeon: Staff, *, allowed_over: int = 0,
             ignore: Iterable[str] = ()) -> bool:
        """Whether ``entry``, operated by ``surgeon``, keeps every hard rule given the rest of the
        program (``ignore``: cases about to move, not counted) and ends within ``allowed_over``
        minutes past the staffed end (the repair's limit, at most the hospital's)."""
        return self.why_not(entry, surgeon, allowed_over=allowed_over, ignore=ignore) is None

    def why_not(self, entry: ProgramEntry, surgeon: Staff, *, allowed_over: int = 0,
                ignore: Iterable[str] = ()) -> tuple[str, str] | None:
        """The first rule ``entry`` would break (its ``plan.check`` name and detail), or None."""
        if entry.surgeon_id != surgeon.id:
            entry = replace(entry, surgeon_id=surgeon.id)
        session = self.kernel.session(entry.session_id)
        broken = self.kernel.violations(entry, ignore={entry.case_id, *ignore}, first=True)
        if broken:
            return broken[0].constraint, broken[0].detail
        if session is not None and \
                entry.end_min > session.end_min + min(allowed_over, self.h.allowed_overtime_min):
            return ("no hard rule (the repair's own limits)",
                    f"case {entry.case_id} would end at {entry.end_min} min, past what the "
                    f"repair allows in session {session.id}")
        return None

    def surgeon_for(self, entry: ProgramEntry, case_id: str, session: Session,
                    *, ignore: Iterable[str] = (), allowed_over: int = 0) -> Staff | None:
        """The case's named surgeon; else a surgeon already in the session; else anyone free
        (``allowed_over``: minutes the entry may run past the staffed end, as in ``fits``)."""
        h = self.h
        item = self.item(case_id)
        named = item.surgeon_id if isinstance(item, Referral) else None
        if named is not None:
            surgeon = h.staff_by_id[named]
            return surgeon if self.fits(entry, surgeon, ignore=ignore,
                                        allowed_over=allowed_over) else None
        ids = [e.surgeon_id for e in self.kernel.session_entries(session.id)]
        ids += [s.id for s in h.surgeons(item.specialty_id)
                if not self.kernel.surgeon_day(s.id, session.date)]
        ids += [s.id for s in h.surgeons(item.specialty_id)]
        seen: set[str] = set()
        for sid in ids:
            if sid in seen:
                continue
            seen.add(sid)
            surgeon = h.staff_by_id[sid]
            if self.fits(entry, surgeon, ignore=ignore, allowed_over=allowed_over):
                return surgeon
        return None
