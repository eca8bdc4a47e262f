"""CP-SAT building blocks shared by the staffing rosters: the Norwegian roster (``solver``) and
the INRC-II benchmark (``inrc2_solver``) are built from these, so a better block improves both.

``ShiftModel`` holds the model and the assignment variables (one boolean per person and
something they can work: a shift instance, or a (day, shift type, skill)), and adds the
families of constraints the two share, one method per family: one shift a day, forbidden
pairs (rest, successions), coverage with a soft shortfall, soft min/max limits on runs of
days with the history at the border, weekends, and counts outside a range. ``run_search``
runs CP-SAT with a time limit, a seed, a progress report per improving solution and Ctrl-C
(``CtrlC``) that stops the search and keeps the best solution so far;
``improve_in_neighbourhoods`` is a large-neighbourhood search over the assignment variables.
"""

from __future__ import annotations

import random
import signal
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from ortools.sat.python import cp_model, cp_model_helper

Literal = cp_model_helper.Literal  # a boolean variable or its negation
#: one soft penalty term: ``units`` per unit of the constraint's weight when ``var`` is 1
Penalty = tuple[int, cp_model.IntVar]


def negated(lit: Literal) -> Literal:
    return lit.Not()


class ShiftModel:
    """A CP-SAT model of who works what, with the blocks both rosters use."""

    def __init__(self) -> None:
        self.m = cp_model.CpModel()
        self.x: dict[Hashable, cp_model.IntVar] = {}

    def assign(self, key: Hashable, name: str) -> cp_model.IntVar:
        """The variable 'the person of ``key`` works the option of ``key``'."""
        var = self.m.new_bool_var(name)
        self.x[key] = var
        return var

    def at_most_one(self, lits: Sequence[Literal]) -> None:
        """At most one of ``lits`` (a person's options on one day)."""
        self.m.add_at_most_one(lits)

    def boolean_sum(self, lits: Sequence[Literal], name: str) -> cp_model.IntVar:
        """A new boolean equal to the sum of ``lits``, which are at most one at a time (works
        shift type s on day d, whatever the skill; works on day d at all)."""
        var = self.m.new_bool_var(name)
        self.m.add(sum(lits) == var)
        return var

    def forbid_both(self, a: Literal, b: Literal) -> None:
        """Not both of ``a`` and ``b`` (too little rest between them, a forbidden succession)."""
        self.m.add_bool_or([a.Not(), b.Not()])

    def shortfall(self, present: Sequence[Literal], need: int, name: str,
                  exact: bool = False) -> cp_model.IntVar:
        """How many of ``need`` people ``present`` misses (0..need): a coverage gap to pay for.
        Bounded from below only, unless ``exact``: then it is the shortfall itself, so a
        neighbourhood's fixed part carries no slack."""
        gap = self.m.new_int_var(0, need, name)
        if exact:
            self.m.add_max_equality(gap, [0, need - sum(present)])
        else:
            self.m.add(sum(present) + gap >= need)
        return gap

    def outside(self, count: cp_model.LinearExprT, low: int, high: int, most: int,
                name: str) -> tuple[cp_model.IntVar, cp_model.IntVar]:
        """(under, over): how far ``count`` (0..``most``) falls below ``low`` and rises above
        ``high``."""
        under = self.m.new_int_var(0, max(0, low), f"{name}_under")
        over = self.m.new_int_var(0, max(0, most - high), f"{name}_over")
        self.m.add_max_equality(under, [0, low - count])
        self.m.add_max_equality(over, [0, count - high])
        return under, over

    def any_of(self, lits: Sequence[Literal], name: str) -> cp_model.IntVar:
        """A boolean equal to 'any of ``lits``' (a working weekend)."""
        var = self.m.new_bool_var(name)
        self.m.add_max_equality(var, lits)
        return var

    def differ(self, a: Literal, b: Literal, name: str) -> cp_model.IntVar:
        """A boolean equal to 'exactly one of ``a`` and ``b``' (half a weekend)."""
        var = self.m.new_bool_var(name)
        self.m.add_bool_xor([a, b, var.Not()])
        return var

    def _pattern(self, lits: Sequence[Literal], name: str) -> cp_model.IntVar:
        """A boolean equal to 'all of ``lits`` hold', defined both ways: a penalty is due
        exactly when its pattern holds, so a neighbourhood's fixed part carries no slack."""
        var = self.m.new_bool_var(name)
        self.m.add_bool_or([negated(lit) for lit in lits] + [var])
        for lit in lits:
            self.m.add_implication(var, lit)
        return var

    def run_limits(self, on: Sequence[Literal], history_run: int, minimum: int, maximum: int,
                   name: str) -> list[Penalty]:
        """Soft limits on runs of consecutive days whose literal in ``on`` is 1 (worked days,
        days off, days on one shift type), a run of ``history_run`` days going on at the
        border. As the INRC-II rules count them:
        - each day inside the horizon that takes a run past ``maximum`` costs 1;
        - a run that ends inside the horizon shorter than ``minimum`` costs the days missing,
          also when it began before the first day; a run still going on the last day is free.
        Returns the penalty terms (units, indicator)."""
        days = len(on)
        terms: list[Penalty] = []
        if maximum < days + history_run:
            for d in range(days):
                start = d - maximum  # the run at d is too long iff days start..d are all on
                if start < 0 and history_run < -start:
                    continue
                terms.append((1, self._pattern(on[max(0, start):d + 1], f"{name}_max{d}")))
        if history_run > 0:  # the run from before the border ends after ``length`` more days
            for length in range(0, minimum - history_run):
                if length >= days:
                    break
                lits = [*on[:length], negated(on[length])]
                terms.append((minimum - history_run - length, self._pattern(lits, f"{name}_hmin{length}")))
        for s in range(1 if history_run > 0 else 0, days):
            for length in range(1, minimum):
                if s + length >= days:
                    break
                lits = ([negated(on[s - 1])] if s > 0 else []) + [*on[s:s + length], negated(on[s + length])]
                terms.append((minimum - length, self._pattern(lits, f"{name}_min{s}_{length}")))
        return terms


