"""Simulated annealing over an INRC-II roster: the fast first phase of ``solve_inrc2``.

CP-SAT on neighbourhoods (``inrc2_solver``) proves small pieces optimal but makes a few hundred
rounds in five minutes; most of a roster's cost (runs, days off, weekends, totals) is fixed by
millions of small changes, which a local search makes in seconds. The annealer starts from a
roster without hard violations and keeps it so: a move that would break a minimum coverage
(H2) or a forbidden succession (H3) is never made; H1 and H4 hold by construction (one
(shift type, skill) a day, from the nurse's skills).

Moves, each judged by its exact change of the competition's cost:
- *change*: one nurse's day to another (shift type, skill) or to a day off;
- *swap*: two nurses exchange their days over a block of 1–7 days (coverage unchanged; each
  nurse must have the other's skills), which reshapes runs, weekends and totals together.

A nurse's own cost (S2–S7) is recomputed over its whole horizon after a move (tens of steps),
coverage (S1) in constant time. Written for mypyc (plain typed lists, no closures):
``scripts/build_native.py`` compiles it like the IHTC annealer; pure Python gives the same
roster for a given move budget, only slower. Same seed and move budget, same roster.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from typing import Final

from kontrolltarn.model.inrc2 import (
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

OFF: Final = -1
#: moves between clock readings (the clock and Ctrl-C are looked at this often)
CHECK_EVERY: Final = 2000


class RosterArrays:
    """An instance as flat integer lists (mypyc runs these fast): nurses, days and shift types
    by index; coverage per (day, shift type, skill) at ``(d * S + s) * K + k``."""

    def __init__(self, instance: Instance) -> None:
        sc = instance.scenario
        self.instance = instance
        self.n_nurses: int = len(sc.nurses)
        self.days: int = instance.days
        self.shift_names: list[str] = [t.name for t in sc.shift_types]
        self.skill_names: list[str] = list(sc.skills)
        self.nurse_names: list[str] = [n.name for n in sc.nurses]
        S, K, D = len(self.shift_names), len(self.skill_names), self.days
        self.n_shifts: int = S
        self.n_skills: int = K
        shift_of = {name: i for i, name in enumerate(self.shift_names)}
        skill_of = {name: i for i, name in enumerate(self.skill_names)}
        self.shift_min: list[int] = [t.min_consecutive for t in sc.shift_types]
        self.shift_max: list[int] = [t.max_consecutive for t in sc.shift_types]
        self.forbidden: list[bool] = [False] * (S * S)
        for a, b in sc.forbidden:
            self.forbidden[shift_of[a] * S + shift_of[b]] = True
        self.skills: list[list[int]] = [[skill_of[k] for k in n.skills] for n in sc.nurses]
        self.has_skill: list[list[bool]] = [[k in n.skills for k in sc.skills] for n in sc.nurses]
        # contract and history, per nurse
        self.min_total: list[int] = []
        self.max_total: list[int] = []
        self.min_work: list[int] = []
        self.max_work: list[int] = []
        self.min_off: list[int] = []
        self.max_off: list[int] = []
        self.max_weekends: list[int] = []
        self.complete_weekends: list[bool] = []
        self.h_worked: list[int] = []
        self.h_weekends: list[int] = []
        self.h_last: list[int] = []
        self.h_shift_run: list[int] = []
        self.h_work_run: list[int] = []
        self.h_off_run: list[int] = []
        for nurse in sc.nurses:
            c = sc.contract_of(nurse)
            h = instance.history.of(nurse.name)
            self.min_total.append(c.min_total)
            self.max_total.append(c.max_total)
            self.min_work.append(c.min_consecutive_work)
            self.max_work.append(c.max_consecutive_work)
            self.min_off.append(c.min_consecutive_off)
            self.max_off.append(c.max_consecutive_off)
            self.max_weekends.append(c.max_working_weekends)
            self.complete_weekends.append(c.complete_weekends)
            self.h_worked.append(h.worked_days)
            self.h_weekends.append(h.worked_weekends)
            self.h_last.append(OFF if h.last_shift is None else shift_of[h.last_shift])
            self.h_shift_run.append(h.consecutive_shift)
            self.h_work_run.append(h.consecutive_work)
            self.h_off_run.append(h.consecutive_off)
        self.minimum: list[int] = [0] * (D * S * K)
        self.optimal: list[int] = [0] * (D * S * K)
        for w, week in enumerate(instance.weeks):
            for r in week.requirements:
                for i in range(7):
                    at = ((7 * w + i) * S + shift_of[r.shift]) * K + skill_of[r.skill]
                    self.minimum[at] = r.minimum[i]
                    self.optimal[at] = r.optimal[i]
        # S4: the price of working shift type s on day d, per nurse, at ``d * S + s``
        nurse_of = {name: i for i, name in enumerate(self.nurse_names)}
        self.request_price: list[list[int]] = [[0] * (D * S) for _ in sc.nurses]
        for w, week in enumerate(instance.weeks):
            for q in week.requests:
                prices = self.request_price[nurse_of[q.nurse]]
                d = 7 * w + q.day
                for s in range(S):
                    if q.shift is None or shift_of[q.shift] == s:
                        prices[d * S + s] += WEIGHT_PREFERENCE


class RosterState:
    """A roster under change: ``shift[n][d]`` and ``skill[n][d]`` (``OFF`` on a day off), the
    coverage counts and each nurse's own cost."""

    def __init__(self, a: RosterArrays, solution: Solution) -> None:
        self.a = a
        D, S, K = a.days, a.n_shifts, a.n_skills
        self.shift: list[list[int]] = [[OFF] * D for _ in range(a.n_nurses)]
        self.skill: list[list[int]] = [[OFF] * D for _ in range(a.n_nurses)]
        self.cover: list[int] = [0] * (D * S * K)
        nurse_of = {name: i for i, name in enumerate(a.nurse_names)}
        shift_of = {name: i for i, name in enumerate(a.shift_names)}
        skill_of = {name: i for i, name in enumerate(a.skill_names)}
        for x in solution.assignments:
            n, s, k = nurse_of[x.nurse], shift_of[x.shift], skill_of[x.skill]
            if self.shift[n][x.day] != OFF:
                raise ValueError(f"assignments[{x.nurse}, day {x.day}]: two assignments on one "
                                 "day; the annealer starts from a roster without hard violations")
            self.shift[n][x.day], self.skill[n][x.day] = s, k
            self.cover[(x.day * S + s) * K + k] += 1
        self.nurse_cost: list[int] = [nurse_cost(a, n, self.shift[n]) for n in range(a.n_nurses)]

    def coverage_cost(self) -> int:
        a = self.a
        shortfall = sum(max(0, o - c) for o, c in zip(a.optimal, self.cover, strict=True))
        return WEIGHT_OPTIMAL_COVERAGE * shortfall

    def cost(self) -> int:
        return self.coverage_cost() + sum(self.nurse_cost)

    def solution(self) -> Solution:
        a = self.a
        return Solution(tuple(
            Assignment(a.nurse_names[n], d, a.shift_names[self.shift[n][d]], a.skill_names[self.skill[n][d]])
            for n in range(a.n_nurses) for d in range(a.days) if self.shift[n][d] != OFF))


