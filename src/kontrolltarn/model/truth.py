"""What the simulator needs to know about the real world, which planners never see.

A truth model says how long a case really takes, who does not turn up, which sessions the
hospital staffs beyond its published calendar and what arrives each day (new referrals and
emergencies). The synthetic hospital's ``synth.truth.Truth`` is one; a model fitted to an
imported hospital's history can be another, so any hospital can be rehearsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from .durations import LogNormal
from .emergencies import EmergencyRequest
from .hospital import Hospital
from .patients import Patient, Referral
from .sessions import Session


@dataclass
class Arrivals:
    """What one day brings: referrals (with their patients) and emergency requests."""

    referrals: list[Referral] = field(default_factory=list)
    emergencies: list[EmergencyRequest] = field(default_factory=list)
    patients: list[Patient] = field(default_factory=list)


class ArrivalSource(Protocol):
    """Each day's arrivals over a simulated period; the same day gives the same arrivals
    whatever the policy did before it (common random numbers)."""

    def day(self, day: date) -> Arrivals:
        """The referrals and emergencies that arrive on ``day``."""
        ...

    def expected_referrals(self, days: int) -> dict[str, float]:
        """Expected elective referrals per specialty over ``days`` days (the activity budget)."""
        ...


class TruthModel(Protocol):
    """The world behind a hospital, as the simulator samples it."""

    #: share of days a surgeon is away (beyond the hospital's own published rotas)
    surgeon_away_share: float

    def duration(self, procedure_code: str, surgeon_id: str | None, location_id: str | None,
                 asa: int, bmi: float, age: int) -> LogNormal:
        """The true in-room duration distribution of one case."""
        ...

    def no_show(self, referral_id: str) -> float:
        """The chance that the patient of ``referral_id`` does not show up on the day."""
        ...

    def sessions(self, hospital: Hospital, first: date, days: int) -> list[Session]:
        """The sessions the hospital staffs from ``first`` for ``days`` days."""
        ...

    def arrivals(self, hospital: Hospital, seed: int, referral_rate_factor: float,
                 emergency_rate_factor: float) -> ArrivalSource:
        """The arrival stream of simulation ``seed``, its rates scaled by the factors."""
        ...
