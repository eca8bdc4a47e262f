"""The cheapest roster row of one INRC-II nurse under prices per (day, shift type): the pricing
step of column generation (``inrc2_colgen``).

A dynamic programme over the nurse's days. Its state after a day is
- the *run state*: the last shift type (or off), the days on it in a row, the days worked in a
  row and the days off in a row, each capped where the checker's limits stop telling values
  apart (a run at or past both its minimum and its maximum costs the same from then on);
- the days worked so far, capped at the contract's maximum less the history's (past it each
  day worked costs its S6 unit at once, so the cap loses nothing);
- the weekends worked so far, capped the same way at the contract's maximum (S7).
So the programme is exact: H1 (one shift type a day) and H3 (forbidden successions, from the
history's last shift type on) hold, and the row's own cost (S2-S7, the checker's border rules)
is counted as the checker counts it. H2 and S1 (coverage) are the master's; H4 and the skill
of a worked day are chosen outside (the skill the prices favour).

The run states and their transitions are enumerated once per nurse (a few hundred); a day of
the programme is a handful of numpy operations over arrays (run states x totals x weekends).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kontrolltarn.model.inrc2 import (
    WEIGHT_COMPLETE_WEEKEND,
    WEIGHT_CONSECUTIVE_OFF,
    WEIGHT_CONSECUTIVE_SHIFT,
    WEIGHT_CONSECUTIVE_WORK,
    WEIGHT_TOTAL_ASSIGNMENTS,
    WEIGHT_WORKING_WEEKENDS,
)

from .inrc2_anneal import OFF, RosterArrays

RunState = tuple[int, int, int, int]  # last shift type (OFF), same-shift run, work run, off run
#: a float tolerance for matching the programme's values when a row is read back
TOLERANCE = 1e-6


@dataclass(frozen=True)
class _Arcs:
    """The transitions of one choice (a shift type, or ``OFF``), sorted by the state they lead
    to so that ``np.minimum.reduceat`` keeps the cheapest arrival in each."""

    choice: int
    source: np.ndarray  # run-state index before the day
    cost: np.ndarray  # the run cost (S2, S3) the day adds
    saturday_worked: np.ndarray  # the source's last day was worked (read on Sundays)
    targets: np.ndarray  # the distinct run states reached, in order
    starts: np.ndarray  # where each target's arcs begin


class NursePricer:
    """The pricing programme of nurse ``n`` of ``arrays``: ``cheapest(prices)`` is its row of
    least own cost less prices, ``own_cost(row)`` the checker's S2-S7 of one row."""

    def __init__(self, arrays: RosterArrays, n: int) -> None:
        a = self.a = arrays
        self.n = n
        self.days = a.days
        self.choices = [OFF, *range(a.n_shifts)]
        self.cap_work = max(a.min_work[n], a.max_work[n])
        self.cap_off = max(a.min_off[n], a.max_off[n])
        self.cap_shift = [self._shift_cap(s) for s in range(a.n_shifts)]
        self.cap_total = max(0, a.max_total[n] - a.h_worked[n])
        self.cap_weekends = max(0, a.max_weekends[n] - a.h_weekends[n])
        start = (a.h_last[n], a.h_shift_run[n] if a.h_last[n] != OFF else 0, a.h_work_run[n],
                 a.h_off_run[n])
        self.start = self._capped(start)
        self.states, self.index = self._enumerate()
        self.banned: np.ndarray | None = None
        self.arcs = [arcs for arcs in map(self._arcs, self.choices) if len(arcs.source)]
        # charged at the end, per total: the S6 shortfall below the contract's minimum, and
        # what the history alone is past either maximum (the programme charges only days)
        already = (WEIGHT_TOTAL_ASSIGNMENTS * max(0, a.h_worked[n] - a.max_total[n])
                   + WEIGHT_WORKING_WEEKENDS * max(0, a.h_weekends[n] - a.max_weekends[n]))
        short = [max(0, a.min_total[n] - a.h_worked[n] - t) for t in range(self.cap_total + 1)]
        self.end_cost = already + WEIGHT_TOTAL_ASSIGNMENTS * np.array(short, dtype=float)

    def _shift_cap(self, s: int) -> int:
        """Beyond this many days on shift type ``s`` in a row the count tells nothing new; a
        maximum the horizon cannot pass (the history's run included) is left out."""
        a = self.a
        reachable = a.days + (a.h_shift_run[self.n] if a.h_last[self.n] == s else 0)
        if a.shift_max[s] >= reachable:
            return max(1, a.shift_min[s])
        return max(1, a.shift_min[s], a.shift_max[s])

    def _capped(self, state: RunState) -> RunState:
        last, shift, work, off = state
        shift = min(shift, self.cap_shift[last]) if last != OFF else 0
        return last, shift, min(work, self.cap_work), min(off, self.cap_off)

    def step(self, state: RunState, choice: int) -> tuple[RunState, int] | None:
        """The run state after a day on ``choice`` and the run cost (S2, S3) that day adds, as
        the checker charges it; None when the succession is forbidden (H3)."""
        a, n = self.a, self.n
        last, shift, work, off = state
        cost = 0
        if choice != OFF:
            if last != OFF and a.forbidden[last * a.n_shifts + choice]:
                return None
            if off > 0:
                if off < a.min_off[n]:
                    cost += WEIGHT_CONSECUTIVE_OFF * (a.min_off[n] - off)
                off = 0
            work += 1
            if work > a.max_work[n]:
                cost += WEIGHT_CONSECUTIVE_WORK
            if choice == last:
                shift += 1
            else:
                if last != OFF and shift < a.shift_min[last]:
                    cost += WEIGHT_CONSECUTIVE_SHIFT * (a.shift_min[last] - shift)
                shift = 1
            if shift > a.shift_max[choice]:
                cost += WEIGHT_CONSECUTIVE_SHIFT
        else:
            if work > 0:
                if work < a.min_work[n]:
                    cost += WEIGHT_CONSECUTIVE_WORK * (a.min_work[n] - work)
                work = 0
            if last != OFF:
                if shift < a.shift_min[last]:
                    cost += WEIGHT_CONSECUTIVE_SHIFT * (a.shift_min[last] - shift)
                shift = 0
            off += 1
            if off > a.max_off[n]:
                cost += WEIGHT_CONSECUTIVE_OFF
        return self._capped((choice, shift, work, off)), cost

    def _enumerate(self) -> tuple[list[RunState], dict[RunState, int]]:
        """Every run state reachable from the history's."""
        index = {self.start: 0}
        states = [self.start]
        i = 0
        while i < len(states):
            for c in self.choices:
                moved = self.step(states[i], c)
                if moved is not None and moved[0] not in index:
                    index[moved[0]] = len(states)
                    states.append(moved[0])
            i += 1
        return states, index

    def _arcs(self, choice: int) -> _Arcs:
        arcs = []
        for i, state in enumerate(self.states):
            moved = self.step(state, choice)
            if moved is not None:
                arcs.append((self.index[moved[0]], i, moved[1], state[0] != OFF))
        arcs.sort()
        target = np.array([t for t, _, _, _ in arcs], dtype=np.int64)
        targets, starts = np.unique(target, return_index=True)
        return _Arcs(choice, np.array([s for _, s, _, _ in arcs], dtype=np.int64),
                     np.array([c for _, _, c, _ in arcs], dtype=float),
                     np.array([w for _, _, _, w in arcs], dtype=bool), targets, starts)

    # ---- the programme ----------------------------------------------------------------------
    def _day_price(self, prices: np.ndarray, d: int, choice: int) -> float:
        """What working ``choice`` on day ``d`` adds: its request (S4) less its price; infinite
        when ``banned`` rules it out (a dive's fixing, column ``choice + 1``, 0 for off)."""
        if self.banned is not None and self.banned[d, choice + 1]:
            return float("inf")
        if choice == OFF:
            return 0.0
        a = self.a
        return float(a.request_price[self.n][d * a.n_shifts + choice] - prices[d, choice])

    def _advance(self, values: np.ndarray, arcs: _Arcs, add: float, sunday: bool) -> np.ndarray:
        """The cheapest arrival in each of ``arcs.targets`` over the arcs of one choice."""
        moved = values[arcs.source] + (arcs.cost + add)[:, None, None]
        works = arcs.choice != OFF
        if works:
            moved = _count_up(moved, 1, WEIGHT_TOTAL_ASSIGNMENTS)
        if sunday:
            if self.a.complete_weekends[self.n]:
                half = arcs.saturday_worked != works
                moved += (WEIGHT_COMPLETE_WEEKEND * half)[:, None, None]
            counted = _count_up(moved, 2, WEIGHT_WORKING_WEEKENDS)
            # a weekend counts when either of its days is worked
            moved = counted if works else np.where(arcs.saturday_worked[:, None, None], counted, moved)
        return np.minimum.reduceat(moved, arcs.starts, axis=0)

    def _forward(self, prices: np.ndarray) -> list[np.ndarray]:
        """The least cost of reaching each (run state, total, weekends) after each day."""
        shape = (len(self.states), self.cap_total + 1, self.cap_weekends + 1)
        values = np.full(shape, np.inf)
        values[0, 0, 0] = 0.0
        layers = [values]
        for d in range(self.days):
            after = np.full(shape, np.inf)
            for arcs in self.arcs:
                best = self._advance(values, arcs, self._day_price(prices, d, arcs.choice), d % 7 == 6)
                after[arcs.targets] = np.minimum(after[arcs.targets], best)
            values = after
            layers.append(values)
        return layers

    def cheapest(self, prices: np.ndarray, banned: np.ndarray | None = None) -> tuple[float, list[int]]:
        """The least own cost less ``prices[d, s]`` over the days worked, and a row reaching it
        (a shift type per day, ``OFF`` on a day off); ``banned[d, c]`` rules out off (c = 0) or
        shift type c - 1 on day d. The value is infinite when nothing is left."""
        found = self.cheapest_rows(prices, banned, 1, float("inf"))
        return found[0] if found else (float("inf"), [])

    def cheapest_rows(self, prices: np.ndarray, banned: np.ndarray | None, limit: int,
                      below: float) -> list[tuple[float, list[int]]]:
        """Up to ``limit`` rows of value below ``below``, the cheapest for each of as many
        totals worked (cheapest first): one programme gives a column per total, which the
        master can mix where one row per round would take many rounds."""
        self.banned = banned
        layers = self._forward(prices)
        final = layers[-1] + self.end_cost[None, :, None]
        per_total = final.transpose(1, 0, 2).reshape(final.shape[1], -1)
        best = per_total.min(axis=1)
        rows = []
        for total in np.argsort(best)[:limit]:
            value = float(best[total])
            if not value < below:
                break
            flat = int(np.argmin(per_total[total]))
            state, weekends = divmod(flat, final.shape[2])
            rows.append((value, self._read_back(layers, prices, state, int(total), weekends)))
        return rows

    def _read_back(self, layers: list[np.ndarray], prices: np.ndarray, state: int, total: int,
                   weekends: int) -> list[int]:
        row = [OFF] * self.days
        for d in range(self.days - 1, -1, -1):
            state, total, weekends, row[d] = self._back(layers, prices, d, state, total, weekends)
        return row

    def _back(self, layers: list[np.ndarray], prices: np.ndarray, d: int, state: int, total: int,
              weekends: int) -> tuple[int, int, int, int]:
        """A (state, total, weekends, choice) before day ``d`` from which the programme reached
        the given one after it at its recorded value."""
        goal = layers[d + 1][state, total, weekends]
        before = layers[d]
        for arcs in self.arcs:
            lo = int(np.searchsorted(arcs.targets, state))
            if lo == len(arcs.targets) or arcs.targets[lo] != state:
                continue
            end = arcs.starts[lo + 1] if lo + 1 < len(arcs.starts) else len(arcs.source)
            works = arcs.choice != OFF
            add = self._day_price(prices, d, arcs.choice)
            for i in range(int(arcs.starts[lo]), int(end)):
                base = float(arcs.cost[i]) + add
                weekend = d % 7 == 6 and (works or bool(arcs.saturday_worked[i]))
                if d % 7 == 6 and self.a.complete_weekends[self.n] and bool(arcs.saturday_worked[i]) != works:
                    base += WEIGHT_COMPLETE_WEEKEND
                for t, t_cost in _origins(total, self.cap_total, works, WEIGHT_TOTAL_ASSIGNMENTS):
                    for w, w_cost in _origins(weekends, self.cap_weekends, weekend, WEIGHT_WORKING_WEEKENDS):
                        value = before[int(arcs.source[i]), t, w] + base + t_cost + w_cost
                        if abs(value - goal) <= TOLERANCE * max(1.0, abs(goal)):
                            return int(arcs.source[i]), t, w, arcs.choice
        raise AssertionError(f"pricing: no way back from day {d}")

    # ---- one row's own cost -----------------------------------------------------------------
    def own_cost(self, row: list[int]) -> int:
        """S2-S7 of the nurse working ``row`` (a shift type per day, ``OFF`` on a day off), the
        history's border included; H3 is the caller's (a forbidden succession raises)."""
        a, n = self.a, self.n
        state, cost, worked, weekends = self.start, 0, 0, 0
        for d, choice in enumerate(row):
            moved = self.step(state, choice)
            if moved is None:
                raise ValueError(f"row of nurse {n}: forbidden succession on day {d}")
            cost += moved[1]
            if choice != OFF:
                worked += 1
                cost += a.request_price[n][d * a.n_shifts + choice]
            if d % 7 == 6:
                sat, sun = state[0] != OFF, choice != OFF
                weekends += int(sat or sun)
                if a.complete_weekends[n] and sat != sun:
                    cost += WEIGHT_COMPLETE_WEEKEND
            state = moved[0]
        total = a.h_worked[n] + worked
        cost += WEIGHT_TOTAL_ASSIGNMENTS * (max(0, a.min_total[n] - total) + max(0, total - a.max_total[n]))
        cost += WEIGHT_WORKING_WEEKENDS * max(0, a.h_weekends[n] + weekends - a.max_weekends[n])
        return cost


def _count_up(values: np.ndarray, axis: int, weight: int) -> np.ndarray:
    """``values`` with one more counted along ``axis`` (totals or weekends): each index moves up
    by one, and at the cap (the contract's maximum) stays there at ``weight`` more."""
    out = np.full_like(values, np.inf)
    head = [slice(None)] * 3
    tail = [slice(None)] * 3
    head[axis], tail[axis] = slice(1, None), slice(None, -1)
    out[tuple(head)] = values[tuple(tail)]
    last = [slice(None)] * 3
    last[axis] = slice(-1, None)
    out[tuple(last)] = np.minimum(out[tuple(last)], values[tuple(last)] + weight)
    return out


def _origins(after: int, cap: int, counted: bool, weight: int) -> list[tuple[int, int]]:
    """The counts before a day (with what the day charged) that lead to ``after``."""
    if not counted:
        return [(after, 0)]
    origins = [(after - 1, 0)] if after >= 1 else []
    if after == cap:
        origins.append((after, weight))
    return origins
