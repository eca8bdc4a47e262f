"""Local planning rules as data: one schema validated on load, read by the optimiser, the
kernel (so repair and every kernel-based planner) and ``check``. A rule added for one location
changes the proposal there, and ``check`` flags a hand-made program that breaks it there only."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from kontrolltarn.model import Hospital, ModelError, Program, ProgramEntry, Session
from kontrolltarn.plan.check import LocalRules, ProgramState, check, shipped_rules
from kontrolltarn.plan.program import plan_program
from kontrolltarn.plan.repair import RoomClosed, repair
from kontrolltarn.predict import CaseDurations

FAST = 4.0
CODE = "NGF11"  # arthroscopic meniscus resection: done at Sentrum and at Nord
CATARACT = "CJE20"  # many a day in Nord's eye room
#: the shipped rules plus one line for Nord
NORD_TEXT = Path(shipped_rules().source).read_text(encoding="utf-8") + f"""
[location.NOR.specialty.ORT]
note = "Nord: at most one {CODE} per room and day (one arthroscopy tower)."
max_per_room_day = {{ {CODE} = 1 }}

[location.NOR.specialty.EYE]
note = "Nord: at most two cataracts per room and day (one phaco machine)."
max_per_room_day = {{ {CATARACT} = 2 }}
"""


@pytest.fixture(scope="module")
def nord() -> LocalRules:
    return LocalRules.from_text(NORD_TEXT, "test")


def _per_room_day(h: Hospital, program: Program, location: str,
                  code: str) -> Counter[tuple[str, date]]:
    return Counter((e.room_id, e.date) for e in program.entries
                   if h.room_by_id[e.room_id].location_id == location
                   and h.referral_by_id[e.case_id].procedure_code == code)


def test_a_rule_for_nord_changes_the_proposal_there(small_synthetic, nord) -> None:
    h = small_synthetic.hospital
    durations = CaseDurations.from_history(small_synthetic.history)
    before = plan_program(h, h.today, 5, durations=durations, time_limit=FAST)
    assert max(_per_room_day(h, before.program, "NOR", CATARACT).values()) > 2, "nothing to change"
    after = plan_program(h, h.today, 5, durations=durations, time_limit=FAST, rules=nord)
    assert max(_per_room_day(h, after.program, "NOR", CATARACT).values(), default=0) <= 2
    assert max(_per_room_day(h, after.program, "NOR", CODE).values(), default=0) <= 1
    assert check(after.hospital, after.program, nord).feasible
    assert any(f"max 2 × {CATARACT}/room-day" in line for line in after.rules)
    # the proposal made without the rule breaks it, at Nord only
    broken = check(before.hospital, before.program, nord).hard
    assert broken and all(v.constraint == "local rule: room list" for v in broken)
    assert all(v.detail.startswith("room NOR-") for v in broken)


def _list(state: ProgramState, h: Hospital, session: Session, cases: list[str],
          surgeon: str) -> list[ProgramEntry]:
    """The cases one after another in the session, each placed through the kernel."""
    placed = []
    for case in cases:
        start = state.next_start(session.id)
        assert start is not None
        e = state.entry_for(case, session, start, surgeon)
        assert state.fits(e), state.violations(e)
        state.add(e)
        placed.append(e)
    return placed


def test_check_flags_a_hand_made_program_at_nord_and_not_at_sentrum(small_synthetic, nord) -> None:
    h = small_synthetic.hospital
    state = ProgramState(h)  # the shipped rules: the program keeps them
    ready = [r.id for r in h.referrals if r.ready and r.procedure_code == CODE
             and r.surgeon_id is None]
    entries: list[ProgramEntry] = []
    for location, cases in (("NOR", ready[:2]), ("SEN", ready[2:4])):
        session, surgeon = next(
            (s, m) for s in h.sessions if not s.emergency and s.specialty_id == "ORT"
            and h.room_by_id[s.room_id].location_id == location
            for m in h.surgeons("ORT") if m.id not in {e.surgeon_id for e in entries}
            and all(state.admits(case, s, m.id) for case in cases))
        entries += _list(state, h, session, cases, surgeon.id)
    program = Program(tuple(entries))
    assert check(h, program).feasible  # two in a room-day keep the shipped rules
    hard = check(h, program, nord).hard
    assert [v.constraint for v in hard] == ["local rule: room list"]
    nor_cases = {e.case_id for e in entries if e.room_id.startswith("NOR")}
    assert set(hard[0].refs) == nor_cases and "NOR" in hard[0].detail
    # the kernel (every planner's placement test, repair's too) refuses a third the same way
    strict = ProgramState(h, entries[:1], rules=nord)
    assert not strict.fits(entries[1])
    assert strict.fits(entries[3])


def test_repair_keeps_the_local_rules(small_synthetic, nord) -> None:
    h = small_synthetic.hospital
    durations = CaseDurations.from_history(small_synthetic.history)
    plan = plan_program(h, h.today, 2, durations=durations, time_limit=FAST, rules=nord)
    closed = next(s for s in plan.program.entries if s.room_id.startswith("SEN-OR0"))
    result = repair(plan.hospital, plan.program, RoomClosed(closed.room_id, closed.date), rules=nord)
    assert check(plan.hospital, result.program, nord).feasible


@pytest.mark.parametrize("body, field, value", [
    ({"location": {"NOR": {"max_per_room_day": {CODE: -2}}}}, "max_per_room_day.NGF11", -2),
    ({"location": {"NOR": {"surgeon_days": {"S1": ["monday"]}}}}, "surgeon_days.S1", ["monday"]),
    ({"specialty": {"ORT": {"equipment_with": {CODE: "ARTHRO"}}}}, "equipment_with.NGF11", "ARTHRO"),
    ({"specialty": {"ORT": {"max_probability": 2}}}, "max_probability", 2),
    ({"specialty": {"ORT": {"utilisation_target": 0}}}, "utilisation_target", 0),  # no session holds work
    ({"location": {"NOR": {"utilisation_target": 0.8}}}, "utilisation_target", 0.8),
    ({"specialty": {"ORT": {"colour": "red"}}}, "local_rules.specialty.ORT", ["colour"]),
    ({"specialty": "ORT"}, "local_rules.specialty", "ORT"),
])
def test_one_schema_validated_on_load_names_key_and_value(body, field, value) -> None:
    with pytest.raises(ModelError) as err:
        LocalRules.from_dict(body)
    assert field in err.value.field and err.value.value == value
    with pytest.raises(ModelError, match="not valid TOML"):
        LocalRules.from_text("[location.NOR\nmax = 1", "edit")


def test_the_new_kinds_merge_and_differ_by_location() -> None:
    rules = LocalRules.from_dict({
        "specialty": {"ORT": {"surgeon_days": {"S1": ["mon", "tue"]}, "reserve_min": 10}},
        "location": {"NOR": {"reserve_min": 30, "specialty": {"ORT": {
            "surgeon_days": {"S1": ["tue", "wed"]}, "equipment_with": {CODE: ["ARTHRO"]},
            "max_per_room_day": {CODE: 2}}}}},
    })
    nor, sen = rules.for_session("NOR", "ORT"), rules.for_session("SEN", "ORT")
    assert nor.surgeon_days["S1"] == {1} and sen.surgeon_days["S1"] == {0, 1}
    assert nor.reserve_min == 30 and sen.reserve_min == 10
    assert nor.max_per_procedure[CODE] == 2 and CODE not in sen.max_per_procedure
    differ = rules.differences(["NOR", "SEN"], ["ORT", "EYE"])
    assert [d["specialty"] for d in differ] == ["ORT", "EYE"]  # Nord's buffer is for all
    assert any("room-day" in part for part in differ[0]["locations"]["NOR"])


def test_the_check_command_reads_a_rule_file(small_synthetic, nord, tmp_path) -> None:
    """`kontrolltarn check --rules FILE`: a hand-made program breaking a Nord rule exits 1."""
    from typer.testing import CliRunner

    from kontrolltarn.cli.main import _register, app
    from kontrolltarn.formats.native import save_hospital, save_program

    if not any(group.name == "roster" for group in app.registered_groups):  # once per session
        _register()
    h = small_synthetic.hospital
    state = ProgramState(h)
    eye = next(s for s in h.sessions if s.specialty_id == "EYE" and s.room_id.startswith("NOR"))
    surgeon = next(m for m in h.surgeons("EYE") if m.available_on(eye.date)
                   and (not m.location_ids or "NOR" in m.location_ids))
    cataracts = [r.id for r in h.referrals if r.ready and r.procedure_code == CATARACT
                 and r.surgeon_id is None and state.admits(r.id, eye, surgeon.id)][:3]
    program = Program(tuple(_list(state, h, eye, cataracts, surgeon.id)))
    save_hospital(h, tmp_path / "h.json.gz")
    save_program(program, tmp_path / "p.json")
    (tmp_path / "nord.toml").write_text(NORD_TEXT, encoding="utf-8")
    runner = CliRunner()
    shipped = runner.invoke(app, ["check", str(tmp_path / "h.json.gz"), str(tmp_path / "p.json")])
    assert shipped.exit_code == 0, shipped.output
    local = runner.invoke(app, ["check", str(tmp_path / "h.json.gz"), str(tmp_path / "p.json"),
                                "--rules", str(tmp_path / "nord.toml")])
    assert local.exit_code == 1 and "local rule: room list" in local.output
