"""Alerts from the forecasts. Each has a stable id (kind + subject) so the board can tell a new
alert from one it already shows, and thresholds are settings, judged by their precision."""

from __future__ import annotations

from dataclasses import dataclass

from .forecast import RoomForecast


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


def room_alerts(forecast: RoomForecast, now_min: float,
                thresholds: Thresholds = Thresholds()) -> list[Alert]:
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
    return alerts
