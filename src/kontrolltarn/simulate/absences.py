"""Surgeon absences over a simulated period: the published rotas, and illness at short notice."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from kontrolltarn.model import Hospital, StaffRole


@dataclass(frozen=True)
class Absence:
    """A surgeon away on ``day``; the planners learn of it on ``known_from``."""

    surgeon_id: str
    day: date
    known_from: date


def surgeon_absences(hospital: Hospital, first: date, days: int, seed: int,
                     short_notice_share: float, away_share: float) -> list[Absence]:
    """Surgeon absences over the period. Inside the hospital's calendar its own ``unavailable``
    days are used; beyond it they are drawn with ``away_share`` (the truth model's). Both are
    known six weeks ahead (rotas are published early). On top, short-notice absences (illness)
    are known 0–3 days before."""
    rng = random.Random(f"kontrolltarn-sim-absence-{seed}")
    horizon_end = max((s.date for s in hospital.sessions), default=first)
    result: list[Absence] = []
    for person in hospital.staff:
        if person.role is not StaffRole.SURGEON:
            continue
        for k in range(days):
            day = first + timedelta(days=k)
            planned = day in person.unavailable if day <= horizon_end \
                else rng.random() < away_share
            sick = rng.random() < short_notice_share
            notice = rng.randint(0, 3)
            if planned:
                result.append(Absence(person.id, day, day - timedelta(days=42)))
            elif sick:
                result.append(Absence(person.id, day, day - timedelta(days=notice)))
    return result
