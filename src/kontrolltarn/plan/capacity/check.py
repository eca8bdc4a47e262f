"""Independent evaluation of a capacity plan (a list of sessions): hard rules and the gap.

It imports nothing from the planner's solver: it recounts rooms, surgeons and equipment from
the hospital and the sessions alone, and measures need against capacity per specialty.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from kontrolltarn.model import Hospital, Session

from .planner import (
    CapacitySettings,
    SpecialtyDemand,
    available_surgeons,
    is_operating_day,
    staffing_ceiling,
)

#: Tolerance on shares (fixed equipment) and expected equipment use, for rounding
EPS = 1e-6


@dataclass(frozen=True)
class Violation:
    rule: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.rule:<18} {self.where:<28} {self.detail}"


@dataclass(frozen=True)
class SpecialtyGap:
    """One specialty's line in the gap table (cases are operations)."""

    specialty_id: str
    sessions: int
    capacity_cases: float
    due_cases: float  # must be done within the horizon to meet deadlines
    deadline_gap_cases: float  # due cases the plan cannot reach in time (worst week)
    budget_cases: float
    budget_gap_cases: float  # planned capacity minus budget (negative: below budget)
    current_sessions: int | None = None
    #: due cases the replaced calendar cannot reach in time (worst week), when it is given
    current_deadline_gap_cases: float | None = None


@dataclass
class CapacityReport:
    violations: list[Violation] = field(default_factory=list)
    gaps: list[SpecialtyGap] = field(default_factory=list)
    weekly: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # (need, capacity)

    @property
    def ok(self) -> bool:
        return not self.violations


