"""Duration distributions in minutes. Log-normal is the standard model for surgery durations."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from .errors import require

_STANDARD_NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class LogNormal:
    """Duration whose logarithm is normal: ``median`` minutes and log-scale spread ``sigma``.

    The median is more readable for clinicians than mu; ``mu == log(median)``. ``shared`` is
    the part of ``sigma**2`` that is the uncertainty of an estimate (a surgeon's or a
    location's effect learnt from little history): cases planned on the same estimates share
    that error, so it does not average out over a list (``plan.program.risk``). 0 for a
    distribution that is known.
    """

    median: float
    sigma: float
    shared: float = 0.0

    def __post_init__(self) -> None:
        require(isinstance(self.median, int | float) and self.median > 0,
                "median", self.median, "must be a positive number of minutes")
        require(isinstance(self.sigma, int | float) and 0 <= self.sigma < 3,
                "sigma", self.sigma, "must be between 0 and 3 (log-scale spread)")
        require(isinstance(self.shared, int | float) and 0 <= self.shared <= self.sigma**2 + 1e-12,
                "shared", self.shared, "must be between 0 and sigma**2 (log-scale variance)")

    @property
    def mu(self) -> float:
        return math.log(self.median)

    @property
    def mean(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)

    def quantile(self, p: float) -> float:
        require(0 < p < 1, "p", p, "must be strictly between 0 and 1")
        if self.sigma == 0:
            return float(self.median)
        return self.median * math.exp(self.sigma * _STANDARD_NORMAL.inv_cdf(p))

    def cdf(self, minutes: float) -> float:
        if minutes <= 0:
            return 0.0
        if self.sigma == 0:
            return 1.0 if minutes >= self.median else 0.0
        return _STANDARD_NORMAL.cdf((math.log(minutes) - self.mu) / self.sigma)

    def scaled(self, factor: float) -> LogNormal:
        """The same shape with every duration multiplied by ``factor`` (a surgeon or patient effect)."""
        return LogNormal(self.median * factor, self.sigma)
