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
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from kontrolltarn.model.ihtc import Admission, Instance, Solution
from kontrolltarn.plan.ihtc.evaluator import evaluate

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
    """The CP-SAT model of one instance, with decoding and warm-start completion.

    The constructor reads as the model: each ``_add_*`` method adds one family of variables and
    constraints with its cost terms. They run in a fixed order (it fixes CP-SAT's variable
    indices, and so its search), and later families read what earlier ones created.
    """

    def __init__(self, inst: Instance, *, cuts: bool = True, nurses: bool = True) -> None:
        self.inst = inst
        self.m = cp_model.CpModel()
        self.cuts = cuts
        self.objective_terms: list[Expr] = []
        self._collect_persons()
        self._add_admissions()
        self._add_occupants()
        self._collect_room_presence()
        self._add_theater_choice()
        for d in range(inst.days):
            self._add_theaters_of_day(d)
            for sg in range(len(inst.surgeons)):
                self._add_surgeon_day(sg, d)
        for (r, dd), here in self.pres.items():
            self._add_room_capacity_and_gender(r, dd, here)
            self._add_age_mix(here)
        self._compute_nurse_floors()
        self.v: dict[tuple[int, int, int], cp_model.IntVar] = {}
        if not nurses:
            self._add_nurse_floors_as_costs()
        else:
            self._add_room_nurses()
            self._add_nurse_costs_per_person()
        self.objective = _sum(self.objective_terms)
        self.m.minimize(self.objective)

    # --- persons and admissions ---
    def _collect_persons(self) -> None:
        """Patients and occupants as one list of persons (patients first): length of stay and,
        per day of the stay, the nurse skill required and the workload they bring."""
        inst = self.inst
        pats, occs = inst.patients, inst.occupants
        self.P = len(pats)
        self.K = self.P + len(occs)
        self.los = [p.length_of_stay for p in pats] + [o.length_of_stay for o in occs]
        self.req = [p.skill_required for p in pats] + [o.skill_required for o in occs]
        self.wl = [p.workload for p in pats] + [o.workload for o in occs]
        self.age = [p.age_group for p in pats] + [o.age_group for o in occs]
        self.gender = [p.gender for p in pats] + [o.gender for o in occs]

    def _add_admissions(self) -> None:
        """Each patient is admitted at most once (mandatory ones exactly once), on a day from
        its release on which its surgeon and some theater have time for it, into one room it is
        compatible with. Costs: each day of delay after release, and each optional patient left
        unscheduled."""
        inst, m, wt, obj = self.inst, self.m, self.inst.weights, self.objective_terms
        self.x: dict[tuple[int, int], Expr] = {}  # (person, day) -> admitted that day (0/1)
        self.w: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.w_room: dict[tuple[int, int, int], Expr] = {}  # includes occupants' constant 1
        self.x_vars: dict[tuple[int, int], cp_model.IntVar] = {}
        for k, pat in enumerate(inst.patients):
            days = [d for d in range(pat.release_day,
                                     min(inst.last_possible_day(k), inst.days - 1) + 1)
                    if pat.surgery_duration <= inst.surgeons[pat.surgeon].max_surgery_time[d]
                    and any(pat.surgery_duration <= th.availability[d] for th in inst.theaters)]
            rooms = [r for r in range(len(inst.rooms)) if r not in pat.incompatible_rooms]
            for d in days:
                xv = m.new_bool_var(f"x{k}_{d}")
                self.x_vars[k, d] = xv
                self.x[k, d] = xv
                ws = []
                for r in rooms:
                    wv = m.new_bool_var(f"w{k}_{d}_{r}")
                    self.w[k, d, r] = wv
                    self.w_room[k, d, r] = wv
                    ws.append(wv)
                m.add(_sum(ws) == xv)
                obj.append(wt[6] * (d - pat.release_day) * xv)
            total = _sum([self.x[k, d] for d in days])
            if pat.mandatory:
                m.add(total == 1)
            else:
                m.add(total <= 1)
                obj.append(wt[7] * (1 - total))

    def _add_occupants(self) -> None:
        """Occupants are already in: admitted on day 0 in their room, as constants."""
        for o, occ in enumerate(self.inst.occupants):
            self.x[self.P + o, 0] = 1
            self.w_room[self.P + o, 0, occ.room] = 1
        self.days_of: list[list[int]] = [[] for _ in range(self.K)]
        for k, d in self.x:
            self.days_of[k].append(d)

    def _in_hosp(self, k: int, dd: int) -> list[int]:
        """Admission days of k that put k in hospital on day dd."""
        return [d for d in self.days_of[k] if d <= dd < d + self.los[k]]

    def _collect_room_presence(self) -> None:
        """``pres[r, dd][k]``: the expression that is 1 when person k is in room r on day dd
        (a sum over the admission days that cover dd). Every room and nurse term reads it."""
        self.pres: dict[tuple[int, int], dict[int, Expr]] = {}
        for k in range(self.K):
            rooms_k = sorted({r for (kk, _, r) in self.w_room if kk == k})
            for dd in range(self.inst.days):
                ds = self._in_hosp(k, dd)
                for r in rooms_k:
                    terms = [self.w_room[k, d, r] for d in ds if (k, d, r) in self.w_room]
                    if terms:
                        self.pres.setdefault((r, dd), {})[k] = _sum(terms)

    # --- surgery ---
    def _add_theater_choice(self) -> None:
        """An admitted patient is operated on its admission day in exactly one theater that is
        open long enough for its surgery."""
        pats = self.inst.patients
        self.z: dict[tuple[int, int, int], cp_model.IntVar] = {}
        for (k, d), xv in self.x_vars.items():
            zs = []
            for t, th in enumerate(self.inst.theaters):
                if pats[k].surgery_duration <= th.availability[d]:
                    zv = self.m.new_bool_var(f"z{k}_{d}_{t}")
                    self.z[k, d, t] = zv
                    zs.append(zv)
            self.m.add(_sum(zs) == xv)

    def _add_theaters_of_day(self, d: int) -> None:
        """A theater used on day d is open, and the surgeries in it fit its available time.
        Cost: each open theater. Cut: the open theaters' time covers the day's surgery."""
        m, pats, wt = self.m, self.inst.patients, self.inst.weights
        opens: list[Expr] = []
        for t, th in enumerate(self.inst.theaters):
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
            self.objective_terms.append(wt[4] * op)
        day_load = _sum([pats[k].surgery_duration * xv for (k, dd), xv in self.x_vars.items()
                         if dd == d])
        if self.cuts and opens:
            m.add(_sum(opens) >= day_load)

    def _add_surgeon_day(self, sg: int, d: int) -> None:
        """A surgeon operates no longer on day d than their maximum that day. Cost: each theater
        beyond the first that the surgeon works in that day (a transfer)."""
        m, pats = self.m, self.inst.patients
        mine = [(k, xv) for (k, dd), xv in self.x_vars.items()
                if dd == d and pats[k].surgeon == sg]
        if not mine:
            return
        m.add(_sum([pats[k].surgery_duration * xv for k, xv in mine])
              <= self.inst.surgeons[sg].max_surgery_time[d])
        uses = []
        for t in range(len(self.inst.theaters)):
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
            self.objective_terms.append(self.inst.weights[5] * tr)

    # --- rooms ---
    def _add_room_capacity_and_gender(self, r: int, dd: int, here: dict[int, Expr]) -> None:
        """No more people in room r on day dd than its beds, and one gender per room-day
        (``g`` = 1 means gender B); occupants fix the gender of their room."""
        m, P, gender = self.m, self.P, self.gender
        cap = self.inst.rooms[r].capacity
        var_people = [k for k in here if k < P]
        fixed = [k for k in here if k >= P]
        if not var_people:
            return
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
        if self.cuts:
            room = cap - len(fixed)
            m.add(_sum(b_side) <= room * g)
            m.add(_sum(a_side) <= room * (1 - g))

    def _add_age_mix(self, here: dict[int, Expr]) -> None:
        """Cost of the age range in a room-day: the sum of the gaps between consecutive age
        groups present, a gap counting when someone is at or below it and someone above it
        (``lo``/``hi`` chains, occupants as constants)."""
        m, age = self.m, self.age
        ages = sorted({age[k] for k in here})
        los_ = self._someone_in(here, [[k for k in here if age[k] <= a] for a in ages[:-1]])
        his = self._someone_in(here, [[k for k in here if age[k] >= a] for a in reversed(ages[1:])])
        his.reverse()
        weight = self.inst.weights[0]
        for i in range(len(ages) - 1):
            gap = ages[i + 1] - ages[i]
            if isinstance(los_[i], int) and isinstance(his[i], int):
                self.objective_terms.append(weight * gap)
                continue
            span = m.new_bool_var("")
            m.add(span >= _sum([los_[i], his[i]]) - 1)
            self.objective_terms.append(weight * gap * span)

    def _someone_in(self, here: dict[int, Expr], groups: list[list[int]]) -> list[Expr]:
        """For growing groups of the people in a room-day (each holds the one before), a literal
        per group that is 1 when someone of it is present: 1 itself when an occupant is in it,
        else a variable at least each member's presence and the previous group's literal."""
        chain: list[Expr] = []
        previous: Expr = 0
        for members in groups:
            if any(k >= self.P for k in members):
                someone: Expr = 1
            else:
                var = self.m.new_bool_var("")
                for k in members:
                    self.m.add(var >= here[k])
                self.m.add(var >= previous)
                someone = var
            chain.append(someone)
            previous = someone
        return chain

    # --- nurses ---
    def _compute_nurse_floors(self) -> None:
        """With cuts: each person's cheapest continuity + skill cost per admission day, as if
        every shift of the stay had its best working nurse (a tiny model each)."""
        inst, spd, D = self.inst, self.inst.shifts_per_day, self.inst.days
        self.skill = [n.skill_level for n in inst.nurses]
        self.working = [[n for n, nurse in enumerate(inst.nurses) if nurse.works(s)]
                        for s in range(inst.shifts)]
        self.floor: dict[tuple[int, int], int] = {}
        if not self.cuts:
            return
        wt = inst.weights
        for k, d in self.x:
            shifts = [(self.working[s], self.req[k][s - d * spd])
                      for s in range(d * spd, min(D, d + self.los[k]) * spd)]
            self.floor[k, d] = _person_lower_bound(shifts, self.skill, wt[1], wt[2])

    def _add_nurse_floors_as_costs(self) -> None:
        """The relaxation without nurses: each person's nurse cost is replaced by its floor,
        so the optimum of this small model is a lower bound of the full objective."""
        self.objective_terms.extend(f * self.x[k, d] for (k, d), f in self.floor.items())

    def _add_room_nurses(self) -> None:
        """Every occupied room has exactly one of the working nurses in each shift of the day."""
        spd = self.inst.shifts_per_day
        for (r, dd) in self.pres:
            for s in range(dd * spd, (dd + 1) * spd):
                vs = []
                for n in self.working[s]:
                    vv = self.m.new_bool_var(f"v{n}_{r}_{s}")
                    self.v[n, r, s] = vv
                    vs.append(vv)
                self.m.add_exactly_one(vs)

    def _add_nurse_costs_per_person(self) -> None:
        """For each person and shift in hospital: who their nurse is, and the continuity, skill
        and workload terms that follow. Then excess workload per nurse, and (with cuts) each
        person's nurse cost at least its floor."""
        spd, R = self.inst.shifts_per_day, len(self.inst.rooms)
        self.u: dict[tuple[int, int, int], Expr] = {}
        self.person_cost: dict[int, list[Expr]] = {}
        self.load_terms: dict[tuple[int, int], list[Expr]] = {}
        self.seen: dict[tuple[int, int], cp_model.IntVar] = {}
        for k in range(self.K):
            for dd in range(self.inst.days):
                ds = self._in_hosp(k, dd)
                if not ds:
                    continue
                inside = _sum([self.x[k, d] for d in ds])
                rooms_here = [r for r in range(R) if k in self.pres.get((r, dd), {})]
                for s in range(dd * spd, (dd + 1) * spd):
                    self._add_persons_nurse(k, dd, s, inside, rooms_here)
                    self._add_continuity(k, s)
                    self._add_skill_gap(k, s, ds)
                    self._add_workload_share(k, s, ds)
        self._add_excess_workload()
        for costs in self.person_cost.values():
            self.objective_terms.extend(costs)
        if self.cuts:
            for k in range(self.K):
                self.m.add(_sum(self.person_cost.get(k, []))
                           >= _sum([self.floor[k, d] * self.x[k, d] for d in self.days_of[k]]))

    def _add_persons_nurse(self, k: int, dd: int, s: int, inside: Expr,
                           rooms_here: list[int]) -> None:
        """``u[k, s, n]``: person k's nurse in shift s is n. Exactly one while k is in hospital,
        and it is the nurse of the room k is in."""
        m, ns = self.m, self.working[s]
        if len(ns) == 1:
            self.u[k, s, ns[0]] = inside
            return
        us = []
        for n in ns:
            uv = m.new_bool_var("")
            self.u[k, s, n] = uv
            us.append(uv)
            for r in rooms_here:
                pr = self.pres[r, dd][k]
                m.add(uv >= pr + self.v[n, r, s] - 1)
                m.add(uv <= self.v[n, r, s] + 1 - pr)
        m.add(_sum(us) == inside)

    def _add_continuity(self, k: int, s: int) -> None:
        """Cost: each distinct nurse who cares for person k during the stay."""
        for n in self.working[s]:
            if (k, n) not in self.seen:
                self.seen[k, n] = self.m.new_bool_var(f"seen{k}_{n}")
                self.person_cost.setdefault(k, []).append(self.inst.weights[2] * self.seen[k, n])
            self.m.add(self.seen[k, n] >= self.u[k, s, n])

    def _add_skill_gap(self, k: int, s: int, ds: list[int]) -> None:
        """Cost: the levels by which k's nurse in shift s falls short of the skill k needs then,
        one term per level above the weakest working nurse (order-encoded, no big-M)."""
        ns, skill, spd = self.working[s], self.skill, self.inst.shifts_per_day
        w_skill = self.inst.weights[1]
        need = {d: self.req[k][s - d * spd] for d in ds}
        for level in range(min(skill[n] for n in ns) + 1, max(need.values()) + 1):
            wants = _sum([self.x[k, d] for d in ds if need[d] >= level])
            able = [self.u[k, s, n] for n in ns if skill[n] >= level]
            if not able:
                self.person_cost.setdefault(k, []).append(w_skill * wants)
                continue
            e = self.m.new_bool_var("")
            self.m.add(e >= wants - _sum(able))
            self.person_cost.setdefault(k, []).append(w_skill * e)

    def _add_workload_share(self, k: int, s: int, ds: list[int]) -> None:
        """The workload k brings in shift s, carried by k's nurse then (``lp`` is at least each
        load level k may bring, when n is k's nurse)."""
        ns, spd = self.working[s], self.inst.shifts_per_day
        loads = {d: self.wl[k][s - d * spd] for d in ds}
        for n in ns:
            if len(ns) == 1:
                self.load_terms.setdefault((n, s), []).append(
                    _sum([loads[d] * self.x[k, d] for d in ds]))
                continue
            top = max(loads.values())
            if top == 0:
                continue
            lp = self.m.new_int_var(0, top, "")
            for val in sorted(set(loads.values()) - {0}):
                heavy = _sum([self.x[k, d] for d in ds if loads[d] >= val])
                self.m.add(lp >= val * (heavy + self.u[k, s, n] - 1))
            self.load_terms.setdefault((n, s), []).append(lp)

    def _add_excess_workload(self) -> None:
        """Cost: each nurse's workload in a shift above their maximum load then."""
        spd, wl = self.inst.shifts_per_day, self.wl
        for (n, s), terms in self.load_terms.items():
            limit = self.inst.nurses[n].max_load[s]
            top_load = sum(wl[k][s - d * spd] for k in range(self.K) for d in self.days_of[k]
                           if 0 <= s - d * spd < len(wl[k]))
            if top_load <= limit:
                continue
            # a tight upper bound keeps the LP well scaled
            ex = self.m.new_int_var(0, top_load - limit, f"ex{n}_{s}")
            self.m.add(ex >= _sum(terms) - limit)
            self.objective_terms.append(self.inst.weights[3] * ex)

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


