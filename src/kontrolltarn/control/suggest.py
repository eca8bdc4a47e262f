"""The suggestion agent: watches the forecasts and proposes actions, each with its predicted
effect computed by re-running the forecast with the action applied. It never applies anything;
a coordinator decides (see ``actions``: accepted, it goes through ``plan.repair``).

``suggest`` is a pure function of the tower's state and the clock: the live board and the
simulator's coordinator that follows the board call the same code. What it offers is a short
list a coordinator can act on: ranked by ``benefit`` (best first), at most one suggestion per
case and per room given back or filled, so two never contradict each other ("take A before B"
beside "cancel A now"), and at most ``Thresholds.max_suggestions`` at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kontrolltarn.plan.check import ProgramState

from .actions import concerned_cases
from .forecast import RoomForecast
from .tower import Tower

#: minutes from calling a patient to the patient being ready in the room (porter, preparation)
CALL_LEAD_MIN = 30
#: a room with no waiting case this long before its staffed end may give its time back
RELEASE_MIN = 90
WAITING = ("waiting", "arrived")
#: ranking weights, in minutes of overtime: a percentage point of a patient's cancellation risk
#: is worth 0.6 min (a whole cancellation one hour of overtime) times the patient's priority
#: weight, an hour more notice of a likely cancellation 10 min, an idle minute saved one
#: minute, a released minute a quarter (it helps only if someone can use it)
CANCEL_MIN = 60.0
#: a cancellation weighs more the more urgent the patient (clinical priority 1 most urgent; an
#: emergency or a case the hospital does not know as priority 1)
PRIORITY_WEIGHT = {1: 2.0, 2: 1.5, 3: 1.0, 4: 0.75}
NOTICE_MIN_PER_HOUR = 10.0
RELEASED_WEIGHT = 0.25
#: a suggestion worth less than this (minutes of overtime, the weights above) is noise (a swap
#: that moves a tenth of a percent of risk)
MIN_BENEFIT_MIN = 1.0
#: the default cap: ``suggest(..., limit=DEFAULT_LIMIT)`` uses ``Thresholds.max_suggestions``
DEFAULT_LIMIT = -1


@dataclass(frozen=True)
class Suggestion:
    id: str
    kind: str  # move_case | change_order | call_next | release_session | cancel_early
    room_id: str
    case_id: str | None
    action: dict[str, Any]
    effect: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    #: expected gain in minutes of overtime (the ranking weights above); also in ``effect``
    benefit: float = 0.0

    def claims(self) -> set[str]:
        """The cases it concerns and the rooms it gives back or fills: two suggestions that
        claim the same one would contradict each other."""
        rooms = [self.action[k] for k in ("to_room",) if self.action.get(k)]
        if self.kind == "release_session":
            rooms.append(self.room_id)
        return {f"case:{c}" for c in concerned_cases(self.action)} | {f"room:{r}" for r in rooms}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def suggest(tower: Tower, now: datetime, forecasts: dict[str, RoomForecast],
            limit: int | None = DEFAULT_LIMIT) -> list[Suggestion]:
    """What to do now, best first: at most one suggestion per case (and per room released or
    filled), at most ``limit`` (default ``tower.thresholds.max_suggestions``; None: all)."""
    if limit == DEFAULT_LIMIT:
        limit = tower.thresholds.max_suggestions
    worth = [s for s in candidates(tower, now, forecasts) if s.benefit >= MIN_BENEFIT_MIN]
    return best_first(worth, limit)


def best_first(found: list[Suggestion], limit: int | None = None) -> list[Suggestion]:
    """The best suggestion of each conflicting group, best first (ties by id, so the order is
    stable), at most ``limit``."""
    kept: list[Suggestion] = []
    claimed: set[str] = set()
    for s in sorted(found, key=lambda s: (-s.benefit, s.id)):
        if limit is not None and len(kept) >= limit:
            break
        if s.claims() & claimed:
            continue  # a better suggestion already concerns this case or room
        kept.append(s)
        claimed |= s.claims()
    return kept


def candidates(tower: Tower, now: datetime,
               forecasts: dict[str, RoomForecast]) -> list[Suggestion]:
    """Every suggestion the forecasts call for, unranked and possibly conflicting."""
    now_min = tower.clock.minutes(now)
    found: list[Suggestion] = []
    threshold = tower.thresholds.suggest_overtime_risk
    for room_id, fc in forecasts.items():
        if room_id in tower.released or fc.session_end is None:
            continue
        moved = None
        if fc.overtime_risk >= threshold:
            moved = _move_case(tower, now, room_id, fc, forecasts)
            if moved:
                found.append(moved)
        if moved is None:
            found.extend(_cancel_early(tower, now, room_id, fc))
        found.extend(_change_order(tower, now, room_id, fc))
        found.extend(_call_next(tower, now_min, room_id, fc))
        found.extend(_release(tower, now_min, room_id, fc))
    return found


def _patient(tower: Tower, case_id: str, prefix: str = "case") -> dict[str, Any]:
    """A case's clinical priority (1 most urgent) and legal deadline, for a suggestion that
    trades its risk against another's: the coordinator weighs them, not only the risks."""
    referral = tower.hospital.referral_by_id.get(case_id)
    if referral is None:
        return {f"{prefix}_priority": None, f"{prefix}_deadline": None}
    return {f"{prefix}_priority": int(referral.priority),
            f"{prefix}_deadline": referral.deadline.isoformat()}


