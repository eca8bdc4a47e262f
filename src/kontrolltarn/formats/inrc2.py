"""Read INRC-II instances and solutions, write solutions, in the organisers' text format.

The files are read as the organisers wrote them: CRLF or LF line endings, trailing spaces,
blank lines and a solver's ``Key: value`` remarks after a solution's assignments are
tolerated, and files are matched by folder and file name, not by the dataset id written inside
them (``n021w4_2`` in the ``n021w4`` files). All-or-nothing: a malformed file
raises ``ModelError`` whose field names the file, the line and the field; nothing is returned
half-read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kontrolltarn.model import ModelError
from kontrolltarn.model.inrc2 import (
    DAY_NAMES,
    Assignment,
    Contract,
    History,
    Instance,
    Nurse,
    NurseHistory,
    Requirement,
    Scenario,
    ShiftOffRequest,
    ShiftType,
    Solution,
    WeekData,
)

INSTANCE_ID = re.compile(r"(?P<dataset>n\d{3}w\d+)_(?P<history>\d+)_(?P<weeks>\d+(?:-\d+)*)")
_PAIR = re.compile(r"\((-?\d+),(-?\d+)\)")


@dataclass(frozen=True)
class _Line:
    number: int
    words: tuple[str, ...]


class _Reader:
    """The non-blank lines of one file, split into words, with their line numbers."""

    def __init__(self, path: Path) -> None:
        self.name = path.name
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ModelError(str(path), None, f"cannot read file: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise ModelError(str(path), None, f"not UTF-8 text: {exc.reason}") from exc
        self.lines = [_Line(i, tuple(raw.split())) for i, raw in enumerate(text.splitlines(), 1)
                      if raw.strip()]
        self.pos = 0

    def fail(self, line: _Line | None, field: str, value: object, reason: str) -> ModelError:
        where = f"{self.name} line {line.number}" if line else f"{self.name} (end of file)"
        return ModelError(f"{where}: {field}", value, reason)

    def next(self, field: str) -> _Line:
        if self.pos >= len(self.lines):
            raise self.fail(None, field, None, "missing: the file ends too early")
        line = self.lines[self.pos]
        self.pos += 1
        return line

    def header(self, keyword: str) -> _Line:
        """A line that is exactly ``keyword`` (e.g. ``HISTORY``)."""
        line = self.next(keyword)
        if line.words != (keyword,):
            raise self.fail(line, keyword, " ".join(line.words), f"expected the line {keyword!r}")
        return line

    def counted(self, keyword: str) -> int:
        """A line ``KEYWORD = n``; returns n."""
        line = self.next(keyword)
        if len(line.words) != 3 or line.words[0] != keyword or line.words[1] != "=":
            raise self.fail(line, keyword, " ".join(line.words), f"expected '{keyword} = <number>'")
        return self.integer(line, line.words[2], keyword)

    def integer(self, line: _Line, word: str, field: str, minimum: int = 0) -> int:
        try:
            value = int(word)
        except ValueError:
            raise self.fail(line, field, word, "must be a whole number") from None
        if value < minimum:
            raise self.fail(line, field, value, f"must be >= {minimum}")
        return value

    def pair(self, line: _Line, word: str, field: str) -> tuple[int, int]:
        """``(a,b)`` with 0 <= a <= b."""
        match = _PAIR.fullmatch(word)
        if not match:
            raise self.fail(line, field, word, "expected '(min,max)'")
        lo, hi = int(match[1]), int(match[2])
        if lo < 0 or hi < lo:
            raise self.fail(line, field, word, "needs 0 <= min <= max")
        return lo, hi

    def words(self, line: _Line, count: int, field: str) -> tuple[str, ...]:
        if len(line.words) != count:
            raise self.fail(line, field, " ".join(line.words), f"expected {count} words")
        return line.words

    def rows(self, count: int, field: str) -> Iterator[_Line]:
        for _ in range(count):
            yield self.next(field)

    def skip_remarks(self) -> None:
        """Skip ``Key: value`` lines (a solver's own notes such as ``Cost: 575`` at the end of
        one sample solution file); they carry nothing the format defines."""
        while self.pos < len(self.lines) and self.lines[self.pos].words[0].endswith(":"):
            self.pos += 1

    def end(self) -> None:
        if self.pos < len(self.lines):
            line = self.lines[self.pos]
            raise self.fail(line, "end of file", " ".join(line.words), "unexpected extra line")


def read_scenario(path: Path) -> Scenario:
    """``Sc-<dataset>.txt``."""
    r = _Reader(path)
    line = r.next("SCENARIO")
    if len(line.words) != 3 or line.words[:2] != ("SCENARIO", "="):
        raise r.fail(line, "SCENARIO", " ".join(line.words), "expected 'SCENARIO = <id>'")
    scenario_id = line.words[2]
    weeks = r.counted("WEEKS")
    skills = tuple(r.words(ln, 1, "skill")[0] for ln in r.rows(r.counted("SKILLS"), "skill"))
    shift_types = []
    for ln in r.rows(r.counted("SHIFT_TYPES"), "shift type"):
        name, limits = r.words(ln, 2, "shift type '<name> (min,max)'")
        shift_types.append(ShiftType(name, *r.pair(ln, limits, f"shift type[{name}] consecutive")))
    names = {t.name for t in shift_types}
    r.header("FORBIDDEN_SHIFT_TYPES_SUCCESSIONS")
    forbidden: set[tuple[str, str]] = set()
    for ln in r.rows(len(shift_types), "forbidden succession"):
        if len(ln.words) < 2:
            raise r.fail(ln, "forbidden succession", " ".join(ln.words),
                         "expected '<shift type> <n> <following types...>'")
        first, count = ln.words[0], r.integer(ln, ln.words[1], "forbidden succession count")
        following = ln.words[2:]
        if len(following) != count:
            raise r.fail(ln, f"forbidden succession[{first}]", " ".join(following),
                         f"expected {count} shift types")
        for shift in (first, *following):
            if shift not in names:
                raise r.fail(ln, "forbidden succession", shift, "unknown shift type")
        forbidden |= {(first, b) for b in following}
    contracts = []
    for ln in r.rows(r.counted("CONTRACTS"), "contract"):
        name, total, work, off, weekends, complete = r.words(ln, 6, "contract")
        if complete not in ("0", "1"):
            raise r.fail(ln, f"contract[{name}].complete_weekends", complete, "must be 0 or 1")
        contracts.append(Contract(
            name, *r.pair(ln, total, f"contract[{name}].total_assignments"),
            *r.pair(ln, work, f"contract[{name}].consecutive_work"),
            *r.pair(ln, off, f"contract[{name}].consecutive_off"),
            r.integer(ln, weekends, f"contract[{name}].max_working_weekends"), complete == "1"))
    nurses = []
    for ln in r.rows(r.counted("NURSES"), "nurse"):
        if len(ln.words) < 3:
            raise r.fail(ln, "nurse", " ".join(ln.words),
                         "expected '<nurse> <contract> <n> <skills...>'")
        name, contract = ln.words[:2]
        count = r.integer(ln, ln.words[2], f"nurse[{name}].skill count", minimum=1)
        if len(ln.words) != 3 + count:
            raise r.fail(ln, f"nurse[{name}].skills", " ".join(ln.words[3:]), f"expected {count} skills")
        for k in ln.words[3:]:
            if k not in skills:
                raise r.fail(ln, f"nurse[{name}].skills", k, "unknown skill")
        if contract not in {c.name for c in contracts}:
            raise r.fail(ln, f"nurse[{name}].contract", contract, "unknown contract")
        nurses.append(Nurse(name, contract, ln.words[3:]))
    r.end()
    return Scenario(scenario_id, weeks, skills, tuple(shift_types), frozenset(forbidden),
                    tuple(contracts), tuple(nurses))


def read_history(path: Path) -> History:
    """``H0-<dataset>-<h>.txt``."""
    r = _Reader(path)
    r.header("HISTORY")
    line = r.next("week index and dataset")
    week = r.integer(line, r.words(line, 2, "'<week index> <dataset id>'")[0], "week index")
    r.header("NURSE_HISTORY")
    nurses = []
    while r.pos < len(r.lines):
        ln = r.next("nurse history")
        name, days, weekends, last, on_shift, work, off = r.words(ln, 7, "nurse history")
        nurses.append(NurseHistory(
            name, r.integer(ln, days, f"history[{name}].worked_days"),
            r.integer(ln, weekends, f"history[{name}].worked_weekends"),
            None if last == "None" else last,
            r.integer(ln, on_shift, f"history[{name}].consecutive_shift"),
            r.integer(ln, work, f"history[{name}].consecutive_work"),
            r.integer(ln, off, f"history[{name}].consecutive_off")))
    return History(week, tuple(nurses))


def read_week(path: Path) -> WeekData:
    """``WD-<dataset>-<k>.txt``."""
    r = _Reader(path)
    r.header("WEEK_DATA")
    r.words(r.next("dataset id"), 1, "dataset id")
    r.header("REQUIREMENTS")
    requirements = []
    while r.pos < len(r.lines) and not r.lines[r.pos].words[0].startswith("SHIFT_OFF_REQUESTS"):
        ln = r.next("requirement")
        shift, skill, *days = r.words(ln, 9, "requirement '<shift> <skill> (min,opt) x7'")
        pairs = [r.pair(ln, d, f"requirement[{shift} {skill}].{DAY_NAMES[i]}") for i, d in enumerate(days)]
        requirements.append(Requirement(shift, skill, tuple(p[0] for p in pairs),
                                        tuple(p[1] for p in pairs)))
    requests = []
    for ln in r.rows(r.counted("SHIFT_OFF_REQUESTS"), "shift-off request"):
        nurse, shift, day = r.words(ln, 3, "shift-off request '<nurse> <shift|Any> <day>'")
        if day not in DAY_NAMES:
            raise r.fail(ln, f"request[{nurse}].day", day, f"must be one of {', '.join(DAY_NAMES)}")
        requests.append(ShiftOffRequest(nurse, None if shift == "Any" else shift, DAY_NAMES.index(day)))
    r.end()
    return WeekData(tuple(requirements), tuple(requests))


def parse_instance_id(instance_id: str) -> tuple[str, int, tuple[int, ...]]:
    """``n030w4_1_6-2-9-1`` -> (``n030w4``, 1, (6, 2, 9, 1))."""
    match = INSTANCE_ID.fullmatch(instance_id)
    if not match:
        raise ModelError("instance", instance_id,
                         "expected '<dataset>_<history>_<week>-<week>-...', e.g. n030w4_1_6-2-9-1")
    weeks = tuple(int(w) for w in match["weeks"].split("-"))
    return match["dataset"], int(match["history"]), weeks


def read_instance(instance_id: str, datasets: Path) -> Instance:
    """The instance ``instance_id`` from ``datasets/<dataset>/`` (the organisers' folder)."""
    dataset, history, week_files = parse_instance_id(instance_id)
    folder = Path(datasets) / dataset
    if not folder.is_dir():
        raise ModelError("instance", instance_id, f"no dataset folder {folder}")
    scenario = read_scenario(folder / f"Sc-{dataset}.txt")
    weeks = tuple(read_week(folder / f"WD-{dataset}-{w}.txt") for w in week_files)
    try:
        return Instance(instance_id, dataset, history, week_files, scenario,
                        read_history(folder / f"H0-{dataset}-{history}.txt"), weeks)
    except ModelError as exc:
        raise ModelError(f"instance {instance_id}: {exc.field}", exc.value, exc.reason) from exc


def solution_file_name(instance: Instance, position: int) -> str:
    return f"Sol-{instance.dataset}-{instance.week_files[position]}-{position}.txt"


def write_solution(instance: Instance, solution: Solution, folder: Path) -> list[Path]:
    """One ``Sol-<dataset>-<week file>-<position>.txt`` per week in ``folder``; days off are not
    listed. Returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for w in range(len(instance.weeks)):
        week = sorted((a for a in solution.assignments if 7 * w <= a.day < 7 * (w + 1)),
                      key=lambda a: (a.nurse, a.day))
        lines = ["SOLUTION", f"{w} {instance.scenario.id}", "", f"ASSIGNMENTS = {len(week)}"]
        lines += [f"{a.nurse} {DAY_NAMES[a.day - 7 * w]} {a.shift} {a.skill}" for a in week]
        path = folder / solution_file_name(instance, w)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written


def read_solution(instance: Instance, folder: Path) -> Solution:
    """The weekly solution files of ``instance`` in ``folder`` as one solution over the horizon.
    Names are checked against the scenario; whether an assignment is allowed is the checker's
    business (a nurse without the skill is an H4 violation, not a format error)."""
    shifts = {t.name for t in instance.scenario.shift_types}
    skills = set(instance.scenario.skills)
    nurses = {n.name for n in instance.scenario.nurses}
    assignments = []
    for w in range(len(instance.weeks)):
        r = _Reader(Path(folder) / solution_file_name(instance, w))
        r.header("SOLUTION")
        line = r.next("week index and dataset")
        index = r.integer(line, r.words(line, 2, "'<week index> <dataset id>'")[0], "week index")
        if index != w:
            raise r.fail(line, "week index", index, f"the file is for week position {w}")
        for ln in r.rows(r.counted("ASSIGNMENTS"), "assignment"):
            nurse, day, shift, skill = r.words(ln, 4, "assignment '<nurse> <day> <shift> <skill>'")
            for value, known, field in ((nurse, nurses, "nurse"), (shift, shifts, "shift type"),
                                        (skill, skills, "skill")):
                if value not in known:
                    raise r.fail(ln, f"assignment.{field}", value, f"unknown {field}")
            if day not in DAY_NAMES:
                raise r.fail(ln, "assignment.day", day, f"must be one of {', '.join(DAY_NAMES)}")
            assignments.append(Assignment(nurse, 7 * w + DAY_NAMES.index(day), shift, skill))
        r.skip_remarks()
        r.end()
    return Solution(tuple(assignments))