def model_size(inst: Instance) -> int:
    """(patient, day, room) and (nurse, room, shift) choices: how large ``ExactModel`` gets."""
    rooms = len(inst.rooms)
    stays = sum((min(inst.last_possible_day(k), inst.days - 1) - p.release_day + 1)
                * (rooms - len(p.incompatible_rooms)) for k, p in enumerate(inst.patients))
    return stays + len(inst.nurses) * rooms * inst.shifts


def _reader(values: list[int]) -> Callable[[cp_model.IntVar], int]:
    """The value of a model variable in a full assignment (by its index)."""
    return lambda var: values[var.index]


def improve_by_lns(inst: Instance, sol: Solution, *, seed: int, seconds: float = 0.0,
                   deterministic_time: float = 0.0, free_share: float = 0.6,
                   round_limit: float = 10.0,
                   should_stop: Callable[[], bool] = lambda: False) -> tuple[Solution, int]:
    """Large-neighbourhood search with this model, from the feasible solution ``sol``.

    Each round frees a random ``free_share`` of the admitted patients (day, room, theater),
    every waiting patient and every nurse, fixes the other patients where they are, and lets
    CP-SAT (one worker, at most ``round_limit``) re-plan them warm-started from the
    incumbent; the round's solution is kept when the evaluator judges it no dearer. The share
    adapts: up after a round proven optimal, down after one cut by its limit.

    Why: moves of one or a few patients cannot empty a theater-day or flip which gender a
    room holds when many stays must change together (small05: the annealer keeps 10
    theater-days where CP-SAT finds 8); a round does that at once.
    The budget is ``seconds`` of wall time, or with ``deterministic_time`` CP-SAT's
    deterministic time (reproducible). Returns the best solution and its judged cost.
    """
    best_cost = evaluate(inst, sol).total_cost
    em = ExactModel(inst)
    done = em.complete(sol)
    if done is None:  # not expected for a feasible solution; then nothing to improve from
        return sol, best_cost
    values = done[1]
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    left = deterministic_time
    patient_vars: list[list[int]] = [[] for _ in inst.patients]
    for (k, _), xv in em.x_vars.items():
        patient_vars[k].append(xv.index)
    for (k, _, _), wv in em.w.items():
        patient_vars[k].append(wv.index)
    for (k, _, _), zv in em.z.items():
        patient_vars[k].append(zv.index)
    n_vars = len(em.m.proto.variables)
    while not should_stop():
        limit = round_limit
        if deterministic_time > 0:
            if left <= 0.05:
                break
            limit = min(limit, left)
        else:
            limit = min(limit, deadline - time.monotonic())
            if limit < 0.2:
                break
        m = em.m.clone()
        for k, adm in enumerate(sol.admissions):
            if adm is not None and rng.random() >= free_share:
                for i in patient_vars[k]:
                    m.add(m.get_int_var_from_proto_index(i) == values[i])
        for i, val in enumerate(values):
            m.add_hint(m.get_int_var_from_proto_index(i), val)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = rng.randrange(1 << 30)
        solver.parameters.linearization_level = 2
        if deterministic_time > 0:
            solver.parameters.max_deterministic_time = limit
        else:
            solver.parameters.max_time_in_seconds = limit
        status = solver.solve(m)
        left -= solver.deterministic_time
        # Adapt the size: a round proven optimal can afford more freedom, a round cut by
        # its time limit had too much (CP-SAT's own LNS adapts the same way).
        if status == cp_model.OPTIMAL:
            free_share = min(0.9, free_share + 0.02)
        else:
            free_share = max(0.3, free_share - 0.05)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        found_values = [solver.value(m.get_int_var_from_proto_index(i)) for i in range(n_vars)]
        found = em.decode(_reader(found_values))
        judged = evaluate(inst, found)
        if judged.feasible and judged.total_cost <= best_cost:
            sol, best_cost, values = found, judged.total_cost, found_values
    return sol, best_cost