def _weight(tower: Tower, case_id: str) -> float:
    referral = tower.hospital.referral_by_id.get(case_id)
    return PRIORITY_WEIGHT[int(referral.priority) if referral is not None else 1]


def _ranked(suggestion: Suggestion, benefit: float) -> Suggestion:
    return Suggestion(suggestion.id, suggestion.kind, suggestion.room_id, suggestion.case_id,
                      suggestion.action, {**suggestion.effect, "benefit_min": round(benefit, 1)},
                      suggestion.summary, round(benefit, 1))


def _waiting(fc: RoomForecast) -> list[str]:
    return [c.case_id for c in fc.cases if c.phase in WAITING]


def _move_case(tower: Tower, now: datetime, room_id: str, fc: RoomForecast,
               forecasts: dict[str, RoomForecast]) -> Suggestion | None:
    waiting = _waiting(fc)
    if not waiting:
        return None
    case_id = waiting[-1]
    referral = tower.hospital.referral_by_id.get(case_id)
    if referral is None:
        return None
    room = tower.hospital.room_by_id[room_id]
    kernel = ProgramState(tower.hospital)
    planned = tower.live.planned.get(case_id)
    surgeons = [s.id for s in tower.hospital.surgeons(referral.specialty_id)]
    if planned is not None and planned.surgeon_id is not None:
        surgeons.insert(0, planned.surgeon_id)
    order = tower.order(room_id)
    without = tower.forecast(room_id, now, [c for c in order if c != case_id])
    before_case = next(c.cancel_risk for c in fc.cases if c.case_id == case_id)
    best: tuple[float, Suggestion] | None = None
    for other in tower.hospital.rooms:
        target_fc = forecasts.get(other.id)
        session = tower.sessions.get(other.id)
        if (other.id == room_id or other.location_id != room.location_id or session is None
                or target_fc is None or other.id in tower.released):
            continue
        # the session can take the case at all (plan.check's kernel, without times), with its
        # surgeon or another of the specialty, as plan.repair's MoveCase will try
        if not any(kernel.admits(case_id, session, s) for s in surgeons):
            continue
        with_case = tower.forecast(other.id, now, [*tower.order(other.id), case_id])
        after_case = next(c.cancel_risk for c in with_case.cases if c.case_id == case_id)
        if with_case.overtime_risk >= tower.thresholds.suggest_overtime_risk or after_case >= 0.3:
            continue
        before = fc.expected_overtime_min + target_fc.expected_overtime_min
        after = without.expected_overtime_min + with_case.expected_overtime_min
        gain = before - after + CANCEL_MIN * _weight(tower, case_id) * (before_case - after_case)
        if gain <= 5:
            continue
        effect = {
            "room_overtime_risk": [_r(fc.overtime_risk), _r(without.overtime_risk)],
            "target_overtime_risk": [_r(target_fc.overtime_risk), _r(with_case.overtime_risk)],
            "expected_overtime_min": [round(before, 1), round(after, 1)],
            "case_cancel_risk": [_r(before_case), _r(after_case)],
            **_patient(tower, case_id),
        }
        suggestion = _ranked(Suggestion(
            f"move_case:{case_id}:{other.id}", "move_case", room_id, case_id,
            {"case_id": case_id, "from_room": room_id, "to_room": other.id,
             "to_session": session.id}, effect,
            f"Flytt {case_id} fra {room.name} til {other.name}"), gain)
        if best is None or gain > best[0]:
            best = (gain, suggestion)
    return best[1] if best else None


