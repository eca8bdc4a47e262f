"""Data types of INRC-II, the Second International Nurse Rostering Competition (static version).

A roster gives each nurse, on each day of 4 or 8 weeks, one (shift type, skill) or a day off.
Days are counted from 0 (the first Monday) over the whole horizon; a week's day ``d`` of week
``w`` is ``7 * w + d``. Names (nurses, shift types, skills, contracts) are the organisers' ids.
The instance checks its own consistency at construction, so a solver or the checker can trust
every name it meets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import ModelError, require

DAY_NAMES: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# Penalty per unit of violation of each soft constraint (problem description, section 2.2).
WEIGHT_OPTIMAL_COVERAGE = 30  # S1
WEIGHT_CONSECUTIVE_WORK = 30  # S2, days worked in a row (contract)
WEIGHT_CONSECUTIVE_SHIFT = 15  # S2, days on the same shift type in a row
WEIGHT_CONSECUTIVE_OFF = 30  # S3
WEIGHT_PREFERENCE = 10  # S4
WEIGHT_COMPLETE_WEEKEND = 30  # S5
WEIGHT_TOTAL_ASSIGNMENTS = 20  # S6
WEIGHT_WORKING_WEEKENDS = 30  # S7

# The organisers' validator's labels, in its printout's order.
HARD_LABELS: tuple[str, ...] = (
    "Minimal coverage constraints",  # H2: nurses missing below the minimum
    "Required skill constraints",  # H4: assignments to a skill the nurse lacks
    "Illegal shift type succession constraints",  # H3
    "Single assignment per day",  # H1: assignments beyond the first on a nurse's day
)
SOFT_LABELS: tuple[str, ...] = (
    "Total assignment constraints",  # S6
    "Consecutive constraints",  # S2 (work days and same shift type)
    "Non working days constraints",  # S3
    "Preferences",  # S4
    "Max working weekend",  # S7
    "Complete weekends",  # S5
    "Optimal coverage constraints",  # S1
)


@dataclass(frozen=True)
class ShiftType:
    name: str
    min_consecutive: int
    max_consecutive: int


@dataclass(frozen=True)
class Contract:
    name: str
    min_total: int  # assignments over the horizon
    max_total: int
    min_consecutive_work: int
    max_consecutive_work: int
    min_consecutive_off: int
    max_consecutive_off: int
    max_working_weekends: int
    complete_weekends: bool


@dataclass(frozen=True)
class Nurse:
    name: str
    contract: str
    skills: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    """The dataset's fixed part: skills, shift types and their forbidden successions, contracts
    and nurses. ``id`` is the id written inside the file (``n021w4_2`` for ``n021w4``)."""

    id: str
    weeks: int
    skills: tuple[str, ...]
    shift_types: tuple[ShiftType, ...]
    forbidden: frozenset[tuple[str, str]]  # (shift type on a day, shift type on the next day)
    contracts: tuple[Contract, ...]
    nurses: tuple[Nurse, ...]

    def contract_of(self, nurse: Nurse) -> Contract:
        return next(c for c in self.contracts if c.name == nurse.contract)


@dataclass(frozen=True)
class Requirement:
    """Nurses wanted on one (shift type, skill) per day of a week, Monday first."""

    shift: str
    skill: str
    minimum: tuple[int, ...]
    optimal: tuple[int, ...]


@dataclass(frozen=True)
class ShiftOffRequest:
    """A nurse asks not to work ``shift`` on ``day`` (0 = Monday of the week); ``shift`` None
    is the file's ``Any``: the nurse asks for the day off."""

    nurse: str
    shift: str | None
    day: int


@dataclass(frozen=True)
class WeekData:
    requirements: tuple[Requirement, ...]
    requests: tuple[ShiftOffRequest, ...]


@dataclass(frozen=True)
class NurseHistory:
    """A nurse's border data before the first Monday (and the S6/S7 counters so far)."""

    nurse: str
    worked_days: int
    worked_weekends: int
    last_shift: str | None  # None: the last day before the horizon was off
    consecutive_shift: int  # days in a row on ``last_shift`` up to the border
    consecutive_work: int
    consecutive_off: int


@dataclass(frozen=True)
class History:
    week: int
    nurses: tuple[NurseHistory, ...]

    def of(self, nurse: str) -> NurseHistory:
        return next(h for h in self.nurses if h.nurse == nurse)


@dataclass(frozen=True)
class Instance:
    """One static instance such as ``n030w4_1_6-2-9-1``: a scenario, an initial history and a
    week-data file per week (``week_files`` are their numbers, in planning order)."""

    id: str
    dataset: str
    history_number: int
    week_files: tuple[int, ...]
    scenario: Scenario
    history: History
    weeks: tuple[WeekData, ...]

    def __post_init__(self) -> None:
        sc = self.scenario
        require(len(self.weeks) == len(self.week_files), "week_files", self.week_files,
                "one week-data file per week")
        require(len(self.weeks) == sc.weeks, "week_files", self.week_files,
                f"the scenario plans {sc.weeks} weeks")
        shifts = {t.name for t in sc.shift_types}
        skills = set(sc.skills)
        contracts = {c.name for c in sc.contracts}
        nurses = {n.name for n in sc.nurses}
        for n in sc.nurses:
            require(n.contract in contracts, f"nurse[{n.name}].contract", n.contract, "unknown contract")
            for k in n.skills:
                require(k in skills, f"nurse[{n.name}].skills", k, "unknown skill")
        for a, b in sc.forbidden:
            require(a in shifts and b in shifts, "forbidden succession", (a, b), "unknown shift type")
        hist = {h.nurse for h in self.history.nurses}
        require(hist == nurses, "history.nurses", sorted(hist ^ nurses),
                "the history must list exactly the scenario's nurses")
        for h in self.history.nurses:
            require(h.last_shift is None or h.last_shift in shifts,
                    f"history[{h.nurse}].last_shift", h.last_shift, "unknown shift type")
        for w, week in enumerate(self.weeks):
            for r in week.requirements:
                require(r.shift in shifts, f"week[{w}].requirement.shift", r.shift, "unknown shift type")
                require(r.skill in skills, f"week[{w}].requirement.skill", r.skill, "unknown skill")
            for q in week.requests:
                require(q.nurse in nurses, f"week[{w}].request.nurse", q.nurse, "unknown nurse")
                require(q.shift is None or q.shift in shifts, f"week[{w}].request.shift", q.shift,
                        "unknown shift type")

    @property
    def days(self) -> int:
        return 7 * len(self.weeks)

    def nurse(self, name: str) -> Nurse:
        for n in self.scenario.nurses:
            if n.name == name:
                return n
        raise ModelError("nurse", name, "not a nurse of the scenario")


@dataclass(frozen=True)
class Assignment:
    """``nurse`` works ``shift`` covering ``skill`` on ``day`` (0-based over the horizon)."""

    nurse: str
    day: int
    shift: str
    skill: str


@dataclass(frozen=True)
class Solution:
    assignments: tuple[Assignment, ...] = field(default_factory=tuple)
