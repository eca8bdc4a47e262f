"""Prediction: duration distributions, late-cancellation risk, logistics facts from notes.

See docs/predict.md. The planner, the simulator's policies and the control tower ask one
``DurationSource`` (``CaseDurations``: ``DurationModel`` trained on the hospital's history); the
live case view reads ``remaining_quantiles``; the coordinator ``CancellationModel.reasons``.
"""

from .cancellation import CancellationModel, Reason, expected_calibration_error
from .durations import (
    AFTER_INCISION_MIN,
    CLOSURE_TO_OUT,
    QUANTILES,
    Case,
    CaseDurations,
    DurationModel,
    DurationSource,
    remaining_quantiles,
)
from .features import bookings_frame, operations_frame
from .history import load_operations_csv, write_operations_csv
from .notes import FACTS, CallableExtractor, Finding, NoteExtractor, NoteFacts, RuleExtractor, extract_facts
from .registry import ModelCard, load_model, save_model

__all__ = [
    "AFTER_INCISION_MIN", "CLOSURE_TO_OUT", "FACTS", "QUANTILES", "CallableExtractor",
    "CancellationModel", "Case", "CaseDurations", "DurationModel", "DurationSource", "Finding",
    "ModelCard", "NoteExtractor", "NoteFacts", "Reason", "RuleExtractor", "bookings_frame",
    "expected_calibration_error", "extract_facts", "load_model", "load_operations_csv",
    "operations_frame", "remaining_quantiles", "save_model", "write_operations_csv",
]