def check_capacity_plan(
    hospital: Hospital,
    sessions: Sequence[Session],
    demand: Mapping[str, SpecialtyDemand],
    first_day: date,
    settings: CapacitySettings | None = None,
    current: Sequence[Session] | None = None,
) -> CapacityReport:
    """Hard rules (``violations``) and the need-versus-capacity gap (``gaps``, ``weekly``)."""
    settings = settings or CapacitySettings()
    report = CapacityReport()
    add = report.violations.append
    seen: set[tuple[str, date]] = set()
    per_day_spec: dict[tuple[date, str], int] = defaultdict(int)
    per_day_loc_spec: dict[tuple[date, str, str], int] = defaultdict(int)
    horizon_end = first_day + timedelta(weeks=settings.weeks)
    for s in sessions:
        room = hospital.room_by_id.get(s.room_id)
        where = f"{s.room_id} {s.date}"
        if room is None:
            add(Violation("unknown room", where, "room is not in the hospital"))
            continue
        if room.emergency:
            add(Violation("emergency room", where, "emergency rooms are kept for emergencies"))
        if s.specialty_id is None or s.specialty_id not in room.specialties:
            add(Violation("room specialty", where, f"room does not take {s.specialty_id}"))
        if (s.room_id, s.date) in seen:
            add(Violation("room double-booked", where, "two sessions in one room on one day"))
        seen.add((s.room_id, s.date))
        if not is_operating_day(s.date, settings):
            add(Violation("closed day", where, "weekend or public holiday"))
        if not first_day <= s.date < horizon_end:
            add(Violation("outside horizon", where, f"plan covers {first_day}..{horizon_end}"))
        if s.specialty_id:
            per_day_spec[(s.date, s.specialty_id)] += 1
            per_day_loc_spec[(s.date, room.location_id, s.specialty_id)] += 1
    for (day, spec), count in sorted(per_day_spec.items()):
        have = available_surgeons(hospital, spec, day)
        if count > have:
            add(Violation("surgeons", f"{spec} {day}", f"{count} sessions, {have} surgeons available"))
    for (day, loc, spec), count in sorted(per_day_loc_spec.items()):
        have = available_surgeons(hospital, spec, day, loc)
        if count > have:
            add(
                Violation(
                    "surgeons at site",
                    f"{spec} {loc} {day}",
                    f"{count} sessions, {have} surgeons available there",
                )
            )
    for eq in hospital.equipment:
        if not eq.mobile:
            continue
        use: dict[tuple[date, str], float] = defaultdict(float)
        for (day, loc, spec), count in per_day_loc_spec.items():
            d = demand.get(spec)
            if d:
                use[(day, loc)] += count * d.equipment_share.get(eq.id, 0.0)
        for (day, loc), expected in sorted(use.items()):
            units = eq.count_per_location.get(loc, 0) * settings.mobile_unit_sessions
            if expected > units + EPS:
                add(
                    Violation(
                        "mobile equipment",
                        f"{eq.id} {loc} {day}",
                        f"expected use {expected:.2f} sessions, {units:g} available",
                    )
                )
    ceiling = staffing_ceiling(hospital, settings)
    per_loc_week: dict[tuple[str, int], int] = defaultdict(int)
    for s in sessions:
        room = hospital.room_by_id.get(s.room_id)
        if room is not None and not room.emergency:
            per_loc_week[(room.location_id, (s.date - first_day).days // 7)] += 1
    for (loc, week), count in sorted(per_loc_week.items()):
        if loc in ceiling and count > math.floor(ceiling[loc]):
            add(
                Violation(
                    "staffing",
                    f"{loc} week {week + 1}",
                    f"{count} sessions, staff for {math.floor(ceiling[loc])}",
                )
            )
    fixed = {e.id for e in hospital.equipment if not e.mobile}
    by_spec: dict[str, list[Session]] = defaultdict(list)
    for s in sessions:
        if s.specialty_id:
            by_spec[s.specialty_id].append(s)
    for spec, d in demand.items():
        mine = by_spec.get(spec, [])
        for e, share in d.equipment_share.items():
            if e in fixed and mine:
                with_e = sum(1 for s in mine if e in hospital.room_by_id[s.room_id].equipment)
                if with_e < share * len(mine) - EPS:
                    add(
                        Violation(
                            "fixed equipment",
                            f"{spec} {e}",
                            f"{with_e} of {len(mine)} sessions in rooms with {e}, "
                            f"{share:.0%} of the work needs it",
                        )
                    )
    _gaps(report, sessions, demand, first_day, settings, current)
    return report


def _weekly_sessions(
    sessions: Sequence[Session], first_day: date, settings: CapacitySettings
) -> dict[str, list[int]]:
    per_week: dict[str, list[int]] = defaultdict(lambda: [0] * settings.weeks)
    for s in sessions:
        w = (s.date - first_day).days // 7
        if s.specialty_id and not s.emergency and 0 <= w < settings.weeks:
            per_week[s.specialty_id][w] += 1
    return per_week


def _need_and_capacity(
    d: SpecialtyDemand, weekly: Sequence[int], settings: CapacitySettings
) -> tuple[list[tuple[float, float]], float]:
    """Per week (minutes due by then, minutes of sessions by then), and the worst week's
    late work in cases (0 when every week is on time)."""
    cumulative, worst, rows = 0.0, 0.0, []
    for w in range(settings.weeks):
        cumulative += weekly[w] * settings.session_capacity_for(d.specialty_id)
        worst = max(worst, float(d.due_min[w]) - cumulative)
        rows.append((float(d.due_min[w]), cumulative))
    return rows, round(max(0.0, worst) / d.minutes_per_case, 1)


def _gaps(
    report: CapacityReport,
    sessions: Sequence[Session],
    demand: Mapping[str, SpecialtyDemand],
    first_day: date,
    settings: CapacitySettings,
    current: Sequence[Session] | None,
) -> None:
    """The gap table; and, when ``current`` (the calendar the plan replaces) is given, a
    violation for each specialty the plan leaves with more cases past deadline than it."""
    per_week = _weekly_sessions(sessions, first_day, settings)
    current_week = _weekly_sessions(current or (), first_day, settings)
    for spec in sorted(demand):
        d = demand[spec]
        weekly = per_week[spec]
        rows, late = _need_and_capacity(d, weekly, settings)
        report.weekly[spec] = rows
        capacity_cases = sum(weekly) * settings.session_capacity_for(spec) / d.minutes_per_case
        current_late = None
        if current is not None:
            current_late = _need_and_capacity(d, current_week[spec], settings)[1]
            if late > current_late:
                report.violations.append(Violation(
                    "worse than current", spec,
                    f"{late:g} cases past deadline, the calendar it replaces leaves {current_late:g}"))
        report.gaps.append(
            SpecialtyGap(
                spec,
                sum(weekly),
                round(capacity_cases, 1),
                round(float(d.due_cases[-1]), 1),
                late,
                round(d.target_cases, 1),
                round(capacity_cases - d.target_cases, 1),
                sum(current_week[spec]) if current is not None else None,
                current_late,
            )
        )
