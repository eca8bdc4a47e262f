"""Location: sites (with their post-operative beds) and operating rooms (with the specialties
they take, from an extension or from the Schedule that names the room)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kontrolltarn.formats.fhir import systems as s
from kontrolltarn.formats.fhir.bundle import Entry
from kontrolltarn.model import BedType, Location, Room

from .context import Reading, one

SITE_TYPES = ("si", "bu", "wi")


def read_locations(ctx: Reading) -> None:
    """Sites and operating rooms; any other Location is ignored with a warning."""
    entries = ctx.doc.of_type("Location")
    room_parents = set()
    rooms = []
    for entry in entries:
        if _is_room(entry):
            rooms.append(entry)
            if entry.resource.partOf is not None and entry.resource.partOf.reference:
                target = ctx.doc.resolve(entry.resource.partOf.reference)
                if target is not None:
                    room_parents.add(id(target))
    schedule_specialties = _schedule_specialties(ctx)
    for entry in entries:
        if entry in rooms:
            continue
        loc = entry.resource
        if id(entry) in room_parents or _physical_type(loc) in SITE_TYPES \
                or s.complex_ext_values(entry.raw, s.EXT_POST_OP_BEDS):
            ctx.mark(entry, "site")
            beds = {}
            for item in s.complex_ext_values(entry.raw, s.EXT_POST_OP_BEDS):
                try:
                    beds[BedType(one(item, "bedType"))] = one(item, "count")
                except ValueError as exc:
                    ctx.issues.error(entry.place, f"extension[{s.EXT_POST_OP_BEDS}]",
                                     one(item, "bedType"), str(exc))
            ctx.build(entry, "locations", "Location",
                      lambda e=entry, b=beds: Location(ctx.model_id(e), str(e.resource.name or ""), b))
        else:
            ctx.mark(entry, "other")
            ctx.issues.warn(entry.place, "physicalType", _physical_type(loc),
                            "ignored: neither an operating room nor a site with rooms")
    for entry in rooms:
        ctx.mark(entry, "room")
    for entry in rooms:
        loc = entry.resource
        site = ctx.ref(entry, "partOf", loc.partOf, ("site",))
        specialties = [str(v) for v in s.ext_values(entry.raw, s.EXT_ROOM_SPECIALTY)]
        if not specialties:
            codings = schedule_specialties.get(id(entry), [])
            for code, display in codings:
                ctx.ensure_specialty(entry, "Schedule.specialty", code, display)
            specialties = [code for code, _ in codings]
        if not specialties:
            ctx.issues.error(entry.place, "extension[room-specialty]", None,
                             "an operating room needs the specialties it takes: give the "
                             "room-specialty extension or a Schedule with specialty")
            continue
        if site is None:
            continue
        if loc.status in ("suspended", "inactive"):
            ctx.issues.warn(entry.place, "status", loc.status, "room imported although "
                            "not active: the planner decides by its sessions")
        ctx.build(entry, "rooms", "Location", lambda e=entry, st=site, sp=specialties: Room(
            ctx.model_id(e), st[1], str(e.resource.name or ""), frozenset(sp),
            frozenset(str(v) for v in s.ext_values(e.raw, s.EXT_ROOM_EQUIPMENT)),
            bool(s.ext_value(e.raw, s.EXT_EMERGENCY))))


def _is_room(entry: Entry) -> bool:
    loc = entry.resource
    if s.ext_values(entry.raw, s.EXT_ROOM_SPECIALTY):
        return True
    return _physical_type(loc) == "ro" and loc.partOf is not None


def _schedule_specialties(ctx: Reading) -> dict[int, list[tuple[str, str]]]:
    """Room entry → specialty codings of the Schedules that name it as actor."""
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for entry in ctx.doc.of_type("Schedule"):
        codes = [(c.code, c.display or c.code) for cc in (entry.resource.specialty or [])
                 for c in (cc.coding or []) if c.code]
        for actor in entry.resource.actor or []:
            target = ctx.doc.resolve(actor.reference) if actor.reference else None
            if target is not None:
                found[id(target)].extend(c for c in codes if c not in found[id(target)])
    return found


def _physical_type(loc: Any) -> str | None:
    concept = loc.physicalType
    for coding in (concept.coding or []) if concept is not None else []:
        if coding.code:
            return str(coding.code)
    return None
