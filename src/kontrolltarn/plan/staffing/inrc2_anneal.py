"""Simulated annealing over an INRC-II roster: the fast first phase of ``solve_inrc2``.

CP-SAT on neighbourhoods (``inrc2_solver``) proves small pieces optimal but makes a few hundred
rounds in five minutes; most of a roster's cost (runs, days off, weekends, totals) is fixed by
millions of small changes, which a local search makes in seconds. The annealer starts from a
roster without hard violations and keeps it so: a move that would break a minimum coverage
(H2) or a forbidden succession (H3) is never made; H1 and H4 hold by construction (one
(shift type, skill) a day, from the nurse's skills).

Moves, each judged by its exact change of the competition's cost:
- *change*: a block of 1–4 of one nurse's days to one (shift type, skill) or to days off;
- *swap*: two nurses exchange their days over a block of 1–7 days (coverage unchanged; each
  nurse must have the other's skills), which reshapes runs, weekends and totals together;
- *rotate*: one nurse's window of 2–8 days turns by a day, so a run slides by a day and the
  spacing of runs and days off changes (a part-timer's runs must sit a week apart to keep
  within both its total and its longest rest, docs/staffing.md).

A nurse's counts (S4–S7) change by the moved days only; its runs (S2, S3) are rescanned from
the first moved day until the run counters fall back in step with those recorded for the
roster before the move (usually a few days on); coverage (S1) costs constant time. Written for
mypyc (plain typed lists, no closures):
``scripts/build_native.py`` compiles it like the IHTC annealer; pure Python gives the same
roster for a given move budget, only slower. Same seed and move budget, same roster.
"""

from __future__ import annotations

