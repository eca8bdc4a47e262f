"""What the KPIs are computed from: the event log and the plan history of a period.

The same input comes from a simulated year or from the live system's store, so one KPI
implementation serves both. Times are read in the hospital's time zone, as minutes past the
midnight of the day (wall clock, the convention of sessions and program entries).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from zoneinfo import ZoneInfo

from kontrolltarn.model import (
    TIMEZONE,
    Case,
    EmergencyRequest,
    Event,
    EventKind,
    Hospital,
    ModelError,
    Referral,
    Session,
)


@dataclass(frozen=True)
class ExecutionLog:
    """Events, staffed sessions and case histories of the days ``first``..``last``.

    ``room_location`` maps room id to location id (for figures per location); ``budget`` holds
    the activity target per specialty for the period, if there is one."""

    first: date
    last: date
    events: Sequence[Event]
    sessions: Sequence[Session]
    cases: Sequence[Case]
    referrals: Mapping[str, Referral]
    emergencies: Sequence[EmergencyRequest] = ()
    room_location: Mapping[str, str] = field(default_factory=dict)
    budget: Mapping[str, float] = field(default_factory=dict)
    timezone: str = TIMEZONE

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ModelError("log.last", self.last, f"must not be before first {self.first}")

    @classmethod
    def of(cls, hospital: Hospital, first: date, last: date, events: Iterable[Event], *,
           sessions: Sequence[Session] | None = None, cases: Sequence[Case] | None = None,
           referrals: Mapping[str, Referral] | None = None,
           emergencies: Sequence[EmergencyRequest] | None = None,
           budget: Mapping[str, float] | None = None) -> ExecutionLog:
        """The log of the days ``first``..``last`` of ``hospital``: the one way both a simulated
        and a live period become the KPIs' input. Rooms map to their locations and times are
        read in the hospital's zone; a part not given is the hospital's own (the live store's
        hospital holds its sessions, cases with their histories, referrals and emergencies; a
        simulation passes what it ran instead)."""
        return cls(first=first, last=last, events=list(events),
                   sessions=list(hospital.sessions if sessions is None else sessions),
                   cases=list(hospital.cases if cases is None else cases),
                   referrals=dict(hospital.referral_by_id if referrals is None else referrals),
                   emergencies=list(hospital.emergencies if emergencies is None else emergencies),
                   room_location={r.id: r.location_id for r in hospital.rooms},
                   budget=dict(budget or {}), timezone=hospital.timezone)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone).replace(tzinfo=None)

    def minute_of(self, at: datetime, day: date) -> float:
        """Minutes past ``day``'s midnight (wall clock); may exceed 1440 for late evenings."""
        return (self.local(at) - datetime.combine(day, time())).total_seconds() / 60

    def in_period(self, day: date) -> bool:
        return self.first <= day <= self.last

    @cached_property
    def events_by_room(self) -> dict[str, list[Event]]:
        grouped: dict[str, list[Event]] = defaultdict(list)
        for event in self.events:
            if event.room_id is not None and event.kind in (EventKind.IN_ROOM, EventKind.OUT_OF_ROOM,
                                                            EventKind.ROOM_READY):
                grouped[event.room_id].append(event)
        for events in grouped.values():
            events.sort(key=lambda e: e.at)
        return dict(grouped)

    @cached_property
    def emergency_by_id(self) -> dict[str, EmergencyRequest]:
        return {e.id: e for e in self.emergencies}
