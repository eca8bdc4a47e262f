"""Counting overlapping intervals: how many units of equipment are in use at once."""

from __future__ import annotations


def peak_use(intervals: list[tuple[int, int]], start: int, end: int) -> int:
    """Most intervals in use at once during [start, end)."""
    points = sorted([(max(s, start), 1) for s, e in intervals if s < end and e > start]
                    + [(min(e, end), -1) for s, e in intervals if s < end and e > start],
                    key=lambda p: (p[0], p[1]))
    current = peak = 0
    for _, step in points:
        current += step
        peak = max(peak, current)
    return peak
