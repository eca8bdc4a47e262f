"""Tactical capacity planning: which specialty gets which room on which weekday, 4-12 weeks ahead.

Planning starts from need. For each specialty the waiting list and the referral forecast give
the operating minutes that must be done by the end of each week to meet the legal deadlines,
and the budget gives the operations the specialty must produce over the horizon. A HiGHS MIP
(through ``scipy.optimize.milp``) then opens the fewest staffed sessions that meet both,
respecting which specialties each room takes, fixed equipment in rooms, mobile equipment per
location and day, and how many surgeons of the specialty are available that day. Shortfalls are
allowed at a price, so an over-full waiting list gives a plan and a visible gap, not "infeasible".

Rooms of one location that take the same specialties with the same fixed equipment are
interchangeable, so the MIP counts sessions per (day, room class, specialty); rooms are named
afterwards, keeping a room's specialty on the same weekday from week to week.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from kontrolltarn.model import Hospital, ModelError, PastOperation, Priority, Session, StaffRole
from kontrolltarn.plan.staffing import ROSTER_ROLES, StaffingNorm

#: Days from referral to legal deadline per priority, when a forecast has to assume them
DEFAULT_DEADLINE_DAYS = {Priority.P1: 21, Priority.P2: 60, Priority.P3: 120, Priority.P4: 180}
#: Public holidays with a fixed date (Easter-dependent ones come from ``extra_closed_days``)
FIXED_HOLIDAYS = ((1, 1), (5, 1), (5, 17), (12, 24), (12, 25), (12, 26), (12, 31))


@dataclass(frozen=True)
class CapacitySettings:
    """Knobs of the capacity plan. Costs are in sessions: ``breach_cost`` is what one case
    past its deadline is worth in staffed sessions, ``budget_cost`` one operation short of
    budget; ``change_cost`` a session moved from week to week (stability of the block plan)."""

    weeks: int = 12
    session_start_min: int = 8 * 60
    session_end_min: int = 15 * 60 + 30
    utilisation: float = 0.85  # share of staffed minutes that can be booked (turnover included)
    #: leaders' utilisation targets (the local rules' ``utilisation_target``): the share of
    #: staffed minutes a specialty plans to book, in place of ``utilisation`` for that
    #: specialty; a lower target sizes more sessions for the same need
    specialty_utilisation: Mapping[str, float] = field(default_factory=dict, hash=False)
    target_growth: float = 0.0  # budget = last year's elective activity × (1 + growth)
    history_weeks: int = 12  # weeks of history behind the forecast and the budget
    breach_cost: float = 2.0
    #: a case late in a week in which the calendar the plan replaces has it on time: so high
    #: that the plan only does worse than that calendar when its rules leave no other way
    reference_cost: float = 200.0
    budget_cost: float = 1.0
    change_cost: float = 0.05
    #: sessions' worth of work one mobile unit (robot, microscope ...) serves per site and day;
    #: 1.0 is the fluid bound (a unit cannot be busy longer than a session day)
    mobile_unit_sessions: float = 1.0
    #: shifts one nurse or anaesthetist can work in a week (5 × 7.5 h within the 38 h week);
    #: 0 turns the staffing ceiling off
    shifts_per_person_week: int = 5
    time_limit: float = 90.0
    mip_gap: float = 0.005
    extra_closed_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if not 1 <= self.weeks <= 26:
            raise ModelError("capacity.weeks", self.weeks, "must be 1..26")
        if not 0 < self.utilisation <= 1:
            raise ModelError("capacity.utilisation", self.utilisation, "must be in (0, 1]")
        for sid, share in self.specialty_utilisation.items():
            if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
                raise ModelError(f"capacity.specialty_utilisation.{sid}", share, "must be in (0, 1]")
        if not self.target_growth >= -1:
            raise ModelError("capacity.target_growth", self.target_growth,
                             "must be at least -1 (-1 is a budget of nothing; less is no budget)")
        if not self.mobile_unit_sessions > 0:
            raise ModelError("capacity.mobile_unit_sessions", self.mobile_unit_sessions,
                             "must be positive (a mobile unit serves some work a day)")
        if not self.time_limit > 0:
            raise ModelError("capacity.time_limit", self.time_limit, "must be positive seconds")
        if self.session_end_min <= self.session_start_min:
            raise ModelError(
                "capacity.session_end_min", self.session_end_min, "must be after session_start_min"
            )

    @property
    def session_capacity_min(self) -> float:
        return (self.session_end_min - self.session_start_min) * self.utilisation

    def session_capacity_for(self, specialty_id: str | None) -> float:
        """Bookable minutes of one of the specialty's sessions: at its leader's utilisation
        target where one is set, else at ``utilisation``."""
        share = self.specialty_utilisation.get(specialty_id or "", self.utilisation)
        return (self.session_end_min - self.session_start_min) * share


@dataclass(frozen=True)
class SpecialtyDemand:
    """Need of one specialty over the horizon, in operating minutes (in-room + turnover).

    ``due_min[w]`` is the minutes that must be done by the end of week ``w`` (cumulative:
    overdue cases count in week 0); ``target_cases`` the budget over the horizon;
    ``minutes_per_case`` converts cases to minutes; ``equipment_share[e]`` the share of the
    specialty's minutes needing equipment ``e``."""

    specialty_id: str
    minutes_per_case: float
    waiting_cases: int
    forecast_cases_per_week: float
    due_min: tuple[float, ...]
    due_cases: tuple[float, ...]
    target_cases: float
    equipment_share: Mapping[str, float] = field(default_factory=dict)


