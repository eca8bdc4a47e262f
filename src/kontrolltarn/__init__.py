"""Kontrolltårn: plans and steers surgery at a large hospital."""

__version__ = "0.1.0"
