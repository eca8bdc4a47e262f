"""Exact CP-SAT model of the whole IHTP, for small instances (proves optima where it can).

Primary decision: w[p, d, r] = patient p admitted on day d into room r; theaters y[p, t]
(linked per day by z[p, t, d]); nurses v[n, r, s] = nurse n has room r in shift s (exactly
one rostered nurse per room and shift; empty rooms cost nothing). The nonlinear soft terms are
linearised: skill and nurse load with big-M on the assignment literals, continuity by
seen[p, n] >= present-in-room + nurse-in-room - 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from kontrolltarn.plan.ihtc.model import Admission, Instance, Solution


@dataclass
class ExactResult:
    solution: Solution | None
    objective: int | None
    bound: float
    optimal: bool
    status: str
    wall_time: float


def solve_exact(inst: Instance, *, time_limit: float = 600.0, workers: int = 2,
                seed: int = 0, hint: Solution | None = None, log: bool = False) -> ExactResult:
    m = cp_model.CpModel()
    D, spd, S = inst.days, inst.shifts_per_day, inst.shifts
    P, R, T = len(inst.patients), len(inst.rooms), len(inst.theaters)
    wt = inst.weights
    pats = inst.patients

    # --- occupants (fixed) ---
    occ_people: list[list[list[int]]] = [[[] for _ in range(D)] for _ in range(R)]
    for o, occ in enumerate(inst.occupants):
        for d in range(min(D, occ.length_of_stay)):
            occ_people[occ.room][d].append(o)

    # --- admissions ---
    w: dict[tuple[int, int, int], cp_model.IntVar] = {}
    admitted: list[cp_model.LinearExpr] = []
    objective: list[cp_model.LinearExprT] = []
    for p, pat in enumerate(pats):
        last = inst.last_possible_day(p)
        vars_p = []
        for d in range(pat.release_day, min(last, D - 1) + 1):
            if pat.surgery_duration > inst.surgeons[pat.surgeon].max_surgery_time[d]:
                continue
            for r in range(R):
                if r in pat.incompatible_rooms:
                    continue
                v = m.new_bool_var(f"w{p}_{d}_{r}")
                w[p, d, r] = v
                vars_p.append(v)
                objective.append(wt[6] * (d - pat.release_day) * v)
        total = sum(vars_p) if vars_p else 0
        admitted.append(total)  # type: ignore[arg-type]
        if pat.mandatory:
            m.add(total == 1)
        else:
            m.add(total <= 1)
            objective.append(wt[7] * (1 - total))

    # present[p][r][dd]: linear expression (0/1) of w
    present: dict[tuple[int, int, int], list[tuple[int, cp_model.IntVar]]] = {}
    for (p, d, r), v in w.items():
        for dd in range(d, min(D, d + pats[p].length_of_stay)):
            present.setdefault((r, dd, p), []).append((d, v))

    # --- surgery: theaters, surgeon and theater load, open theaters, transfers ---
    y = {(p, t): m.new_bool_var(f"y{p}_{t}") for p in range(P) for t in range(T)}
    for p in range(P):
        m.add(sum(y[p, t] for t in range(T)) == admitted[p])
    day_of: dict[tuple[int, int], cp_model.IntVar] = {}
    for p in range(P):
        for d in range(D):
            terms = [v for (q, dd, _), v in w.items() if q == p and dd == d]
            if terms:
                a = m.new_bool_var(f"a{p}_{d}")
                m.add(a == sum(terms))
                day_of[p, d] = a
    open_ot = {}
    for t in range(T):
        for d in range(D):
            loads = []
            zs = []
            for p in range(P):
                if (p, d) not in day_of:
                    continue
                z = m.new_bool_var(f"z{p}_{t}_{d}")
                m.add_bool_and([day_of[p, d], y[p, t]]).only_enforce_if(z)
                m.add_bool_or([day_of[p, d].Not(), y[p, t].Not(), z])
                zs.append((p, z))
                loads.append(pats[p].surgery_duration * z)
            if not zs:
                continue
            m.add(sum(loads) <= inst.theaters[t].availability[d])
            is_open = m.new_bool_var(f"open{t}_{d}")
            for _, z in zs:
                m.add_implication(z, is_open)
            open_ot[t, d] = (is_open, zs)
            objective.append(wt[4] * is_open)
    for u, surgeon in enumerate(inst.surgeons):
        for d in range(D):
            mine = [p for p in range(P) if pats[p].surgeon == u and (p, d) in day_of]
            if not mine:
                continue
            m.add(sum(pats[p].surgery_duration * day_of[p, d] for p in mine)
                  <= surgeon.max_surgery_time[d])
            uses = []
            for t in range(T):
                if (t, d) not in open_ot:
                    continue
                ut = m.new_bool_var(f"u{u}_{t}_{d}")
                for p, z in open_ot[t, d][1]:
                    if pats[p].surgeon == u:
                        m.add_implication(z, ut)
                uses.append(ut)
            if len(uses) > 1:
                tr = m.new_int_var(0, T, f"tr{u}_{d}")
                m.add(tr >= sum(uses) - 1)
                objective.append(wt[5] * tr)

    # --- rooms: capacity, gender, age mix ---
    occupancy: dict[tuple[int, int, int], cp_model.LinearExprT] = {}
    for (r, dd, p), items in present.items():
        occupancy[r, dd, p] = sum(v for _, v in items)
    n_age = len(inst.age_groups)
    for r, room in enumerate(inst.rooms):
        for dd in range(D):
            here = [p for p in range(P) if (r, dd, p) in occupancy]
            fixed = occ_people[r][dd]
            if here:
                m.add(sum(occupancy[r, dd, p] for p in here) <= room.capacity - len(fixed))
                genders = {inst.occupants[o].gender for o in fixed}
                g_b = m.new_bool_var(f"g{r}_{dd}")
                if genders == {"A"}:
                    m.add(g_b == 0)
                elif genders == {"B"}:
                    m.add(g_b == 1)
                for p in here:
                    if pats[p].gender == "B":
                        m.add(occupancy[r, dd, p] <= g_b)
                    else:
                        m.add(occupancy[r, dd, p] <= 1 - g_b)
            ages_fixed = {inst.occupants[o].age_group for o in fixed}
            if not here:
                if ages_fixed:
                    objective.append(wt[0] * (max(ages_fixed) - min(ages_fixed)))
                continue
            hi = m.new_int_var(0, n_age - 1, f"hi{r}_{dd}")
            lo = m.new_int_var(0, n_age - 1, f"lo{r}_{dd}")
            for g in ages_fixed:
                m.add(hi >= g)
                m.add(lo <= g)
            for p in here:
                g = pats[p].age_group
                m.add(hi >= g * occupancy[r, dd, p])
                m.add(lo <= g + (n_age - 1) * (1 - occupancy[r, dd, p]))
            rng_v = m.new_int_var(0, n_age - 1, f"age{r}_{dd}")
            m.add(rng_v >= hi - lo)
            objective.append(wt[0] * rng_v)

    # --- nurses ---
    nr: dict[tuple[int, int, int], cp_model.IntVar] = {}
    for s in range(S):
        working = [n for n, nurse in enumerate(inst.nurses) if nurse.works(s)]
        for r in range(R):
            vs = []
            for n in working:
                v = m.new_bool_var(f"v{n}_{r}_{s}")
                nr[n, r, s] = v
                vs.append(v)
            if vs:
                m.add_exactly_one(vs)
    # room load and skill per shift
    seen: dict[tuple[int, int], cp_model.IntVar] = {}  # (person key, nurse); occupants keyed P+o

    def seen_var(key: int, n: int) -> cp_model.IntVar:
        if (key, n) not in seen:
            seen[key, n] = m.new_bool_var(f"seen{key}_{n}")
            objective.append(wt[2] * seen[key, n])
        return seen[key, n]

    carry: dict[tuple[int, int], list[tuple[cp_model.IntVar, int]]] = {}
    for r in range(R):
        for s in range(S):
            dd = s // spd
            load_terms: list[cp_model.LinearExprT] = []
            const_load = 0
            # (literal, requirement) for each possible patient presence in this room-shift
            reqs: list[tuple[cp_model.IntVar | None, int, int]] = []
            for o in occ_people[r][dd]:
                occ = inst.occupants[o]
                const_load += occ.workload[s]
                reqs.append((None, occ.skill_required[s], P + o))
            for p in range(P):
                for d, v in present.get((r, dd, p), []):
                    rel = s - d * spd
                    load_terms.append(pats[p].workload[rel] * v)
                    reqs.append((v, pats[p].skill_required[rel], p))
            if not reqs:
                continue
            nurses_here = [(n, nr[n, r, s]) for n in range(len(inst.nurses)) if (n, r, s) in nr]
            if not nurses_here:
                continue
            max_load = const_load + sum(
                pats[p].workload[s - d * spd] for p in range(P)
                for d, _ in present.get((r, dd, p), []))
            for n, v in nurses_here:
                nurse = inst.nurses[n]
                # skill: cost gap per present person when n has the room
                for lit, req, key in reqs:
                    gap = req - nurse.skill_level
                    if gap > 0:
                        if lit is None:
                            objective.append(wt[1] * gap * v)
                        else:
                            both = m.new_bool_var("")
                            m.add_bool_or([lit.Not(), v.Not(), both])
                            objective.append(wt[1] * gap * both)
                    # continuity
                    sv = seen_var(key, n)
                    if lit is None:
                        m.add_implication(v, sv)
                    else:
                        m.add_bool_or([lit.Not(), v.Not(), sv])
                # load carried by n from this room
                if max_load > 0:
                    carried = m.new_int_var(0, max_load, "")
                    room_load = cp_model.LinearExpr.sum(load_terms) + const_load
                    m.add(carried >= room_load - max_load * (1 - v))
                    carry.setdefault((n, s), []).append((carried, max_load))
    for (n, s), carried_items in carry.items():
        limit = inst.nurses[n].max_load[s]
        ex = m.new_int_var(0, sum(ub for _, ub in carried_items), "")
        m.add(ex >= cp_model.LinearExpr.sum([c for c, _ in carried_items]) - limit)
        objective.append(wt[3] * ex)

    m.minimize(sum(objective))
    if hint is not None:
        for (p, d, r), v in w.items():
            adm = hint.admissions[p]
            m.add_hint(v, adm is not None and (adm.day, adm.room) == (d, r))
        for (p, t), v in y.items():
            adm = hint.admissions[p]
            m.add_hint(v, adm is not None and adm.theater == t)
        given = {(n, r, s) for n, s, r in hint.nurse_rooms}
        for nrs, v in nr.items():
            m.add_hint(v, nrs in given)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.log_search_progress = log
    status = solver.solve(m)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactResult(None, None, solver.best_objective_bound, False, name,
                           solver.wall_time)
    admissions: list[Admission | None] = [None] * P
    for (p, d, r), v in w.items():
        if solver.value(v):
            t = next(t for t in range(T) if solver.value(y[p, t]))
            admissions[p] = Admission(d, r, t)
    nurse_rooms = [(n, s, r) for (n, r, s), v in nr.items() if solver.value(v)]
    nurse_rooms.sort(key=lambda x: (x[0], x[1], x[2]))
    return ExactResult(Solution(admissions, nurse_rooms), int(round(solver.objective_value)),
                       solver.best_objective_bound, status == cp_model.OPTIMAL, name,
                       solver.wall_time)