import math
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
#: the longest block of days one *change* sets to one value: whole runs go, come and move,
#: which single days cannot do past the run-length penalties (docs/staffing.md: 4 against 1,
#: n080w8_1 4,875 against 5,185 and n100w8_1 3,565 against 3,640 at 300 s)
CHANGE_DAYS: Final = 4
#: the longest window a *rotate* turns by a day
ROTATE_DAYS: Final = 8
#: share of the moves that rotate (of the rest, ``swap_share`` swap and the others change)
ROTATE_SHARE: Final = 0.2


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
    coverage counts and each nurse's own cost, kept so that a move is priced by rescanning only
    the days it can affect."""

    def __init__(self, a: RosterArrays, solution: Solution) -> None:
        self.a = a
        N, D, S, K = a.n_nurses, a.days, a.n_shifts, a.n_skills
        self.shift: list[list[int]] = [[OFF] * D for _ in range(N)]
        self.skill: list[list[int]] = [[OFF] * D for _ in range(N)]
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
        # The run counters (S2, S3) of each nurse's row read left to right, before each day
        # (index D: after the last), and the run cost charged on each day: the scan from any
        # day on depends only on these counters and the days after, so a move's rescan stops
        # as soon as its counters are back in step with the recorded ones. (Per-day charges
        # are small numbers, which Python keeps without allocating.)
        self.state_last: list[list[int]] = [[a.h_last[n]] * (D + 1) for n in range(N)]
        self.state_work: list[list[int]] = [[a.h_work_run[n]] * (D + 1) for n in range(N)]
        self.state_off: list[list[int]] = [[a.h_off_run[n]] * (D + 1) for n in range(N)]
        self.state_shift: list[list[int]] = [
            [a.h_shift_run[n] if a.h_last[n] != OFF else 0] * (D + 1) for n in range(N)]
        self.charged: list[list[int]] = [[0] * D for _ in range(N)]
        self.run_cost: list[int] = [0] * N
        # the counts behind S4–S7, as committed and as last priced by ``cost_after``
        self.worked: list[int] = [0] * N
        self.weekends: list[int] = [0] * N
        self.half: list[int] = [0] * N
        self.preference: list[int] = [0] * N
        self.priced_worked: list[int] = [0] * N
        self.priced_weekends: list[int] = [0] * N
        self.priced_half: list[int] = [0] * N
        self.priced_preference: list[int] = [0] * N
        self.nurse_cost: list[int] = [0] * N
        for n in range(N):
            self._count_from_scratch(n)
            self.run_cost[n] = self._scan_runs(n, 0, D, True)
            self.nurse_cost[n] = self.run_cost[n] + self._count_cost(
                n, self.worked[n], self.weekends[n], self.half[n], self.preference[n])

    def _count_from_scratch(self, n: int) -> None:
        a, row, S = self.a, self.shift[n], self.a.n_shifts
        prices = a.request_price[n]
        worked = preference = weekends = half = 0
        for d in range(a.days):
            s = row[d]
            if s != OFF:
                worked += 1
                preference += prices[d * S + s]
        for sat in range(5, a.days, 7):
            on_sat, on_sun = row[sat] != OFF, row[sat + 1] != OFF
            if on_sat or on_sun:
                weekends += 1
            if on_sat != on_sun:
                half += 1
        self.worked[n], self.weekends[n] = worked, weekends
        self.half[n], self.preference[n] = half, preference

    def _count_cost(self, n: int, worked: int, weekends: int, half: int, preference: int) -> int:
        """S4, S5, S6 and S7 of nurse ``n`` from its counts over the horizon."""
        a = self.a
        total = a.h_worked[n] + worked
        cost = (preference
                + WEIGHT_TOTAL_ASSIGNMENTS * (max(0, a.min_total[n] - total) + max(0, total - a.max_total[n]))
                + WEIGHT_WORKING_WEEKENDS * max(0, a.h_weekends[n] + weekends - a.max_weekends[n]))
        if a.complete_weekends[n]:
            cost += WEIGHT_COMPLETE_WEEKEND * half
        return cost

    def _scan_runs(self, n: int, first: int, last_changed: int, record: bool) -> int:
        """How much nurse ``n``'s run cost (S2, S3) changes when its row is read again from day
        ``first`` on (the counters recorded before ``first`` hold): the scan stops once it is
        past ``last_changed`` and back in step with the recorded counters. Recording rewrites
        the counters and charges it passes. The checker's border rules: a maximum costs each
        day inside the horizon past it; a minimum is charged when the run ends, also for a run
        begun before the horizon; a run going on at the end is free."""
        a, row, D = self.a, self.shift[n], self.a.days
        states_last, states_work, states_off, states_shift, charged = (
            self.state_last[n], self.state_work[n], self.state_off[n], self.state_shift[n],
            self.charged[n])
        min_work, max_work, min_off, max_off = a.min_work[n], a.max_work[n], a.min_off[n], a.max_off[n]
        shift_min, shift_max = a.shift_min, a.shift_max
        last = states_last[first]
        work = states_work[first]
        off = states_off[first]
        shift = states_shift[first]
        change = 0
        for d in range(first, D):
            s = row[d]
            cost = 0
            if s != OFF:
                if off > 0:
                    if off < min_off:
                        cost += WEIGHT_CONSECUTIVE_OFF * (min_off - off)
                    off = 0
                work += 1
                if work > max_work:
                    cost += WEIGHT_CONSECUTIVE_WORK
                if s == last:
                    shift += 1
                else:
                    if last != OFF and shift < shift_min[last]:
                        cost += WEIGHT_CONSECUTIVE_SHIFT * (shift_min[last] - shift)
                    shift = 1
                if shift > shift_max[s]:
                    cost += WEIGHT_CONSECUTIVE_SHIFT
            else:
                if work > 0:
                    if work < min_work:
                        cost += WEIGHT_CONSECUTIVE_WORK * (min_work - work)
                    work = 0
                if last != OFF:
                    if shift < shift_min[last]:
                        cost += WEIGHT_CONSECUTIVE_SHIFT * (shift_min[last] - shift)
                    shift = 0
                off += 1
                if off > max_off:
                    cost += WEIGHT_CONSECUTIVE_OFF
            last = s
            change += cost - charged[d]
            e = d + 1
            if (e > last_changed and last == states_last[e] and work == states_work[e]
                    and off == states_off[e] and shift == states_shift[e]):
                if record:
                    charged[d] = cost
                return change
            if record:
                charged[d] = cost
                states_last[e] = last
                states_work[e] = work
                states_off[e] = off
                states_shift[e] = shift
        return change

    def cost_after(self, n: int, first: int, last: int, old: list[int], old_first: int) -> int:
        """Nurse ``n``'s cost with its row as it is now, when only days ``first``..``last``
        differ from the row last committed; day ``d`` had shift type ``old[d - old_first]``."""
        a, row, S, D = self.a, self.shift[n], self.a.n_shifts, self.a.days
        prices = a.request_price[n]
        worked, preference = self.worked[n], self.preference[n]
        for d in range(first, last + 1):
            was, now = old[d - old_first], row[d]
            if was != OFF:
                worked -= 1
                preference -= prices[d * S + was]
            if now != OFF:
                worked += 1
                preference += prices[d * S + now]
        weekends, half = self.weekends[n], self.half[n]
        for sat in range(5, D, 7):
            if sat + 1 < first or sat > last:
                continue
            was_sat = (old[sat - old_first] if first <= sat <= last else row[sat]) != OFF
            was_sun = (old[sat + 1 - old_first] if first <= sat + 1 <= last else row[sat + 1]) != OFF
            on_sat, on_sun = row[sat] != OFF, row[sat + 1] != OFF
            weekends += int(on_sat or on_sun) - int(was_sat or was_sun)
            half += int(on_sat != on_sun) - int(was_sat != was_sun)
        self.priced_worked[n], self.priced_weekends[n] = worked, weekends
        self.priced_half[n], self.priced_preference[n] = half, preference
        return (self.run_cost[n] + self._scan_runs(n, first, last, False)
                + self._count_cost(n, worked, weekends, half, preference))

    def commit(self, n: int, first: int, last: int, cost: int) -> None:
        """Keep nurse ``n``'s row as last priced by ``cost_after`` (days ``first``..``last``)."""
        self.worked[n], self.weekends[n] = self.priced_worked[n], self.priced_weekends[n]
        self.half[n], self.preference[n] = self.priced_half[n], self.priced_preference[n]
        self.run_cost[n] += self._scan_runs(n, first, last, True)
        self.nurse_cost[n] = cost

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


