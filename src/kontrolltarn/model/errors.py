"""The one error type for impossible or malformed domain values."""

from __future__ import annotations

import re
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


#: single spaces between printable runs: what every exchange format (a FHIR code, a CSV cell, a
#: URL path) can carry unchanged; a doubled, leading or trailing space or a control character in
#: an id is a typing error that would make two records look alike
_ID = re.compile(r"[^\s\x00-\x1f\x7f]+( [^\s\x00-\x1f\x7f]+)*")


def require_id(value: Any, field: str) -> None:
    require(isinstance(value, str) and value.strip() != "", field, value, "must be a non-empty string id")
    require(_ID.fullmatch(value) is not None, field, value,
            "an id may not hold control characters, tabs or line breaks, nor begin or end with a "
            "space or hold two spaces in a row")


def require_minutes(value: Any, field: str, *, allow_zero: bool = True) -> None:
    ok = isinstance(value, int) and not isinstance(value, bool) and (value >= 0 if allow_zero else value > 0)
    require(ok, field, value, "must be a non-negative whole number of minutes" if allow_zero
            else "must be a positive whole number of minutes")
