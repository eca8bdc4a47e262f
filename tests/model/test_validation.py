"""Construction rejects impossible values with an error naming the field and the value."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from kontrolltarn.model import (
    Case,
    CaseChange,
    ChangeKind,
    Event,
    EventKind,
    LogNormal,
    ModelError,
    Patient,
    Priority,
    ProgramEntry,
    Referral,
    Room,
    Session,
    Specialty,
    Staff,
    StaffRole,
)
from tests.conftest import MONDAY, OSLO, tiny_hospital


def _raises(field_part: str, value_part: str, build) -> ModelError:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelError) as info:
        build()
    assert field_part in info.value.field
    assert value_part in repr(info.value.value) or value_part in str(info.value.value)
    assert field_part in str(info.value)
    return info.value


def test_negative_duration_rejected() -> None:
    _raises("median", "-5", lambda: LogNormal(-5, 0.3))


def test_negative_turnover_rejected() -> None:
    _raises("turnover_min", "-1", lambda: Specialty("ORT", "Ortopedi", -1))


def test_session_end_before_start_rejected() -> None:
    _raises("end_min", "400", lambda: Session("S1", "R1", MONDAY, 480, 400, "ORT"))


def test_booked_duration_must_be_positive() -> None:
    _raises("booked_min", "0", lambda: Referral("H1", "P1", "X", "ORT", MONDAY, Priority.P1,
                                                MONDAY, 0))


def test_deadline_before_referral_rejected() -> None:
    _raises("deadline", "2026-01-01", lambda: Referral("H1", "P1", "X", "ORT", MONDAY, Priority.P1,
                                                       date(2026, 1, 1), 60))


def test_asa_out_of_range_rejected() -> None:
    _raises("asa", "7", lambda: Patient("P1", date(1970, 1, 1), "F", 7, 25.0))


def test_empty_id_rejected() -> None:
    _raises("room.id", "''", lambda: Room("", "L1", "x", frozenset({"ORT"})))


@pytest.mark.parametrize("bad", ["0  0", " R1", "R1 ", "R\t1", "R\n1", "R\x001"])
def test_id_that_no_exchange_format_can_carry_is_rejected(bad: str) -> None:
    _raises("room.id", repr(bad), lambda: Room(bad, "L1", "x", frozenset({"ORT"})))


def test_id_with_single_spaces_and_slashes_is_kept() -> None:
    assert Room("Sentrum stue 4/B", "L1", "x", frozenset({"ORT"})).id == "Sentrum stue 4/B"


def test_surgeon_needs_specialty() -> None:
    _raises("specialty_id", "None", lambda: Staff("S1", "x", StaffRole.SURGEON))


def test_entry_order_must_be_positive() -> None:
    _raises("order", "0", lambda: ProgramEntry("H1", "S1", "R1", MONDAY, 480, 60, "K1", 0))


def test_naive_datetime_rejected() -> None:
    _raises("at", "datetime", lambda: Event("e1", EventKind.IN_ROOM, datetime(2026, 1, 1, 8), "H1"))


def test_cancellation_needs_reason() -> None:
    _raises("reason", "None", lambda: CaseChange(datetime(2026, 1, 1, tzinfo=OSLO),
                                                 ChangeKind.CANCELLED))


def test_unknown_reference_rejected() -> None:
    hospital = tiny_hospital()
    bad = dataclasses.replace(hospital.referrals[0], procedure_code="NOPE")
    _raises("procedure_code", "NOPE", lambda: hospital.replace(referrals=(bad, *hospital.referrals[1:])))


def test_unknown_room_of_session_rejected() -> None:
    hospital = tiny_hospital()
    bad = dataclasses.replace(hospital.sessions[0], room_id="R404")
    _raises("room_id", "R404", lambda: hospital.replace(sessions=(bad, *hospital.sessions[1:])))


def test_duplicate_id_rejected() -> None:
    hospital = tiny_hospital()
    _raises("referral.id", "H1", lambda: hospital.replace(
        referrals=(*hospital.referrals, hospital.referrals[0])))


def test_valid_tiny_hospital_builds() -> None:
    hospital = tiny_hospital()
    assert hospital.room_by_id["R1"].location_id == "L1"
    assert hospital.room_takes(hospital.room_by_id["R1"], hospital.procedure_by_id["NFB40"])
    assert not hospital.room_takes(hospital.room_by_id["R2"], hospital.procedure_by_id["NFB40"])


def test_changes_after_told_counts_only_date_changes_after_telling() -> None:
    t = [datetime(2026, 11, d, 9, tzinfo=OSLO) for d in range(1, 8)]
    case = Case("H1")
    case = case.record(CaseChange(t[0], ChangeKind.SCHEDULED, date(2026, 12, 1)))
    case = case.record(CaseChange(t[1], ChangeKind.RESCHEDULED, date(2026, 12, 2)))  # before told
    assert case.changes_after_told() == 0
    case = case.record(CaseChange(t[2], ChangeKind.TOLD, date(2026, 12, 2)))
    case = case.record(CaseChange(t[3], ChangeKind.RESCHEDULED, date(2026, 12, 2)))  # same date
    assert case.changes_after_told() == 0
    case = case.record(CaseChange(t[4], ChangeKind.RESCHEDULED, date(2026, 12, 9)))
    assert case.changes_after_told() == 1
    assert case.planned_date == date(2026, 12, 9)
    from kontrolltarn.model import CancellationReason, CaseStatus

    case = case.record(CaseChange(t[5], ChangeKind.CANCELLED, reason=CancellationReason.NO_BED))
    assert case.changes_after_told() == 2
    assert case.status is CaseStatus.CANCELLED
    assert case.planned_date is None


def test_history_must_be_in_time_order() -> None:
    later, earlier = datetime(2026, 11, 2, tzinfo=OSLO), datetime(2026, 11, 1, tzinfo=OSLO)
    _raises("history", "datetime", lambda: Case("H1", (CaseChange(later, ChangeKind.SCHEDULED),
                                                        CaseChange(earlier, ChangeKind.TOLD))))


def test_lognormal_quantiles_are_consistent() -> None:
    dist = LogNormal(100, 0.3)
    assert dist.quantile(0.5) == pytest.approx(100)
    assert dist.cdf(dist.quantile(0.9)) == pytest.approx(0.9)
    assert dist.mean > dist.median
