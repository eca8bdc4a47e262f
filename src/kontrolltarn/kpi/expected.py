"""Expected session KPIs of a planned list, by sampling its case durations.

The definitions are those of ``measures`` (DOMAIN.md), applied to a session that runs its cases
back to back from the staffed start: each case is followed by its turnover (out of room → room
ready), the last one included, and the next case starts when the room is ready. So

- in-room minutes and turnover minutes count only inside staffed hours;
- overtime runs from the staffed end to the last patient out of the room (turnover after the
  last patient is not overtime, as in ``measures.session_use``);
- a session is flagged when that overtime exceeds ``OVERTIME_FLAG_MIN``.

A test holds this to ``measures`` on event logs built from the same durations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .measures import OVERTIME_FLAG_MIN


@dataclass(frozen=True)
class ExpectedUse:
    """Means over the samples for one session, in minutes (``share_flagged`` is a probability)."""

    staffed_min: float
    in_room_min: float
    turnover_min: float
    overtime_min: float
    share_flagged: float


def expected_use(staffed_min: float, durations: np.ndarray, turnovers: np.ndarray) -> ExpectedUse:
    """``durations`` is samples × cases (minutes, in list order), ``turnovers`` one per case."""
    if durations.ndim != 2 or durations.shape[1] != len(turnovers):
        raise ValueError(f"durations: shape {durations.shape} does not match {len(turnovers)} turnovers")
    if durations.shape[1] == 0:
        return ExpectedUse(staffed_min, 0.0, 0.0, 0.0, 0.0)
    turnovers = np.asarray(turnovers, dtype=float)
    ready = np.cumsum(durations + turnovers, axis=1)  # room ready after each case
    ends = ready - turnovers  # out of room
    starts = ends - durations  # in room
    cap = float(staffed_min)
    in_room = np.clip(np.minimum(ends, cap) - starts, 0, None).sum(axis=1)
    turnover = np.clip(np.minimum(ready, cap) - ends, 0, None).sum(axis=1)
    overtime = np.clip(ends[:, -1] - cap, 0, None)
    return ExpectedUse(cap, float(in_room.mean()), float(turnover.mean()), float(overtime.mean()),
                       float(np.mean(overtime > OVERTIME_FLAG_MIN)))


def summarise(uses: list[ExpectedUse]) -> dict[str, float]:
    """Over elective sessions, the figures ``measures.utilisation`` reports (empty sessions
    count with their staffed minutes)."""
    staffed = sum(u.staffed_min for u in uses)
    in_room = sum(u.in_room_min for u in uses)
    turnover = sum(u.turnover_min for u in uses)
    count = max(1, len(uses))
    return {
        "sessions": float(len(uses)),
        "utilisation_in_room": in_room / staffed if staffed else 0.0,
        "utilisation_with_turnover": (in_room + turnover) / staffed if staffed else 0.0,
        "share_sessions_over_30_min_overtime": sum(u.share_flagged for u in uses) / count,
        "overtime_min_per_session": sum(u.overtime_min for u in uses) / count,
    }
