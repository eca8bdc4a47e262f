"""The hospital in the store: a whole hospital round-trips to an equal one (SQLite and
PostgreSQL), case histories are append-only, and a refused save changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from kontrolltarn.model import (
    CancellationReason,
    Case,
    CaseChange,
    ChangeKind,
    EmergencyRequest,
    Hospital,
    ModelError,
    Urgency,
)
from kontrolltarn.store import Store
from kontrolltarn.store.tables import AuditRow
from kontrolltarn.synth import generate

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def hospital() -> Hospital:
    """The small synthetic hospital with cases (with histories) and an emergency added, so
    every kind of entity the store holds is present."""
    base = generate(scale="small", seed=3).hospital
    first, second = base.referrals[:2]
    day = base.today + timedelta(days=3)
    cases = (
        Case(first.id, (CaseChange(T0, ChangeKind.SCHEDULED, new_date=day, by="planner"),
                        CaseChange(T0 + timedelta(hours=1), ChangeKind.TOLD, new_date=day,
                                   by="koordinator", note="by letter"))),
        Case(second.id, (CaseChange(T0, ChangeKind.SCHEDULED, new_date=day),
                         CaseChange(T0 + timedelta(days=1), ChangeKind.CANCELLED,
                                    old_date=day, reason=CancellationReason.NO_BED))),
    )
    emergency = EmergencyRequest("EM1", base.patients[5].id, first.procedure_code,
                                 first.specialty_id, base.locations[0].id, Urgency.WITHIN_6H,
                                 T0, 90)
    return base.replace(cases=cases, emergencies=(emergency,))


def test_a_hospital_round_trips_to_an_equal_one(store: Store, hospital: Hospital) -> None:
    assert store.hospital.load() is None and store.hospital.revision() == 0
    assert store.hospital.save(hospital, by="test") == 1
    loaded = store.hospital.load()
    assert loaded == hospital
    assert loaded is not None and loaded.cases[1].status.value == "cancelled"
    # a second save replaces; the same hospital stays equal and the revision moves on
    assert store.hospital.save(hospital, by="test") == 2
    assert store.hospital.load() == hospital


def test_case_history_is_append_only(store: Store, hospital: Hospital) -> None:
    store.hospital.save(hospital, by="test")
    case = hospital.cases[0]
    later = case.record(CaseChange(T0 + timedelta(days=2), ChangeKind.DONE, by="theatre"))
    grown = hospital.replace(cases=(later, *hospital.cases[1:]))
    store.hospital.save(grown, by="test")
    assert store.hospital.load() == grown
    # a hospital whose history does not continue the stored one is refused, and nothing moves
    rewritten = hospital.replace(cases=(Case(case.referral_id, case.history[:1]),
                                        *hospital.cases[1:]))
    with pytest.raises(ModelError, match="append-only"):
        store.hospital.save(rewritten, by="test")
    assert store.hospital.load() == grown and store.hospital.revision() == 2


def test_a_failed_import_changes_nothing(store: Store, hospital: Hospital) -> None:
    store.import_hospital(hospital, "koordinator", "coordinator", "first.json")
    audited = _audit_rows(store)
    # the second import has fewer sessions and another name (entity rows are replaced first)
    # but would rewrite a case's history: refused late, and the whole transaction rolls back
    case = hospital.cases[0]
    broken = hospital.replace(name="Renamed", sessions=hospital.sessions[:3],
                              cases=(Case(case.referral_id, case.history[:1]),
                                     *hospital.cases[1:]))
    with pytest.raises(ModelError, match="append-only"):
        store.import_hospital(broken, "koordinator", "coordinator", "second.json")
    with pytest.raises(ModelError, match="cannot be dropped"):
        store.import_hospital(hospital.replace(cases=()), "koordinator", "coordinator", "x")
    assert store.hospital.load() == hospital
    assert store.hospital.revision() == 1 and _audit_rows(store) == audited


def _audit_rows(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AuditRow)).scalar_one())


def test_the_past_is_stored_with_an_import_once_and_all_or_nothing(store: Store,
                                                                    hospital: Hospital) -> None:
    """Past operations and bookings (what the prediction models learn from) round-trip equal;
    importing them again adds nothing; a refused import stores none of them."""
    syn = generate(scale="small", seed=3)
    operations, bookings = syn.history[:300], syn.bookings[:200]
    store.import_hospital(hospital, "koordinator", "coordinator", "first.json",
                          history=operations)
    assert store.history.operations() == tuple(sorted(operations, key=lambda o: (o.date, o.id)))
    assert store.history.add(operations, bookings) == len(bookings)
    assert store.history.bookings() == tuple(sorted(bookings, key=lambda b: (b.date, b.id)))
    assert store.history.count() == 300 and store.history.count("booking") == 200
    case = hospital.cases[0]
    rewriting = hospital.replace(cases=(Case(case.referral_id, case.history[:1]),
                                        *hospital.cases[1:]))
    with pytest.raises(ModelError, match="append-only"):
        store.import_hospital(rewriting, "koordinator", "coordinator", "second.json",
                              history=syn.history[300:400])
    assert store.history.count() == 300
