"""One location-day as a CP-SAT model: which waiting cases go into which session.

Decision ``x[i, k]``: case i in session k. Constraints: each case once; the linearised chance
constraint per session (``risk.py``); local rules (cases per session, per procedure, one
``first_only`` case, one infected case since it must be last); a named surgeon in one session a
day; post-operative beds per type; mobile equipment minutes against the location's units. The
objective is the coordinator's points (``settings.Objective``). After each solve the exact
Fenton–Wilkinson overrun chance of every session is checked; a session above its limit gets a
tighter capacity and the model is solved again (at most ``MAX_ROUNDS`` times).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from kontrolltarn.model import Room, Session, Staff

from .candidates import Candidate
from .risk import Moments, exceed_probability, fenton_wilkinson, tangent_terms, z_for
from .rules import SessionRules

SCALE = 10  # CP-SAT wants integers: tenths of a minute / of a point
MAX_ROUNDS = 4
#: share of the staffed minutes a mobile unit can serve in a day (set-up, transport between rooms)
EQUIPMENT_DAY_SHARE = 0.85


@dataclass
class SessionSlot:
    """A session as the model sees it."""

    session: Session
    room: Room
    specialty_id: str
    turnover: int
    rules: SessionRules
    max_probability: float
    overrun_min: int
    surgeon: Staff | None  # operates the unnamed cases
    options: list[Candidate] = field(default_factory=list)
    #: (points, case) for each option, filled by the caller
    points: dict[str, float] = field(default_factory=dict)

    @property
    def capacity(self) -> int:
        """Staffed minutes less the reserve kept free."""
        return self.session.staffed_min - self.rules.reserve_min


@dataclass
class Subproblem:
    slots: list[SessionSlot]
    beds_left: dict[str, int]  # bed type -> new admissions left at the location that day
    equipment_minutes: dict[str, float]  # mobile equipment id -> minutes available
    named_surgeon_slot: dict[str, int] = field(default_factory=dict)  # surgeon -> forced slot


@dataclass
class Outcome:
    chosen: dict[int, list[Candidate]]  # slot index -> cases
    rounds: int
    status: str
    overrun_probability: dict[int, float]


def solve(sub: Subproblem, *, seed: int, time_limit: float, overtime_weight: float) -> Outcome:
    tighten: dict[int, float] = defaultdict(float)
    hint: dict[tuple[str, int], int] = {}
    status_name = "EMPTY"
    chosen: dict[int, list[Candidate]] = {}
    risk: dict[int, float] = {}
    for rounds in range(1, MAX_ROUNDS + 1):
        chosen, status_name = _solve_once(sub, tighten, hint, seed, time_limit / MAX_ROUNDS * 2,
                                          overtime_weight)
        risk = {k: session_overrun_probability(sub.slots[k], cases) for k, cases in chosen.items()}
        over = {k: p for k, p in risk.items() if p > sub.slots[k].max_probability + 1e-9}
        if not over:
            return Outcome(chosen, rounds, status_name, risk)
        for k in over:
            tighten[k] += _excess_minutes(sub.slots[k], chosen[k]) + 1.0
        hint = {(c.id, k): 1 for k, cases in chosen.items() for c in cases if k not in over}
    # still above after the last round: drop the riskiest-to-keep case until within the limit
    for k, cases in chosen.items():
        slot = sub.slots[k]
        while cases and session_overrun_probability(slot, cases) > slot.max_probability + 1e-9:
            cases.remove(min(cases, key=lambda c: slot.points[c.id] / max(c.moments.var, 1.0)))
        risk[k] = session_overrun_probability(slot, cases)
    return Outcome(chosen, MAX_ROUNDS, status_name, risk)


def session_overrun_probability(slot: SessionSlot, cases: list[Candidate]) -> float:
    if not cases:
        return 0.0
    turnovers = slot.turnover * (len(cases) - 1)
    return exceed_probability([c.moments for c in cases], turnovers,
                              slot.capacity + slot.overrun_min)


def _excess_minutes(slot: SessionSlot, cases: list[Candidate]) -> float:
    _, mu, sigma = fenton_wilkinson([c.moments for c in cases])
    quantile = math.exp(mu + z_for(slot.max_probability) * sigma)
    return max(0.0, quantile + slot.turnover * (len(cases) - 1) - slot.capacity - slot.overrun_min)


def _solve_once(sub: Subproblem, tighten: dict[int, float], hint: dict[tuple[str, int], int],
                seed: int, time_limit: float, overtime_weight: float,
                ) -> tuple[dict[int, list[Candidate]], str]:
    model = cp_model.CpModel()
    x: dict[tuple[str, int], cp_model.IntVar] = {}
    by_case: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    case_of: dict[str, Candidate] = {}
    objective = []
    for k, slot in enumerate(sub.slots):
        z = z_for(slot.max_probability)
        v0 = _typical_variance(slot)
        c0, slope = tangent_terms(v0)
        load = []
        count = []
        per_proc: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        first_only, infected = [], []
        for c in slot.options:
            var = model.new_bool_var(f"x_{c.id}_{k}")
            x[(c.id, k)] = var
            by_case[c.id].append(var)
            case_of[c.id] = c
            load.append(round(SCALE * (c.moments.mean + slot.turnover + z * slope * c.moments.var)) * var)
            count.append(var)
            per_proc[c.referral.procedure_code].append(var)
            if c.referral.procedure_code in slot.rules.first_only:
                first_only.append(var)
            if c.referral.infected:
                infected.append(var)
            value = slot.points[c.id] - overtime_weight * c.moments.var
            objective.append(round(SCALE * value) * var)
        limit = slot.capacity + slot.overrun_min + slot.turnover - z * c0 - tighten[k]
        model.add(sum(load) <= math.floor(SCALE * limit))
        if slot.rules.max_cases is not None:
            model.add(sum(count) <= slot.rules.max_cases)
        for code, n in slot.rules.max_per_procedure.items():
            if per_proc.get(code):
                model.add(sum(per_proc[code]) <= n)
        if len(first_only) > 1:
            model.add(sum(first_only) <= 1)
        if len(infected) > 1:
            model.add(sum(infected) <= 1)
    for vars_ in by_case.values():
        if len(vars_) > 1:
            model.add_at_most_one(vars_)
    # named surgeons: one session a day
    named: dict[str, dict[int, list[cp_model.IntVar]]] = defaultdict(lambda: defaultdict(list))
    for (case_id, k), var in x.items():
        surgeon = case_of[case_id].referral.surgeon_id
        if surgeon is not None:
            named[surgeon][k].append(var)
    for surgeon, per_slot in named.items():
        forced = sub.named_surgeon_slot.get(surgeon)
        if forced is not None:
            for k, vars_ in per_slot.items():
                if k != forced:
                    for var in vars_:
                        model.add(var == 0)
            continue
        if len(per_slot) > 1:
            used = []
            for k, vars_ in per_slot.items():
                y = model.new_bool_var(f"y_{surgeon}_{k}")
                for var in vars_:
                    model.add_implication(var, y)
                used.append(y)
            model.add_at_most_one(used)
    # beds and equipment at the location
    beds: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    equipment: dict[str, list[cp_model.LinearExpr]] = defaultdict(list)
    for (case_id, k), var in x.items():
        c = case_of[case_id]
        beds[c.procedure.bed_type.value].append(var)
        room = sub.slots[k].room
        for eq in c.procedure.equipment:
            if eq in sub.equipment_minutes and eq not in room.equipment:
                equipment[eq].append(round(c.moments.mean) * var)
    for bed, vars_ in beds.items():
        left = sub.beds_left.get(bed)
        if left is not None and len(vars_) > left:
            model.add(sum(vars_) <= left)
    for eq, terms in equipment.items():
        model.add(sum(terms) <= math.floor(sub.equipment_minutes[eq]))
    model.maximize(sum(objective))
    for key, value in hint.items():
        if key in x:
            model.add_hint(x[key], value)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    chosen: dict[int, list[Candidate]] = defaultdict(list)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for (case_id, k), var in x.items():
            if solver.value(var):
                chosen[k].append(case_of[case_id])
    return dict(chosen), solver.status_name(status)


def _typical_variance(slot: SessionSlot) -> float:
    """Variance of a full session of typical options: where the tangent should touch."""
    if not slot.options:
        return 1.0
    mean = sum(c.moments.mean for c in slot.options) / len(slot.options)
    var = sum(c.moments.var for c in slot.options) / len(slot.options)
    cases = max(1.0, slot.capacity / (mean + slot.turnover))
    return cases * var


def equipment_minutes(count: int, staffed: int) -> float:
    return count * staffed * EQUIPMENT_DAY_SHARE


def moments_total(cases: list[Candidate]) -> Moments:
    return Moments(sum(c.moments.mean for c in cases), sum(c.moments.var for c in cases))
