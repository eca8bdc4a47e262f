"""Overrun risk of a session from its cases' duration distributions.

A session runs ``T = sum(durations) + turnovers`` minutes. Its chance constraint is
``P(T >= staffed + overrun_min) <= max_probability``. The sum of independent log-normals has no
closed form; Fenton–Wilkinson approximates it by the log-normal with the same mean and
variance, which is accurate in the right tail for the few (1–6) cases of a session.

Inside the solver the constraint must be linear in the choice of cases. We use the normal
form ``mean + z * sqrt(var) <= limit`` and replace the concave ``sqrt(var)`` by its tangent at a
typical session variance ``v0``: ``sqrt(var) <= sqrt(v0) / 2 + var / (2 sqrt(v0))``. The tangent
lies above the root everywhere, so the linear constraint is conservative; the exact
Fenton–Wilkinson check after the solve catches what the normal form misses (skew).

Cases are independent except for the error of shared estimates (``LogNormal.shared``: the
surgeon's, the location's and the specialty's effects learnt from history): that part is
taken as fully correlated within a session, so its standard deviations add up rather than its
variances. With little history it is what makes a list overrun more often than planned.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

from kontrolltarn.model import Hospital, LogNormal, Program, ProgramEntry, Session
from kontrolltarn.predict import DurationSource

_Z = NormalDist()


@dataclass(frozen=True, slots=True)
class Moments:
    mean: float
    var: float
    #: standard deviation of the part shared with the session's other cases (``var`` holds it)
    shared_sd: float = 0.0

    @classmethod
    def of(cls, d: LogNormal) -> Moments:
        mean = d.mean
        return cls(mean, mean * mean * (math.exp(d.sigma**2) - 1.0),
                   mean * math.sqrt(math.expm1(d.shared)))


def fenton_wilkinson(parts: Iterable[Moments], constant: float = 0.0) -> tuple[float, float, float]:
    """(mean, mu, sigma) of the log-normal matching ``constant + sum(parts)``."""
    mean = constant
    var = 0.0
    shared = 0.0
    for p in parts:
        mean += p.mean
        var += p.var - p.shared_sd**2
        shared += p.shared_sd
    var += shared * shared
    if mean <= 0:
        return 0.0, -math.inf, 0.0
    sigma2 = math.log(1.0 + var / (mean * mean))
    return mean, math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


def exceed_probability(parts: Iterable[Moments], constant: float, limit: float) -> float:
    """P(constant + sum(parts) >= limit) under Fenton–Wilkinson. The constant (turnovers) is
    folded into the mean, shifting the log-normal: slightly conservative for a fixed offset."""
    plist = list(parts)
    if not plist:
        return 0.0 if constant < limit else 1.0
    variable_mean = sum(p.mean for p in plist)
    _, mu, sigma = fenton_wilkinson(plist)
    rest = limit - constant
    if rest <= 0:
        return 1.0
    if sigma == 0:
        return 1.0 if variable_mean >= rest else 0.0
    return 1.0 - _Z.cdf((math.log(rest) - mu) / sigma)


def shortest_capacity_within(parts: Sequence[Moments], constant: float, capacity: int, line_min: int,
                             risk: float, step_min: int, floor_min: int) -> int:
    """Staffed hours from need: the shortest capacity, ``capacity`` less a whole number of
    ``step_min`` steps and not below ``floor_min``, at which the list keeps its chance of running
    ``line_min`` or more past the end within ``risk`` (``capacity`` itself when no step does).
    The chance only grows as the end comes earlier, so the steps stop at the first too many."""
    if step_min <= 0:
        raise ValueError(f"step_min={step_min}: must be a positive number of minutes")
    shortest = capacity
    while shortest - step_min >= floor_min and \
            exceed_probability(parts, constant, shortest - step_min + line_min) <= risk:
        shortest -= step_min
    return shortest


def earliest_staffed_end(parts: Sequence[Moments], constant: float, session: Session, capacity: int,
                         last_end_min: int, allowed_overtime_min: int, line_min: int, risk: float,
                         step_min: int) -> int | None:
    """Staffed hours from need for one list: the session's earliest end, ``capacity`` less whole
    ``step_min`` steps (``shortest_capacity_within``), at which the list keeps within ``risk`` and
    its last planned end (``last_end_min``) within the allowed overtime; None when no step is free."""
    floor = max(1, last_end_min - allowed_overtime_min - session.start_min)
    shortest = shortest_capacity_within(parts, constant, capacity, line_min, risk, step_min, floor)
    return session.end_min - (capacity - shortest) if shortest < capacity else None


@dataclass
class OverrunCalibration:
    """The predicted overrun chance held against what happened, per group (a specialty): how
    many of its lists ran past the line against how many the chances said. ``factor`` is
    realised over planned, each with ``prior_lists`` lists at ``prior_risk`` added (so it
    starts at 1 and moves as evidence comes), within ``bounds``. Multiplying a list's chance
    by its group's factor keeps the realised share near the planned one where the model is off
    for a group (a new hospital's short history; emergencies that land in one specialty's rooms)."""

    prior_risk: float = 0.1
    prior_lists: float = 30.0
    bounds: tuple[float, float] = (0.5, 2.0)
    planned: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    realised: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    lists: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def observe(self, group: str, planned_chance: float, ran_over: bool) -> None:
        if not 0.0 <= planned_chance <= 1.0:
            raise ValueError(f"planned_chance={planned_chance}: must be a probability")
        self.planned[group] += planned_chance
        self.realised[group] += float(ran_over)
        self.lists[group] += 1

    def factor(self, group: str | None) -> float:
        if group is None:
            return 1.0
        prior = self.prior_lists * self.prior_risk
        ratio = (self.realised.get(group, 0.0) + prior) / (self.planned.get(group, 0.0) + prior)
        low, high = self.bounds
        return min(high, max(low, ratio))


def z_for(probability: float) -> float:
    """The standard normal quantile with ``probability`` in the upper tail."""
    return _Z.inv_cdf(1.0 - probability)


def tangent_terms(v0: float) -> tuple[float, float]:
    """(constant, slope) with ``sqrt(v) <= constant + slope * v`` for all v >= 0."""
    root = math.sqrt(max(v0, 1.0))
    return root / 2.0, 1.0 / (2.0 * root)


def _session_lists(hospital: Hospital, program: Program, durations: DurationSource,
                   ) -> Iterator[tuple[Session, list[ProgramEntry], list[Moments], float]]:
    """Per elective session of ``program``: its entries, their duration moments at the room's
    location, and the list's fixed minutes (a later first start, the turnovers)."""
    by_session: dict[str, list[ProgramEntry]] = defaultdict(list)
    for e in program.entries:
        if e.case_id in hospital.referral_by_id:
            by_session[e.session_id].append(e)
    for session_id, entries in by_session.items():
        session = hospital.session_by_id.get(session_id)
        if session is None or session.emergency:
            continue
        location_id = hospital.room_by_id[session.room_id].location_id
        parts, turnover = [], 0
        for e in entries:
            referral = hospital.referral_by_id[e.case_id]
            parts.append(Moments.of(durations.distribution(
                referral, hospital, surgeon_id=e.surgeon_id, location_id=location_id)))
            turnover = hospital.specialty_by_id[referral.specialty_id].turnover_min
        offset = min(e.start_min for e in entries) - session.start_min + turnover * (len(entries) - 1)
        yield session, entries, parts, offset


