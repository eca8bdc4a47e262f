"""INRC-II text format: the organisers' files (quirks included), round trips, and one malformed
file per kind of error, each naming the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from kontrolltarn.formats.inrc2 import (
    parse_instance_id,
    read_instance,
    read_scenario,
    read_solution,
    read_week,
    write_solution,
)
from kontrolltarn.model import ModelError
from kontrolltarn.model.inrc2 import Assignment, Solution
from tests.inrc2_data import DATASETS, ROOT, needs_inrc2, sample_folder, sample_instances


def test_instance_id_parts() -> None:
    assert parse_instance_id("n030w4_1_6-2-9-1") == ("n030w4", 1, (6, 2, 9, 1))
    with pytest.raises(ModelError, match="instance='n030w4-1'"):
        parse_instance_id("n030w4-1")


@needs_inrc2
def test_scenario_with_crlf_and_trailing_spaces() -> None:
    """Sc-n005w4.txt has CRLF line ends and a trailing space after a nurse's skills."""
    sc = read_scenario(DATASETS / "n005w4" / "Sc-n005w4.txt")
    assert sc.id == "n005w4" and sc.weeks == 4
    assert sc.skills == ("HeadNurse", "Nurse")
    assert [(t.name, t.min_consecutive, t.max_consecutive) for t in sc.shift_types] == [
        ("Early", 2, 5), ("Late", 2, 3), ("Night", 4, 5)]
    assert sc.forbidden == {("Late", "Early"), ("Night", "Early"), ("Night", "Late")}
    full = sc.contracts[0]
    assert (full.name, full.min_total, full.max_total, full.min_consecutive_work,
            full.max_consecutive_work, full.min_consecutive_off, full.max_consecutive_off,
            full.max_working_weekends, full.complete_weekends) == (
        "FullTime", 15, 22, 3, 5, 2, 3, 2, True)
    assert sc.nurses[0].name == "Patrick" and sc.nurses[0].skills == ("HeadNurse", "Nurse")


@needs_inrc2
def test_odd_dataset_id_is_kept_but_files_are_matched_by_folder() -> None:
    inst = read_instance("n021w4_0_5-4-1-2", DATASETS)
    assert inst.scenario.id == "n021w4_2" and inst.dataset == "n021w4"
    assert inst.history.of("NU_5").worked_days == 3


@needs_inrc2
def test_instance_reads_history_and_weeks_in_planning_order() -> None:
    inst = read_instance("n005w4_0_1-2-3-3", DATASETS)
    assert inst.week_files == (1, 2, 3, 3) and inst.days == 28
    assert inst.weeks[2] == inst.weeks[3]
    patrick = inst.history.of("Patrick")
    assert (patrick.last_shift, patrick.consecutive_shift, patrick.consecutive_work,
            patrick.consecutive_off) == ("Night", 1, 4, 0)
    assert inst.history.of("Stefaan").last_shift is None
    week = inst.weeks[0]
    early_nurse = next(r for r in week.requirements if (r.shift, r.skill) == ("Early", "Nurse"))
    assert early_nurse.minimum == (1, 1, 0, 1, 0, 1, 1)
    assert early_nurse.optimal == (1, 1, 1, 1, 1, 1, 1)
    assert [(q.nurse, q.shift, q.day) for q in week.requests][-2:] == [
        ("Nguyen", None, 5), ("Sara", "Late", 5)]


@needs_inrc2
@pytest.mark.parametrize("instance_id", sample_instances())
def test_sample_solutions_read_and_round_trip(instance_id: str, tmp_path: Path) -> None:
    """Every organisers' sample solution reads (one ends with a solver's ``Cost:`` remarks),
    and writing then reading it gives the same assignments."""
    inst = read_instance(instance_id, DATASETS)
    sol = read_solution(inst, sample_folder(instance_id))
    assert sol.assignments and all(0 <= a.day < inst.days for a in sol.assignments)
    files = write_solution(inst, sol, tmp_path)
    assert sorted(f.name for f in files) == sorted(p.name for p in sample_folder(instance_id).glob("Sol-*"))
    again = read_solution(inst, tmp_path)
    assert sorted(again.assignments, key=repr) == sorted(sol.assignments, key=repr)


@needs_inrc2
def test_all_listed_instances_read() -> None:
    ids = set()
    for name in ("static40", "late28", "hidden60", "test9"):
        ids |= set((ROOT / "lists" / f"{name}.txt").read_text(encoding="utf-8").split())
    assert len(ids) == 97
    for instance_id in ids:
        assert read_instance(instance_id, DATASETS).id == instance_id


