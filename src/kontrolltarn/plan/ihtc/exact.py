"""Exact CP-SAT model of the whole IHTP, for small instances (proves optima where it can).

Decisions: w[k, d, r] = patient k admitted on day d into room r (x[k, d] = its day);
z[k, d, t] = its surgery in theater t; v[n, r, s] = nurse n has room r in shift s.
Occupants are "persons" with a fixed day 0 and room, so every per-person term is shared.

Why this formulation (the earlier one linearised room x nurse products with big-M and its bound
stayed far below the optima):
- nurses are seen per person: u[k, s, n] = "k's nurse in shift s is n" with sum_n u = in[k, s]
  (in hospital, linear in x). The exactly-one makes continuity a set cover per person even
  when the room is still open, and skill and workload become per-person products of x and u;
- skill gap max(0, req - level) is order-encoded: one e[k, s, l] >= [req >= l] - [level >= l]
  per level l, so it is linear in x and u with no big-M;
- the age range of a room-day is a sum of spans between consecutive age groups, each span the
  AND of "someone at or below" and "someone above";
- per person and admission day, the cheapest possible continuity + skill cost (every shift of
  the stay given its best nurse, ignoring room sharing and workload) is precomputed by a tiny
  CP-SAT model and added as a redundant cut, as are per-day theater capacity and
  theater load <= availability x open;
- a nurse-free relaxation (patient terms + those per-person floors) is small, so CP-SAT bounds
  it quickly; its bound is added to the full model as a cut on the objective.
All cost terms are exact at any optimum; for fixed decisions the minimal completion of the
auxiliaries equals the evaluator's total (tested), so the objective is the judged cost.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from kontrolltarn.plan.ihtc.evaluator import evaluate
from kontrolltarn.plan.ihtc.model import Admission, Instance, Solution
from kontrolltarn.plan.ihtc.solve import SearchResult, solve

Expr = cp_model.LinearExpr | int
_sum = cp_model.LinearExpr.sum


@dataclass
class ExactResult:
    solution: Solution | None
    objective: int | None
    bound: float
    optimal: bool
    status: str
    wall_time: float
    hint_objective: int | None = None  # model objective of the completed warm start


def _person_lower_bound(shifts: list[tuple[list[int], int]], skill: list[int], w_skill: int,
                        w_cont: int) -> int:
    """Cheapest continuity + skill cost of one person alone: every shift of the stay gets
    one of its working nurses. ``shifts`` holds (working nurses, required skill) per shift."""
    m = cp_model.CpModel()
    seen: dict[int, cp_model.IntVar] = {}
    cost: list[Expr] = []
    for nurses, req in shifts:
        lits = []
        for n in nurses:
            a = m.new_bool_var("")
            lits.append(a)
            if n not in seen:
                seen[n] = m.new_bool_var("")
                cost.append(w_cont * seen[n])
            m.add_implication(a, seen[n])
            if req > skill[n]:
                cost.append(w_skill * (req - skill[n]) * a)
        m.add_exactly_one(lits)
    m.minimize(_sum(cost))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    status = solver.solve(m)
    # Only a proven bound is a valid cut; on a timeout fall back to the solver's bound.
    return int(solver.objective_value) if status == cp_model.OPTIMAL else int(
        solver.best_objective_bound)


class ExactModel:
    """The CP-SAT model of one instance, with decoding and warm-start completion."""

    def __init__(self, inst: Instance, *, cuts: bool = True, nurses: bool = True) -> None:
        self.inst = inst
        m = self.m = cp_model.CpModel()
        D, spd, S = inst.days, inst.shifts_per_day, inst.shifts
        P, R, T = len(inst.patients), len(inst.rooms), len(inst.theaters)
        wt = inst.weights
        pats = inst.patients
        K = P + len(inst.occupants)  # persons: patients, then occupants
        obj: list[Expr] = []
        self.objective_terms = obj

        # --- persons: admission days, rooms, per-shift requirement and workload ---
        los = [p.length_of_stay for p in pats] + [o.length_of_stay for o in inst.occupants]
        req = [p.skill_required for p in pats] + [o.skill_required for o in inst.occupants]
        wl = [p.workload for p in pats] + [o.workload for o in inst.occupants]
        age = [p.age_group for p in pats] + [o.age_group for o in inst.occupants]
        gender = [p.gender for p in pats] + [o.gender for o in inst.occupants]
        x: dict[tuple[int, int], Expr] = {}  # (person, day) -> admitted that day (0/1)
        self.w: dict[tuple[int, int, int], cp_model.IntVar] = {}
        w_room: dict[tuple[int, int, int], Expr] = {}  # includes occupants' constant 1
        self.x_vars: dict[tuple[int, int], cp_model.IntVar] = {}
        for k, pat in enumerate(pats):
            days = [d for d in range(pat.release_day, min(inst.last_possible_day(k), D - 1) + 1)
                    if pat.surgery_duration <= inst.surgeons[pat.surgeon].max_surgery_time[d]
                    and any(pat.surgery_duration <= th.availability[d] for th in inst.theaters)]
            rooms = [r for r in range(R) if r not in pat.incompatible_rooms]
            for d in days:
                xv = m.new_bool_var(f"x{k}_{d}")
                self.x_vars[k, d] = xv
                x[k, d] = xv
                ws = []
                for r in rooms:
                    wv = m.new_bool_var(f"w{k}_{d}_{r}")
                    self.w[k, d, r] = wv
                    w_room[k, d, r] = wv
                    ws.append(wv)
                m.add(_sum(ws) == xv)
                obj.append(wt[6] * (d - pat.release_day) * xv)
            total = _sum([x[k, d] for d in days])
            if pat.mandatory:
                m.add(total == 1)
            else:
                m.add(total <= 1)
                obj.append(wt[7] * (1 - total))
        for o, occ in enumerate(inst.occupants):
            x[P + o, 0] = 1
            w_room[P + o, 0, occ.room] = 1
        days_of: list[list[int]] = [[] for _ in range(K)]
        for k, d in x:
            days_of[k].append(d)

        def in_hosp(k: int, dd: int) -> list[int]:
            """Admission days of k that put k in hospital on day dd."""
            return [d for d in days_of[k] if d <= dd < d + los[k]]

        # pres[r, dd] -> {person: presence expression}
        pres: dict[tuple[int, int], dict[int, Expr]] = {}
        for k in range(K):
            rooms_k = sorted({r for (kk, _, r) in w_room if kk == k})
            for dd in range(D):
                ds = in_hosp(k, dd)
                for r in rooms_k:
                    terms = [w_room[k, d, r] for d in ds if (k, d, r) in w_room]
                    if terms:
                        pres.setdefault((r, dd), {})[k] = _sum(terms)

        # --- surgery ---
        self.z: dict[tuple[int, int, int], cp_model.IntVar] = {}
        for (k, d), xv in self.x_vars.items():
            zs = []
            for t, th in enumerate(inst.theaters):
                if pats[k].surgery_duration <= th.availability[d]:
                    zv = m.new_bool_var(f"z{k}_{d}_{t}")
                    self.z[k, d, t] = zv
                    zs.append(zv)
            m.add(_sum(zs) == xv)
        for d in range(D):
            opens: list[Expr] = []
            for t, th in enumerate(inst.theaters):
                in_t = [(k, zv) for (k, dd, tt), zv in self.z.items() if dd == d and tt == t]
                if not in_t:
                    continue
                op = m.new_bool_var(f"open{t}_{d}")
                opens.append(th.availability[d] * op)
                for _, zv in in_t:
                    m.add(zv <= op)
                # load <= availability x open: same integer points, tighter relaxation
                m.add(_sum([pats[k].surgery_duration * zv for k, zv in in_t])
                      <= th.availability[d] * op)
                obj.append(wt[4] * op)
            day_load = _sum([pats[k].surgery_duration * xv for (k, dd), xv in self.x_vars.items()
                             if dd == d])
            if cuts and opens:
                m.add(_sum(opens) >= day_load)
            for sg, surgeon in enumerate(inst.surgeons):
                mine = [(k, xv) for (k, dd), xv in self.x_vars.items()
                        if dd == d and pats[k].surgeon == sg]
                if not mine:
                    continue
                m.add(_sum([pats[k].surgery_duration * xv for k, xv in mine])
                      <= surgeon.max_surgery_time[d])
                uses = []
                for t in range(T):
                    zs_u = [self.z[k, d, t] for k, _ in mine if (k, d, t) in self.z]
                    if not zs_u:
                        continue
                    ut = m.new_bool_var(f"uses{sg}_{t}_{d}")
                    for zv in zs_u:
                        m.add(zv <= ut)
                    m.add(ut <= _sum(zs_u))
                    uses.append(ut)
                if len(uses) > 1:
                    tr = m.new_int_var(0, len(uses) - 1, f"tr{sg}_{d}")
                    m.add(tr >= _sum(uses) - 1)
                    obj.append(wt[5] * tr)

        # --- rooms: capacity, gender, age mix ---
        for (r, dd), here in pres.items():
            cap = inst.rooms[r].capacity
            var_people = [k for k in here if k < P]
            fixed = [k for k in here if k >= P]
            if var_people:
                m.add(_sum([here[k] for k in var_people]) <= cap - len(fixed))
                g = m.new_bool_var(f"g{r}_{dd}")  # 1: gender B in the room
                fixed_g = {gender[k] for k in fixed}
                if fixed_g == {"A"}:
                    m.add(g == 0)
                elif fixed_g == {"B"}:
                    m.add(g == 1)
                b_side = [here[k] for k in var_people if gender[k] == "B"]
                a_side = [here[k] for k in var_people if gender[k] != "B"]
                for e in b_side:
                    m.add(e <= g)
                for e in a_side:
                    m.add(e <= 1 - g)
                if cuts:
                    room = cap - len(fixed)
                    m.add(_sum(b_side) <= room * g)
                    m.add(_sum(a_side) <= room * (1 - g))
            ages = sorted({age[k] for k in here})
            lo_prev: Expr = 0
            los_: list[Expr] = []
            for a in ages[:-1]:
                below = [k for k in here if age[k] <= a]
                if any(k >= P for k in below):
                    lo: Expr = 1
                else:
                    lv = m.new_bool_var("")
                    for k in below:
                        m.add(lv >= here[k])
                    m.add(lv >= lo_prev)
                    lo = lv
                los_.append(lo)
                lo_prev = lo
            hi_next: Expr = 0
            his: list[Expr] = []
            for a in reversed(ages[1:]):
                above = [k for k in here if age[k] >= a]
                if any(k >= P for k in above):
                    hi: Expr = 1
                else:
                    hv = m.new_bool_var("")
                    for k in above:
                        m.add(hv >= here[k])
                    m.add(hv >= hi_next)
                    hi = hv
                his.append(hi)
                hi_next = hi
            his.reverse()
            for i in range(len(ages) - 1):
                gap = ages[i + 1] - ages[i]
                if isinstance(los_[i], int) and isinstance(his[i], int):
                    obj.append(wt[0] * gap)
                    continue
                span = m.new_bool_var("")
                m.add(span >= _sum([los_[i], his[i]]) - 1)
                obj.append(wt[0] * gap * span)

        # --- nurses ---
        staff = inst.nurses
        skill = [n.skill_level for n in staff]
        working = [[n for n, nurse in enumerate(staff) if nurse.works(s)] for s in range(S)]
        # cheapest continuity + skill cost of each person alone, per admission day
        floor: dict[tuple[int, int], int] = {}
        if cuts:
            for k, d in x:
                shifts = [(working[s], req[k][s - d * spd])
                          for s in range(d * spd, min(D, d + los[k]) * spd)]
                floor[k, d] = _person_lower_bound(shifts, skill, wt[1], wt[2])
        self.v: dict[tuple[int, int, int], cp_model.IntVar] = {}
        if not nurses:
            # relaxation: each person's nurse cost replaced by its floor, so the optimum of
            # this small model is a lower bound of the full objective
            obj.extend(f * x[k, d] for (k, d), f in floor.items())
        else:
            for (r, dd) in pres:
                for s in range(dd * spd, (dd + 1) * spd):
                    vs = []
                    for n in working[s]:
                        vv = m.new_bool_var(f"v{n}_{r}_{s}")
                        self.v[n, r, s] = vv
                        vs.append(vv)
                    m.add_exactly_one(vs)
            # u[k, s, n]: person k's nurse in shift s is n (when k is in hospital)
            u: dict[tuple[int, int, int], Expr] = {}
            person_cost: dict[int, list[Expr]] = {}
            load_terms: dict[tuple[int, int], list[Expr]] = {}
            seen: dict[tuple[int, int], cp_model.IntVar] = {}
            for k in range(K):
                for dd in range(D):
                    ds = in_hosp(k, dd)
                    if not ds:
                        continue
                    inside = _sum([x[k, d] for d in ds])
                    rooms_here = [r for r in range(R) if k in pres.get((r, dd), {})]
                    for s in range(dd * spd, (dd + 1) * spd):
                        ns = working[s]
                        if len(ns) == 1:
                            u[k, s, ns[0]] = inside
                        else:
                            us = []
                            for n in ns:
                                uv = m.new_bool_var("")
                                u[k, s, n] = uv
                                us.append(uv)
                                for r in rooms_here:
                                    pr = pres[r, dd][k]
                                    m.add(uv >= pr + self.v[n, r, s] - 1)
                                    m.add(uv <= self.v[n, r, s] + 1 - pr)
                            m.add(_sum(us) == inside)
                        for n in ns:
                            if (k, n) not in seen:
                                seen[k, n] = m.new_bool_var(f"seen{k}_{n}")
                                person_cost.setdefault(k, []).append(wt[2] * seen[k, n])
                            m.add(seen[k, n] >= u[k, s, n])
                        # skill, order-encoded on the levels above the weakest working nurse
                        need = {d: req[k][s - d * spd] for d in ds}
                        for level in range(min(skill[n] for n in ns) + 1, max(need.values()) + 1):
                            wants = _sum([x[k, d] for d in ds if need[d] >= level])
                            able = [u[k, s, n] for n in ns if skill[n] >= level]
                            if not able:
                                person_cost.setdefault(k, []).append(wt[1] * wants)
                                continue
                            e = m.new_bool_var("")
                            m.add(e >= wants - _sum(able))
                            person_cost.setdefault(k, []).append(wt[1] * e)
                        # workload carried by each nurse for k
                        loads = {d: wl[k][s - d * spd] for d in ds}
                        for n in ns:
                            if len(ns) == 1:
                                load_terms.setdefault((n, s), []).append(
                                    _sum([loads[d] * x[k, d] for d in ds]))
                                continue
                            top = max(loads.values())
                            if top == 0:
                                continue
                            lp = m.new_int_var(0, top, "")
                            for val in sorted(set(loads.values()) - {0}):
                                heavy = _sum([x[k, d] for d in ds if loads[d] >= val])
                                m.add(lp >= val * (heavy + u[k, s, n] - 1))
                            load_terms.setdefault((n, s), []).append(lp)
            for (n, s), terms in load_terms.items():
                limit = staff[n].max_load[s]
                top_load = sum(wl[k][s - d * spd] for k in range(K) for d in days_of[k]
                               if 0 <= s - d * spd < len(wl[k]))
                if top_load <= limit:
                    continue
                # a tight upper bound keeps the LP well scaled
                ex = m.new_int_var(0, top_load - limit, f"ex{n}_{s}")
                m.add(ex >= _sum(terms) - limit)
                obj.append(wt[3] * ex)
            for costs in person_cost.values():
                obj.extend(costs)
            if cuts:
                for k in range(K):
                    m.add(_sum(person_cost.get(k, []))
                          >= _sum([floor[k, d] * x[k, d] for d in days_of[k]]))
        self.objective = _sum(obj)
        m.minimize(self.objective)

    # --- solutions ---
    def fixing(self, sol: Solution) -> list[tuple[cp_model.IntVar, int]]:
        """Values of the decision variables that encode ``sol``."""
        vals: list[tuple[cp_model.IntVar, int]] = []
        for (k, d), xv in self.x_vars.items():
            adm = sol.admissions[k]
            vals.append((xv, int(adm is not None and adm.day == d)))
        for (k, d, r), wv in self.w.items():
            adm = sol.admissions[k]
            vals.append((wv, int(adm is not None and (adm.day, adm.room) == (d, r))))
        for (k, d, t), zv in self.z.items():
            adm = sol.admissions[k]
            vals.append((zv, int(adm is not None and (adm.day, adm.theater) == (d, t))))
        last: dict[tuple[int, int], int] = {}
        for n, s, r in sol.nurse_rooms:  # the last nurse listed for a room-shift is its nurse
            last[r, s] = n
        for (n, r, s), vv in self.v.items():
            if (r, s) in last:
                vals.append((vv, int(last[r, s] == n)))
        return vals

    def complete(self, sol: Solution, time_limit: float = 30.0) -> tuple[int, list[int]] | None:
        """Objective and full variable assignment of ``sol`` (auxiliaries at their minimum),
        or None if ``sol`` violates the model."""
        fixed = self.m.clone()
        for var, val in self.fixing(sol):
            fixed.add(fixed.get_int_var_from_proto_index(var.index) == val)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = time_limit
        if solver.solve(fixed) != cp_model.OPTIMAL:
            return None
        values = [solver.value(fixed.get_int_var_from_proto_index(i))
                  for i in range(len(fixed.proto.variables))]
        return int(round(solver.objective_value)), values

    def decode(self, value: Callable[[cp_model.IntVar], int]) -> Solution:
        admissions: list[Admission | None] = [None] * len(self.inst.patients)
        for (k, d, r), wv in self.w.items():
            if value(wv):
                t = next(t for (kk, dd, t), zv in self.z.items() if (kk, dd) == (k, d) and value(zv))
                admissions[k] = Admission(d, r, t)
        nurse_rooms = sorted((n, s, r) for (n, r, s), vv in self.v.items() if value(vv))
        return Solution(admissions, nurse_rooms)


def relaxed_bound(inst: Instance, *, time_limit: float, workers: int = 1,
                  seed: int = 0) -> float:
    """Proven lower bound of the full objective from the nurse-free relaxation (patient terms
    plus every person's nurse-cost floor). Its model is small, so the LP bound rises fast
    (small06, 30 s: 2455 for the patient terms vs 953 for the full model in 110 s)."""
    em = ExactModel(inst, nurses=False)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(1.0, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.linearization_level = 2
    solver.solve(em.m)
    return float(solver.best_objective_bound)


def solve_exact(inst: Instance, *, time_limit: float = 600.0, workers: int = 2,
                seed: int = 0, hint: Solution | None = None, log: bool = False,
                cuts: bool = True, parameters: str = "", split: float = 0.3) -> ExactResult:
    """CP-SAT on the full model. With ``split`` > 0 that share of the time first bounds the
    nurse-free relaxation (stops early when proven); its bound enters the full model as a cut.
    ``parameters``: extra CP-SAT parameters in protobuf text format (for experiments)."""
    started = time.monotonic()
    em = ExactModel(inst, cuts=cuts)
    floor = 0
    if split > 0:
        floor = math.ceil(relaxed_bound(inst, time_limit=split * time_limit, workers=workers,
                                        seed=seed) - 1e-6)
        em.m.add(em.objective >= floor)
    hint_obj = None
    if hint is not None:
        done = em.complete(hint)
        if done is not None:
            hint_obj, values = done
            for i, val in enumerate(values):
                em.m.add_hint(em.m.get_int_var_from_proto_index(i), val)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(1.0, time_limit - (time.monotonic() - started))
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.log_search_progress = log
    # Level 2 puts every constraint (clauses and at-most-ones too) into the LP relaxation: on
    # small04 the bound after 100 s rose from 1471 to 2016 (optimum <= 2157).
    solver.parameters.linearization_level = 2
    if parameters:
        solver.parameters.merge_text_format(parameters)
    status = solver.solve(em.m)
    name = solver.status_name(status)
    wall = time.monotonic() - started
    bound = max(float(floor), solver.best_objective_bound)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactResult(None, None, bound, False, name, wall, hint_obj)
    return ExactResult(em.decode(solver.value), int(round(solver.objective_value)), bound,
                       status == cp_model.OPTIMAL, name, wall, hint_obj)


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