def is_operating_day(day: date, settings: CapacitySettings) -> bool:
    return (
        day.weekday() < 5
        and (day.month, day.day) not in FIXED_HOLIDAYS
        and day not in settings.extra_closed_days
    )


def planning_days(first_day: date, settings: CapacitySettings) -> list[date]:
    return [
        d
        for d in (first_day + timedelta(days=k) for k in range(7 * settings.weeks))
        if is_operating_day(d, settings)
    ]


def demand_from_hospital(
    hospital: Hospital,
    history: Sequence[PastOperation],
    first_day: date,
    settings: CapacitySettings | None = None,
    targets: Mapping[str, float] | None = None,
) -> dict[str, SpecialtyDemand]:
    """Need per specialty from the waiting list, a forecast and the budget.

    Forecast: elective operations per week over the last ``history_weeks`` of history
    (steady state: what arrives is what was operated), with the priority mix of the
    referrals that arrived in the same weeks. Budget (``targets``: cases per week per
    specialty) defaults to the same history × (1 + ``target_growth``).
    """
    settings = settings or CapacitySettings()
    weeks = settings.weeks
    since = hospital.today - timedelta(weeks=settings.history_weeks)
    past = [o for o in history if not o.emergency and since <= o.date < hospital.today]
    # a short history is averaged over the weeks it covers, not the weeks asked for
    covered_days = (hospital.today - min((o.date for o in past), default=hospital.today)).days
    history_weeks = max(1.0, min(settings.history_weeks, covered_days / 7))
    per_week: dict[str, float] = defaultdict(float)
    past_minutes: dict[str, list[int]] = defaultdict(list)
    for o in past:
        per_week[o.specialty_id] += 1 / history_weeks
        past_minutes[o.specialty_id].append(o.actual_min)
    recent_mix: dict[str, dict[Priority, int]] = defaultdict(lambda: defaultdict(int))
    for r in hospital.referrals:
        if r.referral_date >= since:
            recent_mix[r.specialty_id][r.priority] += 1
    result = {}
    horizon_end = first_day + timedelta(weeks=weeks)
    for spec in hospital.specialties:
        sid = spec.id
        referrals = [r for r in hospital.referrals if r.specialty_id == sid]
        if not referrals and sid not in per_week and sid not in (targets or {}):
            continue
        turnover = spec.turnover_min
        case_minutes = [
            hospital.procedure_by_id[r.procedure_code].duration.mean + turnover for r in referrals
        ]
        if past_minutes[sid]:
            per_case = float(np.mean(past_minutes[sid])) + turnover
        elif case_minutes:
            per_case = float(np.mean(case_minutes))
        else:  # nothing to learn a case length from: the specialty's procedures, on average
            typical = [p.duration.mean for p in hospital.procedures if p.specialty_id == sid]
            if not typical:
                continue
            per_case = float(np.mean(typical)) + turnover
        due = [0.0] * weeks
        due_cases = [0.0] * weeks
        equipment_min: dict[str, float] = defaultdict(float)
        total_min = 0.0
        for r, minutes in zip(referrals, case_minutes, strict=True):
            proc = hospital.procedure_by_id[r.procedure_code]
            total_min += minutes
            for e in proc.equipment:
                equipment_min[e] += minutes
            if r.deadline < horizon_end:
                w = max(0, (r.deadline - first_day).days // 7)
                due[w] += minutes
                due_cases[w] += 1
        # forecast arrivals: those whose deadline falls inside the horizon add to the need
        mix = recent_mix[sid]
        mix_total = sum(mix.values())
        rate = per_week.get(sid, 0.0)
        gap_days = (first_day - hospital.today).days
        for arrival_week in range(-(gap_days // 7) - 1, weeks):
            for priority, count in mix.items():
                share = count / mix_total
                deadline_day = arrival_week * 7 + 3 + DEFAULT_DEADLINE_DAYS[priority]
                w = deadline_day // 7
                if 0 <= w < weeks:
                    due[w] += rate * share * per_case
                    due_cases[w] += rate * share
        cumulative = list(np.cumsum(due))
        cumulative_cases = list(np.cumsum(due_cases))
        weekly_target = (targets or {}).get(sid, rate * (1 + settings.target_growth))
        result[sid] = SpecialtyDemand(
            sid,
            per_case,
            len(referrals),
            rate,
            tuple(cumulative),
            tuple(cumulative_cases),
            weekly_target * weeks,
            {e: m / total_min for e, m in equipment_min.items()} if total_min else {},
        )
    return result


@dataclass(frozen=True)
class RoomClass:
    """Interchangeable elective rooms: one location, the same specialties and fixed equipment."""

    location_id: str
    specialties: frozenset[str]
    equipment: frozenset[str]
    room_ids: tuple[str, ...]


def room_classes(hospital: Hospital) -> list[RoomClass]:
    groups: dict[tuple[str, frozenset[str], frozenset[str]], list[str]] = defaultdict(list)
    for room in hospital.rooms:
        if not room.emergency:
            groups[(room.location_id, room.specialties, room.equipment)].append(room.id)
    return [
        RoomClass(loc, specs, eq, tuple(sorted(ids)))
        for (loc, specs, eq), ids in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[1][0]))
    ]


def available_surgeons(
    hospital: Hospital, specialty_id: str, day: date, location_id: str | None = None
) -> int:
    return sum(
        1
        for s in hospital.staff
        if s.role is StaffRole.SURGEON
        and s.specialty_id == specialty_id
        and s.available_on(day)
        and (location_id is None or location_id in s.location_ids)
    )


def staffing_ceiling(hospital: Hospital, settings: CapacitySettings) -> dict[str, float]:
    """Elective sessions a site can staff in one week: for each rostered role, the shifts its
    people can work minus what the emergency rooms take, divided by the role's people per
    room (the staffing norm of ``plan.staffing``); the tightest role decides. Roles with
    nobody listed at a site are taken as not modelled there, not as absent."""
    if settings.shifts_per_person_week <= 0:
        return {}
    norm = StaffingNorm()
    people: dict[tuple[str, StaffRole], int] = defaultdict(int)
    for person in hospital.staff:
        if person.role in ROSTER_ROLES and len(person.location_ids) == 1:
            people[(next(iter(person.location_ids)), person.role)] += 1
    emergency_rooms: dict[str, int] = defaultdict(int)
    for room in hospital.rooms:
        if room.emergency:
            emergency_rooms[room.location_id] += 1
    ceiling = {}
    for loc in hospital.locations:
        limits = []
        for role in ROSTER_ROLES:
            per_room = norm.per_elective_room.get(role, 0.0)
            if per_room <= 0 or people[(loc.id, role)] == 0:
                continue  # a role the hospital's staff list does not model at this site
            rooms = emergency_rooms[loc.id]
            open_rooms = sum(
                max(1, math.ceil(share * rooms - 1e-9)) if share > 0 and rooms else 0
                for share in norm.emergency_open.values()
            )
            emergency = 7 * math.ceil(norm.per_emergency_room.get(role, 0.0) * open_rooms - 1e-9)
            free = people[(loc.id, role)] * settings.shifts_per_person_week - emergency
            limits.append(max(0.0, free) / per_room)
        if limits:
            ceiling[loc.id] = min(limits)
    return ceiling


@dataclass
class CapacityPlan:
    first_day: date
    settings: CapacitySettings
    sessions: tuple[Session, ...]
    status: str
    seconds: float
    objective: float
    shortfall_min: dict[str, list[float]]  # per specialty, per week: minutes past deadline
    budget_short_cases: dict[str, float]

    def sessions_by_specialty(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for s in self.sessions:
            counts[s.specialty_id or "-"] += 1
        return dict(counts)


class _Rows:
    """Sparse constraint rows for ``milp``: lb <= a·x <= ub."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lb: list[float] = []
        self.ub: list[float] = []

    def add(self, terms: Sequence[tuple[int, float]], lb: float, ub: float) -> None:
        r = len(self.lb)
        for c, v in terms:
            self.rows.append(r)
            self.cols.append(c)
            self.vals.append(v)
        self.lb.append(lb)
        self.ub.append(ub)

    def constraint(self, n: int) -> LinearConstraint:
        a = coo_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.lb), n)).tocsr()
        return LinearConstraint(a, np.array(self.lb), np.array(self.ub))


def late_minutes(
    sessions: Sequence[Session],
    demand: SpecialtyDemand,
    first_day: date,
    settings: CapacitySettings,
) -> list[float]:
    """Per week, the minutes of ``demand`` due by the end of that week that ``sessions`` (of
    any specialty: only the demand's count) cannot have done by then (0 when on time)."""
    per_week = [0] * settings.weeks
    for s in sessions:
        w = (s.date - first_day).days // 7
        if s.specialty_id == demand.specialty_id and 0 <= w < settings.weeks:
            per_week[w] += 1
    done, late = 0.0, []
    for w in range(settings.weeks):
        done += per_week[w] * settings.session_capacity_for(demand.specialty_id)
        late.append(max(0.0, float(demand.due_min[w]) - done))
    return late


def plan_capacity(
    hospital: Hospital,
    demand: Mapping[str, SpecialtyDemand],
    first_day: date,
    settings: CapacitySettings | None = None,
    replaces: Sequence[Session] | None = None,
) -> CapacityPlan:
    """The session plan with the fewest staffed sessions that meets deadlines and budget.

    ``replaces`` is the calendar the plan replaces (the current sessions of the horizon): in
    no week may the plan leave a specialty's work later than that calendar does, unless the
    plan's rules (rooms, surgeons, equipment, staff) allow nothing better; ``reference_cost``
    prices each such minute far above any saving, and ``check_capacity_plan`` reports what is
    left."""
    settings = settings or CapacitySettings()
    started = time.monotonic()
    if first_day.weekday() != 0:
        raise ModelError("first_day", first_day.isoformat(), "a capacity plan starts on a Monday")
    days = planning_days(first_day, settings)
    classes = room_classes(hospital)
    specs = sorted(demand)
    # ---- variables -----------------------------------------------------------------------
    n_index: dict[tuple[int, int, str], int] = {}  # (day, class, specialty) -> column
    upper: list[float] = []
    cost: list[float] = []
    integral: list[int] = []

    def new_var(ub: float, c: float, is_int: bool) -> int:
        upper.append(ub)
        cost.append(c)
        integral.append(1 if is_int else 0)
        return len(upper) - 1

    surgeons: dict[tuple[int, str], int] = {}
    surgeons_at: dict[tuple[int, str, str], int] = {}
    for di, day in enumerate(days):
        for s in specs:
            surgeons[(di, s)] = available_surgeons(hospital, s, day)
            for loc in {c.location_id for c in classes}:
                surgeons_at[(di, s, loc)] = available_surgeons(hospital, s, day, loc)
    for di in range(len(days)):
        for ci, c in enumerate(classes):
            for s in sorted(c.specialties & set(specs)):
                bound = min(len(c.room_ids), surgeons_at[(di, s, c.location_id)])
                if bound > 0:
                    n_index[(di, ci, s)] = new_var(bound, 1.0, True)
    weeks = settings.weeks
    short: dict[tuple[str, int], int] = {}
    budget_short: dict[str, int] = {}
    for s in specs:
        d = demand[s]
        for w in range(weeks):  # a case past its deadline costs in every week it stays late
            short[(s, w)] = new_var(math.inf, settings.breach_cost / d.minutes_per_case, False)
        budget_short[s] = new_var(d.target_cases, settings.budget_cost, False)
    worse: dict[tuple[str, int], tuple[int, float]] = {}  # (s, w) -> (column, reference late)
    if replaces is not None:
        for s in specs:
            d = demand[s]
            for w, late in enumerate(late_minutes(replaces, d, first_day, settings)):
                worse[(s, w)] = (new_var(math.inf, settings.reference_cost / d.minutes_per_case,
                                         False), late)
    change: dict[tuple[int, int, str], int] = {}
    if settings.change_cost > 0:
        by_slot = {(days[di], ci, s): col for (di, ci, s), col in n_index.items()}
        for di, ci, s in n_index:
            before = days[di] - timedelta(days=7)
            if (before, ci, s) in by_slot:
                change[(di, ci, s)] = new_var(math.inf, settings.change_cost, False)
    n_vars = len(upper)
    rows = _Rows()
    # ---- constraints ---------------------------------------------------------------------
    by_day_class: dict[tuple[int, int], list[int]] = defaultdict(list)
    by_day_spec: dict[tuple[int, str], list[int]] = defaultdict(list)
    by_day_loc_spec: dict[tuple[int, str, str], list[int]] = defaultdict(list)
    by_spec_week: dict[tuple[str, int], list[int]] = defaultdict(list)
    by_spec_equipment: dict[tuple[str, str], list[int]] = defaultdict(list)
    for (di, ci, s), col in n_index.items():
        c = classes[ci]
        by_day_class[(di, ci)].append(col)
        by_day_spec[(di, s)].append(col)
        by_day_loc_spec[(di, s, c.location_id)].append(col)
        by_spec_week[(s, (days[di] - first_day).days // 7)].append(col)
        for e in c.equipment:
            by_spec_equipment[(s, e)].append(col)
    for (_, ci), cols in by_day_class.items():  # one session per room and day
        rows.add([(col, 1.0) for col in cols], 0, len(classes[ci].room_ids))
    by_loc_week: dict[tuple[str, int], list[int]] = defaultdict(list)
    for (di, ci, _), col in n_index.items():
        by_loc_week[(classes[ci].location_id, (days[di] - first_day).days // 7)].append(col)
    ceiling = staffing_ceiling(hospital, settings)
    for (loc, _), cols in by_loc_week.items():  # nurses and anaesthesia staff to staff them
        if loc in ceiling:
            rows.add([(col, 1.0) for col in cols], 0, math.floor(ceiling[loc]))
    for (di, s), cols in by_day_spec.items():  # a surgeon for every session
        rows.add([(col, 1.0) for col in cols], 0, surgeons[(di, s)])
    for s in specs:  # deadlines: cumulative capacity by the end of each week, or a shortfall
        d = demand[s]
        cap = settings.session_capacity_for(s)  # the specialty's own utilisation target
        for w in range(weeks):
            terms = [(col, cap) for ww in range(w + 1) for col in by_spec_week[(s, ww)]]
            rows.add(terms + [(short[(s, w)], 1.0)], d.due_min[w], math.inf)
            if (s, w) in worse:  # later than the replaced calendar only at reference_cost
                col, late = worse[(s, w)]
                rows.add([(short[(s, w)], 1.0), (col, -1.0)], -math.inf, late)
        total = [(col, cap / d.minutes_per_case) for ww in range(weeks) for col in by_spec_week[(s, ww)]]
        rows.add(total + [(budget_short[s], 1.0)], d.target_cases, math.inf)
    equipment = hospital.equipment_by_id
    for s in specs:  # fixed equipment: enough of the specialty's sessions in rooms that have it
        all_cols = [col for ww in range(weeks) for col in by_spec_week[(s, ww)]]
        for e, share in demand[s].equipment_share.items():
            if e in equipment and not equipment[e].mobile and share > 0:
                with_e = set(by_spec_equipment[(s, e)])
                rows.add([(col, (1.0 if col in with_e else 0.0) - share) for col in all_cols], 0, math.inf)
    for mobile in (eq for eq in hospital.equipment if eq.mobile):  # per place and day
        for di in range(len(days)):
            for loc, count in mobile.count_per_location.items():
                terms = [
                    (col, demand[s].equipment_share.get(mobile.id, 0.0))
                    for s in specs
                    for col in by_day_loc_spec.get((di, s, loc), [])
                ]
                terms = [(c, v) for c, v in terms if v > 0]
                if terms:
                    rows.add(terms, 0, count * settings.mobile_unit_sessions)
    day_index = {day: di for di, day in enumerate(days)}
    for (di, ci, s), var in change.items():
        col = n_index[(di, ci, s)]
        prev = n_index[(day_index[days[di] - timedelta(days=7)], ci, s)]
        rows.add([(var, 1.0), (col, -1.0), (prev, 1.0)], 0, math.inf)
        rows.add([(var, 1.0), (col, 1.0), (prev, -1.0)], 0, math.inf)
    if n_vars == 0:  # nothing to plan
        return CapacityPlan(
            first_day, settings, (), "nothing to plan", time.monotonic() - started, 0.0, {}, {}
        )
    remaining = max(1.0, settings.time_limit - (time.monotonic() - started))
    result = milp(
        c=np.array(cost),
        integrality=np.array(integral),
        bounds=Bounds(np.zeros(n_vars), np.array(upper)),
        constraints=rows.constraint(n_vars) if rows.lb else None,
        options={"time_limit": remaining, "mip_rel_gap": settings.mip_gap, "disp": False},
    )
    if result.x is None:
        # scipy's status 2: proven infeasible, the input admits no plan; else out of time
        raise ModelError("capacity", result.message,
                         "the input admits no plan (infeasible): check targets and settings"
                         if result.status == 2 else "the MIP found no plan in the time limit")
    x = np.round(result.x).astype(int)
    counts = {key: int(x[col]) for key, col in n_index.items() if x[col] > 0}
    sessions = _name_rooms(counts, days, classes, settings)
    shortfall = {s: [float(result.x[short[(s, w)]]) for w in range(weeks)] for s in specs}
    budget = {s: float(result.x[budget_short[s]]) for s in specs}
    return CapacityPlan(
        first_day,
        settings,
        tuple(sessions),
        str(result.message),
        time.monotonic() - started,
        float(result.fun),
        shortfall,
        budget,
    )


def _name_rooms(
    counts: Mapping[tuple[int, int, str], int],
    days: list[date],
    classes: list[RoomClass],
    settings: CapacitySettings,
) -> list[Session]:
    """Give each counted session a room of its class; a room keeps its specialty on the same
    weekday from week to week where the counts allow, so the block plan is readable."""
    last_use: dict[tuple[str, int], str] = {}  # (room, weekday) -> specialty
    sessions = []
    for di, day in enumerate(days):
        for ci, c in enumerate(classes):
            wanted = {s: counts.get((di, ci, s), 0) for s in sorted(c.specialties)}
            free = list(c.room_ids)
            chosen: list[tuple[str, str]] = []
            for room in list(free):  # keep last week's specialty first
                s = last_use.get((room, day.weekday()))
                if s is not None and wanted.get(s, 0) > 0:
                    chosen.append((room, s))
                    wanted[s] -= 1
                    free.remove(room)
            for s, k in wanted.items():
                for _ in range(k):
                    chosen.append((free.pop(0), s))
            for room, s in chosen:
                last_use[(room, day.weekday())] = s
                sessions.append(
                    Session(
                        f"CAP-{day:%Y%m%d}-{room}",
                        room,
                        day,
                        settings.session_start_min,
                        settings.session_end_min,
                        s,
                    )
                )
    return sorted(sessions, key=lambda s: (s.date, s.room_id))