def _cancel_early(tower: Tower, now: datetime, room_id: str,
                  fc: RoomForecast) -> list[Suggestion]:
    out: list[Suggestion] = []
    for case in fc.cases:
        if case.phase == "waiting" and case.cancel_risk >= tower.thresholds.suggest_cancel_risk:
            order = [c for c in tower.order(room_id) if c != case.case_id]
            after = tower.forecast(room_id, now, order)
            hours = max(0.0, ((case.start_min or 0) - tower.clock.minutes(now)) / 60)
            # the others of the room who then keep their place, the overtime avoided and the
            # notice gained, against the operation this patient surely loses
            relief = sum(_weight(tower, c.case_id) * c.cancel_risk
                         for c in fc.cases if c.case_id != case.case_id) - \
                sum(_weight(tower, c.case_id) * c.cancel_risk for c in after.cases)
            loss = _weight(tower, case.case_id) * (1 - case.cancel_risk)
            benefit = (fc.expected_overtime_min - after.expected_overtime_min
                       + CANCEL_MIN * (relief - loss)
                       + NOTICE_MIN_PER_HOUR * hours * case.cancel_risk)
            if benefit > 0:
                out.append(_ranked(Suggestion(
                    f"cancel_early:{case.case_id}", "cancel_early", room_id, case.case_id,
                    {"case_id": case.case_id, "reason": "capacity"},
                    {"case_cancel_risk": [_r(case.cancel_risk), 1.0],
                     "room_overtime_risk": [_r(fc.overtime_risk), _r(after.overtime_risk)],
                     "notice_hours_gained": round(hours, 1), **_patient(tower, case.case_id)},
                    f"Stryk {case.case_id} nå i stedet for sent"), benefit))
            break  # one at a time: the forecast changes after each decision
    return out


def _priority(tower: Tower, case_id: str) -> tuple[int, str]:
    referral = tower.hospital.referral_by_id.get(case_id)
    if referral is None:
        return (0, "")
    return (int(referral.priority), referral.deadline.isoformat())


def fc_phase(fc: RoomForecast, case_id: str) -> str:
    return next(c.phase for c in fc.cases if c.case_id == case_id)


def _change_order(tower: Tower, now: datetime, room_id: str,
                  fc: RoomForecast) -> list[Suggestion]:
    """A more urgent case at risk behind a less urgent one: swap them, so that if time runs out
    the case that can wait is the one that waits."""
    risk = {c.case_id: c.cancel_risk for c in fc.cases}
    waiting = [c for c in _waiting(fc) if c in tower.live.planned]
    for i, later in enumerate(waiting):
        if risk[later] < 0.3:
            continue
        for earlier in waiting[:i]:
            if fc_phase(fc, earlier) != "waiting":
                continue  # a patient already on the way keeps the place
            if _priority(tower, earlier) > _priority(tower, later):
                order = tower.order(room_id)
                a, b = order.index(earlier), order.index(later)
                order[a], order[b] = order[b], order[a]
                after = tower.forecast(room_id, now, order)
                new = {c.case_id: c.cancel_risk for c in after.cases}
                if new[later] >= risk[later] - 0.1:
                    continue
                # the urgent patient's risk removed, the other's added, each by priority
                benefit = CANCEL_MIN * (_weight(tower, later) * (risk[later] - new[later])
                                        - _weight(tower, earlier) * (new[earlier] - risk[earlier]))
                if benefit <= 0:
                    continue
                return [_ranked(Suggestion(
                    f"change_order:{earlier}:{later}", "change_order", room_id, later,
                    {"first": later, "then": earlier, "room_id": room_id},
                    {"case_cancel_risk": [_r(risk[later]), _r(new[later])],
                     "other_cancel_risk": [_r(risk[earlier]), _r(new[earlier])],
                     **_patient(tower, later), **_patient(tower, earlier, "other")},
                    f"Bytt rekkefølge: {later} før {earlier}"), benefit)]
    return []


def _call_next(tower: Tower, now_min: float, room_id: str, fc: RoomForecast) -> list[Suggestion]:
    if fc.current_case is None:
        return []
    current = next(c for c in fc.cases if c.case_id == fc.current_case)
    nxt = next((c for c in fc.cases if c.phase == "waiting"), None)
    if nxt is None or current.end_min is None or nxt.cancel_risk >= 0.5:
        return []
    turnover = tower.turnover(nxt.case_id)
    out = current.end_min
    usual = out + max(turnover, CALL_LEAD_MIN)  # called at out-of-room, as today
    early = max(now_min + CALL_LEAD_MIN, out + turnover)
    saved = usual - early
    if saved < 5 or out - now_min > 45:
        return []
    return [_ranked(Suggestion(
        f"call_next:{nxt.case_id}", "call_next", room_id, nxt.case_id,
        {"case_id": nxt.case_id, "room_id": room_id},
        {"idle_min_saved": round(saved, 1), "expected_start_min": [round(usual), round(early)]},
        f"Hent neste pasient ({nxt.case_id}) nå"), saved)]


def _release(tower: Tower, now_min: float, room_id: str, fc: RoomForecast) -> list[Suggestion]:
    if fc.session_end is None or not fc.cases:
        return []
    if any(c.phase not in ("done", "cancelled") for c in fc.cases):
        return []
    free_from = max(now_min, fc.end_median or now_min)
    released = fc.session_end - free_from
    if released < RELEASE_MIN:
        return []
    session = tower.sessions[room_id]
    return [_ranked(Suggestion(
        f"release_session:{session.id}", "release_session", room_id, None,
        {"room_id": room_id, "session_id": session.id},
        {"released_min": round(released)},
        f"Frigi resten av økten på {tower.hospital.room_by_id[room_id].name}"),
        RELEASED_WEIGHT * released)]
