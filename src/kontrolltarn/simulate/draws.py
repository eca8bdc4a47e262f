"""Random draws keyed by what they are about, so two policies see the same world.

Common random numbers: the n-th time a case is put on a program, its patient draws the same
illness, no-show, late arrival and duration under every policy; each room-day draws the same
late start; each location-day the same bed crunch. A policy changes which draws are used, never
their values.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AttemptDraws:
    """Uniform and normal draws for one scheduling of one case."""

    early_cancel: float
    early_notice: float
    late_cancel: float
    late_cancel_time: float
    no_show: float
    medical: float
    late_arrival: float
    late_arrival_delay: float  # exponential with mean 1
    duration_z: float  # standard normal
    removed: float


class Draws:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._attempts: dict[tuple[str, int], AttemptDraws] = {}

    def attempt(self, case_id: str, attempt: int) -> AttemptDraws:
        key = (case_id, attempt)
        if key not in self._attempts:
            self._attempts[key] = self._draw(case_id, attempt)
        return self._attempts[key]

    def _draw(self, case_id: str, attempt: int) -> AttemptDraws:
        rng = random.Random(f"kontrolltarn-sim-{self.seed}-case-{case_id}-{attempt}")
        r = rng.random
        return AttemptDraws(r(), r(), r(), r(), r(), r(), r(), rng.expovariate(1.0),
                            rng.gauss(0.0, 1.0), r())

    def stream(self, *key: object) -> random.Random:
        """A stream for one thing (a room-day, a location-day, an emergency)."""
        return random.Random("kontrolltarn-sim-" + str(self.seed) + "-" + "-".join(map(str, key)))
