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

from .forecast import OVERTIME_ALERT_MIN, RoomForecast

A = TypeVar("A", "Alert", dict)


@dataclass(frozen=True)
class Thresholds:
    """Alert thresholds, chosen on the development seeds 0–9 (28 simulated days each at default
    scale, ``experiments.alerts``): of the grid, the threshold whose worst seed has the highest
    min(precision, recall) — overtime 0.9 (worst 0.86 / 0.86), late cancellation 0.99 (worst
    0.88 / 0.89); docs/control-tower.md. The suggestion agent looks earlier: a suggestion is a
    proposal a coordinator weighs, an alert asks for attention."""

    #: probability that the room runs more than 30 minutes over its staffed end
    overtime_risk: float = 0.9
    #: probability that a waiting case is cancelled for lack of time
    cancel_risk: float = 0.99
    #: minutes after session start without a patient in the room
    late_start_min: int = 15
    #: the suggestion agent proposes moves / early cancellations from these risks
    suggest_overtime_risk: float = 0.7
    suggest_cancel_risk: float = 0.7
    #: at most this many open suggestions at once, the best first (a coordinator reads a
    #: short list; the rest wait until one is decided or goes)
    max_suggestions: int = 8


@dataclass(frozen=True)
class Alert:
    id: str
    kind: str  # overtime | late_cancellation | late_start
    room_id: str
    case_id: str | None
    severity: str  # warning | critical
    value: float  # a probability, or minutes late
    #: minutes from now until the problem is a fact (overtime: staffed end + 30 min; late
    #: cancellation: the case's expected start; late start: now)
    due_min: float = 0.0

    @property
    def urgency(self) -> float:
        """What the list is ordered by: critical before warning, then how sure times how soon
        (a late start is certain and now; a 0.9 risk due in an hour weighs 0.45)."""
        sure = 1.0 if self.kind == "late_start" else self.value
        soon = 1.0 / (1.0 + max(0.0, self.due_min) / 60.0)
        return (1.0 if self.severity == "critical" else 0.0) + sure * soon

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "kind": self.kind, "room_id": self.room_id,
                "case_id": self.case_id, "severity": self.severity, "value": round(self.value, 3),
                "due_min": round(self.due_min), "urgency": round(self.urgency, 4)}


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
        due = (forecast.session_end or now_min) + OVERTIME_ALERT_MIN - now_min
        alerts.append(Alert(f"overtime:{room}", "overtime", room, None,
                            "critical" if forecast.overtime_risk >= 0.97 else "warning",
                            forecast.overtime_risk, due))
    for case in forecast.cases:
        if case.phase in ("waiting", "called", "arrived") and \
                case.cancel_risk >= thresholds.cancel_risk:
            due = (case.start_min if case.start_min is not None else now_min) - now_min
            alerts.append(Alert(f"late_cancellation:{case.case_id}", "late_cancellation", room,
                                case.case_id,
                                "critical" if case.cancel_risk >= 0.999 else "warning",
                                case.cancel_risk, due))
    started = any(c.phase in ("in_room", "done") for c in forecast.cases)
    waiting = any(c.phase in ("waiting", "called", "arrived") for c in forecast.cases)
    if forecast.session_start is not None and not started and waiting:
        late = now_min - forecast.session_start
        if late >= thresholds.late_start_min:
            alerts.append(Alert(f"late_start:{room}", "late_start", room, None,
                                "critical" if late >= 45 else "warning", late))
    return unique_alerts(alerts)


def _urgency(alert: dict[str, object] | Alert) -> tuple[float, str]:
    if isinstance(alert, dict):
        return float(alert["urgency"]), str(alert["id"])  # type: ignore[arg-type]
    return alert.urgency, alert.id


def unique_alerts(alerts: Iterable[A]) -> list[A]:
    """One alert per id (case or room, problem), the most urgent where one comes twice (a case
    seen in two rooms' forecasts), most urgent first (``Alert.urgency``; ties by id)."""
    best: dict[str, A] = {}
    for alert in alerts:
        key = str(alert["id"] if isinstance(alert, dict) else alert.id)
        if key not in best or _urgency(alert)[0] > _urgency(best[key])[0]:
            best[key] = alert
    return sorted(best.values(), key=lambda a: (-_urgency(a)[0], _urgency(a)[1]))
