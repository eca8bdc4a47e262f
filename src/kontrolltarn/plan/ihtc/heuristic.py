"""The IHTC solver: greedy start, feasibility repair if needed, simulated annealing, on small
instances CP-SAT large-neighbourhood rounds over the exact model (``exact.improve_by_lns``), and
a last CP-SAT pass over the nurse assignment of the best solution (``nurses.polish_nurses``).
Exact mode (``solve_exact_warm``) is orchestrated here too: a short search warm-starts CP-SAT.

Two independent searches (different seeds) run in parallel processes when ``threads`` > 1;
the better result wins. With ``max_iterations`` a search is a deterministic function of its
seed. With a time limit only, the temperature follows the clock (the first cooling cycle lasts
FIRST_CYCLE_SHARE of the time), so the result also depends on the machine's speed and load.
"""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_mod
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kontrolltarn.model.ihtc import Instance, Solution
from kontrolltarn.plan.ihtc.anneal import anneal
from kontrolltarn.plan.ihtc.construct import construct, repair_mandatory
from kontrolltarn.plan.ihtc.evaluator import evaluate
from kontrolltarn.plan.ihtc.exact import ExactResult, improve_by_lns, model_size, solve_exact
from kontrolltarn.plan.ihtc.nurses import polish_nurses
from kontrolltarn.plan.ihtc.state import State

NOMINAL_MOVES_PER_SECOND = 5_000  # sets the cooling-cycle length, not a clock (shared 2-core box)
CALIBRATION_MOVES = 20_000
REPAIR_SHARE = 0.4  # at most this share of the time goes to the feasibility phase
FIRST_CYCLE_SHARE = 0.9  # of the moves (or remaining time) in the first cooling cycle (A/B: docs)
POLISH_SHARE = 0.03  # of the time kept for the nurse polish at the end ...
POLISH_CAP = 15.0  # ... at most this many seconds (it pays off on small instances: docs)
POLISH_MOVES_PER_UNIT = 100_000  # move-budget mode: moves per CP-SAT deterministic-time unit
# Small instances: after the annealer, CP-SAT large-neighbourhood rounds over the exact model
# (exact.improve_by_lns) re-plan many stays at once (small04/05: docs/ihtc.md).
LNS_MAX_SIZE = 2_500  # exact.model_size up to which the rounds pay (small01-06; not i01: docs)
LNS_ANNEAL_SHARE = 0.15  # of the time the annealer keeps there (small05: same result at 60 and 600 s)
LNS_MOVES_PER_UNIT = 100_000  # move-budget mode: moves per CP-SAT deterministic-time unit

# (worker, elapsed seconds, iterations, current cost, best cost)
Progress = Callable[[int, float, int, int, int], None]


@dataclass
class SearchResult:
    solution: Solution
    cost: int  # soft cost (without the mandatory penalty)
    waiting: int  # mandatory patients not admitted (0 when feasible)
    seed: int
    iterations: int = 0
    construct_cost: int = 0
    stats: dict[str, Any] = field(default_factory=dict)


def search(instance: Instance, seed: int, time_limit: float, *, worker: int = 0,
           max_iterations: int | None = None,
           should_stop: Callable[[], bool] = lambda: False,
           progress: Progress | None = None, t_start_scale: float = 1.0) -> SearchResult:
    start = time.monotonic()
    polish_seconds = min(POLISH_CAP, POLISH_SHARE * time_limit)
    deadline = start + time_limit - polish_seconds
    lns = model_size(instance) <= LNS_MAX_SIZE
    if lns and max_iterations is None:
        deadline = start + LNS_ANNEAL_SHARE * (time_limit - polish_seconds)
    rng = random.Random(seed)
    state = State(instance)
    construct(state, rng)
    if state.waiting:
        state = repair_mandatory(state, rng, start + REPAIR_SHARE * time_limit)
    construct_cost = state.cost - state.penalty * state.waiting

    def report(elapsed: float, iterations: int, current: int, best: int) -> None:
        if progress is not None:
            pen = state.penalty
            progress(worker, time.monotonic() - start, iterations, current % pen, best % pen)

    if max_iterations is not None:  # fully deterministic: no clock in the schedule
        cycle = max(10_000, int(FIRST_CYCLE_SHARE * max_iterations))
        calibrate = None
    else:  # the temperature follows the clock (see anneal); ``cycle`` is then unused
        cycle = max(50_000, int(0.5 * time_limit * NOMINAL_MOVES_PER_SECOND))
        calibrate = None
    best, best_cost, stats = anneal(state, rng, deadline=deadline, cycle_iterations=cycle,
                                    max_iterations=max_iterations, should_stop=should_stop,
                                    progress=report, t_start_scale=t_start_scale,
                                    calibrate_after=calibrate,
                                    first_cycle_share=FIRST_CYCLE_SHARE,
                                    clock=max_iterations is None)
    waiting = sum(1 for p in range(state.P) if state.mandatory[p] and best[0][p] < 0)
    solution, cost = state.solution_from(best), best_cost - state.penalty * waiting
    lns_gain = 0
    lns_seconds = max(0.0, start + time_limit - polish_seconds - time.monotonic())
    lns_units = 0.0 if max_iterations is None else max_iterations / LNS_MOVES_PER_UNIT
    if lns and waiting == 0 and not should_stop() and (lns_units or lns_seconds) >= 0.2:
        improved, improved_cost = improve_by_lns(instance, solution, seed=seed,
                                                 seconds=lns_seconds,
                                                 deterministic_time=lns_units,
                                                 should_stop=should_stop)
        lns_gain = cost - improved_cost
        solution, cost = improved, improved_cost
        if lns_gain and progress is not None:
            progress(worker, time.monotonic() - start, stats.iterations, cost, cost)
    polished_gain = 0
    if waiting == 0 and not should_stop():
        budget = (max(0.0, start + time_limit - time.monotonic()) if max_iterations is None
                  else min(POLISH_CAP, POLISH_SHARE * max_iterations / POLISH_MOVES_PER_UNIT))
        solution, polished_gain = _polish(instance, solution, seed, max_iterations is None,
                                          budget)
        cost -= polished_gain
        if polished_gain and progress is not None:  # show the polished cost on the terminal
            progress(worker, time.monotonic() - start, stats.iterations, cost, cost)
    return SearchResult(solution=solution, cost=cost, waiting=waiting, seed=seed,
                        iterations=stats.iterations, construct_cost=construct_cost,
                        stats={"accepted": stats.accepted, "improvements": stats.improvements,
                               "cycles": stats.cycles, "lns_gain": lns_gain,
                               "nurse_polish_gain": polished_gain})


