"""The board as data: every room of every location with its plan, actuals, forecast and alerts.

Times are minutes past the day's local midnight, so the browser draws timelines without time
zone arithmetic. Only pseudonymous case ids and procedure names appear: no patient data.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from kontrolltarn.model import Hospital

from .alerts import unique_alerts
from .forecast import RoomForecast
from .tower import Tower


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def _ready_min(tower: Tower, room_id: str) -> float | None:
    ready = tower.live.ready_since(room_id)
    return None if ready is None else _round(tower.clock.minutes(ready))


def room_labels(hospital: Hospital, location_id: str) -> dict[str, str]:
    """Short labels for a location's rooms, distinct within it, for a board row under the
    location's heading: "Sentrum stue 12" -> "12", "Sentrum ø-hjelpsstue 29" -> "Ø29" (the
    location's usual kind of room gets the number alone, other kinds an initial). Names of
    another shape keep everything but the location's name; any clash keeps the whole name."""
    location = hospital.location_by_id[location_id]
    rooms = [r for r in hospital.rooms if r.location_id == location_id]
    rest = {}
    for r in rooms:
        name = r.name.strip()
        if name.lower().startswith(location.name.lower()):
            name = name[len(location.name):].strip(" -–·") or r.name
        rest[r.id] = name
    parts = {rid: re.fullmatch(r"(\S+)\s+(\d+)", name) for rid, name in rest.items()}
    kinds = Counter(m.group(1).lower() for m in parts.values() if m)
    usual = kinds.most_common(1)[0][0] if kinds else None
    labels = {}
    for rid, name in rest.items():
        m = parts[rid]
        if m is None:
            labels[rid] = name
        else:
            labels[rid] = m.group(2) if m.group(1).lower() == usual else \
                m.group(1)[0].upper() + m.group(2)
    if len(set(labels.values())) < len(labels):
        return {r.id: r.name for r in rooms}
    return labels


def _minutes_late(plan_end: float | None, end: float | None) -> int | None:
    """Minutes a case ends after its planned end (negative: ahead of plan)."""
    return None if plan_end is None or end is None else round(end - plan_end)


def room_view(tower: Tower, room_id: str, now: datetime,
              forecast: RoomForecast | None = None) -> dict[str, Any]:
    forecast = forecast or tower.forecast(room_id, now)
    room = tower.hospital.room_by_id[room_id]
    session = tower.sessions.get(room_id)
    cases = []
    for c in forecast.cases:
        plan = tower.live.planned.get(c.case_id)
        referral = tower.hospital.referral_by_id.get(c.case_id)
        emergency = tower.hospital.emergency_by_id.get(c.case_id)
        code = referral.procedure_code if referral else (emergency.procedure_code if emergency
                                                         else None)
        procedure = tower.hospital.procedure_by_id[code] if code else None
        surgeon = tower.hospital.staff_by_id.get(plan.entry.surgeon_id) if plan else None
        planned_end = plan.start_min + plan.planned_min if plan else None
        cases.append({
            "case_id": c.case_id,
            "procedure": procedure.name if procedure else None,
            "specialty": procedure.specialty_id if procedure else None,
            "emergency": emergency is not None or plan is None,
            "planned_start": plan.start_min if plan else None,
            "planned_end": planned_end,
            "surgeon": surgeon.name if surgeon else None,
            "behind_min": _minutes_late(planned_end, c.end_min),
            "position": plan.position if plan else None,
            "version": plan.version if plan else None,
            "phase": c.phase,
            "milestone": c.milestone,
            "start": _round(c.start_min),
            "end": _round(c.end_min),
            "actual": c.actual,
            "cancel_risk": round(c.cancel_risk, 3),
            "cancel_risk_model": tower.case_risks.get(c.case_id),
        })
    return {
        "room_id": room_id,
        "name": room.name,
        "label": room_labels(tower.hospital, room.location_id)[room_id],
        "location_id": room.location_id,
        "emergency_room": room.emergency,
        "session": None if session is None else {
            "id": session.id, "start": session.start_min, "end": session.end_min,
            "specialty": session.specialty_id,
            "specialty_name": _specialty_name(tower.hospital, session.specialty_id),
            "released": room_id in tower.released},
        "current_case": forecast.current_case,
        #: minutes past midnight the room was reported ready, while it still is (None: not)
        "ready_min": _ready_min(tower, room_id),
        "end_median": _round(forecast.end_median),
        "end_p10": _round(forecast.end_p10),
        "end_p90": _round(forecast.end_p90),
        "overtime_risk": round(forecast.overtime_risk, 3),
        "expected_overtime_min": round(forecast.expected_overtime_min, 1),
        "cases": cases,
        "alerts": [a.as_dict() for a in tower.alerts(forecast, now)],
    }


def _specialty_name(hospital: Hospital, specialty_id: str | None) -> str | None:
    specialty = hospital.specialty_by_id.get(specialty_id) if specialty_id else None
    return specialty.name if specialty else None


def board_view(tower: Tower, now: datetime,
               rooms: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The whole board; ``rooms`` may hold room views already computed (the service's cache).
    ``alerts``: every room's open alerts, one per id, most urgent first."""
    known = rooms or {}
    rooms = {r.id: known.get(r.id) or room_view(tower, r.id, now) for r in tower.hospital.rooms}
    locations = []
    for location in tower.hospital.locations:
        ids = [r.id for r in tower.hospital.rooms if r.location_id == location.id]
        locations.append({"id": location.id, "name": location.name, "rooms": ids})
    return {"day": tower.day.isoformat(), "now_min": round(tower.clock.minutes(now), 1),
            "locations": locations, "rooms": rooms,
            "alerts": unique_alerts(a for r in rooms.values() for a in r["alerts"])}
