"""CP-SAT roster builder: covers the demand with the right competence mix inside the Act.

The problem splits exactly by (location, role): people work at one location in one role and
demand is per location and role, so each group is solved on its own (fast, and a group's time
limit is in proportion to its size). Inside a group, every working-time rule is a hard
constraint written from ``WorkingTimeRules``; coverage, contract hours, fairness and
preferences are weighted soft terms. The model is built from the blocks of ``cpsat`` that
the INRC-II benchmark's model uses too. The roster is judged by ``checker.check_roster``,
never by this module.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ortools.sat.python import cp_model

from kontrolltarn.model import ModelError

from .cpsat import CtrlC, ShiftModel, new_solver, run_search
from .greedy import greedy_assignment
from .roster import DEFAULT_SHIFT_TYPES, Demand, Person, Roster, Shift, ShiftType
from .rules import WorkingTimeRules

#: Weights of the soft terms (per person-shift, per minute, per shift). A day asked off weighs
#: more than filling contract hours with a shift (450 min), so wishes win over extra shifts.
W_UNCOVERED = 10_000
W_COMPETENCE = 3_000
W_UNDER_CONTRACT_MIN = 1
W_OVER_CONTRACT_MIN = 1
W_MAX_WEEKENDS = 4_000
W_WEEKEND_EXCESS = 1_500
W_MAX_UNSOCIAL = 1_500
W_UNSOCIAL_EXCESS = 400
W_WISH_OFF = 2_000
W_AVOIDED_SHIFT = 1_200
WEEKEND = (5, 6)


@dataclass
class GroupResult:
    location_id: str
    role: str
    people: int
    status: str
    seconds: float
    uncovered: int
    objective: float


@dataclass
class RosterResult:
    roster: Roster
    groups: list[GroupResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def uncovered(self) -> int:
        return sum(g.uncovered for g in self.groups)


@dataclass(frozen=True)
class _Instance:
    """A shift type on a day, in minutes from the roster's first midnight."""

    day: int
    type: ShiftType
    start: int
    end: int


def _instances(days: int, types: Sequence[ShiftType]) -> list[_Instance]:
    return [_Instance(d, t, d * 1440 + t.start_min, d * 1440 + t.end_min) for d in range(days) for t in types]


def _rest_conflicts(insts: list[_Instance], rules: WorkingTimeRules) -> list[tuple[int, int]]:
    """Pairs of instances that cannot both be worked: overlapping or too little rest between."""
    pairs = []
    for i, a in enumerate(insts):
        for j in range(i + 1, len(insts)):
            b = insts[j]
            if b.day - a.day > 2:
                break
            first, second = (a, b) if a.start <= b.start else (b, a)
            if second.start - first.end < rules.daily_rest_min:
                pairs.append((i, j))
    return pairs


@dataclass(frozen=True)
class RestWindows:
    """The weekly rest as the checker reads it (§ 10-8 (2), sliding 7 days): the 7 days from
    the start of every worked instance hold ``weekly_rest`` off. A rest window begins at the
    end of an instance (any free stretch can slide back to one) and forbids every instance it
    touches; ``blocked[u]`` are those instances, ``options[k]`` the windows that fit in the
    7 days from instance k's start. Time after the roster is free, as for the checker."""

    blocked: list[frozenset[int]]
    options: list[list[int]]

    def keeps_rest(self, worked: set[int], inst_start: Sequence[int], changed: int) -> bool:
        """Whether ``worked`` (which includes ``changed``) still has a rest window free in the
        7 days from every worked instance whose window can contain ``changed``."""
        week = 7 * 1440
        lo = inst_start[changed] - week
        near = (k for k in worked if lo < inst_start[k] <= inst_start[changed] + 1440 or k == changed)
        return not any(all(self.blocked[u] & worked for u in self.options[k]) for k in near)


