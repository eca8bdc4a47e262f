"""Live KPIs: ``kpi``'s functions on the store's event log and case histories, the same
functions and the same ``ExecutionLog.of`` builder as a simulated period."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query

from kontrolltarn import kpi
from kontrolltarn.model import ModelError
from kontrolltarn.store import Store

from ..auth import Need, Principal
from ..runtime import Runtime
from . import runtime

router = APIRouter(tags=["kpi"])
#: the longest period one request may ask for (a year and a day: a leap year's report)
MAX_DAYS = 366


def live_log(store: Store, first: date, last: date) -> kpi.ExecutionLog:
    """The days ``first``..``last`` as the KPIs' input, read from the store: the stored
    hospital (sessions, cases with their histories, referrals, emergencies, rooms) and the
    events from ``first``'s midnight to the midnight after the day after ``last`` (a session
    that runs past midnight still belongs to its day)."""
    if last < first:
        raise ModelError("last", last.isoformat(), f"must not be before first {first}")
    if last > date.max - timedelta(days=2):
        raise ModelError("last", last.isoformat(), "must be a day before the year 9999 ends")
    if (last - first).days + 1 > MAX_DAYS:
        raise ModelError("last", last.isoformat(), f"at most {MAX_DAYS} days from first {first}")
    hospital = store.hospital.load()
    if hospital is None:
        raise ModelError("hospital", None, "the store holds no hospital: import one")
    zone = ZoneInfo(hospital.timezone)
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=2), time(), zone)
    return kpi.ExecutionLog.of(hospital, first, last, store.events.between(start, end))


@router.get("/api/kpi")
def live_kpis(first: date | None = Query(None, description="first day (default: the board's)"),
              last: date | None = Query(None, description="last day (default: first)"),
              rt: Runtime = Depends(runtime),
              _: Principal = Need("kpi:read")) -> dict[str, Any]:
    """The headline KPIs of the days ``first``..``last`` (``kpi.headline``) and the
    utilisation per location, from what the store holds now (no patient data)."""
    first = first or rt.day
    last = last or first
    log = live_log(rt.store, first, last)
    return {"first": first.isoformat(), "last": last.isoformat(), "headline": kpi.headline(log),
            "utilisation_by_location": kpi.utilisation_by(log, "location")}