def _run_penalty(run: int, minimum: int) -> int:
    return minimum - run if 0 < run < minimum else 0


def nurse_cost(a: RosterArrays, n: int, shifts: list[int]) -> int:
    """S2, S3, S4, S5, S6 and S7 of nurse ``n`` working ``shifts`` (the checker's border rules:
    a maximum costs each day inside the horizon past it; a minimum is charged when the run
    ends, also for a run begun before the horizon; a run going on at the end is free)."""
    S = a.n_shifts
    min_work, max_work = a.min_work[n], a.max_work[n]
    min_off, max_off = a.min_off[n], a.max_off[n]
    prices = a.request_price[n]
    last = a.h_last[n]
    work_run = a.h_work_run[n]
    off_run = a.h_off_run[n]
    shift_run = a.h_shift_run[n] if last != OFF else 0
    work_units = off_units = shift_units = 0
    preference = 0
    worked = 0
    for d in range(len(shifts)):
        s = shifts[d]
        if s != OFF:
            worked += 1
            preference += prices[d * S + s]
            if off_run > 0:
                off_units += _run_penalty(off_run, min_off)
                off_run = 0
            work_run += 1
            if work_run > max_work:
                work_units += 1
            if s == last:
                shift_run += 1
            else:
                if last != OFF:
                    shift_units += _run_penalty(shift_run, a.shift_min[last])
                shift_run = 1
            if shift_run > a.shift_max[s]:
                shift_units += 1
        else:
            if work_run > 0:
                work_units += _run_penalty(work_run, min_work)
                work_run = 0
            if last != OFF:
                shift_units += _run_penalty(shift_run, a.shift_min[last])
                shift_run = 0
            off_run += 1
            if off_run > max_off:
                off_units += 1
        last = s
    half = weekends = 0
    for sat in range(5, len(shifts), 7):
        on_sat, on_sun = shifts[sat] != OFF, shifts[sat + 1] != OFF
        if on_sat or on_sun:
            weekends += 1
        if on_sat != on_sun:
            half += 1
    total = a.h_worked[n] + worked
    cost = (WEIGHT_CONSECUTIVE_WORK * work_units + WEIGHT_CONSECUTIVE_OFF * off_units
            + WEIGHT_CONSECUTIVE_SHIFT * shift_units + preference
            + WEIGHT_TOTAL_ASSIGNMENTS * (max(0, a.min_total[n] - total) + max(0, total - a.max_total[n]))
            + WEIGHT_WORKING_WEEKENDS * max(0, a.h_weekends[n] + weekends - a.max_weekends[n]))
    if a.complete_weekends[n]:
        cost += WEIGHT_COMPLETE_WEEKEND * half
    return cost


