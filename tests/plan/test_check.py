"""The validator catches each hard-violation type (one hand-made broken program per type) and
stays silent on a valid program."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kontrolltarn.model import BedType, Hospital, Program, ProgramEntry, ReadinessItem
from kontrolltarn.plan.check import CONSTRAINTS, Level, LocalRules, check, constraints_table
from tests.conftest import MONDAY


def entry(case: str, session: str, room: str, start: int, minutes: int, surgeon: str,
          order: int = 1) -> ProgramEntry:
    return ProgramEntry(case, session, room, MONDAY, start, minutes, surgeon, order)


def valid_entries() -> list[ProgramEntry]:
    return [
        entry("H1", "S-R1", "R1", 480, 120, "S1", 1),
        entry("H2", "S-R1", "R1", 630, 60, "S1", 2),
        entry("H4", "S-R2", "R2", 480, 240, "S3", 1),
        entry("E1", "S-R9", "R9", 750, 60, "S3", 1),
    ]


def replace_entry(entries: list[ProgramEntry], case: str, **changes: object) -> list[ProgramEntry]:
    return [dataclasses.replace(e, **changes) if e.case_id == case else e for e in entries]


def test_valid_program_has_no_hard_violation(tiny: Hospital) -> None:
    report = check(tiny, Program(tuple(valid_entries())))
    assert report.feasible, report.to_text()
    assert report.hard == []
    assert report.kpis["cases"] == 3
    assert report.kpis["emergency_cases"] == 1


def _hospital_with_session_specialty(h: Hospital, session_id: str, specialty: str | None) -> Hospital:
    sessions = tuple(dataclasses.replace(s, specialty_id=specialty) if s.id == session_id else s
                     for s in h.sessions)
    return h.replace(sessions=sessions)


def _with_beds(h: Hospital, **beds: int) -> Hospital:
    loc = h.locations[0]
    post_op = dict(loc.post_op_beds)
    post_op.update({BedType(k): v for k, v in beds.items()})
    return h.replace(locations=(dataclasses.replace(loc, post_op_beds=post_op),))


def _surgeon_elsewhere(h: Hospital, surgeon_id: str) -> Hospital:
    """``surgeon_id`` works only at a second location, L2, with no rooms of its own."""
    elsewhere = dataclasses.replace(h.locations[0], id="L2", name="Elsewhere")
    staff = tuple(dataclasses.replace(s, location_ids=frozenset({"L2"})) if s.id == surgeon_id else s
                  for s in h.staff)
    return h.replace(locations=(*h.locations, elsewhere), staff=staff)


def _broken_cases(h: Hospital) -> dict[str, tuple[Hospital, list[ProgramEntry], float]]:
    """constraint name -> (hospital, broken program, expected amount)."""
    ok = valid_entries()
    gas_r1 = _with_beds(_hospital_with_session_specialty(h, "S-R1", "GAS"), icu=5)
    not_ready = h.replace(referrals=tuple(
        dataclasses.replace(r, readiness_missing=frozenset({ReadinessItem.CONSENT}))
        if r.id == "H2" else r for r in h.referrals))
    return {
        "room double-booked": (h, replace_entry(ok, "H2", start_min=550), 50),
        "turnover too short": (h, replace_entry(ok, "H2", start_min=610), 20),
        "surgeon in two places": (h, replace_entry(ok, "E1", start_min=600), 60),
        "surgeon unavailable": (h, replace_entry(ok, "H2", surgeon_id="S2"), 1),
        "surgeon outside their locations": (_surgeon_elsewhere(h, "S1"), ok, 2),
        "surgeon lacks competence": (h, replace_entry(ok, "H4", surgeon_id="S1")
                                     + [], 1),
        "equipment over its count": (gas_r1, [entry("H4", "S-R2", "R2", 480, 240, "S3"),
                                              entry("H5", "S-R1", "R1", 480, 240, "S4")], 1),
        "room or session cannot take the case": (h, [entry("H4", "S-R1", "R1", 480, 240, "S3")], 1),
        "outside staffed hours": (h, replace_entry(ok, "H2", start_min=960), 30),
        "post-operative beds over capacity": (_with_beds(h, ward=1), ok, 1),
        "emergency time limit missed": (h, replace_entry(ok, "E1", start_min=1000), 40),
        "unknown reference": (h, ok + [entry("H404", "S-R1", "R1", 720, 60, "S1", 3)], 1),
        "case scheduled twice": (h, ok + [entry("H2", "S-R1", "R1", 720, 60, "S1", 3)], 1),
        "entry does not match its session": (h, replace_entry(ok, "H2", room_id="R2"), 1),
        "case not ready": (not_ready, ok, 1),
        # broken only under the local rules in LOCAL (below)
        "local rule: room list": (h, ok, 1),
        "local rule: case not allowed here": (h, ok, 2),
    }


#: local rules a hand-made program breaks (the other examples are judged by the shipped file)
LOCAL = {
    "local rule: room list": LocalRules.from_dict(
        {"location": {"L1": {"max_cases_per_session": 1}}}),  # S-R1 holds H1 and H2
    "local rule: case not allowed here": LocalRules.from_dict(
        {"location": {"L1": {"surgeon_days": {"S1": ["tue", "wed"]}}}}),  # S1 on a Monday
}


HARD_NAMES = [c.name for c in CONSTRAINTS if c.level is Level.HARD]


def test_every_hard_constraint_has_a_broken_example(tiny: Hospital) -> None:
    assert set(_broken_cases(tiny)) == set(HARD_NAMES)


@pytest.mark.parametrize("name", HARD_NAMES)
def test_broken_program_is_caught(tiny: Hospital, name: str) -> None:
    hospital, entries, amount = _broken_cases(tiny)[name]
    report = check(hospital, Program(tuple(entries)), LOCAL.get(name))
    assert not report.feasible
    assert name in report.hard_counts(), report.to_text()
    assert report.amount(name) == amount
    # the breach is the only kind of hard violation the hand-made program has
    # (one surgeon's two overlapping cases in one room are also two places at once)
    also = {"room double-booked": {"surgeon in two places"}}.get(name, set())
    if name not in ("entry does not match its session", "surgeon lacks competence"):
        assert set(report.hard_counts()) <= {name} | also, report.to_text()


@pytest.mark.parametrize("name", HARD_NAMES)
def test_valid_program_does_not_trigger(tiny: Hospital, name: str) -> None:
    assert check(tiny, Program(tuple(valid_entries()))).count(name) == 0


def test_soft_costs(tiny: Hospital) -> None:
    entries = valid_entries() + [
        entry("H3", "S-R1", "R1", 720, 60, "S1", 3),  # deadline 2026-11-01: 29 days late
        entry("H6", "S-R1", "R1", 810, 60, "S1", 4),  # a child after adults; ends 870
    ]
    report = check(tiny, Program(tuple(entries)))
    assert report.feasible, report.to_text()
    assert report.amount("deadline breach") == 29
    assert report.count("child not first") == 1
    assert report.amount("overtime") == 0
    late = replace_entry(entries, "H6", start_min=900)
    report = check(tiny, Program(tuple(late)))
    assert report.amount("overtime") == 30
    assert report.kpis["sessions_over_30_min_overtime"] == 0  # exactly 30 is not over 30


def test_report_json_and_text(tiny: Hospital) -> None:
    report = check(tiny, Program(tuple(replace_entry(valid_entries(), "H2", start_min=550))))
    data = report.to_dict()
    assert data["feasible"] is False
    assert data["hard_violations"]["room double-booked"] == 1
    assert "room double-booked" in report.to_text()
    assert "H1" in report.to_json() and "H2" in report.to_json()


def test_constraints_table_lists_every_constraint() -> None:
    table = constraints_table()
    for c in CONSTRAINTS:
        assert f"| {c.name} |" in table


@settings(max_examples=40, deadline=None)
@given(shift=st.integers(min_value=-200, max_value=600), minutes=st.integers(1, 400))
def test_soft_cost_is_sum_of_weighted_amounts(shift: int, minutes: int) -> None:
    from tests.conftest import tiny_hospital

    hospital = tiny_hospital()
    start = max(0, 630 + shift)
    entries = replace_entry(valid_entries(), "H2", start_min=start, planned_min=minutes)
    report = check(hospital, Program(tuple(entries)))
    expected = sum(v.amount * report.weights[v.constraint] for v in report.violations
                   if v.level is Level.SOFT)
    assert report.soft_cost == pytest.approx(expected)
    # a case moved into the previous case's time is always caught
    if start < 600 and start + minutes > 480:
        assert not report.feasible


def test_constraints_doc_is_generated_from_the_registry() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "constraints.md").read_text(encoding="utf-8")
    assert constraints_table() in doc, "regenerate docs/constraints.md with `kontrolltarn constraints`"
