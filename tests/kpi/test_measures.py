"""Each KPI on a hand-built event log and plan history with a known answer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kontrolltarn import kpi
from kontrolltarn.model import (
    CancellationReason,
    Case,
    CaseChange,
    ChangeKind,
    EmergencyRequest,
    Event,
    EventKind,
    ModelError,
    Priority,
    Referral,
    Session,
    Urgency,
)

OSLO = ZoneInfo("Europe/Oslo")
DAY = date(2026, 3, 10)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=OSLO)


def ev(kind: EventKind, when: datetime, case: str | None, room: str = "R1",
       reason: CancellationReason | None = None) -> Event:
    return Event(f"{case}-{kind.value}-{when.isoformat()}", kind, when, case, room, reason, "test")


def referral(rid: str, referred: date, deadline: date, specialty: str = "ORT") -> Referral:
    return Referral(rid, f"P{rid}", "NFB40", specialty, referred, Priority.P2, deadline, 90)


def log(events=(), sessions=(), cases=(), referrals=None, emergencies=(), first=DAY, last=DAY,
        budget=None) -> kpi.ExecutionLog:
    return kpi.ExecutionLog(first, last, list(events), list(sessions), list(cases), referrals or {},
                            list(emergencies), {"R1": "SEN", "R2": "NOR"}, budget or {})


SESSION = Session("S1", "R1", DAY, 8 * 60, 10 * 60, "ORT")


def test_utilisation_counts_in_room_and_turnover_inside_staffed_hours() -> None:
    events = [ev(EventKind.IN_ROOM, at(DAY, 8, 30), "A"), ev(EventKind.OUT_OF_ROOM, at(DAY, 9, 30), "A"),
              ev(EventKind.ROOM_READY, at(DAY, 9, 50), "A")]
    result = kpi.utilisation(log(events, [SESSION]))
    assert result["utilisation_in_room"] == pytest.approx(60 / 120)
    assert result["utilisation_with_turnover"] == pytest.approx(80 / 120)
    assert result["idle_minutes"] == pytest.approx(40)
    assert result["overtime_minutes"] == 0


def test_overtime_is_time_after_staffed_end_and_flags_over_30_minutes() -> None:
    events = [ev(EventKind.IN_ROOM, at(DAY, 8, 0), "A"), ev(EventKind.OUT_OF_ROOM, at(DAY, 10, 45), "A")]
    result = kpi.utilisation(log(events, [SESSION]))
    assert result["overtime_minutes"] == pytest.approx(45)
    assert result["sessions_over_30_min_overtime"] == 1
    assert result["utilisation_in_room"] == pytest.approx(1.0)  # only staffed minutes count


def test_utilisation_by_location_and_specialty() -> None:
    other = Session("S2", "R2", DAY, 8 * 60, 10 * 60, "GAS")
    events = [ev(EventKind.IN_ROOM, at(DAY, 8, 0), "A"), ev(EventKind.OUT_OF_ROOM, at(DAY, 9, 0), "A")]
    by_location = kpi.utilisation_by(log(events, [SESSION, other]), "location")
    assert by_location["SEN"]["in_room"] == pytest.approx(0.5)
    assert by_location["NOR"]["in_room"] == 0
    assert set(kpi.utilisation_by(log(events, [SESSION, other]), "specialty")) == {"ORT", "GAS"}


def _case(rid: str, *changes: tuple[datetime, ChangeKind, date | None, CancellationReason | None]) -> Case:
    return Case(rid, tuple(CaseChange(t, k, d if k is not ChangeKind.CANCELLED else None,
                                      None, r) for t, k, d, r in changes))


def test_late_cancellation_is_leaving_the_day_after_16_the_day_before() -> None:
    before = DAY - timedelta(days=1)
    told = at(DAY - timedelta(days=20), 12)
    late = _case("L", (told, ChangeKind.SCHEDULED, DAY, None), (told, ChangeKind.TOLD, DAY, None),
                 (at(before, 17), ChangeKind.CANCELLED, None, CancellationReason.PATIENT))
    early = _case("E", (told, ChangeKind.SCHEDULED, DAY, None), (told, ChangeKind.TOLD, DAY, None),
                  (at(before, 15, 59), ChangeKind.UNSCHEDULED, None, CancellationReason.PATIENT))
    moved = _case("M", (told, ChangeKind.SCHEDULED, DAY, None),
                  (at(DAY, 7), ChangeKind.RESCHEDULED, DAY + timedelta(days=7), CancellationReason.NO_BED))
    same_day_room = _case("R", (told, ChangeKind.SCHEDULED, DAY, None),
                          (at(DAY, 11), ChangeKind.RESCHEDULED, DAY, None),
                          (at(DAY, 14), ChangeKind.DONE, DAY, None))
    counts = kpi.late_cancellations(log(cases=[late, early, moved, same_day_room]))
    assert counts == {CancellationReason.PATIENT: 1, CancellationReason.NO_BED: 1}


def test_changes_after_date_follow_the_case_rule_and_the_period() -> None:
    told = at(DAY - timedelta(days=30), 9)
    case = _case("C", (told, ChangeKind.SCHEDULED, DAY, None), (told, ChangeKind.TOLD, DAY, None),
                 (at(DAY - timedelta(days=10), 9), ChangeKind.RESCHEDULED, DAY + timedelta(days=1), None),
                 (at(DAY, 9), ChangeKind.CANCELLED, None, CancellationReason.STAFF),
                 (at(DAY, 13), ChangeKind.SCHEDULED, DAY + timedelta(days=14), None))
    assert case.changes_after_told() == 3
    whole = log(cases=[case], first=DAY - timedelta(days=60), last=DAY + timedelta(days=60))
    assert kpi.changes_after_date(whole) == 3
    assert kpi.changes_after_date(log(cases=[case])) == 2  # only changes made on DAY


def test_waiting_time_and_deadline_breach() -> None:
    ref_day = date(2026, 1, 1)
    refs = {"A": referral("A", ref_day, date(2026, 2, 1)), "B": referral("B", ref_day, date(2026, 6, 1))}
    done = [_case(rid, (at(date(2026, 1, 5), 9), ChangeKind.SCHEDULED, DAY, None),
                  (at(DAY, 10), ChangeKind.DONE, DAY, None)) for rid in refs]
    result = kpi.waiting(log(cases=done, referrals=refs))
    assert result["elective_operations"] == 2
    assert result["mean_wait_days"] == (DAY - ref_day).days
    assert result["deadline_breaches"] == 1


def test_emergency_delay_against_the_urgency_limit() -> None:
    requests = [EmergencyRequest("E1", "P1", "JEA01", "GAS", "SEN", Urgency.IMMEDIATE, at(DAY, 10), 60),
                EmergencyRequest("E2", "P2", "JEA01", "GAS", "SEN", Urgency.WITHIN_6H, at(DAY, 1), 60)]
    events = [ev(EventKind.IN_ROOM, at(DAY, 10, 20), "E1"), ev(EventKind.IN_ROOM, at(DAY, 8), "E2")]
    result = kpi.emergency_delay(log(events, emergencies=requests))
    assert result["emergency_immediate_mean_delay_min"] == pytest.approx(20)
    assert result["emergency_within_6h_within_limit_share"] == 0
    assert result["emergency_within_limit_share"] == pytest.approx(0.5)


def test_activity_against_budget() -> None:
    refs = {"A": referral("A", date(2026, 1, 1), date(2026, 6, 1))}
    done = [_case("A", (at(DAY, 7), ChangeKind.SCHEDULED, DAY, None),
                  (at(DAY, 10), ChangeKind.DONE, DAY, None))]
    result = kpi.activity_against_budget(log(cases=done, referrals=refs, budget={"ORT": 4.0}))
    assert result["ORT"] == {"operations": 1.0, "budget": 4.0, "share": 0.25}


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ModelError, match="log.last"):
        log(first=DAY, last=DAY - timedelta(days=1))
