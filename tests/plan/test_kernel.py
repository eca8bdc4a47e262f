"""The feasibility kernel agrees with ``check``: per rule on hand-made programs ("violated by N",
"not violated"), and on random programs built entry by entry (property tests): an entry the
kernel accepts leaves ``check`` without hard violations, and one it refuses produces exactly the
violations the kernel named, with their amounts, when forced in."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kontrolltarn.model import Hospital, ModelError, Program, ProgramEntry
from kontrolltarn.plan.check import (
    CONSTRAINTS,
    HARD_RULES,
    Level,
    LocalRules,
    ProgramState,
    Violation,
    check,
)
from kontrolltarn.synth import generate
from tests.formats.hospital_strategies import hospitals
from tests.plan.test_check import (
    HARD_NAMES,
    LOCAL,
    _broken_cases,
    _surgeon_elsewhere,
    entry,
    valid_entries,
)


def amounts(violations: Iterable[Violation]) -> dict[str, float]:
    """Total amount per hard constraint."""
    total: dict[str, float] = defaultdict(float)
    for v in violations:
        if v.level is Level.HARD:
            total[v.constraint] += v.amount
    return dict(total)


def test_every_hard_rule_has_its_incremental_form() -> None:
    hard = [c for c in CONSTRAINTS if c.level is Level.HARD]
    assert hard == HARD_RULES
    assert all(c.placement is not None for c in hard)
    assert all(c.placement is None for c in CONSTRAINTS if c.level is Level.SOFT)


def _clean_splits(h: Hospital, entries: list[ProgramEntry], rules: LocalRules | None = None,
                  ) -> list[int]:
    """Positions whose entry, placed last, is the only cause of the program's hard violations."""
    return [i for i in range(len(entries))
            if check(h, Program(tuple(entries[:i] + entries[i + 1:])), rules).feasible]


@pytest.mark.parametrize("name", HARD_NAMES)
def test_violated_by_n(tiny: Hospital, name: str) -> None:
    """Placing the breaking entry last names the rule with the amount ``check`` finds."""
    hospital, entries, amount = _broken_cases(tiny)[name]
    rules = LOCAL.get(name)
    if name in ("surgeon outside their locations", "local rule: case not allowed here"):
        # both of S1's cases break it: place one
        hospital, amount = (_surgeon_elsewhere(tiny, "S1") if rules is None else tiny), 1
        entries = [e for e in valid_entries() if e.case_id != "H2"]
    splits = _clean_splits(hospital, entries, rules)
    assert splits, "the hand-made program has no entry whose removal makes it valid"
    for i in splits:
        state = ProgramState(hospital, entries[:i] + entries[i + 1:], rules=rules)
        found = state.violations(entries[i])
        forced = check(hospital, Program(tuple(state.entries() + [entries[i]])), rules)
        assert amounts(found) == amounts(forced.hard), (found, forced.to_text())
        assert name in amounts(found)
        assert not state.fits(entries[i])
    assert check(hospital, Program(tuple(entries)), rules).amount(name) == amount


def test_not_violated(tiny: Hospital) -> None:
    entries = valid_entries()
    for i, e in enumerate(entries):
        state = ProgramState(tiny, entries[:i] + entries[i + 1:])
        assert state.violations(e) == []
        assert state.fits(e)


def test_ignore_and_moves(tiny: Hospital) -> None:
    entries = valid_entries()
    state = ProgramState(tiny, entries)
    clash = entry("H2", "S-R1", "R1", 480, 60, "S1", 1)  # on top of H1
    assert set(amounts(state.violations(clash))) == {"case scheduled twice", "room double-booked",
                                                      "surgeon in two places"}
    assert state.violations(clash, ignore={"H1", "H2"}) == []
    later = dataclasses.replace(entries[1], start_min=700)
    assert state.fits(later, ignore={"H2"})
    state.add(later)  # a case is held once: adding it again moves it
    assert len(state) == len(entries)
    assert state.find("H2") == later
    assert check(tiny, state.program()).feasible
    assert state.remove("H2") == later
    assert "H2" not in state
    with pytest.raises(ModelError, match="H2"):
        state.remove("H2")


def test_next_start_and_entry_for(tiny: Hospital) -> None:
    state = ProgramState(tiny, valid_entries())
    # H2 ends at 690 and orthopaedics turns over in 30 min
    assert state.next_start("S-R1") == 720
    assert state.next_start("S-R1", ignore={"H2"}) == 480 + 120 + 30
    e = state.entry_for("H3", "S-R1", 720, "S1")
    assert (e.room_id, e.date, e.order) == ("R1", tiny.session_by_id["S-R1"].date, 3)
    assert e.planned_min == tiny.referral_by_id["H3"].booked_min
    with pytest.raises(ModelError, match="session_id"):
        state.entry_for("H3", "nope", 720, "S1")


