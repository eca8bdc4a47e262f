"""Alerts from the forecasts. Each has a stable id (kind + subject: the case, or the room for a
room's problem) so the board can tell a new alert from one it already shows, and keeps one per
id; thresholds are settings, judged by their precision.

An alert is a problem a coordinator can still act on: it is recomputed from the room's current
forecast whenever the room is shown, so it closes when the problem is gone (the late start when
the patient is in, the overtime when the room's day is over), and a finished room (every case
out of the room or cancelled) raises none: its overtime is a fact of the day, not a risk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from .forecast import RoomForecast

A = TypeVar("A", "Alert", dict)


@dataclass(frozen=True)
class Thresholds:
    """Alert thresholds, chosen on simulated months at default scale for a precision of at
    least 0.8 (docs/control-tower.md: overtime 0.83/0.88 on two seeds at 0.9; late
    cancellation 0.78/0.87, pooled 0.83, at 0.95). The suggestion agent looks earlier: a
    suggestion is a proposal a coordinator weighs, an alert asks for attention."""

    #: probability that the room runs more than 30 minutes over its staffed end
    overtime_risk: float = 0.9
    #: probability that a waiting case is cancelled for lack of time
    cancel_risk: float = 0.95
    #: minutes after session start without a patient in the room
    late_start_min: int = 15
    #: the suggestion agent proposes moves / early cancellations from these risks
    suggest_overtime_risk: float = 0.7
    suggest_cancel_risk: float = 0.7


@dataclass(frozen=True)
class Alert:
    id: str
    kind: str  # overtime | late_cancellation | late_start
    room_id: str
    case_id: str | None
    severity: str  # warning | critical
    value: float  # a probability, or minutes late

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "room_id": self.room_id,
                "case_id": self.case_id, "severity": self.severity, "value": round(self.value, 3)}


#: the phases of a case whose room's day is over for it
_FINISHED = frozenset({"done", "cancelled"})


def room_finished(forecast: RoomForecast) -> bool:
    """Every case of the room is out of the room or cancelled (and it had at least one)."""
    return bool(forecast.cases) and all(c.phase in _FINISHED for c in forecast.cases)


def room_alerts(forecast: RoomForecast, now_min: float,
                thresholds: Thresholds = Thresholds()) -> list[Alert]:
    """The room's open alerts now, one per (case or room, problem); none once it is finished."""
    if room_finished(forecast):
        return []
    alerts: list[Alert] = []
    room = forecast.room_id
    if forecast.overtime_risk >= thresholds.overtime_risk:
        alerts.append(Alert(f"overtime:{room}", "overtime", room, None,
                            "critical" if forecast.overtime_risk >= 0.97 else "warning",
                            forecast.overtime_risk))
    for case in forecast.cases:
        if case.phase in ("waiting", "called", "arrived") and \
                case.cancel_risk >= thresholds.cancel_risk:
            alerts.append(Alert(f"late_cancellation:{case.case_id}", "late_cancellation", room,
                                case.case_id,
                                "critical" if case.cancel_risk >= 0.99 else "warning",
                                case.cancel_risk))
    started = any(c.phase in ("in_room", "done") for c in forecast.cases)
    waiting = any(c.phase in ("waiting", "called", "arrived") for c in forecast.cases)
    if forecast.session_start is not None and not started and waiting:
        late = now_min - forecast.session_start
        if late >= thresholds.late_start_min:
            alerts.append(Alert(f"late_start:{room}", "late_start", room, None,
                                "critical" if late >= 45 else "warning", late))
    return unique_alerts(alerts)


def _urgency(alert: dict[str, object] | Alert) -> tuple[bool, float]:
    severity = alert["severity"] if isinstance(alert, dict) else alert.severity
    value = alert["value"] if isinstance(alert, dict) else alert.value
    return severity == "critical", float(value)  # type: ignore[arg-type]


def unique_alerts(alerts: Iterable[A]) -> list[A]:
    """One alert per id (case or room, problem), the most urgent where one comes twice (a case
    seen in two rooms' forecasts), most urgent first: critical, then by value."""
    best: dict[str, A] = {}
    for alert in alerts:
        key = str(alert["id"] if isinstance(alert, dict) else alert.id)
        if key not in best or _urgency(alert) > _urgency(best[key]):
            best[key] = alert
    return sorted(best.values(), key=_urgency, reverse=True)
