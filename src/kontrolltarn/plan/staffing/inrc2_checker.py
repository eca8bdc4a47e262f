"""The INRC-II judge: reproduces the organisers' validator, hard counts and weighted soft costs.

Written from the problem description (Ceschia et al. 2015, section 2 and appendix B), plain and
independent of every solver (it imports none): full recomputation from the solution. Runs that
cross the border into the first week start from the history's lengths:
- a *maximum* costs one unit for each day inside the horizon that takes a run past it (days past
  it before the first Monday are not charged again);
- a *minimum* is charged once, when the run ends, for the days it falls short, also for a run
  that began before the horizon; a run still going on the last day is never charged.
The S6/S7 counters start from the history's worked days and weekends.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from kontrolltarn.model.inrc2 import (
    HARD_LABELS,
    SOFT_LABELS,
    WEIGHT_COMPLETE_WEEKEND,
    WEIGHT_CONSECUTIVE_OFF,
    WEIGHT_CONSECUTIVE_SHIFT,
    WEIGHT_CONSECUTIVE_WORK,
    WEIGHT_OPTIMAL_COVERAGE,
    WEIGHT_PREFERENCE,
    WEIGHT_TOTAL_ASSIGNMENTS,
    WEIGHT_WORKING_WEEKENDS,
    Assignment,
    Instance,
    Solution,
)

H1, H2, H3, H4 = ("Single assignment per day", "Minimal coverage constraints",
                  "Illegal shift type succession constraints", "Required skill constraints")
S1, S2, S3, S4, S5, S6, S7 = ("Optimal coverage constraints", "Consecutive constraints",
                              "Non working days constraints", "Preferences", "Complete weekends",
                              "Total assignment constraints", "Max working weekend")


@dataclass(frozen=True)
class Inrc2Evaluation:
    """``violations``: hard label -> count; ``costs``: soft label -> weighted cost."""

    violations: dict[str, int]
    costs: dict[str, int]
    details: list[str] = field(default_factory=list)

    @property
    def total_violations(self) -> int:
        return sum(self.violations.values())

    @property
    def total_cost(self) -> int:
        return sum(self.costs.values())

    @property
    def feasible(self) -> bool:
        return self.total_violations == 0

    def report(self) -> str:
        """The organisers' validator's layout: hard violations, cost per type, total."""
        lines = ["Hard constraint violations", "-" * 26, ""]
        lines += [f"{label}: {self.violations[label]}" for label in HARD_LABELS]
        lines += ["", "", "Cost per constraint type", "-" * 24, ""]
        lines += [f"{label}: {self.costs[label]}" for label in SOFT_LABELS]
        lines += ["", "-" * 24, "", f"Total cost: {self.total_cost}"]
        return "\n".join(lines)


def run_cost(worked: Sequence[bool], history_run: int, minimum: int, maximum: int) -> int:
    """Units of violation of a min/max limit on runs of ``True`` days (unweighted), with a run
    of ``history_run`` days going on at the border (see the module's rules)."""
    cost, run = 0, history_run
    for on in worked:
        if on:
            run += 1
            if run > maximum:
                cost += 1
        else:
            if 0 < run < minimum:
                cost += minimum - run
            run = 0
    return cost


def evaluate_inrc2(instance: Instance, solution: Solution) -> Inrc2Evaluation:
    """Every hard-violation count and every weighted soft cost of ``solution``."""
    violations = dict.fromkeys(HARD_LABELS, 0)
    costs = dict.fromkeys(SOFT_LABELS, 0)
    details: list[str] = []
    by_nurse: dict[str, list[Assignment]] = defaultdict(list)
    for a in solution.assignments:
        by_nurse[a.nurse].append(a)
    _coverage(instance, solution, violations, costs, details)
    _preferences(instance, by_nurse, costs, details)
    for nurse in instance.scenario.nurses:
        _nurse(instance, nurse.name, by_nurse[nurse.name], violations, costs, details)
    return Inrc2Evaluation(violations, costs, details)


def _coverage(instance: Instance, solution: Solution, violations: dict[str, int],
              costs: dict[str, int], details: list[str]) -> None:
    """H2 (below the minimum) and S1 (below the optimum) per (day, shift type, skill)."""
    present = Counter((a.day, a.shift, a.skill) for a in solution.assignments)
    for w, week in enumerate(instance.weeks):
        for r in week.requirements:
            for d in range(7):
                have = present[7 * w + d, r.shift, r.skill]
                if have < r.minimum[d]:
                    violations[H2] += r.minimum[d] - have
                    details.append(f"H2 day {7 * w + d} {r.shift} {r.skill}: {have} < {r.minimum[d]}")
                costs[S1] += WEIGHT_OPTIMAL_COVERAGE * max(0, r.optimal[d] - have)


def _preferences(instance: Instance, by_nurse: dict[str, list[Assignment]],
                 costs: dict[str, int], details: list[str]) -> None:
    """S4: each request whose day (``Any``) or (day, shift type) the nurse works."""
    for w, week in enumerate(instance.weeks):
        for q in week.requests:
            day = 7 * w + q.day
            if any(a.day == day and (q.shift is None or a.shift == q.shift) for a in by_nurse[q.nurse]):
                costs[S4] += WEIGHT_PREFERENCE
                details.append(f"S4 {q.nurse} day {day} {q.shift or 'Any'}")


def _nurse(instance: Instance, name: str, mine: list[Assignment], violations: dict[str, int],
           costs: dict[str, int], details: list[str]) -> None:
    """H1, H3, H4 and S2, S3, S5, S6, S7 of one nurse."""
    nurse = instance.nurse(name)
    contract = instance.scenario.contract_of(nurse)
    hist = instance.history.of(name)
    days = instance.days
    shift_on: list[str | None] = [None] * days
    for a in sorted(mine, key=lambda a: a.day):
        if a.skill not in nurse.skills:
            violations[H4] += 1
            details.append(f"H4 {name} day {a.day} {a.skill}")
        if shift_on[a.day] is not None:
            violations[H1] += 1
            details.append(f"H1 {name} day {a.day}")
            continue
        shift_on[a.day] = a.shift
    previous = hist.last_shift
    for d in range(days):
        if previous is not None and shift_on[d] is not None \
                and (previous, shift_on[d]) in instance.scenario.forbidden:
            violations[H3] += 1
            details.append(f"H3 {name} day {d} {previous}->{shift_on[d]}")
        previous = shift_on[d]
    worked = [s is not None for s in shift_on]
    costs[S2] += WEIGHT_CONSECUTIVE_WORK * run_cost(
        worked, hist.consecutive_work, contract.min_consecutive_work, contract.max_consecutive_work)
    for t in instance.scenario.shift_types:
        costs[S2] += WEIGHT_CONSECUTIVE_SHIFT * run_cost(
            [s == t.name for s in shift_on],
            hist.consecutive_shift if hist.last_shift == t.name else 0,
            t.min_consecutive, t.max_consecutive)
    costs[S3] += WEIGHT_CONSECUTIVE_OFF * run_cost(
        [not on for on in worked], hist.consecutive_off,
        contract.min_consecutive_off, contract.max_consecutive_off)
    weekends = [(worked[d + 5], worked[d + 6]) for d in range(0, days, 7)]
    if contract.complete_weekends:
        costs[S5] += WEIGHT_COMPLETE_WEEKEND * sum(1 for sat, sun in weekends if sat != sun)
    total = hist.worked_days + sum(worked)
    costs[S6] += WEIGHT_TOTAL_ASSIGNMENTS * (max(0, contract.min_total - total)
                                             + max(0, total - contract.max_total))
    working_weekends = hist.worked_weekends + sum(1 for sat, sun in weekends if sat or sun)
    costs[S7] += WEIGHT_WORKING_WEEKENDS * max(0, working_weekends - contract.max_working_weekends)
