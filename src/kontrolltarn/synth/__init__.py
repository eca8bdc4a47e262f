"""A calibrated synthetic hospital and its history (seeded, reproducible)."""

from .generator import DEFAULT_TODAY, SyntheticHospital, generate
from .scales import SCALES, Scale

__all__ = ["DEFAULT_TODAY", "SCALES", "Scale", "SyntheticHospital", "generate"]