def _copy_dataset(tmp_path: Path, dataset: str = "n005w4") -> Path:
    folder = tmp_path / dataset
    folder.mkdir()
    for f in (DATASETS / dataset).glob("*.txt"):
        (folder / f.name).write_bytes(f.read_bytes())
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@needs_inrc2
@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("Sc-n005w4.txt", "FullTime (15,22)", "FullTime (22,15)",
     r"Sc-n005w4.txt line 20: contract\[FullTime\].total_assignments='\(22,15\)'"),
    ("Sc-n005w4.txt", "Night (4,5)", "Night 4,5",
     r"Sc-n005w4.txt line 12: shift type\[Night\] consecutive='4,5'"),
    ("Sc-n005w4.txt", "Sara PartTime 1 Nurse", "Sara PartTime 1 Surgeon",
     r"Sc-n005w4.txt line 27: nurse\[Sara\].skills='Surgeon': unknown skill"),
    ("Sc-n005w4.txt", "Late 1 Early", "Late 2 Early",
     r"Sc-n005w4.txt line 16: forbidden succession\[Late\]='Early': expected 2 shift types"),
    ("WD-n005w4-1.txt", "Sara Late Sat", "Sara Late Sunday",
     r"WD-n005w4-1.txt line 17: request\[Sara\].day='Sunday'"),
    ("WD-n005w4-1.txt", "Early Nurse (1,1)", "Early Nurse (1,x)",
     r"WD-n005w4-1.txt line 6: requirement\[Early Nurse\].Mon='\(1,x\)'"),
    ("WD-n005w4-1.txt", "SHIFT_OFF_REQUESTS = 5", "SHIFT_OFF_REQUESTS = 6",
     r"WD-n005w4-1.txt \(end of file\): shift-off request"),
    ("H0-n005w4-0.txt", "Andrea 0 0 Early 3 3 0", "Andrea 0 0 Early three 3 0",
     r"H0-n005w4-0.txt line 6: history\[Andrea\].consecutive_shift='three'"),
    ("H0-n005w4-0.txt", "Andrea 0 0 Early", "Andrea 0 0 Noon",
     r"history\[Andrea\].last_shift='Noon': unknown shift type"),
    ("H0-n005w4-0.txt", "Sara 0 0 Late 1 4 0", "Sarah 0 0 Late 1 4 0",
     r"history.nurses=\['Sara', 'Sarah'\]"),
])
def test_malformed_files_name_file_line_and_field(tmp_path: Path, file: str, old: str, new: str,
                                                  message: str) -> None:
    folder = _copy_dataset(tmp_path)
    _edit(folder / file, old, new)
    with pytest.raises(ModelError, match=message):
        read_instance("n005w4_0_1-2-3-3", tmp_path)


@needs_inrc2
def test_malformed_solution_names_file_line_and_field(tmp_path: Path) -> None:
    inst = read_instance("n005w4_0_1-2-3-3", DATASETS)
    for f in sample_folder(inst.id).glob("Sol-*"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    _edit(tmp_path / "Sol-n005w4-3-2.txt", "Patrick Tue Night Nurse", "Patrick Tue Noon Nurse")
    with pytest.raises(ModelError, match=r"Sol-n005w4-3-2.txt line 5: assignment.shift type='Noon'"):
        read_solution(inst, tmp_path)
    _edit(tmp_path / "Sol-n005w4-3-2.txt", "Patrick Tue Noon Nurse", "Patrick Tue Night Nurse")
    (tmp_path / "Sol-n005w4-3-3.txt").unlink()
    with pytest.raises(ModelError, match="Sol-n005w4-3-3.txt"):
        read_solution(inst, tmp_path)


@needs_inrc2
def test_unknown_dataset_and_week_file() -> None:
    with pytest.raises(ModelError, match="no dataset folder"):
        read_instance("n999w4_0_1-2-3-4", DATASETS)
    with pytest.raises(ModelError, match="WD-n005w4-12.txt"):
        read_instance("n005w4_0_1-2-3-12", DATASETS)
    with pytest.raises(ModelError, match="the scenario plans 4 weeks"):
        read_instance("n005w4_0_1-2-3", DATASETS)


@needs_inrc2
def test_written_week_file_lists_days_by_name(tmp_path: Path) -> None:
    inst = read_instance("n005w4_0_1-2-3-3", DATASETS)
    sol = Solution((Assignment("Sara", 9, "Night", "Nurse"),))
    write_solution(inst, sol, tmp_path)
    text = (tmp_path / "Sol-n005w4-2-1.txt").read_text(encoding="utf-8")
    assert text == "SOLUTION\n1 n005w4\n\nASSIGNMENTS = 1\nSara Wed Night Nurse\n"
    assert (tmp_path / "Sol-n005w4-1-0.txt").read_text(encoding="utf-8").endswith("ASSIGNMENTS = 0\n")


def test_week_file_of_another_reader_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "WD-x-0.txt"
    path.write_text("WEEK_DATA\nx\nREQUIREMENTS\nEarly Nurse (1,1)\n", encoding="utf-8")
    with pytest.raises(ModelError, match=r"WD-x-0.txt line 4: requirement"):
        read_week(path)
