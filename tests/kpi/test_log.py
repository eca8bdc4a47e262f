"""``ExecutionLog.of``: the one way a hospital's period (live or simulated) becomes the KPIs'
input."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from kontrolltarn import kpi
from kontrolltarn.model import Case, CaseChange, ChangeKind
from kontrolltarn.synth import generate


def test_a_log_takes_the_hospitals_parts_unless_given_others() -> None:
    hospital = generate(scale="small", seed=1).hospital
    day = hospital.today
    log = kpi.ExecutionLog.of(hospital, day, day + timedelta(days=1), iter(()))
    assert list(log.sessions) == list(hospital.sessions)
    assert dict(log.referrals) == hospital.referral_by_id
    assert list(log.emergencies) == list(hospital.emergencies)
    assert log.room_location == {r.id: r.location_id for r in hospital.rooms}
    assert log.timezone == hospital.timezone and (log.first, log.last) == (day, day + timedelta(1))
    # a simulation passes what it ran: those parts replace the hospital's, the rest stays
    ran = [s for s in hospital.sessions if s.date == day][:2]
    referral = hospital.referrals[0]
    done = Case(referral.id, (CaseChange(datetime.combine(day, time(12), log.zone), ChangeKind.DONE,
                                         new_date=day),))
    other = kpi.ExecutionLog.of(hospital, day, day, [], sessions=ran, cases=[done],
                                budget={referral.specialty_id: 4.0})
    assert list(other.sessions) == ran and list(other.cases) == [done]
    assert dict(other.referrals) == hospital.referral_by_id
    figures = kpi.headline(other)
    assert figures["elective_sessions"] == len([s for s in ran if not s.emergency])
    assert figures["elective_operations"] == 1
    assert figures["activity_against_budget"] == 0.25