def new_solver(time_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    """A solver with the limit, threads and seed. CP-SAT's own Ctrl-C catching is off: it
    replaces Python's handler during a solve and does not give it back (a later Ctrl-C then
    kills the process); ``CtrlC`` and ``run_search`` handle Ctrl-C instead."""
    solver = cp_model.CpSolver()
    solver.parameters.catch_sigint_signal = False
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    return solver


class CtrlC:
    """While open, Ctrl-C stops the CP-SAT searches being watched instead of killing the
    process; ``pressed`` tells the caller, who decides what to keep. Outside the main thread
    Ctrl-C is the caller's business and nothing is installed."""

    def __init__(self) -> None:
        self.solvers: set[cp_model.CpSolver] = set()
        self.pressed = False
        self._previous: Callable[[int, FrameType | None], object] | int | None = None
        self.installed = False
        self._lock = threading.Lock()

    def watch(self, solver: cp_model.CpSolver) -> None:
        with self._lock:
            self.solvers.add(solver)
            if self.pressed:  # pressed while this search was being prepared
                solver.stop_search()

    def release(self, solver: cp_model.CpSolver) -> None:
        with self._lock:
            self.solvers.discard(solver)

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        with self._lock:
            self.pressed = True
            for solver in self.solvers:
                solver.stop_search()

    def __enter__(self) -> CtrlC:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
            self.installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, self._previous)
            self.installed = False


#: progress report per improving solution: (objective, best bound, seconds since the start)
Progress = Callable[[float, float, float], None]


class _Improvements(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Progress) -> None:
        super().__init__()
        self.report = report
        self.started = time.monotonic()

    def on_solution_callback(self) -> None:
        self.report(self.objective_value, self.best_objective_bound, time.monotonic() - self.started)


@dataclass(frozen=True)
class SearchResult:
    status: str  # CP-SAT's status name
    found: bool  # a solution is available (optimal or feasible)
    objective: float | None
    bound: float | None
    seconds: float


@contextmanager
def _watched(ctrl_c: CtrlC | None, solver: cp_model.CpSolver) -> Iterator[None]:
    if ctrl_c is not None:
        ctrl_c.watch(solver)
    try:
        yield
    finally:
        if ctrl_c is not None:
            ctrl_c.release(solver)