def _polish(instance: Instance, solution: Solution, seed: int, clock: bool,
            budget: float) -> tuple[Solution, int]:
    """The nurse polish's proposal if the evaluator judges it cheaper, and the saving.
    ``budget`` is seconds with ``clock``, else CP-SAT deterministic time (reproducible)."""
    if budget < 0.1:
        return solution, 0
    before = evaluate(instance, solution).total_cost
    proposal = polish_nurses(instance, solution, budget, seed=seed, deterministic=not clock)
    judged = evaluate(instance, proposal)
    if judged.feasible and judged.total_cost < before:
        return proposal, before - judged.total_cost
    return solution, 0


def _worker(instance: Instance, seed: int, time_limit: float, worker: int,
            max_iterations: int | None, out: Any, stop: Any) -> None:
    # The parent handles Ctrl-C and tells us to stop through ``stop``.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def progress(w: int, elapsed: float, iterations: int, current: int, best: int) -> None:
        out.put(("progress", w, elapsed, iterations, current, best))

    result = search(instance, seed, time_limit, worker=worker, max_iterations=max_iterations,
                    should_stop=stop.is_set, progress=progress)
    out.put(("done", worker, result))


def solve(instance: Instance, *, seed: int = 0, time_limit: float = 60.0, threads: int = 2,
          max_iterations: int | None = None, progress: Progress | None = None) -> SearchResult:
    """Best of ``threads`` independent searches (seeds seed, seed+1, ...).

    Ctrl-C (KeyboardInterrupt) stops every search; the best solution found so far is returned.
    """
    if threads <= 1:
        stop_flag = {"stop": False}
        try:
            return search(instance, seed, time_limit, max_iterations=max_iterations,
                          progress=progress, should_stop=lambda: stop_flag["stop"])
        except KeyboardInterrupt:  # pragma: no cover - interactive
            raise
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    stop = ctx.Event()
    procs = [ctx.Process(target=_worker, args=(instance, seed + k, time_limit, k,
                                                max_iterations, out, stop), daemon=True)
             for k in range(threads)]
    for proc in procs:
        proc.start()
    results: dict[int, SearchResult] = {}
    try:
        while len(results) < threads:
            try:
                msg = out.get(timeout=0.5)
            except queue_mod.Empty:
                if not any(p.is_alive() for p in procs) and out.empty():
                    break
                continue
            if msg[0] == "progress" and progress is not None:
                progress(*msg[1:])
            elif msg[0] == "done":
                results[msg[1]] = msg[2]
    except KeyboardInterrupt:
        stop.set()
        while len(results) < threads:
            try:
                msg = out.get(timeout=15)  # a CP-SAT round (at most 10 s) may be running
            except queue_mod.Empty:
                break
            if msg[0] == "done":
                results[msg[1]] = msg[2]
    for proc in procs:
        proc.join(timeout=5)
    if not results:
        raise RuntimeError("no search finished")
    return min(results.values(), key=lambda r: (r.waiting, r.cost, r.seed))


def solve_exact_warm(inst: Instance, *, seed: int = 0, time_limit: float = 600.0,
                     threads: int = 2, warm_share: float = 0.05,
                     warm_max: float = 30.0) -> tuple[SearchResult, ExactResult]:
    """Exact mode: a short heuristic run (``threads`` searches) gives CP-SAT a complete hint,
    then CP-SAT (``threads`` workers) searches and tries to prove optimality for the rest of
    the time. Returns the better solution, judged by the evaluator, and the CP-SAT result.

    The warm start is short because CP-SAT itself improves on the hint quickly with this
    model (small05: hint 3795 -> 3610 within 110 s) and every second of it is proof time."""
    started = time.monotonic()
    warm = solve(inst, seed=seed, time_limit=max(1.0, min(warm_max, warm_share * time_limit)),
                 threads=threads)
    left = max(1.0, time_limit - (time.monotonic() - started))
    exact = solve_exact(inst, time_limit=left, workers=threads, seed=seed,
                        hint=warm.solution if warm.waiting == 0 else None)
    if exact.solution is not None:
        judged = evaluate(inst, exact.solution)
        if judged.feasible and (warm.waiting > 0 or judged.total_cost <= warm.cost):
            return SearchResult(solution=exact.solution, cost=judged.total_cost, waiting=0,
                                seed=seed, construct_cost=warm.construct_cost), exact
    return warm, exact
