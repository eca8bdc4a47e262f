"""The planning workspace's views: a week of the program as a Gantt per location and room, and a
proposed version compared with the live (published) plan of its days.

The comparison names what a coordinator decides on: the cases moved, added and taken out, the
patients already told a date whom the proposal would affect, and the KPIs of both side by side
(planned utilisation, mean overrun chance, deadline breaches, mean waiting time), each measured
the same way for both: ``plan.check`` for the program KPIs, the optimiser's overrun measure
(``plan.program.program_overrun_chances``) with the service's duration model; and the
proposal's sessions whose staffed hours could end earlier (staffed hours from need).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta
from typing import Any

from kontrolltarn.model import Hospital, Program, ProgramEntry
from kontrolltarn.plan.check import LocalRules, check
from kontrolltarn.plan.program import ProgramSettings, program_overrun_chances, program_staffed_ends
from kontrolltarn.predict import CaseDurations, DurationSource
from kontrolltarn.present.colours import colour_map

#: the KPIs shown side by side (DOMAIN.md names), and which way is better
KPIS = {"planned_utilisation": "higher", "overrun_chance": "lower",
        "deadline_breaches": "lower", "mean_wait_days": "lower", "cases": "higher"}


def entry_view(hospital: Hospital, e: ProgramEntry, told: Collection[str],
               pinned: Collection[str] = ()) -> dict[str, Any]:
    """One case in the Gantt: where and when, and what the coordinator needs to see on it."""
    referral = hospital.referral_by_id.get(e.case_id)
    view: dict[str, Any] = {
        "case_id": e.case_id, "session_id": e.session_id, "room_id": e.room_id,
        "date": e.date.isoformat(), "start_min": e.start_min, "end_min": e.end_min,
        "surgeon_id": e.surgeon_id, "told": e.case_id in told, "pinned": e.case_id in pinned}
    if referral is not None:
        view.update({
            "specialty_id": referral.specialty_id, "procedure_code": referral.procedure_code,
            "priority": referral.priority.name, "deadline": referral.deadline.isoformat(),
            "late": e.date > referral.deadline, "ready": referral.ready,
            "missing": sorted(i.value for i in referral.readiness_missing)})
    return view


def week_view(hospital: Hospital, entries: Iterable[ProgramEntry], first: date, days: int,
              told: Collection[str]) -> dict[str, Any]:
    """The days' elective sessions per location and room, with the cases planned in them."""
    last = first + timedelta(days=days - 1)
    sessions = [s for s in hospital.sessions_between(first, last) if not s.emergency]
    rooms = sorted({s.room_id for s in sessions})
    return {
        "first_day": first.isoformat(), "days": days,
        "locations": [{"id": loc.id, "name": loc.name,
                       "rooms": [r for r in rooms if hospital.room_by_id[r].location_id == loc.id]}
                      for loc in hospital.locations],
        "room_names": {r: hospital.room_by_id[r].name for r in rooms},  # ids are not for people
        "sessions": [{"id": s.id, "room_id": s.room_id, "date": s.date.isoformat(),
                      "start_min": s.start_min, "end_min": s.end_min,
                      "specialty_id": s.specialty_id} for s in sessions],
        "entries": [entry_view(hospital, e, told) for e in entries if first <= e.date <= last],
        "colours": colour_map(sorted(sp.id for sp in hospital.specialties)),
        "specialties": {sp.id: sp.name for sp in hospital.specialties},
    }


def program_kpis(hospital: Hospital, program: Program, durations: DurationSource | None,
                 rules: LocalRules | None = None) -> dict[str, float]:
    """The side-by-side KPIs of one program (see ``KPIS``), judged under ``rules``."""
    report = check(hospital, program, rules)
    chances = program_overrun_chances(hospital, program, durations or CaseDurations())
    return {"planned_utilisation": round(report.kpis["planned_utilisation"], 4),
            "overrun_chance": round(sum(chances.values()) / len(chances), 4) if chances else 0.0,
            "deadline_breaches": report.kpis["deadline_breaches"],
            "mean_wait_days": round(report.kpis["mean_wait_days"], 1),
            "cases": report.kpis["cases"], "feasible": float(report.feasible)}


