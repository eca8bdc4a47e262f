"""Roster types: people, shift types, demand, shifts and the roster itself, plus JSON/CSV I/O.

Times are wall-clock datetimes in Europe/Oslo (naive: a roster never spans a timezone and the
Act counts wall-clock hours); solvers convert to whole minutes from the roster's first midnight.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from kontrolltarn.model import ModelError, StaffRole

#: Hours a full-time post works per week under the hospital agreements (minutes)
NURSE_ROTA_WEEK_MIN = 35 * 60 + 30  # three-shift rota nurses: 35.5 h
DOCTOR_ROTA_WEEK_MIN = 38 * 60


@dataclass(frozen=True, slots=True)
class ShiftType:
    """A shift pattern: starts ``start_min`` after a day's midnight and ends ``end_min`` after
    it (more than 1440 when it ends the next day). ``break_min`` is the unpaid break inside it."""

    code: str
    start_min: int
    end_min: int
    break_min: int = 0

    def __post_init__(self) -> None:
        if not self.code:
            raise ModelError("shift_type.code", self.code, "must be a non-empty code")
        if not 0 <= self.start_min < 24 * 60:
            raise ModelError(f"shift_type[{self.code}].start_min", self.start_min, "must be 0..1439")
        if not self.start_min < self.end_min <= self.start_min + 24 * 60:
            raise ModelError(
                f"shift_type[{self.code}].end_min",
                self.end_min,
                "must be after start_min and at most 24 h later",
            )
        if not 0 <= self.break_min < self.end_min - self.start_min:
            raise ModelError(
                f"shift_type[{self.code}].break_min",
                self.break_min,
                "must be shorter than the shift",
            )

    @property
    def worked_min(self) -> int:
        return self.end_min - self.start_min - self.break_min

    def on(self, day: date) -> tuple[datetime, datetime]:
        midnight = datetime.combine(day, datetime.min.time())
        return midnight + timedelta(minutes=self.start_min), midnight + timedelta(minutes=self.end_min)


#: The operating department's three shifts. Day covers the 08:00-15:30 sessions with handover.
DAY = ShiftType("D", 7 * 60 + 30, 15 * 60 + 30, 30)
EVENING = ShiftType("E", 15 * 60, 22 * 60 + 30, 0)
NIGHT = ShiftType("N", 22 * 60 + 15, 24 * 60 + 7 * 60 + 45, 30)
DEFAULT_SHIFT_TYPES = (DAY, EVENING, NIGHT)


@dataclass(frozen=True, slots=True)
class Person:
    """Someone on the roster. ``contract_week_min`` is the agreed weekly hours of the post;
    ``wants_off`` are dates asked off (a preference), ``unavailable`` dates that are not
    negotiable (leave, courses); ``avoid_shifts`` shift codes the person would rather not work.
    ``overtime_year_min`` is overtime already worked this calendar year before the roster."""

    id: str
    role: StaffRole
    location_id: str
    competences: frozenset[str] = frozenset()
    contract_week_min: int = NURSE_ROTA_WEEK_MIN
    unavailable: frozenset[date] = frozenset()
    wants_off: frozenset[date] = frozenset()
    avoid_shifts: frozenset[str] = frozenset()
    overtime_year_min: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            raise ModelError("person.id", self.id, "must be a non-empty id")
        if not isinstance(self.role, StaffRole):
            raise ModelError(f"person[{self.id}].role", self.role, "unknown role")
        if not 0 < self.contract_week_min <= 60 * 60:
            raise ModelError(
                f"person[{self.id}].contract_week_min",
                self.contract_week_min,
                "must be 1..3600 minutes",
            )


@dataclass(frozen=True, slots=True)
class Demand:
    """``count`` people of ``role`` at ``location_id`` present from ``start`` to ``end``; of
    them at least ``competences[c]`` must have competence ``c`` (the competence mix)."""

    location_id: str
    role: StaffRole
    start: datetime
    end: datetime
    count: int
    competences: Mapping[str, int] = field(default_factory=dict)
    shift_code: str = ""

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ModelError("demand.end", self.end.isoformat(), f"must be after {self.start}")
        if self.count < 0:
            raise ModelError("demand.count", self.count, "must be non-negative")
        for comp, need in self.competences.items():
            if not 0 <= need <= self.count:
                raise ModelError(f"demand.competences[{comp}]", need, f"must be 0..{self.count}")


@dataclass(frozen=True, slots=True)
class Shift:
    """One person working from ``start`` to ``end`` at ``location_id`` with an unpaid break."""

    person_id: str
    start: datetime
    end: datetime
    break_min: int = 0
    location_id: str = ""
    code: str = ""

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ModelError(
                f"shift[{self.person_id}].end",
                self.end.isoformat(),
                f"must be after start {self.start.isoformat()}",
            )
        if not 0 <= self.break_min < self.span_min:
            raise ModelError(
                f"shift[{self.person_id}].break_min",
                self.break_min,
                "must be shorter than the shift",
            )

    @property
    def span_min(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def worked_min(self) -> int:
        return self.span_min - self.break_min


@dataclass(frozen=True)
class Roster:
    """A roster of ``weeks`` weeks from Monday ``first_day``, published on ``published_on``."""

    first_day: date
    weeks: int
    people: tuple[Person, ...]
    shifts: tuple[Shift, ...]
    demand: tuple[Demand, ...] = ()
    published_on: date | None = None

    def __post_init__(self) -> None:
        if self.weeks < 1:
            raise ModelError("roster.weeks", self.weeks, "must be at least 1")
        ids = [p.id for p in self.people]
        if len(ids) != len(set(ids)):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise ModelError("roster.people.id", dup, "duplicate id")
        known = set(ids)
        for s in self.shifts:
            if s.person_id not in known:
                raise ModelError("shift.person_id", s.person_id, "unknown person")

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=k) for k in range(7 * self.weeks)]

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, datetime.min.time())

    @cached_property
    def person_by_id(self) -> dict[str, Person]:
        return {p.id: p for p in self.people}

    @cached_property
    def shifts_by_day(self) -> dict[date, list[Shift]]:
        """Shifts by the date they start on (a request touches a few days of a large roster)."""
        result: dict[date, list[Shift]] = {}
        for s in self.shifts:
            result.setdefault(s.start.date(), []).append(s)
        return result

    @cached_property
    def shifts_by_person(self) -> dict[str, list[Shift]]:
        result: dict[str, list[Shift]] = {p.id: [] for p in self.people}
        for s in self.shifts:
            result[s.person_id].append(s)
        for shifts in result.values():
            shifts.sort(key=lambda s: s.start)
        return result


# ---- JSON and CSV ---------------------------------------------------------------------------
def _dt(value: Any, field_name: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ModelError(field_name, value, "must be an ISO datetime such as 2026-12-14T07:30") from None


def _d(value: Any, field_name: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ModelError(field_name, value, "must be an ISO date such as 2026-12-14") from None


def roster_to_dict(roster: Roster) -> dict[str, Any]:
    return {
        "first_day": roster.first_day.isoformat(),
        "weeks": roster.weeks,
        "published_on": roster.published_on.isoformat() if roster.published_on else None,
        "people": [
            {
                "id": p.id,
                "name": p.name,
                "role": p.role.value,
                "location_id": p.location_id,
                "competences": sorted(p.competences),
                "contract_week_min": p.contract_week_min,
                "unavailable": sorted(d.isoformat() for d in p.unavailable),
                "wants_off": sorted(d.isoformat() for d in p.wants_off),
                "avoid_shifts": sorted(p.avoid_shifts),
                "overtime_year_min": p.overtime_year_min,
            }
            for p in roster.people
        ],
        "shifts": [
            {
                "person_id": s.person_id,
                "start": s.start.isoformat(timespec="minutes"),
                "end": s.end.isoformat(timespec="minutes"),
                "break_min": s.break_min,
                "location_id": s.location_id,
                "code": s.code,
            }
            for s in roster.shifts
        ],
        "demand": [
            {
                "location_id": d.location_id,
                "role": d.role.value,
                "start": d.start.isoformat(timespec="minutes"),
                "end": d.end.isoformat(timespec="minutes"),
                "count": d.count,
                "competences": dict(d.competences),
                "shift_code": d.shift_code,
            }
            for d in roster.demand
        ],
    }


def _role(value: Any, field_name: str) -> StaffRole:
    try:
        return StaffRole(value)
    except ValueError:
        raise ModelError(field_name, value, f"unknown role; one of {[r.value for r in StaffRole]}") from None


def roster_from_dict(data: Mapping[str, Any]) -> Roster:
    """The inverse of ``roster_to_dict``; a malformed field raises ``ModelError`` naming it."""
    try:
        people = tuple(
            Person(
                id=p["id"],
                name=p.get("name", ""),
                role=_role(p["role"], f"people[{i}].role"),
                location_id=p["location_id"],
                competences=frozenset(p.get("competences", ())),
                contract_week_min=int(p.get("contract_week_min", NURSE_ROTA_WEEK_MIN)),
                unavailable=frozenset(_d(x, f"people[{i}].unavailable") for x in p.get("unavailable", ())),
                wants_off=frozenset(_d(x, f"people[{i}].wants_off") for x in p.get("wants_off", ())),
                avoid_shifts=frozenset(p.get("avoid_shifts", ())),
                overtime_year_min=int(p.get("overtime_year_min", 0)),
            )
            for i, p in enumerate(data["people"])
        )
        shifts = tuple(
            Shift(
                person_id=s["person_id"],
                start=_dt(s["start"], f"shifts[{i}].start"),
                end=_dt(s["end"], f"shifts[{i}].end"),
                break_min=int(s.get("break_min", 0)),
                location_id=s.get("location_id", ""),
                code=s.get("code", ""),
            )
            for i, s in enumerate(data["shifts"])
        )
        demand = tuple(
            Demand(
                location_id=d["location_id"],
                role=_role(d["role"], f"demand[{i}].role"),
                start=_dt(d["start"], f"demand[{i}].start"),
                end=_dt(d["end"], f"demand[{i}].end"),
                count=int(d["count"]),
                competences={k: int(v) for k, v in d.get("competences", {}).items()},
                shift_code=d.get("shift_code", ""),
            )
            for i, d in enumerate(data.get("demand", ()))
        )
        published = data.get("published_on")
        return Roster(
            _d(data["first_day"], "first_day"),
            int(data["weeks"]),
            people,
            shifts,
            demand,
            _d(published, "published_on") if published else None,
        )
    except KeyError as missing:
        raise ModelError(str(missing.args[0]), None, "required field is missing") from None


def save_roster(roster: Roster, path: str | Path) -> None:
    """JSON (``.json``) or one row per shift (``.csv``); written whole or not at all."""
    path = Path(path)
    text = (
        roster_to_csv(roster)
        if path.suffix == ".csv"
        else json.dumps(roster_to_dict(roster), ensure_ascii=False, indent=1)
    )
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def load_roster(path: str | Path) -> Roster:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ModelError("roster", str(path), f"not valid JSON: {err}") from None
    return roster_from_dict(data)


def roster_to_csv(roster: Roster) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["person_id", "role", "location_id", "date", "code", "start", "end", "break_min"])
    for s in sorted(roster.shifts, key=lambda s: (s.person_id, s.start)):
        p = roster.person_by_id[s.person_id]
        writer.writerow(
            [
                s.person_id,
                p.role.value,
                s.location_id,
                s.start.date().isoformat(),
                s.code,
                s.start.isoformat(timespec="minutes"),
                s.end.isoformat(timespec="minutes"),
                s.break_min,
            ]
        )
    return out.getvalue()
