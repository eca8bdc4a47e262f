"""A quick day-by-day INRC-II roster, the CP-SAT search's starting point.

Like the roster builder's greedy hint: on a loaded machine CP-SAT can spend its whole budget
looking for a first roster of a large instance; starting from this one it only has to improve.
Each day it first fills every (shift type, skill) to its minimum, scarcest first, then towards
the optimum, choosing nurses that keep the forbidden successions (hard) and, as far as it can,
their runs, totals and requests. It may leave a minimum short when no nurse can take it; the
model then repairs that.
"""

from __future__ import annotations

from dataclasses import dataclass

from kontrolltarn.model.inrc2 import Assignment, Instance, Solution


@dataclass
class _State:
    """A nurse's border data as the days are filled."""

    last: str | None
    shift_run: int
    work_run: int
    off_run: int
    total: int


def greedy_inrc2(instance: Instance) -> Solution:
    """The day-by-day roster of ``instance`` (see the module)."""
    greedy = _Greedy(instance)
    assignments: list[Assignment] = []
    for d in range(instance.days):
        assignments += greedy.day(d)
    return Solution(tuple(assignments))


class _Greedy:
    def __init__(self, instance: Instance) -> None:
        self.inst = instance
        sc = instance.scenario
        self.sc = sc
        self.contracts = {n.name: sc.contract_of(n) for n in sc.nurses}
        self.shift_max = {t.name: t.max_consecutive for t in sc.shift_types}
        self.skills_of = {n.name: n.skills for n in sc.nurses}
        self.share = {n.name: self.contracts[n.name].max_total / max(1, instance.days)
                      for n in sc.nurses}
        self.state = {}
        for n in sc.nurses:
            h = instance.history.of(n.name)
            self.state[n.name] = _State(h.last_shift, h.consecutive_shift, h.consecutive_work,
                                        h.consecutive_off, h.worked_days)
        self.today: dict[str, tuple[str, str]] = {}
        self.wants_off: set[tuple[str, str | None]] = set()
        self.d = 0

    def day(self, d: int) -> list[Assignment]:
        """Fill day ``d``: minimums (scarcest skill first), then towards the optimum."""
        week = self.inst.weeks[d // 7]
        self.d, self.today = d, {}
        self.wants_off = {(q.nurse, q.shift) for q in week.requests if q.day == d % 7}
        reqs = sorted(week.requirements,
                      key=lambda r: sum(r.skill in k for k in self.skills_of.values()))
        for r in reqs:
            self._fill(r.minimum[d % 7], r.shift, r.skill, strict=True)
            self._fill(r.minimum[d % 7], r.shift, r.skill, strict=False)
        for r in reqs:
            self._fill(r.optimal[d % 7], r.shift, r.skill, strict=True)
        made = []
        for name, st in self.state.items():
            if name in self.today:
                shift, skill = self.today[name]
                made.append(Assignment(name, d, shift, skill))
                st.shift_run = st.shift_run + 1 if st.last == shift else 1
                st.last, st.work_run, st.off_run = shift, st.work_run + 1, 0
                st.total += 1
            else:
                st.last, st.shift_run, st.work_run, st.off_run = None, 0, 0, st.off_run + 1
        return made

    def _asked_off(self, name: str, shift: str) -> bool:
        return (name, None) in self.wants_off or (name, shift) in self.wants_off

    def _can(self, name: str, shift: str, skill: str, strict: bool) -> bool:
        """Allowed (free today, has the skill, no forbidden succession); ``strict`` also
        keeps the nurse's limits and requests."""
        st, c = self.state[name], self.contracts[name]
        if name in self.today or skill not in self.skills_of[name]:
            return False
        if st.last is not None and (st.last, shift) in self.sc.forbidden:
            return False
        if not strict:
            return True
        return (st.work_run < c.max_consecutive_work and st.total < c.max_total
                and not self._asked_off(name, shift)
                and not (st.last == shift and st.shift_run >= self.shift_max[shift])
                and not (0 < st.off_run < c.min_consecutive_off))

    def _score(self, name: str, shift: str) -> tuple[float, ...]:
        """Smaller is better: no request broken, runs kept, behind its contract's share."""
        st, c = self.state[name], self.contracts[name]
        return (
            float(self._asked_off(name, shift)),
            float(st.work_run >= c.max_consecutive_work),
            float(0 < st.off_run < c.min_consecutive_off),
            -float(st.last == shift and st.shift_run < self.shift_max[shift]),
            st.total / (self.d + 1) - self.share[name],
            len(self.skills_of[name]),  # keep the versatile nurses for the scarce skills
        )

    def _fill(self, target: int, shift: str, skill: str, strict: bool) -> None:
        while sum(1 for a in self.today.values() if a == (shift, skill)) < target:
            pool = [n.name for n in self.sc.nurses if self._can(n.name, shift, skill, strict)]
            if not pool:
                return
            self.today[min(pool, key=lambda name: self._score(name, shift))] = (shift, skill)