def staffed_from_need(hospital: Hospital, program: Program, durations: DurationSource | None,
                      settings: ProgramSettings | None = None) -> list[dict[str, Any]]:
    """The sessions of ``program`` whose staffed hours could end earlier, in whole steps,
    with their lists still within ``risk.give_back_within`` (``plan.program.program_staffed_ends``,
    the optimiser's and the control practice's rule): a proposal for the person who staffs the
    rooms, not applied."""
    risk = (settings or ProgramSettings.from_toml()).risk
    ends = program_staffed_ends(hospital, program, durations or CaseDurations(),
                                risk=risk.give_back_within, step_min=risk.give_back_step_min,
                                overrun_min=risk.overrun_min)
    rows = []
    for session_id, end in sorted(ends.items()):
        session = hospital.session_by_id[session_id]
        rows.append({"session_id": session_id, "room_id": session.room_id,
                     "room": hospital.room_by_id[session.room_id].name,
                     "date": session.date.isoformat(), "end_min": session.end_min,
                     "proposed_end_min": end, "minutes": session.end_min - end})
    return rows


def compare(hospital: Hospital, current: Program, proposal: Program, told: Collection[str],
            durations: DurationSource | None = None,
            rules: LocalRules | None = None,
            settings: ProgramSettings | None = None) -> dict[str, Any]:
    """The proposal against the current plan of the same days (module docstring), and the
    proposal's sessions that could end earlier (``staffed_from_need``)."""
    before = {e.case_id: e for e in current.entries}
    after = {e.case_id: e for e in proposal.entries}
    moved = [{"case_id": c, "from": _where(before[c]), "to": _where(after[c]),
              "told": c in told}
             for c in sorted(before.keys() & after.keys())
             if _where(before[c]) != _where(after[c]) or before[c].session_id != after[c].session_id]
    removed = [{"case_id": c, "from": _where(before[c]), "told": c in told}
               for c in sorted(before.keys() - after.keys())]
    added = [{"case_id": c, "to": _where(after[c])} for c in sorted(after.keys() - before.keys())]
    affected = sorted({c for c in before.keys() & after.keys()
                       if c in told and before[c].date != after[c].date}
                      | {c for c in before.keys() - after.keys() if c in told})
    return {"moved": moved, "removed": removed, "added": added, "told_affected": affected,
            "kpis": {"published": program_kpis(hospital, current, durations, rules),
                     "proposal": program_kpis(hospital, proposal, durations, rules)},
            "better": KPIS,
            "staffed_from_need": staffed_from_need(hospital, proposal, durations, settings)}


def _where(e: ProgramEntry) -> dict[str, Any]:
    return {"date": e.date.isoformat(), "room_id": e.room_id, "start_min": e.start_min}


def rules_effect(hospital: Hospital, program: Program, before: LocalRules,
                 after: LocalRules) -> dict[str, Any]:
    """What edited rules change for ``program`` (next week's proposal): per location, the
    local-rule breaches under the rules in force and under the edit, and the edit's breaches
    listed (the next proposal will keep the edited rules, so these cases move)."""
    def local(rules: LocalRules) -> list[Any]:
        return [v for v in check(hospital, program, rules).hard if v.constraint.startswith("local rule")]

    def location_of(refs: tuple[str, ...]) -> str:
        entries = {e.case_id: e for e in program.entries}
        for ref in refs:
            if ref in entries:
                return hospital.room_by_id[entries[ref].room_id].location_id
        return "-"

    now, then = local(before), local(after)
    per_location: dict[str, dict[str, int]] = {}
    for key, found in (("in_force", now), ("edited", then)):
        for v in found:
            per_location.setdefault(location_of(v.refs), {"in_force": 0, "edited": 0})[key] += 1
    return {"per_location": per_location,
            "breaches": [{"rule": v.constraint, "detail": v.detail, "cases": list(v.refs),
                          "location_id": location_of(v.refs)} for v in then[:200]]}