def run_search(model: cp_model.CpModel, solver: cp_model.CpSolver, ctrl_c: CtrlC | None = None,
               progress: Progress | None = None) -> SearchResult:
    """Solve ``model`` (its objective set) with ``solver``'s parameters; Ctrl-C, when watched,
    ends the search early with the best solution found so far.

    Watched, the search runs in a thread while this one waits in short joins: Python runs a
    signal handler only between bytecodes of the main thread, which a solve in the main thread
    would block until the end."""
    started = time.monotonic()
    if ctrl_c is not None and ctrl_c.pressed:
        return SearchResult("INTERRUPTED", False, None, None, 0.0)
    callback = _Improvements(progress) if progress else None
    with _watched(ctrl_c, solver):
        if ctrl_c is None or not ctrl_c.installed:
            status = solver.solve(model, callback)
        else:
            statuses: list[cp_model.CpSolverStatus] = []
            search = threading.Thread(target=lambda: statuses.append(solver.solve(model, callback)),
                                      name="cp-sat search", daemon=True)
            search.start()
            while search.is_alive():
                search.join(0.1)
            status = statuses[0]
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return SearchResult(solver.status_name(status), found,
                        solver.objective_value if found else None,
                        solver.best_objective_bound if found else None,
                        time.monotonic() - started)


def _fixed(model: cp_model.CpModel, x: dict[Hashable, cp_model.IntVar], values: dict[Hashable, int],
           fix: Callable[[Hashable], bool]) -> cp_model.CpModel:
    """A copy of ``model`` with the assignments ``fix`` picks fixed at ``values`` and all of
    them hinted there."""
    sub = model.clone()
    sub.clear_hints()
    for key, var in x.items():
        value = values[key]
        sub.add_hint(var, value)
        if fix(key):
            domain = sub.proto.variables[var.index].domain
            domain[0] = domain[1] = value
    return sub


def _negation(free: Neighbourhood) -> Neighbourhood:
    return lambda key: not free(key)


def objective_of(model: cp_model.CpModel, x: dict[Hashable, cp_model.IntVar],
                 values: dict[Hashable, int], workers: int = 1) -> float | None:
    """The model's objective for a complete assignment ``values`` (None when it breaks a hard
    constraint): CP-SAT with every assignment fixed only propagates."""
    solver = new_solver(10.0, workers, 0)
    result = run_search(_fixed(model, x, values, lambda key: True), solver)
    return result.objective if result.found else None


#: which assignment variables a neighbourhood frees (the rest keep the incumbent's values)
Neighbourhood = Callable[[Hashable], bool]


@dataclass
class Incumbent:
    values: dict[Hashable, int]  # assignment key -> 0/1
    objective: float
    optimal: bool = False  # proven: a neighbourhood that freed everything was solved to optimality


#: the first neighbourhood frees about this many assignment variables (n030w4: 5 % of them)
FREE_VARIABLES = 400
#: time for one neighbourhood, and the least worth starting one for (1 s rather than 2 s: at
#: 30 s nearly every round improves the roster, so more rounds pay; n035w4_0 2,745 -> 2,695,
#: n040w4_0 3,735 -> 3,155 at 30 s, seed 0, one thread)
ROUND_SECONDS = 1.0
MIN_ROUND_SECONDS = 0.3


#: a neighbourhood's own model and its assignment variables (a subset of the keys of ``x``);
#: its objective is the full one less a constant (the terms it leaves out)
SubProblem = tuple[cp_model.CpModel, dict[Hashable, cp_model.IntVar]]
#: builds a neighbourhood's own model from the incumbent's values (None: use the whole model)
SubModel = Callable[[dict[Hashable, int], Neighbourhood], SubProblem | None]

#: a kind of neighbourhood: ``kind(rng, size, values)`` frees about ``size`` (0..1] of the
#: assignments; ``values`` is the incumbent, for kinds that look where its cost lies
NeighbourhoodKind = Callable[[random.Random, float, Mapping[Hashable, int]], Neighbourhood]
#: each kind keeps at least this share of the draws, so one that stopped paying is retried
FLOOR_WEIGHT = 0.1
#: how fast a kind's score follows its recent rounds (exponential smoothing)
SCORE_MEMORY = 0.8


class _Kinds:
    """Adaptive choice among neighbourhood kinds (one per search thread): each kind has a score,
    the smoothed share of its recent rounds that improved the incumbent, and is drawn with
    weight ``FLOOR_WEIGHT + score``; each kind has its own ``size``, grown when a round is
    solved to optimality and shrunk when it ends without a better roster (kinds differ in how
    hard a neighbourhood of one size is)."""

    def __init__(self, count: int, first_size: float) -> None:
        self.score = [1.0] * count
        self.size = [first_size] * count

    def pick(self, rng: random.Random) -> int:
        weights = [FLOOR_WEIGHT + s for s in self.score]
        return rng.choices(range(len(weights)), weights)[0]

    def record(self, kind: int, improved: bool, optimal: bool) -> None:
        self.score[kind] = SCORE_MEMORY * self.score[kind] + (1 - SCORE_MEMORY) * improved
        if optimal:
            self.size[kind] = min(1.0, self.size[kind] * 1.15)
        elif not improved:
            self.size[kind] = max(0.01, self.size[kind] / 1.1)


