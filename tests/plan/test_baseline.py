"""Today's-practice baseline: its programs pass the independent validator."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from kontrolltarn.model import Hospital, Program, ProgramEntry
from kontrolltarn.plan.baseline import BaselineOptions, deadline_met_order, plan_baseline
from kontrolltarn.plan.check import check


def test_baseline_on_tiny_hospital_passes_check(tiny: Hospital) -> None:
    program = plan_baseline(tiny, tiny.today, 1)
    report = check(tiny, program)
    assert report.feasible, report.to_text()
    # the hip needs the laminar-flow room; the two robot cases share one robot and one ICU bed
    placed = {e.case_id: e for e in program.entries}
    assert placed["H1"].room_id == "R1"
    assert sum(c in placed for c in ("H4", "H5")) == 1
    # children first
    ort = sorted((e for e in program.entries if e.session_id == "S-R1"), key=lambda e: e.start_min)
    assert ort[0].case_id == "H6"


def test_baseline_small_hospital_weeks_pass_check(small_synthetic) -> None:  # type: ignore[no-untyped-def]
    h = small_synthetic.hospital
    program = plan_baseline(h, h.today, 14)
    report = check(h, program)
    assert report.feasible, report.to_text()
    assert len(program.entries) > 50
    assert all(h.referral_by_id[e.case_id].ready for e in program.entries)


def test_baseline_default_week_passes_check(default_synthetic) -> None:  # type: ignore[no-untyped-def]
    h = default_synthetic.hospital
    program = plan_baseline(h, h.today, 7)
    report = check(h, program)
    assert report.feasible, report.to_text()
    assert 800 <= report.kpis["cases"] <= 1500
    assert report.kpis["planned_utilisation"] < 0.85


def test_buffer_leaves_room_unbooked(small_synthetic) -> None:  # type: ignore[no-untyped-def]
    h = small_synthetic.hospital
    full = check(h, plan_baseline(h, h.today, 7))
    buffered = check(h, plan_baseline(h, h.today, 7, BaselineOptions(buffer_min=90)))
    assert buffered.kpis["planned_utilisation"] < full.kpis["planned_utilisation"]


def test_exclude_is_respected(small_synthetic) -> None:  # type: ignore[no-untyped-def]
    h = small_synthetic.hospital
    first = plan_baseline(h, h.today, 7)
    again = plan_baseline(h, h.today, 7, exclude=first.case_ids())
    assert not first.case_ids() & again.case_ids()


def test_cases_fixed_ahead_are_planned_around_not_over(tiny: Hospital) -> None:
    """A case already given a date in a session outside the instance (``fixed``: here an
    evening list in the gastro room) holds the day's one ICU bed: the other robot case is not
    planned that day, the fixed case is not returned, and the whole day passes the check."""
    day_list = next(s for s in tiny.sessions if s.id == "S-R2")
    evening = replace(day_list, id="S-R2-evening", start_min=day_list.end_min, end_min=day_list.end_min + 300)
    fixed_case = tiny.referral_by_id["H4"]
    entry = ProgramEntry("H4", evening.id, evening.room_id, evening.date, evening.start_min,
                         fixed_case.booked_min, "S3", 1)
    rest = tiny.replace(referrals=tuple(r for r in tiny.referrals if r.id != "H4"))
    blind = {e.case_id for e in plan_baseline(rest, tiny.today, 1).entries}
    assert "H5" in blind  # without knowing of the fixed case, the ICU bed looks free
    program = plan_baseline(rest, tiny.today, 1, fixed=[(entry, evening, fixed_case)])
    placed = {e.case_id: e for e in program.entries}
    assert "H4" not in placed and "H5" not in placed
    assert all(e.surgeon_id != "S3" for e in program.entries)  # S3 operates in the evening list
    whole = tiny.replace(sessions=(*tiny.sessions, evening))
    report = check(whole, Program((*program.entries, entry)))
    assert report.feasible, report.to_text()


def test_met_deadlines_first_plans_more_cases_within_their_deadline(small_synthetic) -> None:  # type: ignore[no-untyped-def]
    """Sessions offered first to the cases whose deadline their date still meets: of a
    fortnight's program, more cases are within their deadline, no case is planned twice, every
    program passes the check, and the order within each group stays deadline order."""
    h = small_synthetic.hospital
    first = h.today + timedelta(days=7)  # a week on, more waiting patients are past their deadline
    met = {}
    for flag in (False, True):
        program = plan_baseline(h, first, 14, BaselineOptions(met_deadlines_first=flag))
        assert check(h, program).feasible
        met[flag] = sum(h.referral_by_id[e.case_id].deadline >= e.date for e in program.entries)
    assert met[True] > met[False]
    waiting = sorted((r for r in h.referrals if r.ready), key=lambda r: (r.deadline, r.referral_date, r.id))
    ordered = deadline_met_order(waiting, first)
    cut = sum(r.deadline >= first for r in waiting)
    assert all(r.deadline >= first for r in ordered[:cut]) and all(r.deadline < first for r in ordered[cut:])
    assert ordered[:cut] == [r for r in waiting if r.deadline >= first]
