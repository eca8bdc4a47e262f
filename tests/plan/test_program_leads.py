"""Lead surgeons are chosen for a whole day, and a session its own specialty cannot staff is
released to another specialty the room takes; the program passes check against the hospital
with that release recorded, and not against the one without it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial

from kontrolltarn.model import (
    Hospital,
    Location,
    LogNormal,
    Priority,
    ProgramEntry,
    Referral,
    Room,
    Session,
)
from kontrolltarn.plan.check import ProgramState, check
from kontrolltarn.plan.program import LocalRules, ProgramSettings, plan_program
from kontrolltarn.plan.program.candidates import Candidate
from kontrolltarn.plan.program.leads import Lead, assign_leads
from kontrolltarn.plan.program.optimiser import _slots, _solve_and_place, _solve_slot
from kontrolltarn.plan.program.risk import Moments
from kontrolltarn.plan.program.solve import Limits
from tests.conftest import MONDAY, tiny_hospital


def _two_ort_sessions() -> Hospital:
    """Tiny's Monday with both rooms given to ORT: its only ORT surgeon free that day (S2 is
    away) can lead one of them; GAS, which R2 also takes, has two surgeons and waiting cases."""
    h = tiny_hospital()
    sessions = tuple(replace(s, specialty_id="ORT") if s.id == "S-R2" else s for s in h.sessions)
    return h.replace(sessions=sessions)


def test_a_session_nobody_of_its_specialty_can_lead_is_released_and_refilled() -> None:
    h = _two_ort_sessions()
    plan = plan_program(h, MONDAY, 1, time_limit=4.0)
    assert len(plan.released) == 1
    released = plan.released[0]
    assert plan.hospital.session_by_id[released].specialty_id is None
    filled = [e for e in plan.program.entries if e.session_id == released]
    assert filled and all(h.referral_by_id[e.case_id].specialty_id == "GAS" for e in filled)
    assert check(plan.hospital, plan.program).feasible
    # the release is what makes the program valid: against the hospital without it, check objects
    assert check(h, plan.program).count("room or session cannot take the case") >= 1


def test_without_release_the_unstaffed_session_stays_empty() -> None:
    h = _two_ort_sessions()
    plan = plan_program(h, MONDAY, 1, time_limit=4.0, release=False)
    assert plan.released == () and plan.hospital is h
    by_session = plan.program.by_session()
    assert sum(1 for s in ("S-R1", "S-R2") if by_session.get(s)) == 1
    assert check(h, plan.program).feasible


def _two_locations() -> Hospital:
    """An ORT session at each of two locations on Monday. S1 (robot competence) may work at
    both, S5 only at L1. Picked location by location, S1 (more competences) went to L1 first."""
    h = tiny_hospital()
    l2 = Location("L2", "Nord", dict(h.locations[0].post_op_beds))
    rooms = (h.room_by_id["R1"], Room("R5", "L2", "Stue 5", frozenset({"ORT"}), frozenset({"LAF"})))
    s1 = replace(h.staff_by_id["S1"], location_ids=frozenset({"L1", "L2"}))
    s5 = replace(h.staff_by_id["S2"], id="S5", name="Per Holm", unavailable=frozenset(),
                 location_ids=frozenset({"L1"}))
    staff = (s1, s5)
    sessions = (Session("S-R1", "R1", MONDAY, 480, 930, "ORT"),
                Session("S-R5", "R5", MONDAY, 480, 930, "ORT"))
    referrals = tuple(Referral(f"N{i}", "P1", "NGF11", "ORT", date(2026, 8, 1), Priority.P3,
                               date(2026, 12, 20), 60) for i in range(8))
    return h.replace(locations=(h.locations[0], l2), rooms=rooms, staff=staff, sessions=sessions,
                     referrals=referrals, emergencies=())


def test_a_surgeon_who_works_at_two_locations_goes_where_only_they_can_lead() -> None:
    h = _two_locations()
    waiting = {"ORT": [Candidate(r, h.procedure_by_id[r.procedure_code],
                                 Moments.of(LogNormal(60, 0.3))) for r in h.referrals]}
    leads = assign_leads(h, list(h.sessions), {s.id: "ORT" for s in h.sessions}, waiting, set())
    assert {sid: lead.surgeon.id for sid, lead in leads.items() if lead.surgeon} == \
        {"S-R1": "S5", "S-R5": "S1"}
    assert not any(lead.released for lead in leads.values())
    plan = plan_program(h, MONDAY, 1, time_limit=4.0)
    by_session = plan.program.by_session()
    assert by_session.get("S-R1") and by_session.get("S-R5")
    assert check(plan.hospital, plan.program).feasible


def test_a_case_its_equipment_cannot_take_is_given_back_and_the_session_solved_again() -> None:
    """The location's only robot is booked all day by another room: the GAS session's first
    answer (an overdue robot case) cannot be timed, so it is solved again without it."""
    h = tiny_hospital()
    extra = tuple(Referral(f"A{i}", "P1", "JEA01", "GAS", date(2026, 10, 1), Priority.P3,
                           date(2027, 2, 1), 60) for i in range(3))
    h = h.replace(referrals=h.referrals + extra)
    pending = {"GAS": {r.id: Candidate(r, h.procedure_by_id[r.procedure_code],
                                       Moments.of(h.procedure_by_id[r.procedure_code].duration))
                       for r in h.referrals if r.specialty_id == "GAS"}}
    session = h.session_by_id["S-R2"]
    lead = Lead(session, "GAS", h.staff_by_id["S3"], False)
    cfg = ProgramSettings()
    slot = _slots(h, [lead], pending, set(), cfg, LocalRules(), MONDAY)[0]
    solve = partial(_solve_slot, pending=pending, busy=set(), leads={"S3": session.id},
                    limits=Limits({"icu": 1, "ward": 3, "day": 10}, {"ROBOT": 10_000.0}, 0.25),
                    cfg=cfg, seed=0, time_limit=2.0)
    first = solve(slot)
    robot = {c.id for c in first.cases if "ROBOT" in c.procedure.equipment}
    assert robot, "the test needs a first answer with a robot case"
    # the robot is in use in R1 all day (a robot case outside the GAS list, put in unchecked)
    blocker = replace(h.referral_by_id["H5"], id="B1")
    h = h.replace(referrals=(*h.referrals, blocker))
    kernel = ProgramState(h, [ProgramEntry("B1", "S-R1", "R1", MONDAY, 0, 1440, "S4", 1)])
    tried = _solve_and_place(kernel, slot, solve=solve, sequencing=cfg.sequencing.rules)
    placed = {e.case_id for e in tried.entries}
    assert placed and not placed & {"H4", "H5"}
    assert placed == {"A0", "A1", "A2"}  # without the second solve: the two beside the robot case
    assert [e.case_id for e in kernel.entries()] == ["B1"]  # nothing added until it is taken
