"""The planning workspace: a week of the program per location and room, a proposed version
compared with the live plan it would replace, and the local planning rules in force (with where
the locations differ). Proposing is a job (``POST /api/jobs``, with pins and removals for a
re-proposal); publishing is ``POST /api/programs/versions/{id}/publish``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from kontrolltarn.model import Program
from kontrolltarn.plan.check import LocalRules, rule_parts, shipped_rules
from kontrolltarn.store import UnknownVersion

from ..auth import Need, Principal
from ..runtime import Runtime
from ..schemas import RowId, RulesIn, RulesPreviewIn
from ..workspace import compare, rules_effect, week_view
from . import runtime

router = APIRouter(tags=["workspace"])


@router.get("/api/workspace/week")
def week(first_day: date, days: int = Query(5, ge=1, le=14), rt: Runtime = Depends(runtime),
         _: Principal = Need("program:read")) -> dict[str, Any]:
    """The live plan of ``days`` days from ``first_day``: sessions per location and room, each
    case with its specialty, deadline, readiness and whether the patient was told the date."""
    last = first_day.fromordinal(first_day.toordinal() + days - 1)
    planned = [p.entry for p in rt.store.plans.between(first_day, last) if p.status == "planned"]
    told = rt.store.plans.told([e.case_id for e in planned])
    view = week_view(rt.hospital, planned, first_day, days, told)
    published = rt.store.programs.published_for(first_day)
    view["published_version_id"] = published.id if published is not None else None
    return view


@router.get("/api/programs/versions/{version_id}/compare")
async def compare_version(version_id: RowId, rt: Runtime = Depends(runtime),
                          _: Principal = Need("program:read")) -> dict[str, Any]:
    """The version against the live plan of its days (and location): cases moved, added and
    taken out, patients already told a date who would be affected, KPIs side by side; and the
    version's own cases for the Gantt."""
    try:
        v = rt.store.programs.get(version_id)
    except UnknownVersion:
        raise HTTPException(404, f"program version {version_id} not found") from None
    hospital = rt.hospital
    rooms = None if v.location_id is None else {
        r.id for r in hospital.rooms if r.location_id == v.location_id}
    current = Program(tuple(p.entry for p in rt.store.plans.between(v.first_day, v.last_day)
                            if p.status == "planned" and (rooms is None or p.entry.room_id in rooms)))
    told = rt.store.plans.told([e.case_id for e in current.entries])
    result = await run_in_threadpool(compare, hospital, current, v.program, told,
                                     rt.models.durations, rt.local_rules())
    view = week_view(hospital, v.program.entries, v.first_day, v.days, told)
    return {"version_id": v.id, "status": v.status, **result, "week": view}


#: the language the rules' limits are worded in (the page's)
Lang = Literal["nb", "en"]


def _rules_view(local: LocalRules, rt: Runtime, lang: str = "nb") -> dict[str, Any]:
    h = rt.hospital
    return {"source": local.source,
            "rules": [{"scope": r.scope, "note": r.note, "limits": rule_parts(r, lang)}
                      for r in local.all_rules()],
            "locations": [loc.id for loc in h.locations],
            "differences": local.differences([loc.id for loc in h.locations],
                                             [s.id for s in h.specialties], lang),
            "targets": {sid: {"utilisation": r.utilisation_target, "activity": r.activity_target}
                        for sid, r in local.specialty.items()
                        if r.utilisation_target is not None or r.activity_target is not None}}


def _text_in_force(rt: Runtime) -> tuple[str, int | None]:
    saved = rt.store.rules.current()
    if saved is not None:
        return saved.text, saved.id
    return Path(shipped_rules().source).read_text(encoding="utf-8"), None


@router.get("/api/workspace/rules")
def rules(lang: Lang = "nb", rt: Runtime = Depends(runtime),
          _: Principal = Need("program:read")) -> dict[str, Any]:
    """The local planning rules in force (their text, one line per scope, each specialty's
    targets) and, per specialty, where the locations' merged rules differ (side by side)."""
    text, version = _text_in_force(rt)
    return {"text": text, "version": version, **_rules_view(rt.local_rules(), rt, lang)}


def _next_proposal(rt: Runtime) -> Program | None:
    """The newest proposed (else published) version from today on: "next week's proposal"."""
    for status in ("proposed", "published"):
        for v in rt.store.programs.recent(status, 20):
            if v.last_day >= rt.day:
                return v.program
    return None


@router.post("/api/workspace/rules/preview")
async def preview(body: RulesPreviewIn, lang: Lang = "nb", rt: Runtime = Depends(runtime),
                  who: Principal = Need("rules:write")) -> dict[str, Any]:
    """Edited rules tried without saving them (only the try is audited): refused with the key
    and the value when they do not load (422); else the rules, where locations differ, and the
    effect on next week's proposal, per location."""
    edited = LocalRules.from_text(body.text, "edit")
    rt.store.audit.record(who.username, who.role.value, "rules.preview", "planning_rules",
                          detail={"chars": len(body.text)})
    program = _next_proposal(rt)
    effect = None if program is None else await run_in_threadpool(
        rules_effect, rt.hospital, program, rt.local_rules(), edited)
    return {**_rules_view(edited, rt, lang), "effect": effect}


@router.put("/api/workspace/rules")
def save_rules(body: RulesIn, rt: Runtime = Depends(runtime),
               who: Principal = Need("rules:write")) -> dict[str, Any]:
    """Put edited rules in force (validated first: a 422 names the key and the value and saves
    nothing); audited with why. The next proposal, repair and check judge by them."""
    LocalRules.from_text(body.text, "edit")
    saved = rt.store.rules.save(body.text, by=who.actor, why=body.why)
    return {"version": saved.id, "saved_by": saved.saved_by, "why": saved.why,
            **_rules_view(rt.local_rules(), rt)}
