"""A patient once told a date counts every later change of date (``kpi.changes_after_date``),
so the practices treat them as told even while their new date is not yet told."""

from __future__ import annotations

from datetime import date

from kontrolltarn.model import CancellationReason, ProgramEntry
from kontrolltarn.simulate.state import PlanState
from kontrolltarn.synth import SyntheticHospital


def test_a_patient_once_told_stays_told_through_a_new_untold_date(
        small_synthetic: SyntheticHospital) -> None:
    hospital = small_synthetic.hospital
    state = PlanState(hospital, list(hospital.sessions), [])
    sessions = [s for s in hospital.sessions if not s.emergency and s.specialty_id]
    first = sessions[0]
    later = next(s for s in sessions if s.specialty_id == first.specialty_id and s.date > first.date)
    told, never = [r for r in hospital.referrals if r.specialty_id == first.specialty_id][:2]

    def entry(referral_id: str, session_id: str, day: date, room: str, order: int) -> ProgramEntry:
        surgeon = hospital.surgeons(first.specialty_id)[0].id
        return ProgramEntry(referral_id, session_id, room, day, first.start_min + 30 * order, 20,
                            surgeon, order + 1)

    state.place(entry(told.id, first.id, first.date, first.room_id, 0), by="policy:test", tell=True)
    state.place(entry(never.id, first.id, first.date, first.room_id, 1), by="policy:test", tell=False)
    assert state.ever_told(told.id) and not state.ever_told(never.id)
    state.unschedule(told.id, by="patient", reason=CancellationReason.PATIENT)
    assert state.ever_told(told.id)  # back on the list
    state.place(entry(told.id, later.id, later.date, later.room_id, 0), by="policy:test", tell=False)
    assert state.planned[told.id].told_at is None and state.ever_told(told.id)
    assert not state.ever_told(never.id)