class RosterAnnealer:
    """One search from one roster: ``run`` anneals until a deadline or a move budget."""

    def __init__(self, a: RosterArrays, start: Solution, seed: int) -> None:
        self.a = a
        self.r = RosterState(a, start)
        # xorshift32: 32-bit state stays a machine integer under mypyc, several times faster
        # than random.Random's method calls at a few draws per move
        self.draw_state: int = (seed * 2654435761 + 1) & 0xFFFFFFFF or 1
        self.cost: int = self.r.cost()
        self.best_cost: int = self.cost
        self.best_shift: list[list[int]] = [row[:] for row in self.r.shift]
        self.best_skill: list[list[int]] = [row[:] for row in self.r.skill]
        self.moves: int = 0
        self.accepted: int = 0
        self.rotate_share: float = ROTATE_SHARE

    # ---- hard constraints -------------------------------------------------------------------
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

    def _draw(self, m: int) -> int:
        """A pseudo-random integer in ``0..m-1``."""
        x = self.draw_state
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.draw_state = x
        return (x * m) >> 32

    def _uniform(self) -> float:
        return self._draw(1 << 24) / 16777216.0

    def _accept(self, delta: int, temperature: float) -> bool:
        if delta <= 0:
            return True
        if temperature <= 0.0:
            return False
        return self._uniform() < math.exp(-delta / temperature)

    # ---- moves ------------------------------------------------------------------------------
    def change(self, temperature: float) -> None:
        """One nurse's block of 1 to ``CHANGE_DAYS`` days to one (shift type, skill), or
        off: a run can grow, shrink or move in one step instead of through a worse roster."""
        a, r = self.a, self.r
        n = self._draw(a.n_nurses)
        length = 1 + self._draw(CHANGE_DAYS)
        first = self._draw(a.days - length + 1)
        last = first + length - 1
        choices = a.n_shifts * len(a.skills[n]) + 1
        pick = self._draw(choices)
        if pick == choices - 1:
            new_s, new_k = OFF, OFF
        else:
            new_s, new_k = pick % a.n_shifts, a.skills[n][pick // a.n_shifts]
        row, sk, S = r.shift[n], r.skill[n], a.n_shifts
        if new_s != OFF:  # H3 inside the block and at its two borders
            before = row[first - 1] if first > 0 else a.h_last[n]
            if before != OFF and a.forbidden[before * S + new_s]:
                return
            if last + 1 < a.days and row[last + 1] != OFF and a.forbidden[new_s * S + row[last + 1]]:
                return
            if length > 1 and a.forbidden[new_s * S + new_s]:
                return
        delta = 0
        same_shifts = True
        changed = False
        for d in range(first, last + 1):
            if row[d] != new_s or sk[d] != new_k:
                changed = True
                day_delta = self._coverage_delta(d, row[d], sk[d], new_s, new_k)
                if day_delta >= 1 << 40:
                    return
                delta += day_delta
            if row[d] != new_s:
                same_shifts = False
        if not changed:
            return
        old_shifts, old_skills = row[first:last + 1], sk[first:last + 1]
        for d in range(first, last + 1):
            row[d] = new_s
        new_cost = r.nurse_cost[n] if same_shifts else r.cost_after(n, first, last, old_shifts, first)
        delta += new_cost - r.nurse_cost[n]
        if not self._accept(delta, temperature):
            for d in range(first, last + 1):
                row[d] = old_shifts[d - first]
            return
        K = a.n_skills
        for d in range(first, last + 1):
            old_s, old_k = old_shifts[d - first], old_skills[d - first]
            if old_s != OFF:
                r.cover[(d * S + old_s) * K + old_k] -= 1
            if new_s != OFF:
                r.cover[(d * S + new_s) * K + new_k] += 1
            sk[d] = new_k
        if not same_shifts:
            r.commit(n, first, last, new_cost)
        self.cost += delta
        self.accepted += 1

    def swap(self, temperature: float) -> None:
        """Two nurses exchange their days over a block of 1–7 days."""
        a, r = self.a, self.r
        n1 = self._draw(a.n_nurses)
        n2 = self._draw(a.n_nurses)
        if n1 == n2:
            return
        length = 1 + self._draw(7)
        first = self._draw(a.days - length + 1)
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
        # each nurse's days before the exchange are now the other's
        cost1, cost2 = r.cost_after(n1, first, last, row2, 0), r.cost_after(n2, first, last, row1, 0)
        delta = cost1 + cost2 - r.nurse_cost[n1] - r.nurse_cost[n2]
        if not self._accept(delta, temperature):
            for d in range(first, last + 1):
                row1[d], row2[d] = row2[d], row1[d]
            return
        for d in range(first, last + 1):
            sk1[d], sk2[d] = sk2[d], sk1[d]
        r.commit(n1, first, last, cost1)
        r.commit(n2, first, last, cost2)
        self.cost += delta
        self.accepted += 1

    def rotate(self, temperature: float) -> None:
        """One nurse's window of 2 to ``ROTATE_DAYS`` days turned by one day, left or right: a
        run slides by a day (the day it leaves becomes the day it enters), so the spacing of a
        nurse's runs and days off can change without a worse roster in between."""
        a, r = self.a, self.r
        n = self._draw(a.n_nurses)
        length = 2 + self._draw(ROTATE_DAYS - 1)
        first = self._draw(a.days - length + 1)
        last = first + length - 1
        right = self._draw(2) == 0
        row, sk, S = r.shift[n], r.skill[n], a.n_shifts
        old_shifts, old_skills = row[first:last + 1], sk[first:last + 1]
        if right:  # day first takes the window's last value, every other day its left neighbour's
            new_shifts = [old_shifts[-1]] + old_shifts[:-1]
            new_skills = [old_skills[-1]] + old_skills[:-1]
        else:
            new_shifts = old_shifts[1:] + [old_shifts[0]]
            new_skills = old_skills[1:] + [old_skills[0]]
        if new_shifts == old_shifts:
            return
        # H3 along the new window and at its two borders
        before = row[first - 1] if first > 0 else a.h_last[n]
        for i in range(length):
            now = new_shifts[i]
            if before != OFF and now != OFF and a.forbidden[before * S + now]:
                return
            before = now
        after = row[last + 1] if last + 1 < a.days else OFF
        if before != OFF and after != OFF and a.forbidden[before * S + after]:
            return
        delta = 0
        for i in range(length):
            if old_shifts[i] != new_shifts[i] or old_skills[i] != new_skills[i]:
                day_delta = self._coverage_delta(first + i, old_shifts[i], old_skills[i],
                                                 new_shifts[i], new_skills[i])
                if day_delta >= 1 << 40:
                    return
                delta += day_delta
        for i in range(length):
            row[first + i] = new_shifts[i]
        new_cost = r.cost_after(n, first, last, old_shifts, first)
        delta += new_cost - r.nurse_cost[n]
        if not self._accept(delta, temperature):
            for i in range(length):
                row[first + i] = old_shifts[i]
            return
        K = a.n_skills
        for i in range(length):
            d = first + i
            if old_shifts[i] != OFF:
                r.cover[(d * S + old_shifts[i]) * K + old_skills[i]] -= 1
            if new_shifts[i] != OFF:
                r.cover[(d * S + new_shifts[i]) * K + new_skills[i]] += 1
            sk[d] = new_skills[i]
        r.commit(n, first, last, new_cost)
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
                pick = self._uniform()
                if pick < self.rotate_share:
                    self.rotate(temperature)
                elif pick < self.rotate_share + (1.0 - self.rotate_share) * swap_share:
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
