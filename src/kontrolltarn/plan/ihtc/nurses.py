"""Nurse polishing: with the admissions fixed, give the occupied rooms their nurses optimally.

Once the patients' days, rooms and theaters are set, the rest of the cost (room skill level,
continuity of care, excessive workload) depends only on which working nurse has each occupied
room in each shift. That is a small assignment problem CP-SAT solves well, while the annealer
moves one nurse at a time and can stall a few points above it (small02: 1258 with continuity
79 where the proven optimum has 78 on the same admissions). Long horizons are solved in windows
of days, the nurses outside the window held fixed (a large-neighbourhood step).

The result is only a proposal: the caller keeps it only if the evaluator judges it cheaper.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from kontrolltarn.model.ihtc import Instance, Solution

WHOLE_HORIZON_LIMIT = 40_000  # room-shift-nurse choices up to which one model takes all shifts
WINDOW_DAYS = 4


@dataclass(frozen=True)
class _Ward:
    """Who lies where, per room and day, and each person's admission day (fixed here)."""

    people: list[list[list[int]]]  # room -> day -> persons
    admitted: list[int]  # person -> admission day (occupants: 0)
    skill: list[tuple[int, ...]]
    workload: list[tuple[int, ...]]
    room_of: list[int]


def _ward(inst: Instance, sol: Solution) -> _Ward:
    n_pat = len(inst.patients)
    people: list[list[list[int]]] = [[[] for _ in range(inst.days)] for _ in inst.rooms]
    admitted = [-1] * (n_pat + len(inst.occupants))
    room_of = [-1] * len(admitted)
    for p, adm in enumerate(sol.admissions):
        if adm is None:
            continue
        admitted[p], room_of[p] = adm.day, adm.room
        for d in range(adm.day, min(inst.days, adm.day + inst.patients[p].length_of_stay)):
            people[adm.room][d].append(p)
    for o, occ in enumerate(inst.occupants):
        admitted[n_pat + o], room_of[n_pat + o] = 0, occ.room
        for d in range(min(inst.days, occ.length_of_stay)):
            people[occ.room][d].append(n_pat + o)
    skill = [p.skill_required for p in inst.patients] + [o.skill_required for o in inst.occupants]
    load = [p.workload for p in inst.patients] + [o.workload for o in inst.occupants]
    return _Ward(people, admitted, skill, load, room_of)


