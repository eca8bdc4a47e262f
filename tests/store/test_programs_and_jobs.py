"""Program versions (publish supersedes, writes the live plan with its history, leaves cases
under way alone, is audited) and jobs (one per scope, cancel, finish) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from kontrolltarn.model import Event, EventKind, Program, ProgramEntry
from kontrolltarn.store import Actor, JobFinished, NotPublishable, ScopeBusy, Store
from kontrolltarn.store.tables import JobRow

KOORDINATOR = Actor("koordinator", "coordinator")

DAY = date(2026, 11, 30)


def _entry(case: str, room: str = "R1", start: int = 480, day: date = DAY) -> ProgramEntry:
    return ProgramEntry(case, f"S-{room}-{day}", room, day, start, 60, "D1", 1)


def _program(*entries: ProgramEntry) -> Program:
    return Program(entries, "optimise")


def test_publishing_a_version_makes_it_the_live_plan(store: Store) -> None:
    first = store.programs.add(_program(_entry("C1"), _entry("C2", start=540)), DAY, 1,
                               by="planner:baseline")
    assert first.status == "proposed" and first.size == 2
    with pytest.raises(ValueError, match="why"):
        store.programs.publish(first.id, by="koordinator", role="coordinator", why=" ")
    done = store.programs.publish(first.id, by="koordinator", role="coordinator",
                                  why="initial program")
    assert done.version.status == "published" and done.superseded == []
    assert sorted(done.changed_cases) == ["C1", "C2"]
    assert {p.case_id: p.start_min for p in store.plans.day(DAY)} == {"C1": 480, "C2": 540}
    with pytest.raises(NotPublishable):
        store.programs.publish(first.id, by="koordinator", role="coordinator", why="again")

    # C1 is under way (in the room): a newer version does not move it; C2 moves, C3 is new,
    # and a case the new version leaves out (C4, added by hand to the plan) is unscheduled
    store.events.append([Event("e1", EventKind.IN_ROOM, datetime(2026, 11, 30, 7, tzinfo=UTC),
                               case_id="C1", room_id="R1")])
    second = store.programs.add(_program(_entry("C1", start=600), _entry("C2", start=700),
                                         _entry("C3", "R2")), DAY, 1, by="planner:optimise")
    published = store.programs.publish(second.id, by="koordinator", role="coordinator",
                                       why="fewer overruns")
    assert published.superseded == [first.id]
    assert store.programs.get(first.id).status == "superseded"
    plans = {p.case_id: p for p in store.plans.day(DAY)}
    assert plans["C1"].start_min == 480 and plans["C1"].version == 1  # not moved
    assert plans["C2"].start_min == 700 and plans["C2"].version == 2
    assert plans["C3"].room_id == "R2"
    history = store.plans.history("C2")
    assert [h.why for h in history] == [f"program version {first.id}: initial program",
                                        f"program version {second.id}: fewer overruns"]
    assert history[-1].before["start_min"] == 540 and history[-1].after["start_min"] == 700
    assert store.programs.published_for(DAY).id == second.id  # type: ignore[union-attr]
    publications = [e for e in store.audit.recent() if e.action == "program.publish"]
    assert [(e.actor, e.detail["why"]) for e in publications] == [
        ("koordinator", "fewer overruns"), ("koordinator", "initial program")]


def test_a_version_left_out_case_is_unscheduled_and_other_days_stay(store: Store) -> None:
    later = DAY + timedelta(days=1)
    v1 = store.programs.add(_program(_entry("C1"), _entry("C9", day=later)), DAY, 2, by="p")
    store.programs.publish(v1.id, by="k", role="coordinator", why="two days")
    v2 = store.programs.add(_program(_entry("C2")), DAY, 1, by="p")
    done = store.programs.publish(v2.id, by="k", role="coordinator", why="one day again")
    assert done.superseded == [v1.id]  # the scopes overlap on DAY
    assert store.plans.get("C1").status == "unscheduled"
    assert store.plans.get("C9").status == "planned"  # its day is outside the new scope
    assert store.plans.fixed_outside(DAY, DAY) == {"C9"}
    with pytest.raises(ValueError, match="outside the scope"):
        store.programs.add(_program(_entry("C5", day=later)), DAY, 1, by="p")


def test_one_job_per_scope_and_the_job_lifecycle(store: Store) -> None:
    job = store.jobs.start("optimise", "2026-11-30+1", {"time_limit_s": 5}, KOORDINATOR)
    assert job.status == "queued" and job.progress == 0.0
    with pytest.raises(ScopeBusy) as busy:
        store.jobs.start("optimise", "2026-11-30+1", {}, KOORDINATOR)
    assert busy.value.job_id == job.id
    other = store.jobs.start("optimise", "2026-12-01+1", {}, KOORDINATOR)  # another scope
    assert store.jobs.claim(job.id) and not store.jobs.claim(job.id)
    assert store.jobs.report(job.id, 0.4, "day 1 room 2") is False
    assert store.jobs.get(job.id).progress == pytest.approx(0.4)
    store.jobs.cancel(job.id, KOORDINATOR)
    assert store.jobs.report(job.id, 0.5, "day 1 room 3") is True  # asked to stop
    ended = store.jobs.finish(job.id, "cancelled", message="cancelled")
    assert ended.status == "cancelled" and ended.finished_at is not None
    with pytest.raises(JobFinished):
        store.jobs.cancel(job.id, KOORDINATOR)
    again = store.jobs.start("optimise", "2026-11-30+1", {}, KOORDINATOR)  # scope is free
    assert store.jobs.cancel(again.id, KOORDINATOR).status == "cancelled"  # queued: ends at once
    assert store.jobs.claim(other.id)
    version = store.programs.add(_program(_entry("C1")), DAY, 1, by="koordinator")
    done = store.jobs.finish(other.id, "done", version_id=version.id)
    assert done.status == "done" and done.result_version_id == version.id
    assert done.progress == 1.0 and done.result is None


def test_a_job_without_a_program_stores_its_result(store: Store) -> None:
    job = store.jobs.start("capacity", "capacity:2026-11-30+84", {"weeks": 12}, KOORDINATOR)
    assert store.jobs.claim(job.id)
    result = {"gaps": [{"specialty": "ORT", "due_cases": 3.5}], "check": {"ok": True}}
    done = store.jobs.finish(job.id, "done", result=result, message="capacity done")
    assert done.result == result and store.jobs.get(job.id).result == result
    assert done.result_version_id is None
    assert store.jobs.recent()[0].result is None  # the list leaves results out


def test_a_job_left_running_by_a_stopped_process_fails_and_frees_its_scope(store: Store) -> None:
    job = store.jobs.start("optimise", "2026-11-30+1", {}, KOORDINATOR)
    store.jobs.claim(job.id)
    assert store.jobs.abandon_stale(timedelta(minutes=5)) == []  # it reported just now
    with store.engine.begin() as conn:  # its process stopped ten minutes ago
        conn.execute(update(JobRow).where(JobRow.id == job.id).values(
            updated_at=datetime.now(UTC) - timedelta(minutes=10)))
    assert store.jobs.abandon_stale(timedelta(minutes=5)) == [job.id]
    failed = store.jobs.get(job.id)
    assert failed.status == "failed" and "stopped" in (failed.error or "")
    assert store.jobs.start("optimise", "2026-11-30+1", {}, KOORDINATOR).status == "queued"


def test_a_version_made_before_another_was_published_is_stale(store: Store) -> None:
    """Issue 21, optimistic concurrency on every change of a program: a proposal planned on a
    live plan that another publication has changed since would silently undo that
    publication; it is refused (plan again), and nothing changes."""
    first = store.programs.add(_program(_entry("C1")), DAY, 1, by="planner:optimise")
    rival = store.programs.add(_program(_entry("C2")), DAY, 1, by="planner:baseline")
    store.programs.publish(first.id, by="koordinator", role="coordinator", why="first")
    with pytest.raises(NotPublishable, match=f"version {first.id} .*published after"):
        store.programs.publish(rival.id, by="koordinator", role="coordinator", why="late")
    assert store.programs.get(rival.id).status == "proposed"
    assert {p.case_id: p.status for p in store.plans.day(DAY)} == {"C1": "planned"}
    # another day's version is not affected, and a new plan of the day publishes
    elsewhere = store.programs.add(_program(_entry("C3", day=DAY + timedelta(days=1))),
                                   DAY + timedelta(days=1), 1, by="planner:optimise")
    replanned = store.programs.add(_program(_entry("C2")), DAY, 1, by="planner:optimise")
    assert store.programs.publish(elsewhere.id, by="k", role="coordinator", why="next day")
    assert store.programs.publish(replanned.id, by="k", role="coordinator",
                                  why="planned again").superseded == [first.id]