def _weekly_rest_windows(insts: list[_Instance], rules: WorkingTimeRules) -> RestWindows:
    week = 7 * 1440
    ends = sorted({i.end for i in insts})
    blocked = [
        frozenset(k for k, i in enumerate(insts) if i.start < u + rules.weekly_rest_min and i.end > u)
        for u in ends
    ]
    options = []
    for inst in insts:
        fits = [u for u, t in enumerate(ends)
                if inst.end <= t and t + rules.weekly_rest_min <= inst.start + week]
        # a window whose forbidden set contains another's is dominated: drop it
        kept: list[int] = []
        for u in sorted(fits, key=lambda u: len(blocked[u])):
            if not any(blocked[v] <= blocked[u] for v in kept):
                kept.append(u)
        options.append(kept)
    return RestWindows(blocked, options)


def _sunday_instances(insts: list[_Instance], first_day: date, days: int,
                      rules: WorkingTimeRules) -> list[frozenset[int]]:
    """Per Sunday of the roster, in order, the instances that are Sunday work (§ 10-10 (1),
    as the checker reads it: touching 18:00 the day before to 22:00 on the Sunday)."""
    result = []
    for d in range(days):
        if (first_day + timedelta(days=d)).weekday() != 6:
            continue
        begin = d * 1440 - 1440 + rules.sunday_start_min
        end = d * 1440 + rules.sunday_end_min
        result.append(frozenset(k for k, i in enumerate(insts) if i.start < end and i.end > begin))
    return result


def keeps_sundays(sundays: list[frozenset[int]], worked: set[int], limit: int) -> bool:
    """Whether ``worked`` has no run of more than ``limit`` Sundays in a row with work."""
    run = 0
    for ks in sundays:
        run = run + 1 if ks & worked else 0
        if run > limit:
            return False
    return True