def _windows(inst: Instance, ward: _Ward) -> list[tuple[int, int]]:
    """Shift ranges [first, end) to optimise in turn: the whole horizon when it is small."""
    spd = inst.shifts_per_day
    choices = sum(len([n for n in inst.nurses if n.works(d * spd + k)])
                  for r in range(len(inst.rooms)) for d in range(inst.days)
                  if ward.people[r][d] for k in range(spd))
    if choices <= WHOLE_HORIZON_LIMIT:
        return [(0, inst.shifts)]
    step = max(1, WINDOW_DAYS // 2) * spd  # overlapping windows: each day is seen twice
    return [(s, min(inst.shifts, s + WINDOW_DAYS * spd)) for s in range(0, inst.shifts, step)
            if s < inst.shifts - spd or s == 0]


def _solve_window(inst: Instance, ward: _Ward, assign: dict[tuple[int, int], int],
                  first: int, end: int, seconds: float, deterministic: bool,
                  seed: int) -> bool:
    """Re-assign the occupied rooms of shifts [first, end); updates ``assign`` if improved."""
    spd = inst.shifts_per_day
    w_skill, w_cont, w_load = inst.weights[1], inst.weights[2], inst.weights[3]
    m = cp_model.CpModel()
    pick: dict[tuple[int, int, int], cp_model.IntVar] = {}
    cost: list[cp_model.LinearExprT] = []
    room_load: dict[tuple[int, int], int] = {}
    for s in range(first, end):
        d = s // spd
        working = [n for n, nurse in enumerate(inst.nurses) if nurse.works(s)]
        for r in range(len(inst.rooms)):
            persons = ward.people[r][d]
            if not persons:
                continue
            if not working:
                return False  # nobody can cover: leave the annealer's answer alone
            lits = []
            for n in working:
                var = m.new_bool_var("")
                pick[r, s, n] = var
                lits.append(var)
                level = inst.nurses[n].skill_level
                gap = sum(max(0, ward.skill[q][s - ward.admitted[q] * spd] - level)
                          for q in persons)
                if gap and w_skill:
                    cost.append(w_skill * gap * var)
                m.add_hint(var, assign.get((r, s)) == n)
            m.add_exactly_one(lits)
            room_load[r, s] = sum(ward.workload[q][s - ward.admitted[q] * spd] for q in persons)
    if not pick:
        return False
    if w_load:
        for s in range(first, end):
            for n, nurse in enumerate(inst.nurses):
                if not nurse.works(s):
                    continue
                rooms = [r for r in range(len(inst.rooms)) if (r, s, n) in pick]
                top = sum(room_load[r, s] for r in rooms)
                if top <= nurse.max_load[s]:  # (also when she can have no room here)
                    continue
                excess = m.new_int_var(0, top - nurse.max_load[s], "")
                m.add(excess >= cp_model.LinearExpr.sum(
                    [room_load[r, s] * pick[r, s, n] for r in rooms]) - nurse.max_load[s])
                cost.append(w_load * excess)
                hinted = sum(room_load[r, s] for r in rooms if assign.get((r, s)) == n)
                m.add_hint(excess, max(0, hinted - nurse.max_load[s]))
    if w_cont:
        cost.extend(w_cont * v for v in _continuity(m, inst, ward, assign, pick, first, end))
    m.minimize(cp_model.LinearExpr.sum(cost))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    if deterministic:
        solver.parameters.max_deterministic_time = seconds
    else:
        solver.parameters.max_time_in_seconds = seconds
    status = solver.solve(m)
    # A window's answer replaces the current nurses only when CP-SAT found it strictly cheaper
    # than the (complete) hint; without this a time-limited run could return a worse one.
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or not _beats_hint(solver, m):
        return False
    for (r, s, n), var in pick.items():
        if solver.value(var):
            assign[r, s] = n
    return True


def _beats_hint(solver: cp_model.CpSolver, m: cp_model.CpModel) -> bool:
    hint = m.proto.solution_hint
    values = dict(zip(hint.vars, hint.values, strict=True))
    objective = m.proto.objective
    hinted = sum(c * values.get(v, 0) for v, c in zip(objective.vars, objective.coeffs,
                                                       strict=True))
    return solver.objective_value < hinted - 0.5


def _continuity(m: cp_model.CpModel, inst: Instance, ward: _Ward,
                assign: dict[tuple[int, int], int],
                pick: dict[tuple[int, int, int], cp_model.IntVar],
                first: int, end: int) -> list[cp_model.IntVar]:
    """One 'has seen nurse n' literal per person and nurse met inside the window, except the
    nurses the person already meets outside it (those cost nothing extra)."""
    spd = inst.shifts_per_day
    seen_vars: list[cp_model.IntVar] = []
    for q, day in enumerate(ward.admitted):
        if day < 0:
            continue
        r = ward.room_of[q]
        stay = range(day * spd, min(inst.shifts, (day + len(ward.skill[q]) // spd) * spd))
        inside = [s for s in stay if first <= s < end]
        if not inside:
            continue
        met_outside = {assign[r, s] for s in stay if not first <= s < end and (r, s) in assign}
        seen: dict[int, cp_model.IntVar] = {}
        for s in inside:
            for n in range(len(inst.nurses)):
                var = pick.get((r, s, n))
                if var is None or n in met_outside:
                    continue
                if n not in seen:
                    seen[n] = m.new_bool_var("")
                    seen_vars.append(seen[n])
                m.add_implication(var, seen[n])
        met_inside = {assign.get((r, s)) for s in inside}
        for n, var in seen.items():  # complete the hint: CP-SAT then starts from its cost
            m.add_hint(var, n in met_inside)
    return seen_vars


def polish_nurses(inst: Instance, sol: Solution, time_limit: float, *, seed: int = 0,
                  deterministic: bool = False) -> Solution:
    """``sol`` with its occupied rooms' nurses re-chosen by CP-SAT within ``time_limit``
    (seconds, or CP-SAT deterministic time units when ``deterministic``). Rooms nobody
    occupies keep no nurse; the admissions are unchanged."""
    ward = _ward(inst, sol)
    assign: dict[tuple[int, int], int] = {}
    for n, s, r in sol.nurse_rooms:  # the last assignment of a room and shift wins, as judged
        assign[r, s] = n
    windows = _windows(inst, ward)
    started = time.monotonic()
    for k, (first, end) in enumerate(windows):
        if deterministic:
            share = time_limit / len(windows)
        else:  # what is left, spread over the windows still to do
            share = (time_limit - (time.monotonic() - started)) / (len(windows) - k)
        if share <= 0.05:
            break
        _solve_window(inst, ward, assign, first, end, share, deterministic, seed)
    spd = inst.shifts_per_day
    nurse_rooms = [(n, s, r) for (r, s), n in sorted(assign.items())
                   if ward.people[r][s // spd]]
    return Solution(admissions=list(sol.admissions), nurse_rooms=nurse_rooms)
