"""Who may be offered a date: readiness, urgency points and the candidate pools per session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from kontrolltarn.model import Hospital, Procedure, Referral, Session, Staff
from kontrolltarn.plan.check import ProgramState

from .risk import Moments
from .settings import Objective

#: a deadline within this many days after the window still earns ``deadline_soon`` points
SOON_DAYS = 28


@dataclass(frozen=True)
class Candidate:
    """A ready referral with what the solver needs to know about it."""

    referral: Referral
    procedure: Procedure
    moments: Moments

    @property
    def id(self) -> str:
        return self.referral.id


@dataclass(frozen=True)
class IncompleteCase:
    """A referral that cannot be offered a date yet, with what is missing."""

    referral_id: str
    specialty_id: str
    priority: int
    deadline: date
    missing: tuple[str, ...]


def incomplete_cases(hospital: Hospital, exclude: set[str] | None = None) -> list[IncompleteCase]:
    """Waiting referrals whose description is incomplete, most pressing deadline first."""
    skip = exclude or set()
    rows = [IncompleteCase(r.id, r.specialty_id, int(r.priority), r.deadline,
                           tuple(sorted(i.value for i in r.readiness_missing)))
            for r in hospital.referrals if not r.ready and r.id not in skip]
    return sorted(rows, key=lambda c: (c.deadline, c.priority, c.referral_id))


def admissible(kernel: ProgramState, c: Candidate, session: Session, lead: Staff | None) -> bool:
    """Whether ``c`` may go into ``session`` at all, by the hard rules of ``plan.check`` judged
    without times (its feasibility kernel): operated by its named surgeon, else by the
    session's ``lead``. The session as the planner fills it: one released to another specialty
    is open (``specialty_id`` None)."""
    who = c.referral.surgeon_id or (lead.id if lead is not None else None)
    return who is not None and kernel.admits(c.id, session, who)


class Admissions:
    """``admissible`` remembered through one planning call: the rules it judges do not change
    while the program is built (no times, no other cases), and the same case, session and
    surgeon are asked when the pool is drawn and again when the session's options are."""

    def __init__(self, kernel: ProgramState) -> None:
        self.kernel = kernel
        self._seen: dict[tuple[str, str, str | None, str | None], bool] = {}

    def __call__(self, c: Candidate, session: Session, lead: Staff | None) -> bool:
        who = c.referral.surgeon_id or (lead.id if lead is not None else None)
        key = (c.id, session.id, session.specialty_id, who)
        seen = self._seen.get(key)
        if seen is None:
            seen = self._seen[key] = admissible(self.kernel, c, session, lead)
        return seen


def urgency_weight(referral: Referral, day: date, window_last: date, today: date,
                   weights: Objective) -> float:
    """How much more a planned minute of ``referral`` on ``day`` is worth than a minute of an
    ordinary case (0 = ordinary). Weighting minutes, not cases, keeps the solver packing
    sessions full while it prefers the pressing cases."""
    extra = weights.priority * (4 - int(referral.priority))
    extra += weights.waiting * max(0, (today - referral.referral_date).days) / 365.0
    if referral.deadline <= day:
        extra += weights.deadline * 1.5  # due now (or overdue): plan before anything else
    elif referral.deadline <= window_last:
        extra += weights.deadline
    elif referral.deadline <= window_last + timedelta(days=SOON_DAYS):
        extra += weights.deadline_soon
    return extra