def test_unknown_references_cannot_be_added(tiny: Hospital) -> None:
    state = ProgramState(tiny)
    bad = entry("H404", "S-R1", "R1", 480, 60, "S1")
    assert amounts(state.violations(bad)) == {"unknown reference": 1}
    with pytest.raises(ModelError, match="case_id"):
        state.add(bad)


def test_absences_known_beyond_the_calendar(tiny: Hospital) -> None:
    e = valid_entries()[0]
    state = ProgramState(tiny, absent={e.date: {"S1"}})
    assert amounts(state.violations(e)) == {"surgeon unavailable": 1}


# ---- properties ----------------------------------------------------------------------------------
def _agrees(hospital: Hospital, proposals: list[ProgramEntry]) -> None:
    """Build a program entry by entry through the kernel; compare every decision with check.
    Then take every other entry out again and compare the decisions once more (the indexes
    follow removals)."""
    state = ProgramState(hospital)
    for proposal in proposals:
        found = state.violations(proposal)
        forced = check(hospital, Program(tuple(state.entries() + [proposal])))
        assert amounts(found) == amounts(forced.hard), (proposal, found, forced.to_text())
        for name in amounts(found) or ["accepted"]:
            event(name)
        if not found:
            state.add(proposal)
        assert check(hospital, state.program()).feasible
    for e in state.entries()[::2]:
        state.remove(e.case_id)
    for proposal in proposals:
        if proposal.case_id in state:
            continue
        forced = check(hospital, Program(tuple(state.entries() + [proposal])))
        assert amounts(state.violations(proposal)) == amounts(forced.hard), proposal


@st.composite
def _proposals(draw: st.DrawFn, hospital: Hospital, n_max: int = 12) -> list[ProgramEntry]:
    """Entries over a hospital's sessions, crowded so that rules get broken: a few cases,
    sessions, surgeons and start times; now and then a reference that does not exist or a room
    that is not the session's."""
    cases = [r.id for r in hospital.referrals] + [e.id for e in hospital.emergencies] + ["NOPE"]
    staff = [s.id for s in hospital.staff] + ["NOBODY"]  # an unknown id, and anyone
    out = []
    for _ in range(draw(st.integers(1, n_max))):
        session = draw(st.sampled_from(hospital.sessions))
        room = session.room_id if draw(st.integers(0, 9)) else draw(st.sampled_from(hospital.rooms)).id
        start = max(0, session.start_min + draw(st.integers(-30, 8)) * 30)
        out.append(ProgramEntry(draw(st.sampled_from(cases)), session.id, room, session.date, start,
                                draw(st.integers(1, 12)) * 20, draw(st.sampled_from(staff)),
                                draw(st.integers(1, 4))))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_kernel_agrees_with_check_on_generated_hospitals(data: st.DataObject) -> None:
    hospital = data.draw(hospitals())
    if not hospital.sessions:
        return
    _agrees(hospital, data.draw(_proposals(hospital)))


@cache
def _synthetic(seed: int) -> Hospital:
    """A small synthetic hospital cut to its first planning day, with few beds and mobile units
    (so that random entries meet)."""
    h = generate("small", seed=seed).hospital
    day = min(s.date for s in h.sessions if not s.emergency)
    locations = tuple(dataclasses.replace(loc, post_op_beds={b: min(n, 3) for b, n in
                                                             loc.post_op_beds.items()})
                      for loc in h.locations)
    equipment = tuple(dataclasses.replace(eq, count_per_location={k: min(n, 1) for k, n in
                                                                  eq.count_per_location.items()})
                      for eq in h.equipment)
    return h.replace(sessions=tuple(s for s in h.sessions if s.date == day), locations=locations,
                     equipment=equipment)


@st.composite
def _plausible(draw: st.DrawFn, hospital: Hospital, n_max: int = 30) -> list[ProgramEntry]:
    """Entries a planner might propose: a case of the session's specialty (ready or not), a
    surgeon of it (now and then anyone), a start inside the session; they crowd each other."""
    sessions = [s for s in hospital.sessions if s.specialty_id is not None][:6]
    out = []
    for _ in range(draw(st.integers(1, n_max))):
        session = draw(st.sampled_from(sessions))
        cases = [r for r in hospital.referrals if r.specialty_id == session.specialty_id][:15]
        referral = draw(st.sampled_from(cases))
        surgeons = [s.id for s in hospital.surgeons(referral.specialty_id)][:4]
        surgeon = referral.surgeon_id if referral.surgeon_id and draw(st.booleans()) else \
            draw(st.sampled_from(surgeons if draw(st.integers(0, 9)) else [s.id for s in hospital.staff]))
        start = session.start_min + draw(st.integers(0, (session.end_min - session.start_min) // 15)) * 15
        out.append(ProgramEntry(referral.id, session.id, session.room_id, session.date, start,
                                referral.booked_min, surgeon, draw(st.integers(1, 3))))
    return out


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2), data=st.data())
def test_kernel_agrees_with_check_on_synthetic_hospitals(seed: int, data: st.DataObject) -> None:
    hospital = _synthetic(seed)
    _agrees(hospital, data.draw(_plausible(hospital)))
