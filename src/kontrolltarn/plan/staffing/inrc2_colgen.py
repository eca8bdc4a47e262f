"""Column generation over whole nurse rows for INRC-II: a phase of ``solve_inrc2``.

The annealer's rosters are optimal for any few nurses re-solved together (docs/staffing.md);
what is left of their cost (part-timers' run spacing, totals across a skill group) needs many
nurses' rows rebuilt at once. Here each nurse's row is a column:
- *master* (HiGHS): choose one row per nurse (a convexity row each) so that each (day, shift
  type, skill) is covered to its minimum (H2, hard) and, at the S1 weight per nurse missing, to
  its optimum; a column costs the nurse's own S2-S7 (``NursePricer.own_cost``);
- *pricing*: per nurse, the row of least own cost less the coverage rows' duals
  (``inrc2_pricing``, exact), added when its reduced cost is negative;
- *integer rosters*: the pool starts with the incoming roster's rows (the master is feasible
  and never above that roster's cost); when the LP is priced out, or at half the phase's
  time, a dive fixes (nurse, day) values the LP takes most of, pricing between fixings, until
  the LP takes one whole row per nurse (a MIP over the pool found nothing better:
  docs/staffing.md).
The phase returns rosters; the caller has the checker judge them.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np

from kontrolltarn.model.inrc2 import WEIGHT_OPTIMAL_COVERAGE, Instance, Solution

from .inrc2_anneal import OFF, RosterArrays, RosterState
from .inrc2_pricing import NursePricer

#: a column enters when its reduced cost is below minus this
ENTER = 1e-6
#: columns a nurse's pricing may give in one round (its cheapest rows for as many totals)
COLUMNS_PER_NURSE = 3
#: pricing rounds between two fixings of a dive
DIVE_ROUNDS = 5
#: besides the (nurse, day) values the LP takes whole, a dive step fixes this share of the
#: free days at the values the LP takes most of ...
DIVE_SHARE = 0.02
#: ... times a factor that grows by this much after each step that left the LP's value
#: within ``DIVE_STEADY`` of the step before, and falls back to 1 after one that raised it:
#: on n120w4 the LP kept its root value until 90 % of the days were fixed, then rose by a
#: third in the last steps, which time had left few rounds (docs/staffing.md)
DIVE_GROWTH = 1.5
DIVE_STEADY = 1e-4
#: the factor's largest value (a step then fixes a fifth of the free days)
DIVE_MOST = 10.0
#: the LP's price of a nurse missing below a minimum (H2), far above any soft term's
SHORT = 10_000.0
#: the root LP stops when its value is within this share of its Lagrangian bound
ROOT_GAP = 0.003
#: the LP's price of a nurse without a row (only a dive's fixings can need it)
UNROSTERED = 100 * SHORT
#: share of the phase's time after which the dive starts even if the LP still moves
LP_SHARE = 0.5


def quiet_highs() -> highspy.Highs:
    """A HiGHS model that prints nothing: its constructor writes a banner on the process's
    standard output (the benchmark's JSON lines) before any option can be set, so standard
    output is pointed at /dev/null while it runs."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    return h


@dataclass(frozen=True)
class RosterColumn:
    """A whole row of one nurse: a shift type and a skill per day (``OFF`` on a day off)."""

    nurse: int
    shifts: tuple[int, ...]
    skills: tuple[int, ...]
    cost: int  # the nurse's own S2-S7


@dataclass
class ColumnsReport:
    rounds: int = 0
    columns: int = 0
    lp_value: float = float("inf")
    lp_converged: bool = False
    bound: int | None = None  # the best Lagrangian bound of the root, rounded up: a lower bound


class RestrictedMaster:
    """The master over the columns found so far, one HiGHS model: coverage rows (one per
    (day, shift type, skill) with a minimum or an optimum), a convexity row per nurse, a slack
    per coverage row for the optimum's shortfall (S1 weight, up to optimum less minimum)."""

    def __init__(self, arrays: RosterArrays) -> None:
        a = self.a = arrays
        self.h = quiet_highs()
        self.slot_row: dict[int, int] = {}
        lower: list[float] = []
        for slot, (need, best) in enumerate(zip(a.minimum, a.optimal, strict=True)):
            if need > 0 or best > 0:
                self.slot_row[slot] = len(lower)
                lower.append(float(max(need, best)))
        self.n_cover = len(lower)
        lower += [1.0] * a.n_nurses
        upper = [highspy.kHighsInf] * self.n_cover + [1.0] * a.n_nurses
        self.h.addRows(len(lower), np.array(lower), np.array(upper), 0,
                       np.zeros(len(lower) + 1, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0))
        for slot, row in self.slot_row.items():
            room = a.optimal[slot] - a.minimum[slot]
            if room > 0:
                self.h.addCol(float(WEIGHT_OPTIMAL_COVERAGE), 0.0, float(room), 1,
                              np.array([row], dtype=np.int32), np.array([1.0]))
        # a dive's fixings can leave a minimum out of reach: the LP then pays SHORT per nurse
        # missing (a roster that needs it breaks H2, and the checker turns it down)
        self.short = self.h.getNumCol()
        for slot, row in self.slot_row.items():
            if a.minimum[slot] > 0:
                self.h.addCol(SHORT, 0.0, float(a.minimum[slot]), 1, np.array([row], dtype=np.int32),
                              np.array([1.0]))
        # a dive's fixings can hold every column of a nurse until pricing brings one that
        # fits: a slack in each nurse's row keeps the LP feasible (its duals meaningful) then
        for n in range(a.n_nurses):
            self.h.addCol(UNROSTERED, 0.0, 1.0, 1, np.array([self.n_cover + n], dtype=np.int32),
                          np.array([1.0]))
        self.n_slack = self.h.getNumCol()
        self.columns: list[RosterColumn] = []
        self.of_nurse: list[list[int]] = [[] for _ in range(a.n_nurses)]
        self.seen: set[tuple[int, tuple[int, ...], tuple[int, ...]]] = set()

    def slot(self, d: int, s: int, k: int) -> int:
        return (d * self.a.n_shifts + s) * self.a.n_skills + k

    def add(self, column: RosterColumn) -> bool:
        """Add ``column`` unless the pool holds it already."""
        key = (column.nurse, column.shifts, column.skills)
        if key in self.seen:
            return False
        self.seen.add(key)
        rows = [self.slot_row[at] for d, (s, k) in enumerate(zip(column.shifts, column.skills, strict=True))
                if s != OFF and (at := self.slot(d, s, k)) in self.slot_row]
        rows.append(self.n_cover + column.nurse)
        self.h.addCol(float(column.cost), 0.0, 1.0, len(rows), np.array(rows, dtype=np.int32),
                      np.ones(len(rows)))
        self.of_nurse[column.nurse].append(len(self.columns))
        self.columns.append(column)
        return True

    def solve_lp(self) -> tuple[float, np.ndarray]:
        """The LP's value and its row duals (coverage rows first, then the nurses')."""
        self.h.run()
        return self.h.getInfo().objective_function_value, np.array(self.h.getSolution().row_dual)

    def hold(self, columns: list[int], held: bool = True) -> None:
        """Hold pool ``columns`` at 0 (a dive's fixings rule them out), or release them."""
        if not columns:
            return
        index = np.array(columns, dtype=np.int32) + self.n_slack
        upper = np.full(len(index), 0.0 if held else 1.0)
        self.h.changeColsBounds(len(index), index, np.zeros(len(index)), upper)

    def short_used(self) -> bool:
        """The last LP leaves a minimum short (H2) or a nurse without a row."""
        return bool(np.any(np.array(self.h.getSolution().col_value[self.short:self.n_slack]) > ENTER))

    def column_values(self) -> np.ndarray:
        """The last LP's value of each pool column."""
        return np.array(self.h.getSolution().col_value[self.n_slack:])

    def slot_duals(self, duals: np.ndarray) -> np.ndarray:
        """The coverage duals as an array over (day, shift type, skill) (0 without a row)."""
        a = self.a
        out = np.zeros(a.days * a.n_shifts * a.n_skills)
        for slot, row in self.slot_row.items():
            out[slot] = duals[row]
        return out.reshape(a.days, a.n_shifts, a.n_skills)


class ColumnGeneration:
    """Column generation for one instance from one roster: ``run`` prices and solves the master
    until a deadline and returns the best integer roster it found (or None)."""

    def __init__(self, instance: Instance, start: Solution) -> None:
        self.arrays = RosterArrays(instance)
        self.pricers = [NursePricer(self.arrays, n) for n in range(self.arrays.n_nurses)]
        self.master = RestrictedMaster(self.arrays)
        self.report = ColumnsReport()
        state = RosterState(self.arrays, start)
        self.start = [self._column(n, state.shift[n], state.skill[n]) for n in range(self.arrays.n_nurses)]
        for column in self.start:
            self.master.add(column)
        a = self.arrays
        # a dive's fixings: (nurse, day) fixed, the values banned there, columns held at 0
        self.fixed_days = np.zeros((a.n_nurses, a.days), dtype=bool)
        self.banned = np.zeros((a.n_nurses, a.days, a.n_shifts + 1), dtype=bool)
        self.held: set[int] = set()
        self.reduced = 0.0  # the last round's least reduced costs, summed over the nurses
        self.on_dive: Callable[[int, float], None] | None = None
        self.dive_began = self.dive_deadline = 0.0
        self.dive_factor = 1.0
        self.dive_steps = 0

    def _column(self, n: int, shifts: list[int], skills: list[int]) -> RosterColumn:
        return RosterColumn(n, tuple(shifts), tuple(skills), self.pricers[n].own_cost(shifts))

    def _prices(self, n: int, duals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per (day, shift type), the best dual among nurse ``n``'s skills, and that skill."""
        mine = self.arrays.skills[n]
        sub = duals[:, :, mine]
        pick = np.argmax(sub, axis=2)
        return np.take_along_axis(sub, pick[:, :, None], axis=2)[:, :, 0], np.array(mine)[pick]

    def price(self, duals: np.ndarray) -> int:
        """One round: each free nurse's cheapest row under the duals; the columns that enter."""
        cover, nurse_duals = self.master.slot_duals(duals), duals[self.master.n_cover:]
        self.reduced = 0.0  # the nurses' least reduced costs, summed (those below 0)
        added = 0
        for n, pricer in enumerate(self.pricers):
            if self._settled(n):
                continue
            prices, skill = self._prices(n, cover)
            rows = pricer.cheapest_rows(prices, self.banned[n], COLUMNS_PER_NURSE, nurse_duals[n] - ENTER)
            if rows:
                self.reduced += rows[0][0] - nurse_duals[n]
            for _, row in rows:
                skills = [int(skill[d, s]) if s != OFF else OFF for d, s in enumerate(row)]
                added += self.master.add(self._column(n, row, skills))
        return added

    def _settled(self, n: int) -> bool:
        """A dive has fixed every day of nurse ``n`` and the pool holds a column of that row:
        pricing can only offer the same row with other skills, which ``assign_skills`` chooses
        at the end (so late in a dive, when most rows are fixed, a round prices the few left)."""
        return bool(self.fixed_days[n].all()) and any(j not in self.held for j in self.master.of_nurse[n])

    def generate(self, deadline: float, stop: Callable[[], bool], rounds: int = 1 << 30) -> None:
        """Price until the LP is optimal or the deadline passes. (The first tens of rounds from
        an integer roster leave the LP where it is: the start is a degenerate vertex.) Without
        fixings every round also gives a lower bound (the LP's value plus each nurse's least
        reduced cost); the root stops within ``ROOT_GAP`` of it, where the LP's last rounds
        move it by little (the dive prices on)."""
        for _ in range(rounds):
            if time.monotonic() >= deadline or stop():
                return
            value, duals = self.master.solve_lp()
            self.report.lp_value = value
            self.report.rounds += 1
            added = self.price(duals)
            self.report.columns += added
            root = not self.fixed_days.any()
            if root:  # every nurse priced exactly: a Lagrangian bound
                bound = math.ceil(value + self.reduced - 1e-3)  # less the rows not entered (> -ENTER)
                self.report.bound = bound if self.report.bound is None else max(bound, self.report.bound)
            if added == 0 or (root and self.report.bound is not None
                              and value - self.report.bound <= ROOT_GAP * value):
                self.report.lp_converged = True
                return

    def dive(self, deadline: float, stop: Callable[[], bool]) -> list[RosterColumn] | None:
        """A roster near the LP: fix each (nurse, day) the LP gives one value whole, and the
        one it gives most of short of whole, re-price the nurses for a few rounds (their rows
        keep the fixed days), and again until the LP takes one column per nurse; those
        columns. A step whose fixings leave a minimum short (H2) or a nurse without a row
        after its pricing is undone and its better half fixed instead. When the deadline
        comes first, each nurse's row is read from the last LP (``_finish``; the checker judges
        the roster); None only on ``stop``. The fixings are released at the end."""
        self.dive_began, self.dive_deadline, self.dive_steps = time.monotonic(), deadline, 0
        step: list[tuple[int, int, int]] = []  # the last step's fixings, best first
        self.dive_factor, last_value = 1.0, float("inf")
        short_before = False  # the LP the last step's fixings were chosen on left a minimum short
        try:
            while not stop():
                late = time.monotonic() >= deadline
                self.dive_steps += 1
                self.report.lp_converged = False
                if not late:
                    self.generate(deadline, stop, DIVE_ROUNDS)
                value, duals = self.master.solve_lp()
                if self.master.short_used() and not short_before and len(step) > 1 and not late:
                    self._unfix(step)
                    step = step[:len(step) // 2]
                    self.master.hold(self._fix(step))
                    continue
                steady = value <= last_value + DIVE_STEADY * abs(value)
                self.dive_factor = min(DIVE_MOST, self.dive_factor * DIVE_GROWTH) if steady else 1.0
                last_value = value
                values = self.master.column_values()
                whole = self._whole(values)
                if whole is not None:
                    return whole
                short_before = self.master.short_used()
                step = [] if late else self._choose(values, self.report.lp_converged)
                if not step:  # out of time, or every day fixed
                    return self._finish(values, duals)
                self.master.hold(self._fix(step))
                if self.on_dive:
                    self.on_dive(int(self.fixed_days.sum()), self.report.lp_value)
            return None
        finally:
            self._release()

    def _finish(self, values: np.ndarray, duals: np.ndarray) -> list[RosterColumn]:
        """Each nurse's row: the pool column the LP takes most of among those its fixings
        allow; else its cheapest row under the LP's duals that keeps its fixed days; else
        (fixings no row can keep) its start. Each worked day's skill is chosen for coverage."""
        rows: dict[int, tuple[int, ...]] = {}
        for j in np.argsort(-values, kind="stable"):
            column = self.master.columns[j]
            if j not in self.held and column.nurse not in rows:
                rows[column.nurse] = column.shifts
        cover = self.master.slot_duals(duals)
        for n, pricer in enumerate(self.pricers):
            if n not in rows:
                prices, _ = self._prices(n, cover)
                cheapest = pricer.cheapest_rows(prices, self.banned[n], 1, math.inf)
                rows[n] = tuple(cheapest[0][1]) if cheapest else self.start[n].shifts
        skills = assign_skills(self.arrays, rows)
        return [self._column(n, list(rows[n]), skills[n]) for n in sorted(rows)]

    def _whole(self, values: np.ndarray) -> list[RosterColumn] | None:
        """The LP's columns when it takes one whole per nurse and no minimum is short."""
        if np.any(np.minimum(values, 1.0 - values) > ENTER) or self.master.short_used():
            return None
        picked = [self.master.columns[j] for j in np.flatnonzero(values > 0.5)]
        return picked if len(picked) == self.arrays.n_nurses else None

    def _choose(self, values: np.ndarray, converged: bool) -> list[tuple[int, int, int]]:
        """The free (nurse, day, value) the LP takes most of, best first: once it is priced
        out, every one it takes whole and ``DIVE_SHARE`` of the others (times the dive's
        factor, and more when time runs short); before, only those (the start's rows still
        sit whole in an LP not priced out). Empty when nothing is left to fix."""
        a = self.arrays
        share = np.zeros((a.n_nurses, a.days, a.n_shifts + 1))
        for j in np.flatnonzero(values > ENTER):
            column = self.master.columns[j]
            share[column.nurse, np.arange(a.days), np.array(column.shifts) + 1] += values[j]
        share[self.fixed_days] = 0.0
        best, choice = share.max(axis=2), share.argmax(axis=2)
        if best.max() <= ENTER:
            return []
        whole = np.flatnonzero(best.ravel() > 1.0 - ENTER) if converged else np.zeros(0, dtype=np.int64)
        ranked = np.where(best > 1.0 - ENTER, 0.0, best).ravel() if converged else best.ravel()
        free = int((~self.fixed_days).sum())
        count = max(1, round(DIVE_SHARE * self.dive_factor * free),
                    round(free / max(1.0, self._steps_left())))
        top = [i for i in np.argsort(-ranked)[:count] if ranked[i] > ENTER]
        return [(*divmod(int(i), a.days), int(choice.ravel()[i])) for i in [*whole, *top]]

    def _steps_left(self) -> float:
        """Dive steps that still fit before the deadline at the pace so far, less one for the
        last LP (so that the last fixings still get their pricing)."""
        now = time.monotonic()
        pace = (now - self.dive_began) / max(1, self.dive_steps)
        return (self.dive_deadline - now) / max(1e-3, pace) - 1.0

    def _fix(self, fixings: list[tuple[int, int, int]]) -> list[int]:
        """Fix each (nurse ``n``, day ``d``) at value ``c`` (shift type ``c - 1``, off for 0):
        its other values are banned for pricing; the pool columns that differ, to be held at
        0, are returned."""
        held = []
        for n, d, c in fixings:
            self.fixed_days[n, d] = True
            self.banned[n, d, :] = True
            self.banned[n, d, c] = False
            for j in self.master.of_nurse[n]:
                if self.master.columns[j].shifts[d] + 1 != c and j not in self.held:
                    self.held.add(j)
                    held.append(j)
        return held

    def _unfix(self, fixings: list[tuple[int, int, int]]) -> None:
        """Undo ``fixings``: their days are free again, and the columns of their nurses that
        only they held are released."""
        nurses = {n for n, _, _ in fixings}
        for n, d, _ in fixings:
            self.fixed_days[n, d] = False
            self.banned[n, d, :] = False
        released = []
        for n in nurses:
            allowed = np.argmin(self.banned[n], axis=1) - 1
            days = np.flatnonzero(self.fixed_days[n])
            for j in self.master.of_nurse[n]:
                if j in self.held and np.all(np.array(self.master.columns[j].shifts)[days] == allowed[days]):
                    self.held.discard(j)
                    released.append(j)
        self.master.hold(released, False)

    def _release(self) -> None:
        self.master.hold(sorted(self.held), False)
        self.held.clear()
        self.fixed_days[:] = False
        self.banned[:] = False

    def roster(self, columns: list[RosterColumn]) -> Solution:
        a = self.arrays
        state = RosterState(a, Solution())
        for column in columns:
            state.shift[column.nurse] = list(column.shifts)
            state.skill[column.nurse] = list(column.skills)
        return state.solution()

    def run(self, deadline: float, stop: Callable[[], bool]) -> Solution | None:
        """The LP for up to ``LP_SHARE`` of the time, then a dive: a roster, or None."""
        began = time.monotonic()
        self.generate(began + LP_SHARE * (deadline - began), stop)
        columns = self.dive(deadline, stop)
        return None if columns is None else self.roster(columns)

def assign_skills(a: RosterArrays, rows: dict[int, tuple[int, ...]]) -> dict[int, list[int]]:
    """A skill for each worked day of ``rows`` (nurse -> shift type per day) that covers every
    minimum and as much of each optimum as the rows allow: a transportation problem (nurses to
    skills per day and shift type), whose LP HiGHS solves with integral values."""
    h = quiet_highs()
    keys = [(n, d, k) for n, row in rows.items() for d, s in enumerate(row) if s != OFF
            for k in a.skills[n]]
    S, K = a.n_shifts, a.n_skills
    h.addVars(len(keys), np.zeros(len(keys)), np.ones(len(keys)))
    by_day: dict[tuple[int, int], list[int]] = {}
    by_slot: dict[int, list[int]] = {}
    for i, (n, d, k) in enumerate(keys):
        by_day.setdefault((n, d), []).append(i)
        by_slot.setdefault((d * S + rows[n][d]) * K + k, []).append(i)
    for members in by_day.values():
        h.addRow(1.0, 1.0, len(members), np.array(members, dtype=np.int32), np.ones(len(members)))
    for slot, members in by_slot.items():
        need = max(a.minimum[slot], a.optimal[slot])
        if need == 0:
            continue
        room = a.optimal[slot] - a.minimum[slot]
        short = h.getNumCol()
        h.addCol(float(WEIGHT_OPTIMAL_COVERAGE), 0.0, float(max(0, room)), 0, np.zeros(0, dtype=np.int32),
                 np.zeros(0))
        h.addCol(SHORT, 0.0, float(a.minimum[slot]), 0, np.zeros(0, dtype=np.int32), np.zeros(0))
        index = np.array([*members, short, short + 1], dtype=np.int32)
        h.addRow(float(need), highspy.kHighsInf, len(index), index, np.ones(len(index)))
    h.run()
    values = h.getSolution().col_value
    skills = {n: [OFF] * a.days for n in rows}
    for i, (n, d, k) in enumerate(keys):
        if values[i] > 0.5:
            skills[n][d] = k
    for n, row in rows.items():  # a fractional LP value (rare): the nurse's first skill
        for d, s in enumerate(row):
            if s != OFF and skills[n][d] == OFF:
                skills[n][d] = a.skills[n][0]
    return skills
