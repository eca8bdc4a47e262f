"""The KPIs of DOMAIN.md as pure functions of an ``ExecutionLog``.

Definitions (DOMAIN.md), with the reading chosen where it leaves room:
- session utilisation: patient-in-room minutes inside staffed hours / staffed minutes of elective
  sessions; the variant "with turnover" adds out-of-room → room-ready minutes inside staffed hours;
- idle: staffed minutes with neither a patient nor turnover;
- overtime: minutes from a session's staffed end to the last patient out of the room that day;
- late cancellation: a case on day D's program that leaves it (cancelled, taken off, or moved to
  another day) at or after 16:00 on D−1, with the reason recorded on the change;
- changes after date: changes of the operation date after the patient was first told one (the
  rule of ``Case.changes_after_told``), counted on the day the change was made;
- waiting time: referral date to operation day; deadline breach: operated after the deadline;
- emergency delay: request to in-room, against the urgency category's limit;
- activity against budget: elective operations per specialty against the period's target.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kontrolltarn.model import CancellationReason, ChangeKind, EventKind, Session

from .log import ExecutionLog

LATE_CUTOFF = time(16, 0)
OVERTIME_FLAG_MIN = 30


# ---- rooms: utilisation, turnover, idle, overtime ---------------------------------------------
@dataclass(frozen=True)
class SessionUse:
    session: Session
    in_room_min: float
    turnover_min: float
    overtime_min: float

    @property
    def idle_min(self) -> float:
        return max(0.0, self.session.staffed_min - self.in_room_min - self.turnover_min)


def _room_intervals(log: ExecutionLog) -> dict[tuple[str, date], tuple[list[tuple[float, float]],
                                                                      list[tuple[float, float]]]]:
    """Per room and local day: patient intervals and turnover intervals, in minutes of that day."""
    result: dict[tuple[str, date], tuple[list[tuple[float, float]], list[tuple[float, float]]]] = {}
    for room_id, events in log.events_by_room.items():
        open_case: tuple[str | None, datetime] | None = None
        turnover_from: datetime | None = None
        for event in events:
            if event.kind is EventKind.IN_ROOM:
                if turnover_from is not None:
                    _add(log, result, room_id, turnover_from, event.at, patient=False)
                    turnover_from = None
                open_case = (event.case_id, event.at)
            elif event.kind is EventKind.OUT_OF_ROOM and open_case is not None:
                _add(log, result, room_id, open_case[1], event.at, patient=True)
                open_case, turnover_from = None, event.at
            elif event.kind is EventKind.ROOM_READY and turnover_from is not None:
                _add(log, result, room_id, turnover_from, event.at, patient=False)
                turnover_from = None
    return result


def _add(log: ExecutionLog, result: dict[tuple[str, date], tuple[list[tuple[float, float]],
                                                                 list[tuple[float, float]]]],
         room_id: str, start: datetime, end: datetime, *, patient: bool) -> None:
    day = log.local(start).date()
    entry = result.setdefault((room_id, day), ([], []))
    entry[0 if patient else 1].append((log.minute_of(start, day), log.minute_of(end, day)))


def _overlap(intervals: list[tuple[float, float]], lo: float, hi: float) -> float:
    return sum(max(0.0, min(b, hi) - max(a, lo)) for a, b in intervals)


def session_use(log: ExecutionLog) -> list[SessionUse]:
    """Use of every staffed session in the period."""
    intervals = _room_intervals(log)
    uses = []
    for session in log.sessions:
        if not log.in_period(session.date):
            continue
        patients, turnovers = intervals.get((session.room_id, session.date), ([], []))
        in_room = _overlap(patients, session.start_min, session.end_min)
        turnover = _overlap(turnovers, session.start_min, session.end_min)
        last_out = max((b for _, b in patients), default=0.0)
        overtime = max(0.0, last_out - session.end_min) if patients else 0.0
        uses.append(SessionUse(session, in_room, turnover, overtime))
    return uses


def utilisation(log: ExecutionLog, uses: list[SessionUse] | None = None) -> dict[str, float]:
    """Utilisation of elective sessions, overall; the idle and overtime that go with it."""
    uses = [u for u in (uses if uses is not None else session_use(log)) if not u.session.emergency]
    staffed = sum(u.session.staffed_min for u in uses)
    in_room = sum(u.in_room_min for u in uses)
    turnover = sum(u.turnover_min for u in uses)
    overtime = [u.overtime_min for u in uses]
    return {
        "elective_sessions": float(len(uses)),
        "staffed_minutes": float(staffed),
        "utilisation_in_room": in_room / staffed if staffed else 0.0,
        "utilisation_with_turnover": (in_room + turnover) / staffed if staffed else 0.0,
        "idle_minutes": float(sum(u.idle_min for u in uses)),
        "overtime_minutes": float(sum(overtime)),
        "sessions_over_30_min_overtime": float(sum(o > OVERTIME_FLAG_MIN for o in overtime)),
        "share_sessions_over_30_min_overtime": (sum(o > OVERTIME_FLAG_MIN for o in overtime) / len(uses)
                                                if uses else 0.0),
    }


def utilisation_by(log: ExecutionLog, key: str, uses: list[SessionUse] | None = None) -> dict[str,
        dict[str, float]]:
    """In-room and with-turnover utilisation per ``location`` or ``specialty``."""
    if key not in ("location", "specialty"):
        raise ValueError(f"key={key!r}: choose 'location' or 'specialty'")
    groups: dict[str, list[SessionUse]] = defaultdict(list)
    for use in uses if uses is not None else session_use(log):
        if use.session.emergency:
            continue
        name = log.room_location.get(use.session.room_id, "?") if key == "location" \
            else use.session.specialty_id or "open"
        groups[name].append(use)
    result = {}
    for name, group in sorted(groups.items()):
        staffed = sum(u.session.staffed_min for u in group)
        result[name] = {"in_room": sum(u.in_room_min for u in group) / staffed,
                        "with_turnover": sum(u.in_room_min + u.turnover_min for u in group) / staffed,
                        "sessions": float(len(group))}
    return result


# ---- the plan's history: late cancellations and changes after date ------------------------------
def _cutoff(day: date) -> datetime:
    return datetime.combine(day - timedelta(days=1), LATE_CUTOFF)


def late_cancellations(log: ExecutionLog) -> Counter[CancellationReason]:
    """Late cancellations of cases planned for days in the period, by reason."""
    counts: Counter[CancellationReason] = Counter()
    for case in log.cases:
        planned: date | None = None
        for change in case.history:
            before = planned
            if change.kind in (ChangeKind.SCHEDULED, ChangeKind.RESCHEDULED, ChangeKind.TOLD):
                planned = change.new_date or planned
            else:
                planned = None
            if before is None or planned == before or change.kind is ChangeKind.DONE:
                continue
            if log.in_period(before) and log.local(change.at) >= _cutoff(before):
                counts[change.reason or CancellationReason.OTHER] += 1
    return counts


def changes_after_date(log: ExecutionLog) -> int:
    """Date changes after the patient was first told a date, made on days in the period."""
    total = 0
    for case in log.cases:
        for change in case.date_changes_after_told():
            if log.in_period(log.local(change.at).date()):
                total += 1
    return total


def changes_after_date_by_reason(log: ExecutionLog) -> dict[str, int]:
    """``changes_after_date`` per cause: the change's reason (patient, staff, capacity, …), or
    "planning" for a change the plan made without one (a re-plan, a refill, a move)."""
    counts: dict[str, int] = {}
    for case in log.cases:
        for change in case.date_changes_after_told():
            if log.in_period(log.local(change.at).date()):
                key = change.reason.value if change.reason is not None else "planning"
                counts[key] = counts.get(key, 0) + 1
    return counts


# ---- patients: waiting time and deadlines --------------------------------------------------------
def operations(log: ExecutionLog) -> dict[str, date]:
    """Elective cases operated in the period, with the day of operation."""
    done = {}
    for case in log.cases:
        for change in case.history:
            if change.kind is ChangeKind.DONE:
                day = change.new_date or log.local(change.at).date()
                if log.in_period(day):
                    done[case.referral_id] = day
    return done


def waiting(log: ExecutionLog) -> dict[str, float]:
    operated = operations(log)
    waits = []
    breaches = 0
    for rid, day in operated.items():
        referral = log.referrals[rid]
        waits.append((day - referral.referral_date).days)
        breaches += day > referral.deadline
    finished = set(operated) | {c.referral_id for c in log.cases if c.status.value in ("done", "removed")}
    overdue = sum(1 for rid, r in log.referrals.items() if rid not in finished and r.deadline < log.last
                  and r.referral_date <= log.last)
    return {
        "elective_operations": float(len(operated)),
        "mean_wait_days": statistics.fmean(waits) if waits else 0.0,
        "median_wait_days": statistics.median(waits) if waits else 0.0,
        "deadline_breaches": float(breaches),
        "waiting_past_deadline_at_end": float(overdue),
    }


def waiting_by(log: ExecutionLog) -> list[dict[str, object]]:
    """Waiting time and deadline breaches per specialty and priority."""
    groups: dict[tuple[str, int], list[tuple[int, bool]]] = defaultdict(list)
    for rid, day in operations(log).items():
        r = log.referrals[rid]
        groups[(r.specialty_id, int(r.priority))].append(((day - r.referral_date).days, day > r.deadline))
    return [{"specialty": s, "priority": p, "operations": len(v),
             "mean_wait_days": statistics.fmean(w for w, _ in v),
             "deadline_breaches": sum(b for _, b in v)}
            for (s, p), v in sorted(groups.items())]


# ---- emergencies and activity --------------------------------------------------------------------
def emergency_delay(log: ExecutionLog) -> dict[str, float]:
    """Request to in-room per urgency category: mean minutes and share within the limit."""
    in_room: dict[str, datetime] = {}
    for event in log.events:
        if event.kind is EventKind.IN_ROOM and event.case_id in log.emergency_by_id:
            in_room.setdefault(event.case_id, event.at)
    delays: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for request in log.emergencies:
        if not log.in_period(log.local(request.requested_at).date()) or request.id not in in_room:
            continue
        minutes = (in_room[request.id] - request.requested_at).total_seconds() / 60
        delays[request.urgency.value].append((minutes, minutes <= request.urgency.limit_min))
    result: dict[str, float] = {}
    all_delays = [d for v in delays.values() for d in v]
    result["emergency_operations"] = float(len(all_delays))
    result["emergency_within_limit_share"] = (sum(ok for _, ok in all_delays) / len(all_delays)
                                              if all_delays else 1.0)
    for urgency, values in sorted(delays.items()):
        result[f"emergency_{urgency}_mean_delay_min"] = statistics.fmean(m for m, _ in values)
        result[f"emergency_{urgency}_within_limit_share"] = sum(ok for _, ok in values) / len(values)
    return result


def activity_against_budget(log: ExecutionLog) -> dict[str, dict[str, float]]:
    done: Counter[str] = Counter(log.referrals[rid].specialty_id for rid in operations(log))
    return {s: {"operations": float(done.get(s, 0)), "budget": float(target),
                "share": done.get(s, 0) / target if target else 0.0}
            for s, target in sorted(log.budget.items())}
