"""Model → FHIR R4: the hospital as a collection Bundle, a program as Appointments on Slots.

What FHIR has an element for goes there (Location.partOf, PractitionerRole.notAvailable,
ServiceRequest.authoredOn, Slot.start ...); Norwegian identifiers use the no-basis systems and
the deadline Helsenorge's ``no-frist-for-helsehjelp``; the rest travels in Kontrolltårn
extensions so that model → FHIR → model gives the same model. A referral's case history
(``Hospital.cases``) travels as ``case-change`` extensions on its ServiceRequest.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kontrolltarn.formats import norwegian_ids as nid
from kontrolltarn.formats.fhir import systems as s
from kontrolltarn.formats.native import to_jsonable
from kontrolltarn.model import Case, Hospital, Priority, Program, StaffRole

PRIORITY_TO_FHIR = {Priority.P1: "asap", Priority.P2: "urgent", Priority.P3: "routine",
                    Priority.P4: "routine"}
HOSPITAL_ORG_ID = "hospital"


class _Ids:
    """FHIR ids unique per resource type; a model id FHIR cannot hold becomes a digest."""

    def __init__(self) -> None:
        self._given: dict[tuple[str, str], str] = {}
        self._taken: dict[str, set[str]] = defaultdict(set)

    def __call__(self, fhir_type: str, kind: str, model_id: str) -> str:
        key = (kind, model_id)
        if key not in self._given:
            candidate = s.fhir_id(model_id)
            if candidate in self._taken[fhir_type]:
                candidate = s.fhir_id(f"{kind}:{model_id}")
            self._taken[fhir_type].add(candidate)
            self._given[key] = candidate
        return self._given[key]


def _own_id(model_id: str) -> dict[str, str]:
    return {"system": s.KT_ID, "value": model_id}


def _wall_clock(day: date, minute: int, tz: ZoneInfo) -> str:
    """ISO date-time with offset for ``minute`` past ``day``'s midnight, wall-clock time."""
    local = datetime.combine(day, time()) + timedelta(minutes=minute)
    return local.replace(tzinfo=tz).isoformat()


def _after(day: date, start_min: int, minutes: int, tz: ZoneInfo) -> str:
    """The moment ``minutes`` of elapsed time after the wall-clock start: an end time that
    stays right across a change to or from summer time."""
    start = (datetime.combine(day, time()) + timedelta(minutes=start_min)).replace(tzinfo=tz)
    return (start.astimezone(ZoneInfo("UTC")) + timedelta(minutes=minutes)).astimezone(tz).isoformat()


