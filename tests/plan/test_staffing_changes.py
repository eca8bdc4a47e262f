"""Staff requests checked by the independent checker: one request per rule it can break,
a legal swap, what a change does, bad requests, and the unit rules file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from kontrolltarn.model import ModelError
from kontrolltarn.plan.staffing import (
    RULES,
    RosterChange,
    WorkingTimeRules,
    check_change,
    check_roster,
    load_unit_rules,
)

from .roster_requests import MONDAY, SCENARIOS, legal_swap, roster, shift


def test_every_rule_a_request_can_break_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(RULES) - {"break", "publication"}


@pytest.mark.parametrize("rule", sorted(SCENARIOS))
def test_a_request_that_breaks_a_rule_is_named_with_its_date_and_hours(rule: str) -> None:
    s = SCENARIOS[rule]()
    assert check_roster(s.roster, s.rules).ok, "the roster before the request breaks nothing"
    found = check_change(s.roster, s.change, s.rules)
    assert rule in {b.rule for b in found}, found
    b = next(b for b in found if b.rule == rule)
    assert b.amount > 0 and s.roster.first_day <= b.first <= b.last
    # the same change on the whole roster: the full checker agrees
    assert rule in check_roster(s.change.apply(s.roster), s.rules).rules_broken()


def test_a_legal_swap_breaks_nothing_and_moves_the_shifts() -> None:
    s = legal_swap()
    assert check_change(s.roster, s.change, s.rules) == []
    after = s.change.apply(s.roster)
    assert [x.start.date() for x in after.shifts_by_person["A"]] == [MONDAY + timedelta(days=1)]
    assert [x.start.date() for x in after.shifts_by_person["B"]] == [MONDAY]
    assert check_roster(after).ok


def test_a_breach_the_roster_had_is_not_the_requests_fault() -> None:
    # A already has 9 h rest Mon->Tue; a swap on Thursday does not touch it
    r = roster([shift("A", 0, "E"), shift("A", 1, "D"), shift("A", 3, "D"), shift("B", 4, "D")])
    assert "daily_rest" in check_roster(r).rules_broken()
    change = RosterChange("swap", "A", MONDAY + timedelta(days=3), None, "B",
                          MONDAY + timedelta(days=4))
    assert check_change(r, change, WorkingTimeRules()) == []


def test_absence_and_wish_mark_the_days() -> None:
    s = legal_swap()
    away = RosterChange("absence", "A", MONDAY).apply(s.roster)
    assert away.shifts_by_person["A"] == [] and MONDAY in away.person_by_id["A"].unavailable
    wish = RosterChange("wish", "A", MONDAY + timedelta(days=5), MONDAY + timedelta(days=6))
    wished = wish.apply(s.roster)
    assert wished.shifts == s.roster.shifts
    assert wished.person_by_id["A"].wants_off == {MONDAY + timedelta(days=5), MONDAY + timedelta(days=6)}
    assert check_change(s.roster, wish, WorkingTimeRules()) == []


@pytest.mark.parametrize(("change", "field"), [
    (RosterChange("swap", "A", MONDAY, None, "Z"), "colleague_id"),
    (RosterChange("swap", "A", MONDAY, None, "A"), "colleague_id"),
    (RosterChange("swap", "A", MONDAY + timedelta(days=30), None, "B"), "day"),
    (RosterChange("swap", "A", MONDAY + timedelta(days=5), None, "B"), "day"),  # nobody works
    (RosterChange("absence", "A", MONDAY + timedelta(days=5)), "day"),
    (RosterChange("wish", "A", MONDAY, None, "B"), "colleague_id"),
    (RosterChange("swap", "Q", MONDAY, None, "B"), "person_id"),
])
def test_a_request_that_cannot_be_made_names_the_field(change: RosterChange, field: str) -> None:
    s = legal_swap()
    with pytest.raises(ModelError) as bad:
        change.apply(s.roster)
    assert bad.value.field == field


def test_unit_rules_tighten_the_act_per_unit(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[rules]\ndaily_rest_h = 11\n\n[units.SEN]\ndaily_rest_h = 12\n"
                    "night_worker_avg_per_24h_h = 7\n", encoding="utf-8")
    rules = load_unit_rules(path)
    assert rules.for_unit("SEN").daily_rest_min == 12 * 60
    assert rules.for_unit("SEN").night_worker_avg_per_24h_min == 7 * 60
    assert rules.for_unit("NORD") == WorkingTimeRules()


@pytest.mark.parametrize(("text", "field", "value"), [
    ("[units.SEN]\ndaily_rest_h = 10\n", "units.SEN.daily_rest_h", 10),  # looser than the Act
    ("[units.SEN]\nweekly_rest_hours = 36\n", "units.SEN.weekly_rest_hours", 36),  # unknown key
    ("[units.SEN]\novertime_week_h = 12\n", "units.SEN.overtime_week_h", 12),
    # a unit may not allow more Sundays in a row than the hospital (§ 10-10 (4))
    ("[units.SEN]\nsundays_in_a_row_max = 2\n", "units.SEN.sundays_in_a_row_max", 2),
    ("[rules]\nweekly_rest_h = 20\n", "rules.weekly_rest_h", 20),  # under the Act's floor
    ("[rules]\ndaily_rest_h = \"eleven\"\n", "rules.daily_rest_h", "eleven"),
    ("[unit.SEN]\ndaily_rest_h = 12\n", "unit", {"SEN": {"daily_rest_h": 12}}),
])
def test_a_bad_rules_file_names_the_key_and_the_value(tmp_path: Path, text: str, field: str,
                                                      value: object) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as bad:
        load_unit_rules(path)
    assert (bad.value.field, bad.value.value) == (field, value)
