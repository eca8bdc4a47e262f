"""Live KPIs: every change of a case's plan and every finished case reach the case's stored
history (``model.CaseChange``), and GET /api/kpi gives ``kpi.headline`` of the same log, on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from kontrolltarn import kpi
from kontrolltarn.model import CancellationReason, ChangeKind, EventKind, Program
from kontrolltarn.service import Runtime, create_app
from kontrolltarn.service.auth import Principal, Role
from kontrolltarn.simulate.replay import play_day
from kontrolltarn.synth.truth import Truth

from .conftest import auth_headers


def _history(rt: Runtime, case_id: str) -> list[ChangeKind]:
    hospital = rt.store.hospital.load()
    assert hospital is not None
    return [c.kind for c in hospital.case_by_id[case_id].history]


def test_plan_changes_and_finished_cases_are_case_history_and_live_kpis_are_kpis(
        rt: Runtime) -> None:
    coordinator = Principal("coordinator", Role.COORDINATOR)
    plans = rt.store.plans.day(rt.day)
    # the day's program put every case on the day
    assert all(_history(rt, p.case_id) == [ChangeKind.SCHEDULED] for p in plans)
    program = Program(tuple(p.entry for p in plans))
    events = play_day(rt.hospital, program, rt.day, truth=Truth.of_hospital(rt.hospital), seed=4)
    done = {e.case_id for e in events if e.kind is EventKind.OUT_OF_ROOM and e.case_id}
    waiting = [p for p in plans if p.case_id not in done]
    assert done and waiting
    # a coordinator's retiming is a RESCHEDULED on the same day; a cancellation a CANCELLED
    moved, struck = waiting[0], waiting[-1]
    rt.change_case(moved.case_id, moved.version, {"start_min": moved.start_min + 5},
                   coordinator, why="surgeon late")
    rt.change_case(struck.case_id, struck.version, {"status": "cancelled"}, coordinator,
                   why="no bed", reason=CancellationReason.NO_BED)
    assert _history(rt, moved.case_id) == [ChangeKind.SCHEDULED, ChangeKind.RESCHEDULED]
    assert _history(rt, struck.case_id) == [ChangeKind.SCHEDULED, ChangeKind.CANCELLED]
    hospital = rt.store.hospital.load()
    assert hospital is not None
    change = hospital.case_by_id[moved.case_id].history[-1]
    assert (change.by, change.note, change.new_date, change.old_date) == \
        ("coordinator", "surgeon late", rt.day, rt.day)
    cancelled = hospital.case_by_id[struck.case_id].history[-1]
    assert (cancelled.reason, cancelled.old_date, cancelled.new_date) == \
        (CancellationReason.NO_BED, rt.day, None)
    # the feed: each case out of the room is DONE once, however often the events arrive
    assert len(rt.ingest(events).new) == len(events)
    assert rt.ingest(events).duplicates == len(events)
    for case_id in done:
        assert _history(rt, case_id).count(ChangeKind.DONE) == 1

    with TestClient(create_app(rt, background=False)) as client:
        reply = client.get(f"/api/kpi?first={rt.day}&last={rt.day}",
                           headers=auth_headers(client, "leader"))
        assert reply.status_code == 200, reply.text
        live = reply.json()
        log = kpi.ExecutionLog.of(rt.store.hospital.load(), rt.day, rt.day,  # type: ignore[arg-type]
                                  [e for _, e in rt.store.events.read()])
        assert live["headline"] == kpi.headline(log)
        assert live["utilisation_by_location"] == kpi.utilisation_by(log, "location")
        assert live["headline"]["elective_operations"] == len(done)
        assert live["headline"]["late_cancellations_no_bed"] == 1
        assert live["headline"]["utilisation_in_room"] > 0
        # who may ask, and bad periods named
        assert client.get("/api/kpi", headers=auth_headers(client, "surgeon")).status_code == 403
        assert client.get("/api/kpi").status_code == 401
        bad = client.get(f"/api/kpi?first={rt.day}&last=2000-01-01",
                         headers=auth_headers(client, "coordinator"))
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "last"]
        # a reason belongs to a cancellation only
        plan = rt.store.plans.get(moved.case_id)
        odd = client.patch(f"/api/cases/{moved.case_id}", headers=auth_headers(client, "coordinator"),
                           json={"version": plan.version, "start_min": 500, "reason": "patient"})
        assert odd.status_code == 422 and odd.json()["detail"][0]["loc"] == ["body", "reason"]
        assert rt.store.plans.get(moved.case_id).version == plan.version


def test_a_told_patient_whose_date_changes_counts_live(rt: Runtime) -> None:
    """POST /api/cases/{id}/told records TOLD in the case's history (once per date, audited); a
    later cancellation is then a change after the patient was told, in `Case` and in the live
    KPIs alike. A case with no planned date cannot be told one."""
    plans = rt.store.plans.day(rt.day)
    told_case, other = plans[0], plans[1]
    with TestClient(create_app(rt, background=False)) as client:
        coordinator = auth_headers(client, "coordinator")
        url = f"/api/cases/{told_case.case_id}/told"
        assert client.post(url, json={"why": "letter"},
                           headers=auth_headers(client, "porter")).status_code == 403
        first = client.post(url, json={"why": "letter"}, headers=coordinator)
        assert first.status_code == 200, first.text
        assert first.json() == {"case_id": told_case.case_id, "told_date": rt.day.isoformat(),
                                "recorded": True}
        again = client.post(url, json={"why": "letter again"}, headers=coordinator)
        assert again.json()["recorded"] is False
        assert _history(rt, told_case.case_id) == [ChangeKind.SCHEDULED, ChangeKind.TOLD]
        assert [a.action for a in rt.store.audit.recent(50)].count("case.told") == 1
        # both cases are struck; only the told patient's counts as a change after the date
        for p in (told_case, other):
            reply = client.patch(f"/api/cases/{p.case_id}", headers=coordinator,
                                 json={"version": p.version, "status": "cancelled",
                                       "reason": "capacity", "why": "overrun"})
            assert reply.status_code == 200, reply.text
        hospital = rt.store.hospital.load()
        assert hospital is not None
        assert hospital.case_by_id[told_case.case_id].changes_after_told() == 1
        assert hospital.case_by_id[other.case_id].changes_after_told() == 0
        # the KPI counts a change on the day it was made: today, by the wall clock
        made = datetime.now(ZoneInfo(rt.hospital.timezone)).date()
        period = f"first={min(rt.day, made)}&last={max(rt.day, made)}"
        live = client.get(f"/api/kpi?{period}", headers=coordinator).json()
        assert live["headline"]["changes_after_date"] == 1.0
        refused = client.post(url, json={}, headers=coordinator)
        assert refused.status_code == 409 and "cancelled" in refused.text
        assert client.post("/api/cases/no-such-case/told", json={},
                           headers=coordinator).status_code == 404
