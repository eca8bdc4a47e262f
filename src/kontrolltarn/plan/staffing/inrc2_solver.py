"""The static INRC-II problem solved with the staffing module's CP-SAT blocks (``cpsat``).

One boolean per (nurse, day, shift type, skill the nurse has), so H4 holds by construction;
H1 (one shift a day), H2 (minimum coverage) and H3 (forbidden successions, the history's last
shift included) are hard constraints. S1-S7 are the soft terms at the competition's weights
(the objective is the competition's cost; CP-SAT's presolve may still report a roster a little
above it). The solver never judges itself: ``evaluate_inrc2`` does, and when no roster is found
in time the result is empty and the checker says what is missing.

The search: a greedy day-by-day roster (``inrc2_greedy``; CP-SAT repairs it first when it
leaves a minimum short), then simulated annealing from it (``inrc2_anneal``, millions of small
moves, ``ANNEAL_SHARE`` of the time), then column generation over whole nurse rows from its
roster (``inrc2_colgen``: HiGHS master, a pricing programme per nurse, a dive to a roster),
then CP-SAT on neighbourhoods of its best roster (``cpsat.improve_in_
neighbourhoods``, ``workers`` searches side by side), six kinds drawn adaptively
(``_neighbourhoods``), each on its own model of the freed nurses (``_sub_models``). CP-SAT on the whole model
spends a short run finding and cleaning up a first roster and its relaxation proves nothing;
on a neighbourhood, one thread with the full linear relaxation proves optimality in seconds
(docs/staffing.md has the measurements).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from ortools.sat.python import cp_model

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

from .cpsat import (
    CtrlC,
    Incumbent,
    Neighbourhood,
    NeighbourhoodKind,
    Progress,
    ShiftModel,
    SubModel,
    SubProblem,
    improve_in_neighbourhoods,
    new_solver,
    objective_of,
    run_search,
)
from .inrc2_anneal import RosterAnnealer, RosterArrays
from .inrc2_checker import evaluate_inrc2
from .inrc2_colgen import ColumnGeneration
from .inrc2_greedy import greedy_inrc2

#: the share of the time left after the start that the annealer gets before CP-SAT's
#: neighbourhoods take over from its best roster. It cools over all of it: a slower cooling
#: keeps improving (docs/staffing.md: a cap of 100,000 moves per nurse-day stopped it at about
#: 45 s on n030w4, 1,805 at 300 s against 1,765 without); 0.9 starves the neighbourhoods,
#: which the large 8-week instances need.
ANNEAL_SHARE = 0.6
#: the share of the time left after the start that the annealer gets when column generation
#: over whole rows follows it (``inrc2_colgen``; its roster is only the LP's start and the
#: fallback)
ANNEAL_SHARE_BEFORE_COLUMNS = 0.15
#: the share of the time left after the annealer that column generation gets (its LP, then a
#: dive to a roster near the LP); the neighbourhoods have the rest, and all of it when the
#: dive ends early. On n110w4 the root takes 65-105 s and an unhurried dive 90-150 s: with
#: 0.3 and 0.7 the dive was cut short and its last fixings clashed (docs/staffing.md)
COLUMNS_SHARE = 0.85
#: column generation runs on 4-week instances of at most this many nurse-days: its root LP
#: was priced out in 10 s on n040w4 (1,120) and 35 s on n100w4 (2,800); on 8-week instances
#: (a pricing programme 4x a 4-week one) not within the phase's time, even on n030w8 (1,680),
#: and a dive from an LP not priced out gave no better roster (docs/staffing.md); those
#: instances keep the annealer's longer share
COLUMNS_MAX_NURSE_DAYS = 3400
COLUMNS_MAX_DAYS = 28
#: the annealer's temperature: from about two units of a 30-weight term down to where only
#: improving moves pass
ANNEAL_START_TEMPERATURE = 60.0
ANNEAL_END_TEMPERATURE = 0.5
#: share of the annealer's moves other than rotations that exchange a block of days between
#: two nurses (rotations take ``inrc2_anneal.ROTATE_SHARE``)
ANNEAL_SWAP_SHARE = 0.3


@dataclass(frozen=True)
class Inrc2Result:
    solution: Solution
    status: str  # CP-SAT's status (INFEASIBLE, UNKNOWN: no roster found, ``solution`` empty)
    objective: float | None  # the model's own view; the checker's cost is the one to report
    bound: float | None  # a lower bound: column generation's best Lagrangian bound of its root
    seconds: float
    interrupted: bool  # stopped by Ctrl-C (the solution is the best so far)


class Inrc2Model:
    """The CP-SAT model of one instance: each ``_add_*`` adds one constraint family."""

    def __init__(self, instance: Instance, crew: Iterable[int] | None = None,
                 others: Mapping[tuple[int, str, str], int] | None = None) -> None:
        """The whole instance, or (a neighbourhood's sub-model) only the nurses of ``crew``,
        the rest of the roster counted in ``others``: how many of the other nurses cover each
        (day, shift type, skill). The sub-model's objective is the cost of the crew's own
        terms and of coverage; the other nurses' own terms are a constant left out."""
        self.inst = instance
        self.sm = ShiftModel()
        self.m = self.sm.m
        self.days = instance.days
        self.shifts = [t.name for t in instance.scenario.shift_types]
        self.crew = list(range(len(instance.scenario.nurses))) if crew is None else sorted(crew)
        self.others = others or {}
        self.objective: list[cp_model.LinearExprT] = []
        self.x: dict[tuple[int, int, str, str], cp_model.IntVar] = {}
        self.on_shift: dict[tuple[int, int, str], cp_model.IntVar] = {}  # any skill
        self.works: dict[tuple[int, int], cp_model.IntVar] = {}
        for n in self.crew:
            self._add_assignments(n, instance.scenario.nurses[n].skills)
        self._add_coverage()
        for n in self.crew:
            self._add_successions(n)
            self._add_runs(n)
            self._add_weekends(n)
            self._add_total(n)
        self._add_preferences()
        self.m.minimize(sum(self.objective))

    def _add_assignments(self, n: int, skills: tuple[str, ...]) -> None:
        """H1, H4: at most one (shift type, skill) a day, only skills the nurse has; the
        indicators 'on shift type s' and 'works' of each day."""
        sm = self.sm
        for d in range(self.days):
            day: list[cp_model.IntVar] = []
            for s in self.shifts:
                options = [sm.assign((n, d, s, k), f"x{n}_{d}_{s}_{k}") for k in skills]
                for k, var in zip(skills, options, strict=True):
                    self.x[n, d, s, k] = var
                day += options
                self.on_shift[n, d, s] = sm.boolean_sum(options, f"y{n}_{d}_{s}")
            sm.at_most_one(day)
            self.works[n, d] = sm.boolean_sum([self.on_shift[n, d, s] for s in self.shifts], f"w{n}_{d}")

    def _add_coverage(self) -> None:
        """H2 (at least the minimum) and S1 (shortfall below the optimum), the other nurses'
        coverage (``others``) counted."""
        nurses = self.inst.scenario.nurses
        for w, week in enumerate(self.inst.weeks):
            for r in week.requirements:
                for i in range(7):
                    d = 7 * w + i
                    present = [self.x[n, d, r.shift, r.skill] for n in self.crew
                               if r.skill in nurses[n].skills]
                    given = self.others.get((d, r.shift, r.skill), 0)
                    if r.minimum[i] > given:
                        self.m.add(sum(present) >= r.minimum[i] - given)
                    if r.optimal[i] > given:
                        gap = self.sm.shortfall(present, r.optimal[i] - given,
                                                f"opt{d}_{r.shift}_{r.skill}", exact=True)
                        self.objective.append(WEIGHT_OPTIMAL_COVERAGE * gap)

    def _add_successions(self, n: int) -> None:
        """H3: no forbidden shift type the day after another, nor after the history's last."""
        last = self.inst.history.of(self.inst.scenario.nurses[n].name).last_shift
        for a, b in sorted(self.inst.scenario.forbidden):
            if a == last:
                self.m.add(self.on_shift[n, 0, b] == 0)
            for d in range(self.days - 1):
                self.sm.forbid_both(self.on_shift[n, d, a], self.on_shift[n, d + 1, b])

    def _penalise(self, weight: int, terms: list[tuple[int, cp_model.IntVar]]) -> None:
        self.objective += [weight * units * var for units, var in terms]

    def _add_runs(self, n: int) -> None:
        """S2 (days worked in a row; days on one shift type in a row) and S3 (days off in a row),
        each run from the history's border."""
        nurse = self.inst.scenario.nurses[n]
        c = self.inst.scenario.contract_of(nurse)
        h = self.inst.history.of(nurse.name)
        works = [self.works[n, d] for d in range(self.days)]
        self._penalise(WEIGHT_CONSECUTIVE_WORK, self.sm.run_limits(
            works, h.consecutive_work, c.min_consecutive_work, c.max_consecutive_work, f"work{n}"))
        self._penalise(WEIGHT_CONSECUTIVE_OFF, self.sm.run_limits(
            [w.Not() for w in works], h.consecutive_off, c.min_consecutive_off,
            c.max_consecutive_off, f"off{n}"))
        for t in self.inst.scenario.shift_types:
            self._penalise(WEIGHT_CONSECUTIVE_SHIFT, self.sm.run_limits(
                [self.on_shift[n, d, t.name] for d in range(self.days)],
                h.consecutive_shift if h.last_shift == t.name else 0,
                t.min_consecutive, t.max_consecutive, f"run{n}_{t.name}"))

    def _add_weekends(self, n: int) -> None:
        """S5 (half-worked weekends, when the contract asks for complete ones) and S7 (working
        weekends above the contract's maximum, the history's count included)."""
        nurse = self.inst.scenario.nurses[n]
        c = self.inst.scenario.contract_of(nurse)
        h = self.inst.history.of(nurse.name)
        worked = []
        for w in range(len(self.inst.weeks)):
            sat, sun = self.works[n, 7 * w + 5], self.works[n, 7 * w + 6]
            worked.append(self.sm.any_of([sat, sun], f"we{n}_{w}"))
            if c.complete_weekends:
                self.objective.append(WEIGHT_COMPLETE_WEEKEND * self.sm.differ(sat, sun, f"half{n}_{w}"))
        _, over = self.sm.outside(h.worked_weekends + sum(worked), 0, c.max_working_weekends,
                                  h.worked_weekends + len(worked), f"weekends{n}")
        self.objective.append(WEIGHT_WORKING_WEEKENDS * over)

    def _add_total(self, n: int) -> None:
        """S6: assignments over the horizon (the history's included) outside the contract's."""
        nurse = self.inst.scenario.nurses[n]
        c = self.inst.scenario.contract_of(nurse)
        h = self.inst.history.of(nurse.name)
        under, over = self.sm.outside(
            h.worked_days + sum(self.works[n, d] for d in range(self.days)),
            c.min_total, c.max_total, h.worked_days + self.days, f"total{n}")
        self.objective += [WEIGHT_TOTAL_ASSIGNMENTS * under, WEIGHT_TOTAL_ASSIGNMENTS * over]

    def _add_preferences(self) -> None:
        """S4: each requested shift (or day, for ``Any``) the nurse works."""
        index = {nurse.name: n for n, nurse in enumerate(self.inst.scenario.nurses)}
        crew = set(self.crew)
        for w, week in enumerate(self.inst.weeks):
            for q in week.requests:
                n, d = index[q.nurse], 7 * w + q.day
                if n not in crew:
                    continue
                worked = self.works[n, d] if q.shift is None else self.on_shift[n, d, q.shift]
                self.objective.append(WEIGHT_PREFERENCE * worked)

    def values_of(self, solution: Solution) -> dict[Hashable, int]:
        """``x``'s values for ``solution`` (assignments the model has no variable for, such as a
        skill the nurse lacks, are dropped)."""
        chosen = {(a.nurse, a.day, a.shift, a.skill) for a in solution.assignments}
        names = [nurse.name for nurse in self.inst.scenario.nurses]
        return {key: int((names[key[0]], *key[1:]) in chosen) for key in self.x}

    def hint(self, solution: Solution) -> None:
        """Start the search from ``solution`` (its assignments; the rest CP-SAT completes)."""
        self.m.clear_hints()
        chosen = {(a.nurse, a.day, a.shift, a.skill) for a in solution.assignments}
        names = [nurse.name for nurse in self.inst.scenario.nurses]
        for (n, d, s, k), var in self.x.items():
            self.m.add_hint(var, int((names[n], d, s, k) in chosen))

    def solution_of(self, values: dict[Hashable, int]) -> Solution:
        """The roster of an assignment of ``x``."""
        names = [nurse.name for nurse in self.inst.scenario.nurses]
        return Solution(tuple(Assignment(names[n], d, s, k) for (n, d, s, k) in self.x
                              if values[n, d, s, k]))


def _neighbourhoods(instance: Instance) -> list[NeighbourhoodKind]:
    """The kinds of neighbourhood, each freeing about ``size`` of the roster; they follow where a
    roster's cost comes from: coverage across nurses, runs, weekends and totals along a
    nurse's days.
    - some nurses over a window of one to four weeks (the whole horizon when it is short);
    - every nurse over a window of days;
    - the nurses of one skill over a window;
    - a few nurses who share a skill over the whole horizon: they swap shifts and reshape
      their runs and weekends together (the moves a nurse's sequence costs need);
    - some nurses over every weekend with its Friday and Monday (complete and working
      weekends, and the runs that cross them);
    - a nurse whose total (S6) is outside its contract's range, with nurses who share a skill
      and have room the other way, over the whole horizon: the shifts one has too many of go
      to those with too few (docs/staffing.md: random groups rarely pair them)."""
    nurses, days = instance.scenario.nurses, instance.days
    skills = instance.scenario.skills
    by_skill = {k: [n for n, nurse in enumerate(nurses) if k in nurse.skills] for k in skills}
    weekend_days = {d for d in range(days) if d % 7 in (4, 5, 6) or (d % 7 == 0 and d > 0)}
    history = instance.history
    contracts = [instance.scenario.contract_of(nurse) for nurse in nurses]

    def window(rng: random.Random, width: int) -> tuple[int, int]:
        width = max(2, min(days, width))
        first = rng.randrange(days - width + 1)
        return first, first + width

    def nurse_count(size: float, width: int, most: int) -> int:
        return min(most, max(2, round(size * len(nurses) * days / max(1, width))))

    def some_nurses(rng: random.Random, size: float, values: Mapping[Hashable, int]) -> Neighbourhood:
        lo, hi = window(rng, 7 * rng.randint(1, 4))
        free = set(rng.sample(range(len(nurses)), nurse_count(size, hi - lo, len(nurses))))
        return lambda key: key[0] in free and lo <= key[1] < hi  # type: ignore[index]

    def every_nurse(rng: random.Random, size: float, values: Mapping[Hashable, int]) -> Neighbourhood:
        lo, hi = window(rng, round(size * days))
        return lambda key: lo <= key[1] < hi  # type: ignore[index]

    def one_skill(rng: random.Random, size: float, values: Mapping[Hashable, int]) -> Neighbourhood:
        group = set(by_skill[rng.choice(skills)])
        lo, hi = window(rng, round(size * days * len(nurses) / max(1, len(group))))
        return lambda key: key[0] in group and lo <= key[1] < hi  # type: ignore[index]

    def sharing_a_skill(rng: random.Random, size: float, values: Mapping[Hashable, int]) -> Neighbourhood:
        group = by_skill[rng.choice(skills)]
        free = set(rng.sample(group, nurse_count(size, days, len(group))))
        return lambda key: key[0] in free  # type: ignore[index]

    def weekends(rng: random.Random, size: float, values: Mapping[Hashable, int]) -> Neighbourhood:
        count = nurse_count(size, len(weekend_days), len(nurses))
        free = set(rng.sample(range(len(nurses)), count))
        return lambda key: key[0] in free and key[1] in weekend_days  # type: ignore[index]

    def unbalanced_totals(rng: random.Random, size: float, values: Mapping[Hashable, int]) -> Neighbourhood:
        worked = [history.of(nurse.name).worked_days for nurse in nurses]
        for key, value in values.items():
            if value:
                worked[cast(tuple[int, int, str, str], key)[0]] += 1
        over = [n for n in range(len(nurses)) if worked[n] > contracts[n].max_total]
        under = [n for n in range(len(nurses)) if worked[n] < contracts[n].min_total]
        if not over and not under:
            return sharing_a_skill(rng, size, values)
        n = rng.choice(over + under)
        shared = set(nurses[n].skills)
        if n in over:  # partners who may take a shift without passing their own maximum
            room = [m for m in range(len(nurses)) if worked[m] < contracts[m].max_total]
        else:  # partners who may give one without falling below their own minimum
            room = [m for m in range(len(nurses)) if worked[m] > contracts[m].min_total]
        partners = [m for m in room if m != n and shared & set(nurses[m].skills)]
        count = min(len(partners), max(1, nurse_count(size, days, len(nurses)) - 1))
        free = {n, *rng.sample(partners, count)}
        return lambda key: key[0] in free  # type: ignore[index]

    return [some_nurses, every_nurse, one_skill, sharing_a_skill, weekends, unbalanced_totals]


def _sub_models(instance: Instance) -> SubModel:
    """A neighbourhood's own model: only the nurses it frees (anywhere in the horizon), the
    others' coverage as constants. Building it takes milliseconds where copying and presolving
    the whole model took most of a small round. None when the neighbourhood frees every nurse
    (the whole model is then the sub-model)."""
    count = len(instance.scenario.nurses)

    def build(values: dict[Hashable, int], free: Neighbourhood) -> SubProblem | None:
        keys = cast(dict[tuple[int, int, str, str], int], values)
        crew = {key[0] for key in keys if free(key)}
        if len(crew) == count:
            return None
        others: dict[tuple[int, str, str], int] = {}
        for (n, d, s, k), value in keys.items():
            if value and n not in crew:
                others[d, s, k] = others.get((d, s, k), 0) + 1
        sub = Inrc2Model(instance, crew, others)
        return sub.m, {key: var for key, var in sub.x.items()}

    return build


def _anneal(instance: Instance, start: Solution, deadline: float, seed: int,
            ctrl_c: CtrlC) -> Solution:
    """The annealer's best roster from ``start`` by ``deadline``; it runs in a thread while this
    one waits in short joins, so Ctrl-C reaches ``ctrl_c`` at once and stops it."""
    annealer = RosterAnnealer(RosterArrays(instance), start, seed)
    thread = threading.Thread(target=annealer.run, daemon=True, args=(
        deadline, 0, ANNEAL_START_TEMPERATURE, ANNEAL_END_TEMPERATURE, ANNEAL_SWAP_SHARE,
        lambda: ctrl_c.pressed))
    thread.start()
    while thread.is_alive():
        thread.join(0.1)
    return annealer.best()


def _columns(instance: Instance, start: Solution, deadline: float,
             ctrl_c: CtrlC) -> tuple[Solution | None, int | None]:
    """Column generation's roster from ``start`` by ``deadline`` when the checker finds it
    without hard violations and cheaper than ``start`` (else None), and the root's lower
    bound (None when not one round was priced)."""
    colgen = ColumnGeneration(instance, start)
    roster = colgen.run(deadline, lambda: ctrl_c.pressed)
    if roster is not None:
        judged = evaluate_inrc2(instance, roster)
        if not judged.feasible or judged.total_cost >= evaluate_inrc2(instance, start).total_cost:
            roster = None
    return roster, colgen.report.bound


def solve_inrc2(
    instance: Instance,
    time_limit: float = 60.0,
    seed: int = 0,
    workers: int = 2,
    progress: Progress | None = None,
    start: Solution | None = None,
    on_built: Callable[[float], None] | None = None,
    anneal_share: float | None = None,
    columns_share: float | None = None,
) -> Inrc2Result:
    """A roster for ``instance`` within ``time_limit`` seconds (model building included).

    ``progress(objective, bound, seconds)`` is called on each better roster (bound 0 until
    column generation has priced its root; the neighbourhood search proves none);
    ``start`` is a roster to start from (default: the greedy one). Ctrl-C stops the search
    and returns the best roster so far (``interrupted``); an empty roster when none was found.
    Up to ``anneal_share`` of the time after the start goes to the annealer (``inrc2_anneal``,
    one thread), ``columns_share`` of the rest to column generation over whole rows
    (``inrc2_colgen``) from its best roster, the rest to CP-SAT's neighbourhoods from the
    better of the two by the checker. By default column generation runs on 4-week instances
    of up to ``COLUMNS_MAX_NURSE_DAYS`` and the annealer's share follows from that."""
    if columns_share is None:
        small = (instance.days <= COLUMNS_MAX_DAYS
                 and len(instance.scenario.nurses) * instance.days <= COLUMNS_MAX_NURSE_DAYS)
        columns_share = COLUMNS_SHARE if small else 0.0
    if anneal_share is None:
        anneal_share = ANNEAL_SHARE_BEFORE_COLUMNS if columns_share > 0 else ANNEAL_SHARE
    started = time.monotonic()
    deadline = started + time_limit
    model = Inrc2Model(instance)
    x: dict[Hashable, cp_model.IntVar] = {key: var for key, var in model.x.items()}
    status, bound = ("START", None) if start else ("GREEDY", None)
    start = start or greedy_inrc2(instance)
    values = model.values_of(start)
    if on_built:
        on_built(time.monotonic() - started)
    with CtrlC() as ctrl_c:
        objective = objective_of(model.m, x, values, workers)
        if objective is None:  # the start breaks a hard constraint: CP-SAT repairs it first
            model.hint(start)
            solver = new_solver(deadline - time.monotonic(), workers, seed)
            solver.parameters.stop_after_first_solution = True
            first = run_search(model.m, solver, ctrl_c, progress)
            status = first.status
            if not first.found:
                return Inrc2Result(Solution(), status, None, None, time.monotonic() - started,
                                   ctrl_c.pressed)
            values, objective = {k: solver.value(v) for k, v in x.items()}, solver.objective_value
        if progress:
            progress(objective, 0.0, time.monotonic() - started)
        if anneal_share > 0 and not ctrl_c.pressed:
            until = time.monotonic() + anneal_share * (deadline - time.monotonic())
            annealed = _anneal(instance, model.solution_of(values), until, seed, ctrl_c)
            better = objective_of(model.m, x, model.values_of(annealed), workers)
            if better is not None and better <= objective:
                values, objective = model.values_of(annealed), better
                status = f"{status}+SA"
                if progress:
                    progress(objective, 0.0, time.monotonic() - started)

        if columns_share > 0 and not ctrl_c.pressed:
            until = time.monotonic() + columns_share * (deadline - time.monotonic())
            rebuilt, lp_bound = _columns(instance, model.solution_of(values), until, ctrl_c)
            bound = None if lp_bound is None else float(lp_bound)
            better = None if rebuilt is None else objective_of(model.m, x, model.values_of(rebuilt), workers)
            if rebuilt is not None and better is not None and better <= objective:
                values, objective = model.values_of(rebuilt), better
                status = f"{status}+CG"
            if progress:
                progress(objective, bound or 0.0, time.monotonic() - started)

        def report(better: float) -> None:
            if progress:
                progress(better, bound or 0.0, time.monotonic() - started)

        incumbent = improve_in_neighbourhoods(model.m, x, Incumbent(values, objective),
                                              _neighbourhoods(instance), deadline, seed, workers,
                                              ctrl_c, report, _sub_models(instance))
    status = "OPTIMAL" if incumbent.optimal else f"{status}+LNS"
    return Inrc2Result(model.solution_of(incumbent.values), status, incumbent.objective,
                       bound, time.monotonic() - started, ctrl_c.pressed)
