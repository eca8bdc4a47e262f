"""The one error type for impossible or malformed domain values."""

from __future__ import annotations

from typing import Any


class ModelError(ValueError):
    """A value the domain cannot hold. Names the field and the offending value."""

    def __init__(self, field: str, value: Any, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}={value!r}: {reason}")


def require(condition: bool, field: str, value: Any, reason: str) -> None:
    """Raise ``ModelError`` naming ``field`` and ``value`` unless ``condition`` holds."""
    if not condition:
        raise ModelError(field, value, reason)


def require_id(value: Any, field: str) -> None:
    require(isinstance(value, str) and value.strip() != "", field, value, "must be a non-empty string id")


def require_minutes(value: Any, field: str, *, allow_zero: bool = True) -> None:
    ok = isinstance(value, int) and not isinstance(value, bool) and (value >= 0 if allow_zero else value > 0)
    require(ok, field, value, "must be a non-negative whole number of minutes" if allow_zero
            else "must be a positive whole number of minutes")