class RosterAnnealer:
    """One search from one roster: ``run`` anneals until a deadline or a move budget."""

    def __init__(self, a: RosterArrays, start: Solution, seed: int) -> None:
        self.a = a
        self.r = RosterState(a, start)
        self.rng = random.Random(seed)
        self.cost: int = self.r.cost()
        self.best_cost: int = self.cost
        self.best_shift: list[list[int]] = [row[:] for row in self.r.shift]
        self.best_skill: list[list[int]] = [row[:] for row in self.r.skill]
        self.moves: int = 0
        self.accepted: int = 0

    # ---- hard constraints -------------------------------------------------------------------
    def _succession_ok(self, n: int, d: int, s: int) -> bool:
        """H3 around day ``d`` if nurse ``n`` works ``s`` there (``OFF`` is always fine)."""
        if s == OFF:
            return True
        a, row, S = self.a, self.r.shift[n], self.a.n_shifts
        before = row[d - 1] if d > 0 else a.h_last[n]
        if before != OFF and a.forbidden[before * S + s]:
            return False
        after = row[d + 1] if d + 1 < a.days else OFF
        return not (after != OFF and a.forbidden[s * S + after])

    def _coverage_delta(self, d: int, old_s: int, old_k: int, new_s: int, new_k: int) -> int:
        """S1's change when a nurse's day goes from (old_s, old_k) to (new_s, new_k); a huge
        number when it would leave a minimum short (H2)."""
        a, S, K = self.a, self.a.n_shifts, self.a.n_skills
        delta = 0
        if old_s != OFF:
            at = (d * S + old_s) * K + old_k
            have = self.r.cover[at]
            if have - 1 < a.minimum[at]:
                return 1 << 40
            if have <= a.optimal[at]:
                delta += WEIGHT_OPTIMAL_COVERAGE
        if new_s != OFF:
            at = (d * S + new_s) * K + new_k
            if self.r.cover[at] < a.optimal[at]:
                delta -= WEIGHT_OPTIMAL_COVERAGE
        return delta

    def _accept(self, delta: int, temperature: float) -> bool:
        if delta <= 0:
            return True
        if temperature <= 0.0:
            return False
        return self.rng.random() < math.exp(-delta / temperature)

    # ---- moves ------------------------------------------------------------------------------
    def change(self, temperature: float) -> None:
        """One nurse's day to another (shift type, skill) or off."""
        a, r, rng = self.a, self.r, self.rng
        n = int(rng.random() * a.n_nurses)
        d = int(rng.random() * a.days)
        old_s, old_k = r.shift[n][d], r.skill[n][d]
        choices = a.n_shifts * len(a.skills[n]) + 1
        pick = int(rng.random() * choices)
        if pick == choices - 1:
            new_s, new_k = OFF, OFF
        else:
            new_s, new_k = pick % a.n_shifts, a.skills[n][pick // a.n_shifts]
        if new_s == old_s and new_k == old_k:
            return
        if not self._succession_ok(n, d, new_s):
            return
        delta = self._coverage_delta(d, old_s, old_k, new_s, new_k)
        if delta >= 1 << 40:
            return
        row = r.shift[n]
        row[d] = new_s
        new_cost = nurse_cost(a, n, row) if new_s != old_s else r.nurse_cost[n]
        delta += new_cost - r.nurse_cost[n]
        if not self._accept(delta, temperature):
            row[d] = old_s
            return
        S, K = a.n_shifts, a.n_skills
        if old_s != OFF:
            r.cover[(d * S + old_s) * K + old_k] -= 1
        if new_s != OFF:
            r.cover[(d * S + new_s) * K + new_k] += 1
        r.skill[n][d] = new_k
        r.nurse_cost[n] = new_cost
        self.cost += delta
        self.accepted += 1

    def swap(self, temperature: float) -> None:
        """Two nurses exchange their days over a block of 1–7 days."""
        a, r, rng = self.a, self.r, self.rng
        n1 = int(rng.random() * a.n_nurses)
        n2 = int(rng.random() * a.n_nurses)
        if n1 == n2:
            return
        length = 1 + int(rng.random() * 7)
        first = int(rng.random() * (a.days - length + 1))
        last = first + length - 1
        row1, row2, sk1, sk2 = r.shift[n1], r.shift[n2], r.skill[n1], r.skill[n2]
        same = True
        for d in range(first, last + 1):
            if row1[d] != row2[d] or sk1[d] != sk2[d]:
                same = False
            if row2[d] != OFF and not a.has_skill[n1][sk2[d]]:
                return
            if row1[d] != OFF and not a.has_skill[n2][sk1[d]]:
                return
        if same:
            return
        S = a.n_shifts
        # H3 at the block's two borders, for both nurses after the exchange
        for mine, theirs, n in ((row1, row2, n1), (row2, row1, n2)):
            before = mine[first - 1] if first > 0 else a.h_last[n]
            if before != OFF and theirs[first] != OFF and a.forbidden[before * S + theirs[first]]:
                return
            if last + 1 < a.days:
                after = mine[last + 1]
                if theirs[last] != OFF and after != OFF and a.forbidden[theirs[last] * S + after]:
                    return
        for d in range(first, last + 1):
            row1[d], row2[d] = row2[d], row1[d]
        cost1, cost2 = nurse_cost(a, n1, row1), nurse_cost(a, n2, row2)
        delta = cost1 + cost2 - r.nurse_cost[n1] - r.nurse_cost[n2]
        if not self._accept(delta, temperature):
            for d in range(first, last + 1):
                row1[d], row2[d] = row2[d], row1[d]
            return
        for d in range(first, last + 1):
            sk1[d], sk2[d] = sk2[d], sk1[d]
        r.nurse_cost[n1], r.nurse_cost[n2] = cost1, cost2
        self.cost += delta
        self.accepted += 1

    # ---- the search -------------------------------------------------------------------------
    def _keep_if_best(self) -> None:
        if self.cost < self.best_cost:
            self.best_cost = self.cost
            self.best_shift = [row[:] for row in self.r.shift]
            self.best_skill = [row[:] for row in self.r.skill]

    def run(self, deadline: float, max_moves: int, start_temperature: float,
            end_temperature: float, swap_share: float, stop: Callable[[], bool]) -> None:
        """Anneal from ``start_temperature`` down to ``end_temperature``, geometric in the share
        of the time until ``deadline`` or of ``max_moves`` (when positive) that is used up,
        whichever is further; keep the best roster. With a deadline out of reach the run is
        repeatable (same seed, same roster). ``stop()`` (looked at between blocks of moves)
        ends it early."""
        began = time.monotonic()
        span = max(1e-9, deadline - began)
        ratio = end_temperature / start_temperature
        temperature = start_temperature
        while True:
            for _ in range(CHECK_EVERY):
                if self.rng.random() < swap_share:
                    self.swap(temperature)
                else:
                    self.change(temperature)
                if self.cost < self.best_cost:
                    self._keep_if_best()
            self.moves += CHECK_EVERY
            done = (time.monotonic() - began) / span
            if max_moves > 0:
                done = max(done, self.moves / max_moves)
            if done >= 1.0 or stop():
                break
            temperature = start_temperature * ratio ** done

    def best(self) -> Solution:
        self.r.shift, self.r.skill = self.best_shift, self.best_skill
        return self.r.solution()
