"""Practitioner and PractitionerRole: operating-room staff with their role, specialty, sites and
the days they are away."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from kontrolltarn.formats import norwegian_ids as nid
from kontrolltarn.formats.fhir import systems as s
from kontrolltarn.formats.fhir.bundle import Entry
from kontrolltarn.model import Staff, StaffRole

from .context import Reading, as_date

#: SNOMED CT occupations understood as operating-room roles (beside our own code system)
SNOMED_ROLES = {"304292004": StaffRole.SURGEON, "88189002": StaffRole.ANAESTHETIST}


def read_practitioners(ctx: Reading) -> None:
    """Staff from each Practitioner and its PractitionerRoles in the same file."""
    roles: dict[int, list[Entry]] = defaultdict(list)
    for entry in ctx.doc.of_type("PractitionerRole"):
        ctx.mark(entry, "role")
        reference = entry.resource.practitioner
        target = ctx.doc.resolve(reference.reference) if reference and reference.reference else None
        if target is None or target.type != "Practitioner":
            ctx.issues.error(entry.place, "practitioner",
                             reference.reference if reference else None,
                             "must point to a Practitioner in the same file")
            continue
        roles[id(target)].append(entry)
    for entry in ctx.doc.of_type("Practitioner"):
        ctx.mark(entry, "staff")
    for entry in ctx.doc.of_type("Practitioner"):
        _read_practitioner(ctx, entry, roles.get(id(entry), []))


def _read_practitioner(ctx: Reading, entry: Entry, roles: list[Entry]) -> None:
    usable = [(r, role) for r in roles if (role := _staff_role(r.resource)) is not None]
    if not usable:
        ctx.mark(entry, "other")
        ctx.issues.warn(entry.place, "PractitionerRole.code", None,
                        "ignored: no PractitionerRole with an operating-room role "
                        "(surgeon, anaesthetist, OR nurse, anaesthesia nurse)")
        return
    role_entry, role = usable[0]
    pr = role_entry.resource
    if len(usable) > 1:
        ctx.issues.warn(role_entry.place, "code", str(role),
                        f"{len(usable)} roles for one practitioner: the first is used")
    specialty = None
    for cc in pr.specialty or []:
        for coding in cc.coding or []:
            if coding.code and specialty is None:
                specialty = coding.code
                ctx.ensure_specialty(role_entry, "specialty", coding.code, coding.display)
    sites: set[str] = set()
    for i, loc in enumerate(pr.location or []):
        found = ctx.ref(role_entry, f"location[{i}]", loc, ("site", "room"))
        if found is not None:
            sites.add(found[1] if found[0] == "site" else ctx.site_of_room(found[1]))
    unavailable: set[date] = set()
    for i, na in enumerate(pr.notAvailable or []):
        if na.during is None or na.during.start is None:
            continue
        first = as_date(na.during.start)
        last = as_date(na.during.end) if na.during.end is not None else first
        if (last - first).days > 366:
            ctx.issues.error(role_entry.place, f"notAvailable[{i}].during", str(na.during.end),
                             "periods longer than a year are not read")
            continue
        unavailable.update(first + timedelta(days=d) for d in range((last - first).days + 1))
    hpr = None
    for i, identifier in enumerate(entry.resource.identifier or []):
        if identifier.value and (identifier.system == s.KT_SYNTHETIC_HPR
                                 or nid.kind_of_system(identifier.system) is nid.Kind.HPR):
            hpr = identifier.value
        del i
    ctx.build(entry, "staff", "Practitioner", lambda: Staff(
        ctx.model_id(entry), _name_of(entry.resource), role, specialty,
        frozenset(str(v) for v in s.ext_values(role_entry.raw, s.EXT_COMPETENCE)), frozenset(sites),
        frozenset(unavailable), hpr))


def _name_of(person: Any) -> str:
    for name in person.name or []:
        if name.text:
            return str(name.text)
        parts = [*(name.given or []), name.family or ""]
        joined = " ".join(p for p in parts if p)
        if joined:
            return joined
    return ""


def _staff_role(role: Any) -> StaffRole | None:
    for concept in role.code or []:
        for coding in concept.coding or []:
            if coding.system == s.KT_STAFF_ROLE:
                try:
                    return StaffRole(coding.code)
                except ValueError:
                    return None
            if coding.system == s.SNOMED and coding.code in SNOMED_ROLES:
                return SNOMED_ROLES[coding.code]
    return None