def _covers(inst: _Instance, demand: Demand, origin: datetime) -> bool:
    start = int((demand.start - origin).total_seconds() // 60)
    end = int((demand.end - origin).total_seconds() // 60)
    return inst.start <= start and inst.end >= end


def _check_shift_types(types: Sequence[ShiftType], rules: WorkingTimeRules) -> None:
    for t in types:
        if t.worked_min > rules.day_limit_min:
            raise ModelError(
                f"shift_type[{t.code}].worked_min",
                t.worked_min,
                f"more than the normal day of {rules.day_limit_min} min: every "
                "minute beyond it would be planned overtime",
            )
        span = t.end_min - t.start_min
        if span >= rules.break_after_min and t.break_min < rules.break_min:
            raise ModelError(
                f"shift_type[{t.code}].break_min",
                t.break_min,
                f"a {span} min shift needs a break of {rules.break_min} min",
            )


class _GroupModel:
    """The CP-SAT model of one group: people of one role at one location over the roster.

    ``x[p, k]`` is 1 when person p works shift instance k. The constructor reads as the model:
    each ``_add_*`` method adds one rule of the Act (hard) or one soft term, in a fixed order
    (it fixes CP-SAT's variable indices, and so its search). ``add_complete_hint`` gives the
    solver a whole starting solution; ``solve_group`` runs the two stages.
    """

    def __init__(self, people: Sequence[Person], demand: Sequence[Demand], first_day: date,
                 weeks: int, rules: WorkingTimeRules, types: Sequence[ShiftType]) -> None:
        self.people, self.demand, self.weeks, self.rules = people, demand, weeks, rules
        self.days = 7 * weeks
        self.origin = datetime.combine(first_day, datetime.min.time())
        self.insts = _instances(self.days, types)
        self.conflicts = _rest_conflicts(self.insts, rules)
        self.windows = _weekly_rest_windows(self.insts, rules)
        self.sundays = _sunday_instances(self.insts, first_day, 7 * weeks, rules)
        self._inst_start = [i.start for i in self.insts]
        self.shifts_model = ShiftModel()
        self.m = self.shifts_model.m
        self.day_of = [self.origin.date() + timedelta(days=d) for d in range(self.days)]
        self._add_shift_variables()
        self.total_limit = _roster_hours_limit(rules, self.days, weeks)
        self.objective: list[cp_model.LinearExprT] = []
        self.unsocial_types = {t.code for t in types
                               if t.start_min >= 14 * 60 or t.end_min > 24 * 60}
        self.weekend_counts: list[cp_model.LinearExpr | int] = []
        self.unsocial_counts: list[cp_model.LinearExpr | int] = []
        # what a complete hint needs: every auxiliary variable with the ks it depends on
        self.rest_free: dict[tuple[int, int], tuple[cp_model.IntVar, list[int]]] = {}
        self.sunday_vars: list[tuple[cp_model.IntVar, int, list[int]]] = []
        self.contract_vars: list[tuple[cp_model.IntVar, cp_model.IntVar, int, int]] = []
        self.counted: list[int] = []
        self.kind_ks: dict[str, dict[int, list[int]]] = {"we": {}, "un": {}}
        for p_idx in range(len(people)):
            ks = set(self.by_person[p_idx])
            if not ks:
                continue
            self._add_one_shift_a_day(p_idx, ks)
            self._add_daily_rest(p_idx, ks)
            for w in range(weeks):
                self._add_weekly_hours(p_idx, ks, w)
            self._add_weekly_rest(p_idx, ks)
            self._add_sunday_limit(p_idx, ks)
            total = self._add_roster_hours(p_idx, ks)
            self._add_contract_hours(p_idx, total)
            self._count_weekends_and_unsocial(p_idx, ks)
            self._add_wishes(p_idx, ks)
        self.fair_vars: list[tuple[str, cp_model.IntVar, cp_model.IntVar, list[cp_model.IntVar]]] = []
        self._add_fairness()
        self.coverage_terms: list[cp_model.LinearExprT] = []
        self.gap_vars: list[tuple[cp_model.IntVar, int, str | None, int]] = []
        self._add_coverage()
        self.covering_of = [[k for k, inst in enumerate(self.insts) if _covers(inst, d, self.origin)]
                            for d in demand]

    def _add_shift_variables(self) -> None:
        """One variable per person and shift instance, except on the person's days away."""
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        for p_idx, p in enumerate(self.people):
            for k, inst in enumerate(self.insts):
                if self.day_of[inst.day] not in p.unavailable:
                    self.x[p_idx, k] = self.shifts_model.assign((p_idx, k), f"x{p_idx}_{k}")
        self.by_person: dict[int, list[int]] = defaultdict(list)
        for p_idx, k in self.x:
            self.by_person[p_idx].append(k)

    # --- working time (hard) ---
    def _add_one_shift_a_day(self, p_idx: int, ks: set[int]) -> None:
        """A person works at most one shift a day."""
        per_day: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for k in ks:
            per_day[self.insts[k].day].append(self.x[p_idx, k])
        for vars_ in per_day.values():
            self.shifts_model.at_most_one(vars_)

    def _add_daily_rest(self, p_idx: int, ks: set[int]) -> None:
        """No two shifts that overlap or leave less than the daily rest between them."""
        for a, b in self.conflicts:
            if a in ks and b in ks:
                self.shifts_model.forbid_both(self.x[p_idx, a], self.x[p_idx, b])

    def _add_weekly_hours(self, p_idx: int, ks: set[int], w: int) -> None:
        """Worked minutes in week w stay within the week's limit."""
        insts, x = self.insts, self.x
        in_week = [k for k in ks if w * 7 <= insts[k].day < (w + 1) * 7]
        self.m.add(sum(insts[k].type.worked_min * x[p_idx, k] for k in in_week)
                   <= self.rules.week_limit_min)

    def _add_weekly_rest(self, p_idx: int, ks: set[int]) -> None:
        """The 7 days from every worked shift hold an uninterrupted weekly rest: a worked
        instance implies one of its rest windows is free (``f``), and a free window forbids
        every shift that touches it. Windows are shared by the instances whose 7 days hold them."""
        for k in sorted(ks):
            choices = []
            for u in self.windows.options[k]:
                if (p_idx, u) not in self.rest_free:
                    mine = sorted(j for j in self.windows.blocked[u] if j in ks)
                    f = self.m.new_bool_var(f"f{p_idx}_{u}")
                    for j in mine:
                        self.m.add_implication(f, self.x[p_idx, j].Not())
                    self.rest_free[p_idx, u] = (f, mine)
                choices.append(self.rest_free[p_idx, u][0])
            self.m.add_bool_or([*choices, self.x[p_idx, k].Not()])

    def _add_sunday_limit(self, p_idx: int, ks: set[int]) -> None:
        """§ 10-10 (4): of every ``sundays_in_a_row_max`` + 1 Sundays in a row, one is free.
        ``on`` is 1 when the person works any shift that is that Sunday's Sunday work."""
        limit = self.rules.sundays_in_a_row_max
        if limit >= len(self.sundays):
            return
        on = []
        for s, sunday_ks in enumerate(self.sundays):
            mine = sorted(k for k in sunday_ks if k in ks)
            var = self.m.new_bool_var(f"sun{p_idx}_{s}")
            for k in mine:
                self.m.add_implication(self.x[p_idx, k], var)
            self.sunday_vars.append((var, p_idx, mine))
            on.append(var)
        for s in range(len(on) - limit):
            self.m.add(sum(on[s:s + limit + 1]) <= limit)

    def _add_roster_hours(self, p_idx: int, ks: set[int]) -> cp_model.LinearExpr | int:
        """Worked minutes over the roster stay within the averaging limit (the night worker's
        average per 24 h, and the averaging agreement's mean); returns them."""
        total = sum(self.insts[k].type.worked_min * self.x[p_idx, k] for k in ks)
        self.m.add(total <= self.total_limit)
        return total

    # --- soft terms ---
    def _add_contract_hours(self, p_idx: int, total: cp_model.LinearExpr | int) -> None:
        """Cost: each minute under or over the person's contract hours over the roster."""
        target = self.people[p_idx].contract_week_min * self.weeks
        under = self.m.new_int_var(0, target, f"under{p_idx}")
        over = self.m.new_int_var(0, self.rules.week_limit_min * self.weeks, f"over{p_idx}")
        self.m.add(total + under - over == target)
        self.objective += [W_UNDER_CONTRACT_MIN * under, W_OVER_CONTRACT_MIN * over]
        self.contract_vars.append((under, over, p_idx, target))

    def _count_weekends_and_unsocial(self, p_idx: int, ks: set[int]) -> None:
        """The person's weekend shifts and evening/night shifts, for the fairness terms."""
        insts, x = self.insts, self.x
        self.kind_ks["we"][p_idx] = [k for k in ks if self.day_of[insts[k].day].weekday() in WEEKEND]
        self.kind_ks["un"][p_idx] = [k for k in ks if insts[k].type.code in self.unsocial_types]
        self.counted.append(p_idx)
        self.weekend_counts.append(sum(x[p_idx, k] for k in self.kind_ks["we"][p_idx]))
        self.unsocial_counts.append(sum(x[p_idx, k] for k in self.kind_ks["un"][p_idx]))

    def _add_wishes(self, p_idx: int, ks: set[int]) -> None:
        """Cost: each shift on a day the person asked off, and each shift type they avoid."""
        p, insts, x = self.people[p_idx], self.insts, self.x
        wish = [x[p_idx, k] for k in ks if self.day_of[insts[k].day] in p.wants_off]
        avoided = [x[p_idx, k] for k in ks if insts[k].type.code in p.avoid_shifts]
        self.objective += [W_WISH_OFF * sum(wish), W_AVOIDED_SHIFT * sum(avoided)]

    def _add_fairness(self) -> None:
        """Cost: the heaviest load of weekends and of evenings/nights, and each person's load
        above the group's mean (rounded up), for each of the two kinds."""
        m, days = self.m, self.days
        n = max(1, len(self.weekend_counts))
        for counts, w_max, w_excess, name in (
            (self.weekend_counts, W_MAX_WEEKENDS, W_WEEKEND_EXCESS, "we"),
            (self.unsocial_counts, W_MAX_UNSOCIAL, W_UNSOCIAL_EXCESS, "un"),
        ):
            if not counts:
                continue
            top = m.new_int_var(0, days, f"max_{name}")
            for c in counts:
                m.add(top >= c)
            self.objective.append(w_max * top)
            fair = m.new_int_var(0, days, f"fair_{name}")  # exactly the ceiling of the mean
            m.add(fair * n >= sum(counts))
            m.add(fair * n <= sum(counts) + n - 1)
            excess = []
            for i, c in enumerate(counts):
                ex = m.new_int_var(0, days, f"ex_{name}{i}")
                m.add(ex >= c - fair)
                self.objective.append(w_excess * ex)
                excess.append(ex)
            self.fair_vars.append((name, top, fair, excess))

    def _add_coverage(self) -> None:
        """Each demanded slot is covered by its count of people present for all of it, and
        with its competence mix; what is missing is a gap, paid for in the first stage."""
        sm, x, people = self.shifts_model, self.x, self.people
        for d_idx, d in enumerate(self.demand):
            covering = [k for k, inst in enumerate(self.insts) if _covers(inst, d, self.origin)]
            present = [(p_idx, x[p_idx, k]) for p_idx in range(len(people)) for k in covering
                       if (p_idx, k) in x]
            gap = sm.shortfall([v for _, v in present], d.count, f"gap{d_idx}")
            self.coverage_terms.append(W_UNCOVERED * gap)
            self.gap_vars.append((gap, d_idx, None, d.count))
            for comp, need in d.competences.items():
                cgap = sm.shortfall([v for p_idx, v in present if comp in people[p_idx].competences],
                                    need, f"cgap{d_idx}_{comp}")
                self.coverage_terms.append(W_COMPETENCE * cgap)
                self.gap_vars.append((cgap, d_idx, comp, need))

    # --- hints and results ---
    def greedy_hint(self) -> dict[tuple[int, int], int]:
        """The greedy roster within every hard rule, as values of ``x``."""
        insts = self.insts
        hint = greedy_assignment(
            self.people,
            self.demand,
            self.covering_of,
            [i.day for i in insts],
            [i.type.worked_min for i in insts],
            [i.type.code for i in insts],
            [i.type.code in self.unsocial_types for i in insts],
            self.conflicts,
            lambda worked, k: (self.windows.keeps_rest(worked, self._inst_start, k)
                               and keeps_sundays(self.sundays, worked, self.rules.sundays_in_a_row_max)),
            self.rules.week_limit_min,
            self.total_limit,
            lambda i, k: (i, k) in self.x,
            lambda d: self.day_of[d],
        )
        return {key: int(key in hint) for key in self.x}

    def add_complete_hint(self, values: dict[tuple[int, int], int]) -> None:
        """Hint every variable, not just the assignment: CP-SAT then starts from a solution
        instead of spending the (loaded) time limit completing one."""
        m, insts = self.m, self.insts
        m.clear_hints()
        for key, var in self.x.items():
            m.add_hint(var, values[key])
        for (owner, _), (f, mine) in self.rest_free.items():
            m.add_hint(f, int(not any(values[owner, k] for k in mine)))
        for var, owner, mine in self.sunday_vars:
            m.add_hint(var, int(any(values[owner, k] for k in mine)))
        for under, over, owner, target in self.contract_vars:
            worked = sum(insts[k].type.worked_min * values[owner, k] for k in self.by_person[owner])
            m.add_hint(under, max(0, target - worked))
            m.add_hint(over, max(0, worked - target))
        n = max(1, len(self.weekend_counts))
        for name, top, fair, excess in self.fair_vars:
            loads = [sum(values[i, k] for k in self.kind_ks[name][i]) for i in self.counted]
            level = -(-sum(loads) // n)
            m.add_hint(top, max(loads, default=0))
            m.add_hint(fair, level)
            for ex, load in zip(excess, loads, strict=True):
                m.add_hint(ex, max(0, load - level))
        present: dict[int, list[int]] = {}
        for var, d_idx, comp, need in self.gap_vars:
            if d_idx not in present:
                ks = set(self.covering_of[d_idx])
                present[d_idx] = [i for (i, k), v in values.items() if v and k in ks]
            have = [i for i in present[d_idx] if comp is None or comp in self.people[i].competences]
            m.add_hint(var, max(0, need - len(have)))

    def cap_loads_at(self, values: dict[tuple[int, int], int]) -> None:
        """The heaviest weekend and evening/night loads of ``values`` become caps for both
        stages, so a search for coverage cannot buy it by loading a few people (``values``
        satisfies the caps)."""
        insts = self.insts
        for counts, kind in ((self.weekend_counts, "weekend"), (self.unsocial_counts, "unsocial")):
            loads: dict[int, int] = defaultdict(int)
            for (i, k), v in values.items():
                is_kind = (
                    self.day_of[insts[k].day].weekday() in WEEKEND
                    if kind == "weekend"
                    else insts[k].type.code in self.unsocial_types
                )
                loads[i] += v * int(is_kind)
            cap = max(loads.values(), default=0)
            for c in counts:
                if not isinstance(c, int):  # a person with no possible shift of the kind
                    self.m.add(c <= cap)

    def shifts(self, values: dict[tuple[int, int], int]) -> list[Shift]:
        """The roster's shifts for an assignment of ``x``."""
        shifts = []
        for (p_idx, k), value in values.items():
            if value:
                inst = self.insts[k]
                p = self.people[p_idx]
                shifts.append(
                    Shift(
                        p.id,
                        self.origin + timedelta(minutes=inst.start),
                        self.origin + timedelta(minutes=inst.end),
                        inst.type.break_min,
                        p.location_id,
                        inst.type.code,
                    )
                )
        return shifts


def _roster_hours_limit(rules: WorkingTimeRules, days: int, weeks: int) -> int:
    """Worked minutes allowed over the roster: the averaging agreement's mean, and a night
    worker's average per 24 h (applied to all, it only binds on very long weeks)."""
    total_limit = rules.night_worker_avg_per_24h_min * min(days, rules.night_averaging_days)
    if rules.averaging_weeks > 1:
        total_limit = min(total_limit, rules.normal_week_min * weeks)
    return total_limit


def solve_group(
    people: Sequence[Person],
    demand: Sequence[Demand],
    first_day: date,
    weeks: int,
    rules: WorkingTimeRules,
    types: Sequence[ShiftType],
    time_limit: float,
    workers: int = 2,
    seed: int = 0,
    ctrl_c: CtrlC | None = None,
) -> tuple[list[Shift], str, int, float]:
    """Roster one group of people with the same role and location. Returns the shifts, the
    CP-SAT status name, the uncovered person-shifts and the objective.

    Lexicographic: first cover the demand as well as possible (the hard part of the search),
    then, with coverage held at that level, the soft terms. The greedy roster is the hint;
    when it already covers everything the first stage is skipped."""
    model = _GroupModel(people, demand, first_day, weeks, rules, types)
    m, x = model.m, model.x
    hint_values = model.greedy_hint()
    hint_cost = _coverage_cost(hint_values, people, demand, model.covering_of)
    model.add_complete_hint(hint_values)
    model.cap_loads_at(hint_values)
    solver = new_solver(max(0.5, 0.6 * time_limit), workers, seed)
    started = time.monotonic()
    coverage = sum(model.coverage_terms)
    values, best_coverage, name = hint_values, hint_cost, "GREEDY"
    if hint_cost > 0:
        m.minimize(coverage)
        first = run_search(m, solver, ctrl_c)
        if first.found and solver.objective_value < hint_cost:
            values = {key: solver.value(var) for key, var in x.items()}
            best_coverage = int(solver.objective_value)
            name = first.status
    remaining = time_limit - (time.monotonic() - started)
    if hint_cost == 0:  # covered already: polish for half the share, leave the rest to others
        remaining /= 2
    if remaining > 0.5 and model.objective:
        m.add(coverage <= best_coverage)
        model.add_complete_hint(values)
        m.minimize(sum(model.objective))
        solver.parameters.max_time_in_seconds = remaining
        second = run_search(m, solver, ctrl_c)
        if second.found:
            values = {key: solver.value(var) for key, var in x.items()}
            name = f"{name}+{second.status}"
        else:
            name = f"{name}+{second.status}(kept)"
    uncovered = _uncovered(values, people, demand, model.insts, model.origin)
    return model.shifts(values), name, uncovered, float(best_coverage)


def _coverage_cost(
    values: dict[tuple[int, int], int],
    people: Sequence[Person],
    demand: Sequence[Demand],
    covering_of: list[list[int]],
) -> int:
    """The first stage's objective for an assignment (uncovered and missing competences)."""
    cost = 0
    for d, covering in zip(demand, covering_of, strict=True):
        ks = set(covering)
        present = [people[i] for (i, k), v in values.items() if v and k in ks]
        cost += W_UNCOVERED * max(0, d.count - len(present))
        for comp, need in d.competences.items():
            cost += W_COMPETENCE * max(0, need - sum(1 for p in present if comp in p.competences))
    return cost


def _uncovered(
    values: dict[tuple[int, int], int],
    people: Sequence[Person],
    demand: Sequence[Demand],
    insts: list[_Instance],
    origin: datetime,
) -> int:
    """Person-shifts of demand left uncovered by the chosen assignment (the solver's own view,
    reported for progress; the checker recounts independently)."""
    total = 0
    for d in demand:
        covering = {k for k, inst in enumerate(insts) if _covers(inst, d, origin)}
        present = sum(1 for (_, k), v in values.items() if v and k in covering)
        total += max(0, d.count - present)
    return total


def merge_demand(demand: Sequence[Demand]) -> list[Demand]:
    """One line per role, place and time: two lines for the same slot (an elective and an
    emergency team at 07:30) add up; one person present cannot fill both."""
    merged: dict[tuple[str, str, datetime, datetime], Demand] = {}
    for d in demand:
        key = (d.location_id, d.role.value, d.start, d.end)
        if key in merged:
            old = merged[key]
            comps = dict(old.competences)
            for comp, n in d.competences.items():
                comps[comp] = comps.get(comp, 0) + n
            merged[key] = Demand(
                d.location_id,
                d.role,
                d.start,
                d.end,
                old.count + d.count,
                comps,
                old.shift_code or d.shift_code,
            )
        else:
            merged[key] = d
    return list(merged.values())


def build_roster(
    people: Sequence[Person],
    demand: Sequence[Demand],
    first_day: date,
    weeks: int = 4,
    rules: WorkingTimeRules | None = None,
    shift_types: Sequence[ShiftType] = DEFAULT_SHIFT_TYPES,
    published_on: date | None = None,
    time_limit: float = 240.0,
    workers: int = 2,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> RosterResult:
    """A roster of ``weeks`` weeks from Monday ``first_day`` for ``people`` covering ``demand``.

    ``time_limit`` is shared among the (location, role) groups in proportion to their size.
    Ctrl-C stops the running group's search; the roster so far is not returned (no half state):
    ``KeyboardInterrupt`` propagates after the solver has stopped.
    """
    rules = rules or WorkingTimeRules()
    if first_day.weekday() != 0:
        raise ModelError("first_day", first_day.isoformat(), "a roster starts on a Monday")
    _check_shift_types(shift_types, rules)
    started = time.monotonic()
    groups: dict[tuple[str, str], list[Person]] = defaultdict(list)
    for p in people:
        groups[(p.location_id, p.role.value)].append(p)
    group_demand: dict[tuple[str, str], list[Demand]] = defaultdict(list)
    for d in merge_demand(demand):
        group_demand[(d.location_id, d.role.value)].append(d)
    for key in group_demand:
        if key not in groups:
            groups[key] = []
    # Harder groups (more demanded minutes per available minute) get more time and go last, so
    # the time easy groups leave unused flows to them.
    load = {
        key: sum(d.count * (d.end - d.start).total_seconds() / 60 for d in group_demand.get(key, []))
        / max(1, len(ps) * rules.week_limit_min * weeks)
        for key, ps in groups.items()
    }
    size = {key: max(1, len(ps)) * (0.5 + load[key]) for key, ps in groups.items()}
    order = sorted(groups, key=lambda key: (load[key], key))
    shifts: list[Shift] = []
    results: list[GroupResult] = []
    with CtrlC() as ctrl_c:
        for i, key in enumerate(order):
            if progress:
                progress(f"{key[0]} {key[1]}", i, len(groups))
            remaining = time_limit - (time.monotonic() - started)
            share = remaining * size[key] / max(1e-9, sum(size[k] for k in order[i:]))
            t0 = time.monotonic()
            got, status, uncovered, obj = solve_group(
                groups[key],
                group_demand.get(key, []),
                first_day,
                weeks,
                rules,
                shift_types,
                share,
                workers,
                seed,
                ctrl_c,
            )
            if ctrl_c.pressed:
                raise KeyboardInterrupt
            shifts += got
            results.append(
                GroupResult(key[0], key[1], len(groups[key]), status, time.monotonic() - t0, uncovered, obj)
            )
        if progress:
            progress("done", len(groups), len(groups))
    roster = Roster(first_day, weeks, tuple(people), tuple(shifts), tuple(demand), published_on)
    return RosterResult(roster, results, time.monotonic() - started)
