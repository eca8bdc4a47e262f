"""Live control of the day: case state from milestone events, end-of-day forecasts, overtime and
late-cancellation risk, alerts, and suggested actions that a coordinator accepts or rejects."""

from .actions import ActionOutcome, ActionRefused, apply_suggestion, concerned_cases
from .alerts import Alert, Thresholds, room_alerts, room_finished, unique_alerts
from .board import board_view, room_view
from .forecast import CaseForecast, Clock, RoomForecast, forecast_room
from .live import CaseState, LiveDay
from .predictors import (
    CaseRisk,
    Models,
    cancellation_risks,
    load_models,
    train_models,
)
from .suggest import Suggestion, suggest
from .tower import Tower

__all__ = ["Alert", "CaseForecast", "CaseRisk", "CaseState", "Clock", "LiveDay", "Models",
           "ActionOutcome", "ActionRefused", "RoomForecast", "Suggestion", "Thresholds",
           "Tower", "apply_suggestion", "board_view", "cancellation_risks", "concerned_cases",
           "forecast_room",
           "load_models", "room_alerts", "room_finished", "room_view", "suggest", "train_models",
           "unique_alerts"]