def _prune(value: Any) -> Any:
    """FHIR allows no empty strings, lists or objects: leave such elements out (the reader
    reads a missing name as the empty name)."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in ("", [], {}, None)}
    if isinstance(value, list):
        items = [_prune(v) for v in value]
        return [v for v in items if v not in ("", [], {}, None)]
    return value


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"{resource['resourceType']}/{resource['id']}", "resource": _prune(resource)}


def hospital_to_bundle(hospital: Hospital, program: Program | None = None) -> dict[str, Any]:
    """A FHIR R4 ``collection`` Bundle holding the hospital (and the program, if given)."""
    ids = _Ids()
    tz = ZoneInfo(hospital.timezone)
    resources: list[dict[str, Any]] = [_organization(hospital)]
    resources += _locations(hospital, ids)
    resources += _staff(hospital, ids)
    resources += _patients(hospital, ids)
    resources += _requests(hospital, ids, tz)
    resources += _schedules(hospital, ids, tz)
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "collection",
                              "timestamp": datetime.combine(hospital.today, time())
                              .replace(tzinfo=tz).isoformat()}
    if program is not None:
        resources += _appointments(hospital, program, ids, tz)
        bundle["meta"] = {"tag": [{"system": s.KT_PROGRAM, "code": program.method}]}
    bundle["entry"] = [_entry(r) for r in resources]
    return bundle


def program_to_bundle(hospital: Hospital, program: Program) -> dict[str, Any]:
    """The program alone: Appointments with the Schedules and Slots they book. The Patients,
    Practitioners, Locations and ServiceRequests are referred to, not repeated."""
    ids = _Ids()
    tz = ZoneInfo(hospital.timezone)
    used = {e.session_id for e in program.entries}
    sessions = [x for x in hospital.sessions if x.id in used]
    resources = _schedules(hospital, ids, tz, sessions) + _appointments(hospital, program, ids, tz)
    return {"resourceType": "Bundle", "type": "collection",
            "meta": {"tag": [{"system": s.KT_PROGRAM, "code": program.method}]},
            "entry": [_entry(r) for r in resources]}


def _organization(h: Hospital) -> dict[str, Any]:
    ext = [s.complex_ext(s.EXT_HOSPITAL, [
        ("today", "valueDate", h.today.isoformat()), ("timezone", "valueString", h.timezone),
        ("allowedOvertime", "valueInteger", h.allowed_overtime_min),
        ("meta", "valueString", json.dumps(to_jsonable(h.meta), ensure_ascii=False)),
    ])]
    for sp in h.specialties:
        ext.append(s.complex_ext(s.EXT_SPECIALTY, [
            ("id", "valueString", sp.id), ("name", "valueString", sp.name),
            ("turnover", "valueInteger", sp.turnover_min)]))
    for eq in h.equipment:
        ext.append(s.complex_ext(s.EXT_EQUIPMENT, [
            ("id", "valueString", eq.id), ("name", "valueString", eq.name),
            ("mobile", "valueBoolean", eq.mobile),
            *[("count", "valueString", f"{loc}={n}") for loc, n in eq.count_per_location.items()]]))
    for p in h.procedures:
        ext.append(s.complex_ext(s.EXT_PROCEDURE, [
            ("code", "valueString", p.code), ("name", "valueString", p.name),
            ("specialty", "valueString", p.specialty_id),
            ("median", "valueDecimal", float(p.duration.median)),
            ("sigma", "valueDecimal", float(p.duration.sigma)),
            *[("equipment", "valueString", e) for e in sorted(p.equipment)],
            ("bedType", "valueString", p.bed_type.value),
            ("competence", "valueString", p.competence)]))
    return {"resourceType": "Organization", "id": HOSPITAL_ORG_ID, "extension": ext,
            "active": True, "name": h.name}


def _physical(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": s.LOCATION_PHYSICAL_TYPE, "code": code, "display": display}]}


def _locations(h: Hospital, ids: _Ids) -> list[dict[str, Any]]:
    out = []
    for loc in h.locations:
        beds = [s.complex_ext(s.EXT_POST_OP_BEDS, [("bedType", "valueString", b.value),
                                                   ("count", "valueInteger", n)])
                for b, n in loc.post_op_beds.items()]
        out.append({"resourceType": "Location", "id": ids("Location", "site", loc.id),
                    **({"extension": beds} if beds else {}),
                    "identifier": [_own_id(loc.id)], "status": "active", "name": loc.name,
                    "mode": "instance", "physicalType": _physical("si", "Site"),
                    "managingOrganization": {"reference": f"Organization/{HOSPITAL_ORG_ID}"}})
    for room in h.rooms:
        ext = [s.ext(s.EXT_ROOM_SPECIALTY, valueCode=x) for x in sorted(room.specialties)]
        ext += [s.ext(s.EXT_ROOM_EQUIPMENT, valueCode=x) for x in sorted(room.equipment)]
        if room.emergency:
            ext.append(s.ext(s.EXT_EMERGENCY, valueBoolean=True))
        out.append({"resourceType": "Location", "id": ids("Location", "room", room.id),
                    "extension": ext, "identifier": [_own_id(room.id)], "status": "active",
                    "name": room.name, "mode": "instance", "physicalType": _physical("ro", "Room"),
                    "partOf": {"reference": f"Location/{ids('Location', 'site', room.location_id)}"}})
    return out


def _specialty_concept(h: Hospital, specialty_id: str) -> dict[str, Any]:
    sp = h.specialty_by_id.get(specialty_id)
    return {"coding": [{"system": s.KT_SPECIALTY, "code": specialty_id,
                        **({"display": sp.name} if sp and sp.name else {})}]}


def _staff(h: Hospital, ids: _Ids) -> list[dict[str, Any]]:
    out = []
    for person in h.staff:
        pid = ids("Practitioner", "staff", person.id)
        identifiers = [_own_id(person.id)]
        if person.hpr:
            system = s.HPR_SYSTEM if nid.check_register_number(person.hpr, nid.Kind.HPR).accepted \
                else s.KT_SYNTHETIC_HPR
            identifiers.append({"system": system, "value": person.hpr})
        practitioner: dict[str, Any] = {"resourceType": "Practitioner", "id": pid,
                                        "identifier": identifiers, "active": True}
        if person.name:
            practitioner["name"] = [{"text": person.name}]
        role: dict[str, Any] = {
            "resourceType": "PractitionerRole", "id": ids("PractitionerRole", "role", person.id),
            "extension": [s.ext(s.EXT_COMPETENCE, valueCode=c) for c in sorted(person.competences)],
            "active": True, "practitioner": {"reference": f"Practitioner/{pid}"},
            "organization": {"reference": f"Organization/{HOSPITAL_ORG_ID}"},
            "code": [{"coding": [{"system": s.KT_STAFF_ROLE, "code": person.role.value}]}]}
        if not role["extension"]:
            del role["extension"]
        if person.specialty_id is not None:
            role["specialty"] = [_specialty_concept(h, person.specialty_id)]
        if person.location_ids:
            role["location"] = [{"reference": f"Location/{ids('Location', 'site', x)}"}
                                for x in sorted(person.location_ids)]
        if person.unavailable:
            role["notAvailable"] = [{"description": "unavailable",
                                     "during": {"start": d.isoformat(), "end": d.isoformat()}}
                                    for d in sorted(person.unavailable)]
        out += [practitioner, role]
    return out


def _patients(h: Hospital, ids: _Ids) -> list[dict[str, Any]]:
    out = []
    for p in h.patients:
        identifiers = [_own_id(p.id)]
        if p.national_id:
            kind = nid.person_number_kind(p.national_id)
            system = {nid.Kind.FNR: s.FNR_SYSTEM, nid.Kind.DNR: s.DNR_SYSTEM}.get(
                kind, s.KT_SYNTHETIC_NATIONAL_ID) if kind else s.KT_SYNTHETIC_NATIONAL_ID
            identifiers.append({"system": system, "value": p.national_id})
        out.append({"resourceType": "Patient", "id": ids("Patient", "patient", p.id),
                    "extension": [s.ext(s.EXT_ASA, valueInteger=p.asa),
                                  s.ext(s.EXT_BMI, valueDecimal=float(p.bmi))],
                    "identifier": identifiers,
                    "gender": {"M": "male", "F": "female"}.get(p.sex, "unknown"),
                    "birthDate": p.birth_date.isoformat()})
    return out


def case_extensions(case: Case) -> list[dict[str, Any]]:
    """A case history as extensions of its ServiceRequest: one per change, in time order."""
    if not case.history:
        return [s.ext(s.EXT_CASE, valueBoolean=True)]
    return [s.complex_ext(s.EXT_CASE_CHANGE, [
        ("at", "valueDateTime", c.at.isoformat()), ("kind", "valueCode", c.kind.value),
        ("newDate", "valueDate", c.new_date.isoformat() if c.new_date else None),
        ("oldDate", "valueDate", c.old_date.isoformat() if c.old_date else None),
        ("reason", "valueCode", c.reason.value if c.reason else None),
        ("by", "valueString", c.by), ("note", "valueString", c.note)]) for c in case.history]


def _procedure_concept(h: Hospital, code: str) -> dict[str, Any]:
    proc = h.procedure_by_id.get(code)
    return {"coding": [{"system": s.NKPK, "code": code,
                        **({"display": proc.name} if proc and proc.name else {})}]}


def _requests(h: Hospital, ids: _Ids, tz: ZoneInfo) -> list[dict[str, Any]]:
    out = []
    for r in h.referrals:
        ext = [s.ext(s.HN_DEADLINE, valueDateTime=r.deadline.isoformat()),
               s.ext(s.EXT_PRIORITY, valueInteger=int(r.priority)),
               s.ext(s.EXT_BOOKED_MIN, valueInteger=r.booked_min),
               s.ext(s.EXT_SPECIALTY_REF, valueCode=r.specialty_id)]
        ext += [s.ext(s.EXT_READINESS, valueCode=x.value)
                for x in sorted(r.readiness_missing, key=lambda x: x.value)]
        if r.infected:
            ext.append(s.ext(s.EXT_INFECTED, valueBoolean=True))
        case = h.case_by_id.get(r.id)
        if case is not None:
            ext += case_extensions(case)
        resource: dict[str, Any] = {
            "resourceType": "ServiceRequest", "id": ids("ServiceRequest", "referral", r.id),
            "extension": ext, "identifier": [_own_id(r.id)], "status": "active",
            "intent": "order", "priority": PRIORITY_TO_FHIR[r.priority],
            "code": _procedure_concept(h, r.procedure_code),
            "subject": {"reference": f"Patient/{ids('Patient', 'patient', r.patient_id)}"},
            "authoredOn": r.referral_date.isoformat()}
        if r.surgeon_id is not None:
            resource["performer"] = [
                {"reference": f"Practitioner/{ids('Practitioner', 'staff', r.surgeon_id)}"}]
        if r.note:
            resource["note"] = [{"text": r.note}]
        out.append(resource)
    for em in h.emergencies:
        out.append({
            "resourceType": "ServiceRequest", "id": ids("ServiceRequest", "emergency", em.id),
            "extension": [s.ext(s.EXT_URGENCY, valueCode=em.urgency.value),
                          s.ext(s.EXT_BOOKED_MIN, valueInteger=em.booked_min),
                          s.ext(s.EXT_SPECIALTY_REF, valueCode=em.specialty_id)],
            "identifier": [_own_id(em.id)], "status": "active", "intent": "order",
            "priority": "stat", "code": _procedure_concept(h, em.procedure_code),
            "subject": {"reference": f"Patient/{ids('Patient', 'patient', em.patient_id)}"},
            "authoredOn": em.requested_at.astimezone(tz).isoformat(),
            "locationReference": [{"reference": f"Location/{ids('Location', 'site', em.location_id)}"}]})
    return out


def _schedules(h: Hospital, ids: _Ids, tz: ZoneInfo,
               sessions: Any = None) -> list[dict[str, Any]]:
    sessions = h.sessions if sessions is None else sessions
    by_room: dict[str, list[Any]] = defaultdict(list)
    for x in sessions:
        by_room[x.room_id].append(x)
    out = []
    for room_id, room_sessions in by_room.items():
        first = min(x.date for x in room_sessions)
        last = max(x.date for x in room_sessions)
        out.append({"resourceType": "Schedule", "id": ids("Schedule", "schedule", room_id),
                    "active": True,
                    "actor": [{"reference": f"Location/{ids('Location', 'room', room_id)}"}],
                    "planningHorizon": {"start": _wall_clock(first, 0, tz),
                                        "end": _wall_clock(last, 1440, tz)}})
    for x in sessions:  # in the model's order, so that the round trip keeps it
        sid = ids("Schedule", "schedule", x.room_id)
        slot: dict[str, Any] = {
            "resourceType": "Slot", "id": ids("Slot", "session", x.id),
            "identifier": [_own_id(x.id)], "schedule": {"reference": f"Schedule/{sid}"},
            "status": "busy" if x.emergency else "free",
            "start": _wall_clock(x.date, x.start_min, tz),
            "end": _after(x.date, x.start_min, x.end_min - x.start_min, tz)}
        if x.emergency:
            slot["extension"] = [s.ext(s.EXT_EMERGENCY, valueBoolean=True)]
        if x.specialty_id is not None:
            slot["specialty"] = [_specialty_concept(h, x.specialty_id)]
        out.append(slot)
    return out


def _appointments(h: Hospital, program: Program, ids: _Ids, tz: ZoneInfo) -> list[dict[str, Any]]:
    out = []
    for e in program.entries:
        referral = h.referral_by_id.get(e.case_id)
        emergency = h.emergency_by_id.get(e.case_id)
        kind = "referral" if referral is not None or emergency is None else "emergency"
        patient_id = referral.patient_id if referral else emergency.patient_id if emergency else None
        participants = [{"actor": {"reference": f"Practitioner/{ids('Practitioner', 'staff', e.surgeon_id)}"},
                         "required": "required", "status": "accepted",
                         "type": [{"coding": [{"system": s.KT_STAFF_ROLE,
                                               "code": StaffRole.SURGEON.value}]}]},
                        {"actor": {"reference": f"Location/{ids('Location', 'room', e.room_id)}"},
                         "required": "required", "status": "accepted"}]
        if patient_id is not None:
            patient_ref = f"Patient/{ids('Patient', 'patient', patient_id)}"
            participants.insert(0, {"actor": {"reference": patient_ref},
                                    "required": "required", "status": "accepted"})
        out.append({
            "resourceType": "Appointment", "id": ids("Appointment", "entry", e.case_id),
            "extension": [s.ext(s.EXT_ORDER, valueInteger=e.order)],
            "status": "booked",
            "basedOn": [{"reference": f"ServiceRequest/{ids('ServiceRequest', kind, e.case_id)}"}],
            "slot": [{"reference": f"Slot/{ids('Slot', 'session', e.session_id)}"}],
            "start": _wall_clock(e.date, e.start_min, tz),
            "end": _after(e.date, e.start_min, e.planned_min, tz),
            "minutesDuration": e.planned_min,
            "participant": participants})
    return out
