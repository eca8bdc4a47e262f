"""Request bodies. Limits match the store's columns, so bad input is a 422 naming the field and
the value, never a database error."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from kontrolltarn.model import CancellationReason, EventKind

Ident = Annotated[str, StringConstraints(min_length=1, max_length=64,
                                         pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")]
EventId = Annotated[str, StringConstraints(min_length=1, max_length=128,
                                           pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")]
#: a stored row's number (job, program version): 64-bit in the store, so larger is a 422
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Why = Annotated[str, StringConstraints(max_length=2000)]


class Strict(BaseModel):
    """Unknown fields are refused; numbers and booleans are strict (``Field(strict=True)``):
    ``"1"`` or ``true`` for a version, ``1`` or ``"yes"`` for a boolean are a 422, not
    quietly converted."""

    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class EventIn(Strict):
    id: EventId
    kind: EventKind
    at: AwareDatetime
    case_id: Ident | None = None
    room_id: Ident | None = None
    reason: CancellationReason | None = None
    #: what the producer calls itself (free text, kept in the batch's audit entry); never the
    #: actor: the stored source is the logged-in user who posted the batch
    source: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None


class EventBatch(Strict):
    events: list[EventIn] = Field(min_length=1, max_length=5000)


class CaseChangeIn(Strict):
    version: int = Field(ge=1, le=2**31 - 1, strict=True)
    why: Why = ""
    room_id: Ident | None = None
    session_id: Ident | None = None
    start_min: int | None = Field(default=None, ge=0, le=2 * 24 * 60, strict=True)
    planned_min: int | None = Field(default=None, ge=1, le=24 * 60, strict=True)
    position: int | None = Field(default=None, ge=1, le=1000, strict=True)
    status: Literal["planned", "cancelled", "done"] | None = None
    #: why a case is cancelled (with ``status: cancelled``; OTHER when not given)
    reason: CancellationReason | None = None


class ToldIn(Strict):
    #: how the patient was told (letter, phone, Helsenorge message …)
    why: Why = ""


class DecisionIn(Strict):
    accept: bool = Field(strict=True)
    why: Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class PorterRequestIn(Strict):
    room_id: Ident
    case_id: Ident | None = None


class PorterStatusIn(Strict):
    #: ``store.logistics.REQUEST_STATUSES``
    status: Literal["open", "acknowledged", "picked_up", "done"]


class PatientLinkIn(Strict):
    hours_valid: int = Field(default=72, ge=1, le=24 * 14, strict=True)


class PatientSessionIn(Strict):
    token: Annotated[str, StringConstraints(min_length=10, max_length=128)]


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class RepairEventIn(Strict):
    """What a repair job repairs the live plan for: ``room_closed`` (room_id, day),
    ``surgeon_absent`` (surgeon_id, day) or ``late_cancellation`` (case_id)."""

    kind: Literal["room_closed", "surgeon_absent", "late_cancellation"]
    room_id: Ident | None = None
    surgeon_id: Ident | None = None
    case_id: Ident | None = None
    day: date | None = None


class ScenarioIn(Strict):
    """A what-if on a capacity plan (``experiments.capacity.Scenario``): ``extra_rooms`` more
    rooms at ``location_id`` on ``weekday`` (0 = Monday), and/or ``factor`` of the sessions
    kept, in weeks ``first_week``..``last_week`` of the plan."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=80, strip_whitespace=True)]
    location_id: Ident | None = None
    weekday: int | None = Field(None, ge=0, le=6, strict=True)
    extra_rooms: int = Field(0, ge=0, le=50, strict=True)
    factor: float = Field(1.0, ge=0, le=1)
    first_week: int | None = Field(None, ge=1, le=26, strict=True)
    last_week: int | None = Field(None, ge=1, le=26, strict=True)


class JobIn(Strict):
    """A planning job: ``kind`` over ``days`` days from ``first_day`` (all locations, or one).
    ``time_limit_s`` bounds the optimiser's search; ``seed`` makes it reproducible; a repair
    job names its ``event``. A capacity or roster job plans ``weeks`` weeks (default 12 and 4)
    from the Monday ``first_day`` for all locations; ``days`` does not apply to it."""

    kind: Literal["optimise", "repair", "capacity", "roster"] = "optimise"
    first_day: date
    days: int = Field(1, ge=1, le=31, strict=True)
    location_id: Ident | None = None
    time_limit_s: float = Field(30.0, gt=0, le=3600, strict=True)
    seed: int = Field(0, ge=0, le=2**31 - 1, strict=True)
    event: RepairEventIn | None = None
    weeks: int | None = Field(None, ge=1, le=26, strict=True)
    #: a re-proposal: cases kept where they are in ``base_version_id``, cases left out
    base_version_id: int | None = Field(None, ge=1, le=2**63 - 1, strict=True)
    pinned: list[Ident] = Field(default_factory=list, max_length=2000)
    removed: list[Ident] = Field(default_factory=list, max_length=2000)
    #: a capacity job: scenarios simulated beside the plan on ``replications`` seeds
    scenarios: list[ScenarioIn] = Field(default_factory=list, max_length=8)
    replications: int = Field(0, ge=0, le=50, strict=True)
    #: an optimise job: propose under these edited local rules (TOML text, not saved) instead
    #: of the rules in force, to see a draft's effect on a new proposal
    rules_text: Annotated[str, StringConstraints(max_length=200_000)] | None = None


class RulesPreviewIn(Strict):
    """Edited local planning rules (the rule file's TOML text) to try before saving."""

    text: Annotated[str, StringConstraints(max_length=200_000)]


class RulesIn(RulesPreviewIn):
    """Edited rules to put in force, and why (recorded in the audit)."""

    why: Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]


class PublishIn(Strict):
    """Why the coordinator publishes this version (required: it is recorded in the audit)."""

    why: Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]


UnitId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")]


class RosterIn(Strict):
    """A roster as ``kontrolltarn roster`` writes it (JSON), stored as a unit's draft."""

    roster: dict[str, Any]
    why: Why = ""


class StaffRequestIn(Strict):
    """A swap (with ``colleague_id``; the colleague's shifts of ``colleague_day``, default
    ``day``, come back), an absence (``day`` to ``until``) or a wish for days off."""

    kind: Literal["swap", "absence", "wish"]
    day: date
    until: date | None = None
    colleague_id: Ident | None = None
    colleague_day: date | None = None
    note: Why = ""
