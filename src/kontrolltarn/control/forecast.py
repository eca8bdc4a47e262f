"""End-of-day forecasts per room by Monte Carlo over duration distributions.

For each room the cases are played forward from ``now``: finished cases are fixed, the case in
the room has a remaining duration conditional on the time it has already taken (and a short tail
once closure is reported), waiting cases follow in order after turnover. A waiting case that
could not finish within the allowed overtime by its booking is cancelled in that sample, which is
what a coordinator does; the share of such samples is its late-cancellation risk.

Uniform draws are fixed per case (common random numbers), so a what-if (move this case, swap
those two) differs from the current forecast by the change, not by sampling noise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
from scipy.special import ndtr, ndtri

from kontrolltarn.model import EventKind, LogNormal, Session
from kontrolltarn.predict import AFTER_INCISION_MIN, CLOSURE_TO_OUT

from .live import LiveDay

SAMPLES = 256
#: overtime beyond this many minutes is what the overtime risk and alert are about (DOMAIN.md)
OVERTIME_ALERT_MIN = 30


@lru_cache(maxsize=65536)
def _uniforms(case_id: str, stream: int) -> np.ndarray:
    seed = int.from_bytes(hashlib.blake2b(f"{case_id}/{stream}".encode(), digest_size=8).digest())
    draws = np.random.default_rng(seed).random(SAMPLES)
    draws.setflags(write=False)
    return draws


@lru_cache(maxsize=65536)
def _unconditional(median: float, sigma: float, case_id: str) -> np.ndarray:
    draws = np.exp(np.log(median) + sigma * ndtri(np.clip(_uniforms(case_id, 0), 1e-9, 1 - 1e-9)))
    draws.setflags(write=False)
    return draws


def _q(x: np.ndarray, q: float) -> float:
    """A quantile by sorting (numpy's quantile is slow for many small arrays)."""
    ordered = np.sort(x)
    return float(ordered[int(q * (len(ordered) - 1) + 0.5)])


def _sample(dist: LogNormal, case_id: str, at_least: float = 0.0) -> np.ndarray:
    """Durations from ``dist`` conditional on exceeding ``at_least`` minutes."""
    if at_least <= 0 and dist.sigma > 0:
        return _unconditional(float(dist.median), float(dist.sigma), case_id)
    u = _uniforms(case_id, 0)
    if at_least > 0 and dist.sigma > 0:
        floor = float(ndtr((np.log(at_least) - dist.mu) / dist.sigma))
        u = floor + (1 - floor) * u
    if dist.sigma == 0:
        return np.full(SAMPLES, max(dist.median, at_least))
    return np.exp(dist.mu + dist.sigma * ndtri(np.clip(u, 1e-9, 1 - 1e-9)))


@dataclass(frozen=True)
class CaseForecast:
    case_id: str
    phase: str
    milestone: str | None
    start_min: float | None  # actual in-room or median predicted start
    end_min: float | None  # actual out-of-room or median predicted end
    cancel_risk: float
    actual: bool  # start (and end if done) are observed, not predicted


@dataclass(frozen=True)
class RoomForecast:
    room_id: str
    session_start: int | None
    session_end: int | None
    end_median: float | None
    end_p10: float | None
    end_p90: float | None
    overtime_risk: float
    expected_overtime_min: float
    current_case: str | None
    cases: list[CaseForecast] = field(default_factory=list)


class Clock:
    """Minutes past the day's local midnight for a datetime, in the hospital's timezone."""

    def __init__(self, day: date, timezone: str) -> None:
        self.tz = ZoneInfo(timezone)
        self.midnight = datetime.combine(day, time(0), self.tz)

    def minutes(self, at: datetime) -> float:
        return (at - self.midnight).total_seconds() / 60.0

    def at(self, minutes: float) -> datetime:
        return self.midnight + timedelta(minutes=minutes)


def forecast_room(room_id: str, session: Session | None, order: list[str], live: LiveDay,
                  distribution: Callable[[str], LogNormal], turnover_of: Callable[[str], int],
                  clock: Clock, now_min: float, allowed_overtime_min: int = 60) -> RoomForecast:
    """Forecast of one room with the cases in ``order`` (a what-if may pass another order).
    ``distribution`` and ``turnover_of`` give a case's in-room minutes and turnover by id (the
    tower's, from ``predict``'s ``DurationSource``)."""
    start = session.start_min if session else None
    end = session.end_min if session else None
    free = np.full(SAMPLES, float(start if start is not None else now_min))
    last_out = free.copy()
    any_activity = False
    current: str | None = None
    cases: list[CaseForecast] = []
    for case_id in order:
        state = live.cases.get(case_id)
        plan = live.planned.get(case_id)
        phase = state.phase if state else "waiting"
        milestone = state.milestone.value if state and state.milestone else None
        if phase == "cancelled" or (plan is not None and plan.status == "cancelled"
                                    and phase not in ("in_room", "done")):
            cases.append(CaseForecast(case_id, "cancelled", milestone, None, None, 1.0, True))
            continue
        turnover = turnover_of(case_id)
        ms = state.milestones if state else {}
        if phase == "done":
            t_in = clock.minutes(ms[EventKind.IN_ROOM])
            t_out = clock.minutes(ms[EventKind.OUT_OF_ROOM])
            free = np.maximum(free, t_out + turnover)
            ready = live.rooms.get(room_id)
            if ready is not None:
                after = [clock.minutes(r) for r in ready.ready_at if clock.minutes(r) >= t_out]
                if after:
                    free = np.full(SAMPLES, min(after))
            last_out = np.maximum(last_out, t_out)
            any_activity = True
            cases.append(CaseForecast(case_id, phase, milestone, t_in, t_out, 0.0, True))
            continue
        if phase == "in_room":
            current = case_id
            t_in = clock.minutes(ms[EventKind.IN_ROOM])
            elapsed = max(0.0, now_min - t_in)
            if EventKind.CLOSURE in ms:
                since = max(0.0, now_min - clock.minutes(ms[EventKind.CLOSURE]))
                remaining = np.maximum(1.0, _sample(CLOSURE_TO_OUT, case_id, since) - since)
            else:
                # conditional on the time already taken, and after incision on at least the
                # least that is left (as ``predict.durations.remaining_quantiles``)
                dist = distribution(case_id)
                floor = elapsed + (AFTER_INCISION_MIN if EventKind.INCISION in ms else 0.0)
                remaining = np.maximum(1.0, _sample(dist, case_id, floor) - elapsed)
            out = now_min + remaining
            last_out = np.maximum(last_out, out)
            free = out + turnover
            any_activity = True
            cases.append(CaseForecast(case_id, phase, milestone, t_in, _q(out, 0.5),
                                      0.0, False))
            continue
        # waiting, called or arrived: it starts when the room is free (not before now)
        begin = np.maximum(free, now_min)
        booked = plan.planned_min if plan else distribution(case_id).median
        cancelled = (begin > (end + allowed_overtime_min - booked)) if end is not None else \
            np.zeros(SAMPLES, dtype=bool)
        duration = _sample(distribution(case_id), case_id)
        out = begin + duration
        kept = ~cancelled
        last_out = np.where(kept, np.maximum(last_out, out), last_out)
        free = np.where(kept, out + turnover, free)
        any_activity = any_activity or bool(kept.any())
        risk = float(cancelled.mean())
        start_med = _q(begin[kept], 0.5) if kept.any() else _q(begin, 0.5)
        end_med = _q(out[kept], 0.5) if kept.any() else _q(out, 0.5)
        cases.append(CaseForecast(case_id, phase, milestone, start_med, end_med, risk, False))
    if not any_activity or end is None:
        return RoomForecast(room_id, start, end, None, None, None, 0.0, 0.0, current, cases)
    over = np.maximum(0.0, last_out - end)
    ordered = np.sort(last_out)
    n = len(ordered) - 1
    return RoomForecast(
        room_id, start, end,
        float(ordered[int(0.5 * n + 0.5)]), float(ordered[int(0.1 * n + 0.5)]),
        float(ordered[int(0.9 * n + 0.5)]),
        float((over > OVERTIME_ALERT_MIN).mean()), float(over.mean()), current, cases)