def improve_in_neighbourhoods(
    model: cp_model.CpModel,
    x: dict[Hashable, cp_model.IntVar],
    incumbent: Incumbent,
    kinds: Sequence[NeighbourhoodKind],
    deadline: float,
    seed: int,
    workers: int = 2,
    ctrl_c: CtrlC | None = None,
    on_better: Callable[[float], None] | None = None,
    sub_model: SubModel | None = None,
) -> Incumbent:
    """Large-neighbourhood search with CP-SAT until ``deadline`` (``time.monotonic``), Ctrl-C
    or a proven optimum (a neighbourhood that frees everything, solved to optimality).

    Each round draws one of ``kinds`` (adaptively: kinds that recently improved the roster
    are drawn more, ``_Kinds``), frees the assignments it picks, fixes every other one at the
    incumbent, and re-optimises the small model that is left, hinted with the incumbent, on one
    CP-SAT thread with the full linear relaxation (which proves small neighbourhoods optimal
    where the default portfolio does not). A better (or equal: plateaus are crossed) result
    becomes the incumbent. ``workers`` searches run side by side on one shared incumbent, each
    with its own random stream, kind scores and sizes. ``sub_model``, when given, builds a
    neighbourhood's model from the free part only (much smaller than a copy of the whole
    model to presolve); its objective is compared with its own value at the incumbent.
    """
    keys = list(x)
    pool = _Pool(incumbent, on_better)
    first_size = min(1.0, max(0.02, FREE_VARIABLES / len(keys)))

    def search(stream: int) -> None:
        rng = random.Random(seed * 1_000 + stream)
        chooser, rounds = _Kinds(len(kinds), first_size), 0
        while time.monotonic() < deadline - MIN_ROUND_SECONDS and not (
                ctrl_c is not None and ctrl_c.pressed):
            rounds += 1
            base = pool.best
            kind = chooser.pick(rng)
            free = kinds[kind](rng, chooser.size[kind], base.values)
            everything = all(free(key) for key in keys)
            own = sub_model(base.values, free) if sub_model is not None else None
            sub_x = x if own is None else own[1]
            offset = 0.0  # the full objective less the sub-model's, at the incumbent
            if own is not None:
                at_base = objective_of(own[0], sub_x, base.values)
                if at_base is None:  # cannot happen for a feasible incumbent; skip the round
                    continue
                offset = base.objective - at_base
            sub = _fixed(model if own is None else own[0], sub_x, base.values, _negation(free))
            solver = new_solver(min(ROUND_SECONDS, deadline - time.monotonic()), 1,
                                seed + 7919 * stream + rounds)
            solver.parameters.linearization_level = 2
            # a light presolve: the copy is mostly fixed variables, and the full presolve took
            # 1.15 s of each 2 s round on a 120-nurse, 8-week instance (0.47 s light)
            solver.parameters.cp_model_probing_level = 0
            solver.parameters.symmetry_level = 0
            solver.parameters.max_presolve_iterations = 1
            result = run_search(sub, solver, ctrl_c)
            objective = None if result.objective is None else result.objective + offset
            improved = objective is not None and objective < base.objective
            chooser.record(kind, improved, result.status == "OPTIMAL")
            if objective is not None and objective <= base.objective:
                values = dict(base.values)
                values.update({key: solver.value(var) for key, var in sub_x.items()})
                found = Incumbent(values, objective, everything and result.status == "OPTIMAL")
                if pool.offer(found).optimal:
                    return

    threads = [threading.Thread(target=search, args=(i,), name=f"lns {i}", daemon=True)
               for i in range(max(1, workers))]
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(0.1)  # short joins: Ctrl-C's handler runs in this (main) thread
    return pool.best


class _Pool:
    """The incumbent the parallel searches share."""

    def __init__(self, incumbent: Incumbent, on_better: Callable[[float], None] | None) -> None:
        self.best = incumbent
        self.on_better = on_better
        self._lock = threading.Lock()

    def offer(self, found: Incumbent) -> Incumbent:
        with self._lock:
            if found.objective < self.best.objective or (
                    found.objective == self.best.objective and not self.best.optimal):
                better = found.objective < self.best.objective
                self.best = found
                if better and self.on_better:
                    self.on_better(found.objective)
            return self.best
