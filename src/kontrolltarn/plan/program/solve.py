"""One session as a small CP-SAT model: which waiting cases go into it, at which risk level.

Decision ``x[i]``: case i goes into the session. The session also picks a risk level ``l[j]``
from a short menu of overrun chances (never above its ceiling and never above what the
location-day's running budget allows); the linearised chance constraint of that level
(``risk.py``) bounds its load. The objective is the coordinator's points for the cases
(``settings.Objective``) less ``risk_price`` points per percentage point of overrun chance, so
a session takes more risk only where it buys enough. Other constraints: local rules (cases per
session, per procedure, one ``first_only`` case, one infected case since it must be last);
post-operative beds and mobile-equipment minutes still free at the location that day. After the
solve the exact Fenton–Wilkinson chance is checked against the level; if it is above, the
capacity is shifted and the model solved again (``MAX_ROUNDS``, see ``solve_session``).

Sessions are solved one after another (the optimiser carries beds, equipment, surgeons and the
risk budget forward): each model is small enough to solve to optimality in a fraction of a
second, which packs sessions far better than one large model per location-day did within the
same time (measured: docs/program.md).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from kontrolltarn.model import Room, Session, Staff
from kontrolltarn.plan.check import SessionRules

from .candidates import Candidate
from .risk import exceed_probability, fenton_wilkinson, tangent_terms, z_for

SCALE = 10  # CP-SAT wants integers: tenths of a minute / of a point
MAX_ROUNDS = 6
#: stop loosening a session's capacity when fewer minutes than this are left to gain
LOOSEN_MIN = 10.0
#: share of the staffed minutes a mobile unit can serve in a day (set-up, transport between rooms)
EQUIPMENT_DAY_SHARE = 0.85
#: the overrun chances a session may be planned at (below its ceiling)
RISK_LEVELS = (0.02, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30)


@dataclass
class SessionSlot:
    """A session as the model sees it."""

    session: Session
    room: Room
    specialty_id: str
    turnover: int
    rules: SessionRules
    max_probability: float  # the session's ceiling
    overrun_min: int
    surgeon: Staff | None  # operates the unnamed cases
    options: list[Candidate] = field(default_factory=list)
    points: dict[str, float] = field(default_factory=dict)  # case id -> points if planned here

    @property
    def capacity(self) -> int:
        """Staffed minutes less the reserve kept free."""
        return self.session.staffed_min - self.rules.reserve_min

    @property
    def levels(self) -> tuple[float, ...]:
        menu = tuple(p for p in RISK_LEVELS if p < self.max_probability - 1e-9)
        return (*menu, self.max_probability)


@dataclass(frozen=True)
class _Level:
    probability: float
    z: float
    c0: float
    slope: float
    limit: float

    def size(self, c: Candidate, turnover: int) -> float:
        return c.moments.mean + turnover + self.z * self.slope * c.moments.var


@dataclass
class Limits:
    """What is still free where the session is, when it is solved."""

    beds_left: dict[str, int]  # bed type -> new admissions left at the location that day
    equipment_minutes: dict[str, float]  # mobile equipment id -> minutes left
    risk_allowed: float  # highest overrun chance the running budget allows this session


@dataclass
class Outcome:
    cases: list[Candidate]
    level: float
    overrun_probability: float
    rounds: int
    status: str
    #: CP-SAT's deterministic time used over the rounds (its own unit of work, about a second
    #: on a typical core): the same on any machine, however loaded
    work: float = 0.0


#: the least a solve is given (seconds, or deterministic seconds)
MIN_SOLVE_S = 0.02


def solve_session(slot: SessionSlot, limits: Limits, *, seed: int, time_limit: float,
                  risk_price: float, deterministic: bool = False) -> Outcome:
    """The best cases for ``slot`` (see the module docstring). ``risk_price``: points per
    percentage point of overrun chance. ``deterministic``: ``time_limit`` is CP-SAT's
    deterministic time, not the wall clock, so the same inputs give the same list on a loaded
    machine (the simulator's planning needs this).

    The linear chance constraint is only an approximation, conservative for lists of low
    variance and optimistic for skewed ones. So the model's capacity is shifted by ``shift``
    minutes and bisected on the exact Fenton–Wilkinson check: a list that keeps its level lets
    the next round loosen by the minutes it leaves free; a list above its level tightens. The
    best list that keeps its level wins."""
    shift = 0.0
    kept: tuple[float, list[Candidate], float, str] | None = None  # (worth, cases, level, status)
    loose: float | None = None  # the largest shift whose list kept its level
    tight: float | None = None  # the smallest shift whose list did not
    cases: list[Candidate] = []
    level, status, rounds, work = 0.0, "EMPTY", 0, 0.0
    for rounds in range(1, MAX_ROUNDS + 1):
        cases, level, status, used = _solve_once(
            slot, limits, -shift, seed, time_limit if rounds == 1 else time_limit / 3, risk_price,
            deterministic)
        work += used
        risk = session_overrun_probability(slot, cases)
        if risk <= level + 1e-9 or len(cases) <= 1:
            worth = sum(slot.points[c.id] for c in cases) - risk_price * 100 * level
            if kept is None or worth > kept[0]:
                kept = (worth, cases, level, status)
            loose = shift
            free = _free_minutes(slot, cases, level)
            if free < LOOSEN_MIN:
                break
            shift = shift + free if tight is None else (shift + tight) / 2
        else:
            tight = shift
            shift = (loose + tight) / 2 if loose is not None else \
                shift - _excess_minutes(slot, cases, level) - 1.0
        if loose is not None and tight is not None and tight - loose < LOOSEN_MIN:
            break
    if kept is not None:
        _, cases, level, status = kept
        return Outcome(cases, level, session_overrun_probability(slot, cases), rounds, status, work)
    while len(cases) > 1 and session_overrun_probability(slot, cases) > level + 1e-9:
        cases.remove(min(cases, key=lambda c: slot.points[c.id] / max(c.moments.var, 1.0)))
    return Outcome(cases, level, session_overrun_probability(slot, cases), rounds, status, work)


def session_overrun_probability(slot: SessionSlot, cases: list[Candidate]) -> float:
    """The Fenton–Wilkinson chance that ``cases`` overrun the slot by ``overrun_min`` or more."""
    if not cases:
        return 0.0
    turnovers = slot.turnover * (len(cases) - 1)
    return exceed_probability([c.moments for c in cases], turnovers,
                              slot.capacity + slot.overrun_min)


def _excess_minutes(slot: SessionSlot, cases: list[Candidate], probability: float) -> float:
    return max(0.0, -_free_minutes(slot, cases, probability))


def _free_minutes(slot: SessionSlot, cases: list[Candidate], probability: float) -> float:
    """Minutes between the list's ``probability`` upper quantile (Fenton–Wilkinson) and the
    overrun line: how much longer the list could be at that level (negative: over it)."""
    line = slot.capacity + slot.overrun_min
    if not cases:
        return float(line)
    _, mu, sigma = fenton_wilkinson([c.moments for c in cases])
    quantile = math.exp(mu + z_for(probability) * sigma)
    return line - quantile - slot.turnover * (len(cases) - 1)


def _levels(slot: SessionSlot, tighten: float) -> list[_Level]:
    """The slot's risk menu with each level's linear chance constraint. ``z`` gets a
    Cornish–Fisher correction for the right skew of a log-normal sum."""
    v0 = _typical_variance(slot)
    c0, slope = tangent_terms(v0)
    spread = math.sqrt(v0) / max(1.0, slot.capacity)  # coefficient of variation of a full list
    skew = 3.0 * spread + spread**3
    result = []
    for p in slot.levels:
        z = z_for(p)
        z += skew / 6.0 * (z * z - 1.0)
        limit = slot.capacity + slot.overrun_min + slot.turnover - z * c0 - tighten
        result.append(_Level(p, z, c0, slope, limit))
    return result


def _solve_once(slot: SessionSlot, limits: Limits, tighten: float, seed: int, time_limit: float,
                risk_price: float, deterministic: bool) -> tuple[list[Candidate], float, str, float]:
    menu = [lv for lv in _levels(slot, tighten) if lv.probability <= limits.risk_allowed + 1e-9]
    if not menu:
        menu = _levels(slot, tighten)[:1]
    top = menu[-1]
    model = _Model()
    x = {c.id: model.new_bool_var(f"x_{c.id}") for c in slot.options}
    xs = list(x.values())
    levels = [model.new_bool_var(f"l_{j}") for j in range(len(menu))]
    model.add_exactly_one(levels)
    # weighted sums, not sums of terms: the same constraints, built without a Python object
    # per term (thousands of models a simulated week)
    objective_vars = xs + levels
    objective_coeffs = [round(SCALE * slot.points[c.id]) for c in slot.options]
    for lv, var in zip(menu, levels, strict=True):
        objective_coeffs.append(-round(SCALE * risk_price * 100 * lv.probability))
        cap = math.floor(SCALE * max(lv.limit, 0))
        load = [min(round(SCALE * lv.size(c, slot.turnover)), cap) for c in slot.options]
        model.add(cp_model.LinearExpr.weighted_sum(xs, load) <= cap).only_enforce_if(var)
    # a case too long for any level may still have the session to itself, at the top level
    for c in slot.options:
        if top.size(c, slot.turnover) > top.limit:
            others = [x[o.id] for o in slot.options if o.id != c.id]
            model.add(sum(others) == 0).only_enforce_if(x[c.id])
            model.add_implication(x[c.id], levels[-1])
    _rule_constraints(model, slot, x)
    _resource_constraints(model, slot, limits, x)
    model.maximize(cp_model.LinearExpr.weighted_sum(objective_vars, objective_coeffs))
    start, start_level = _greedy(slot, limits, menu)
    for c in slot.options:
        model.add_hint(x[c.id], c.id in start)
    for j, var in enumerate(levels):
        model.add_hint(var, j == start_level)
    solver = cp_model.CpSolver()
    if deterministic:  # a work limit: one worker, no wall clock, the same answer under load
        solver.parameters.max_deterministic_time = max(MIN_SOLVE_S, time_limit)
    else:
        solver.parameters.max_time_in_seconds = max(MIN_SOLVE_S, time_limit)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    used = solver.deterministic_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # no solution in the time given (a very short limit): keep the greedy start
        chosen = [c for c in slot.options if c.id in start]
        return chosen, menu[start_level].probability, "GREEDY", used
    cases = [c for c in slot.options if solver.value(x[c.id])]
    level = next(lv.probability for lv, v in zip(menu, levels, strict=True) if solver.value(v))
    return cases, level, solver.status_name(status), used


class _Model(cp_model.CpModel):
    """``CpModel`` without the aliases of its pre-PEP 8 method names, which it otherwise sets
    on every instance (about a millisecond each; the simulator builds thousands of models)."""

    def _add_pre_pep8_methods(self) -> None:
        pass


def _greedy(slot: SessionSlot, limits: Limits, menu: list[_Level]) -> tuple[set[str], int]:
    """First fit by points per minute at the highest level the menu allows, keeping every
    constraint of the model: the solver's start, and the answer if it finds none in time."""
    j = len(menu) - 1
    level = menu[j]
    room_left = level.limit
    beds = dict(limits.beds_left)
    minutes = dict(limits.equipment_minutes)
    chosen: set[str] = set()
    per_proc: dict[str, int] = defaultdict(int)
    first = infected = False
    for c in sorted(slot.options, key=lambda c: (-slot.points[c.id] / level.size(c, slot.turnover), c.id)):
        r = c.referral
        size = level.size(c, slot.turnover)
        bed = c.procedure.bed_type.value
        needs = mobile_equipment(c, slot.room, minutes)
        if size > room_left or beds.get(bed, 1) <= 0 or any(minutes[e] < c.moments.mean for e in needs):
            continue
        if slot.rules.max_cases is not None and len(chosen) >= slot.rules.max_cases:
            break
        cap = slot.rules.max_per_procedure.get(r.procedure_code)
        if cap is not None and per_proc[r.procedure_code] >= cap:
            continue
        is_first = r.procedure_code in slot.rules.first_only
        if (is_first and first) or (r.infected and infected):
            continue
        chosen.add(c.id)
        room_left -= size
        per_proc[r.procedure_code] += 1
        first = first or is_first
        infected = infected or r.infected
        if bed in beds:
            beds[bed] -= 1
        for e in needs:
            minutes[e] -= c.moments.mean
    return chosen, j


def _rule_constraints(model: cp_model.CpModel, slot: SessionSlot,
                      x: dict[str, cp_model.IntVar]) -> None:
    per_proc: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for c in slot.options:
        per_proc[c.referral.procedure_code].append(x[c.id])
    if slot.rules.max_cases is not None:
        model.add(sum(x.values()) <= slot.rules.max_cases)
    for code, n in slot.rules.max_per_procedure.items():
        if len(per_proc.get(code, [])) > n:
            model.add(sum(per_proc[code]) <= n)
    first = [x[c.id] for c in slot.options if c.referral.procedure_code in slot.rules.first_only]
    if len(first) > 1:
        model.add_at_most_one(first)
    infected = [x[c.id] for c in slot.options if c.referral.infected]
    if len(infected) > 1:
        model.add_at_most_one(infected)


def _resource_constraints(model: cp_model.CpModel, slot: SessionSlot, limits: Limits,
                          x: dict[str, cp_model.IntVar]) -> None:
    """Post-operative beds per type and mobile equipment minutes still free."""
    beds: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    equipment: dict[str, list[cp_model.LinearExpr]] = defaultdict(list)
    for c in slot.options:
        beds[c.procedure.bed_type.value].append(x[c.id])
        for eq in mobile_equipment(c, slot.room, limits.equipment_minutes):
            equipment[eq].append(round(c.moments.mean) * x[c.id])
    for bed, vars_ in beds.items():
        left = limits.beds_left.get(bed)
        if left is not None and len(vars_) > left:
            model.add(sum(vars_) <= max(0, left))
    for eq, terms in equipment.items():
        model.add(sum(terms) <= max(0, math.floor(limits.equipment_minutes[eq])))


def mobile_equipment(c: Candidate, room: Room, counted: dict[str, float]) -> list[str]:
    """The counted (mobile) equipment the case needs from the location's pool in this room."""
    return [eq for eq in c.procedure.equipment if eq in counted and eq not in room.equipment]


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