def program_overrun_chances(hospital: Hospital, program: Program, durations: DurationSource,
                            overrun_min: int = 30) -> dict[str, float]:
    """Per elective session of ``program``, the chance its list runs ``overrun_min`` or more
    past the staffed end (the optimiser's own measure), for any program: a published one or a
    proposal, so two can be compared on the same footing."""
    return {session.id: exceed_probability(parts, offset, session.staffed_min + overrun_min)
            for session, _, parts, offset in _session_lists(hospital, program, durations)}


def program_staffed_ends(hospital: Hospital, program: Program, durations: DurationSource, *,
                         risk: float, step_min: int, overrun_min: int = 30) -> dict[str, int]:
    """Staffed hours from need for any program: per elective session whose list would keep
    its chance of running ``overrun_min`` or more past an earlier end within ``risk``, that
    earliest end (``shortest_capacity_within`` in ``step_min`` steps; every planned end stays
    within the hospital's allowed overtime). Sessions that cannot give back a step are left out."""
    ends: dict[str, int] = {}
    if step_min <= 0:
        return ends
    for session, entries, parts, offset in _session_lists(hospital, program, durations):
        end = earliest_staffed_end(parts, offset, session, session.staffed_min,
                                   max(e.end_min for e in entries), hospital.allowed_overtime_min,
                                   overrun_min, risk, step_min)
        if end is not None:
            ends[session.id] = end
    return ends
