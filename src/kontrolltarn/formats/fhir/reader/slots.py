"""Schedule and Slot: an operating room's staffed sessions."""

from __future__ import annotations

from typing import Any

from kontrolltarn.formats.fhir import systems as s
from kontrolltarn.formats.fhir.bundle import Entry, split_reference
from kontrolltarn.model import Session

from .context import Reading


def read_schedules_and_slots(ctx: Reading) -> None:
    """Sessions from the Slots of operating rooms' Schedules."""
    schedules: dict[int, tuple[str, str] | None] = {}
    for entry in ctx.doc.of_type("Schedule"):
        ctx.mark(entry, "schedule")
        room = None
        actors = entry.resource.actor or []
        before = len(ctx.issues.items)
        for i, actor in enumerate(actors):
            found = _room_actor(ctx, entry, i, actor)
            if found and found[0] == "room":
                room = found
        if room is None and len(ctx.issues.items) == before:  # nothing wrong, just not ours
            ctx.issues.warn(entry.place, "actor", _shown(actors),
                            "ignored: no actor is an operating room (a practitioner's or "
                            "another actor's Schedule holds no sessions of ours)")
        schedules[id(entry)] = room
    for entry in ctx.doc.of_type("Slot"):
        ctx.mark(entry, "session")
        slot = entry.resource
        literal = slot.schedule.reference if slot.schedule else None
        target = ctx.doc.resolve(literal) if literal else None
        if target is None or target.type != "Schedule":
            ctx.issues.error(entry.place, "schedule", literal,
                             "unknown reference: no Schedule with that id in the file")
            continue
        if target.resource is None:
            continue
        room = schedules.get(id(target))
        if room is None:
            ctx.mark(entry, "other")
            ctx.issues.warn(entry.place, "schedule", literal,
                            "ignored: the Schedule is not an operating room's")
            continue
        if slot.status == "busy-unavailable":
            ctx.mark(entry, "other")
            ctx.issues.warn(entry.place, "status", slot.status,
                            "ignored: an unavailable slot is not a staffed session")
            continue
        start = ctx.aware(entry, "start", slot.start)
        end = ctx.aware(entry, "end", slot.end)
        if start is None or end is None:
            continue
        day = start.date()
        start_min = start.hour * 60 + start.minute
        end_min = start_min + int((end - start).total_seconds() // 60)  # elapsed time
        specialty = None
        for concept in [*(slot.specialty or []), *(target.resource.specialty or [])]:
            for coding in concept.coding or []:
                if coding.code and specialty is None:
                    specialty = coding.code
                    ctx.ensure_specialty(entry, "specialty", coding.code, coding.display)
        ctx.build(entry, "sessions", "Slot", lambda e=entry, r=room, d=day, a=start_min,
                  b=end_min, sp=specialty: Session(
                        ctx.model_id(e), r[1], d, a, b, sp,
                        bool(s.ext_value(e.raw, s.EXT_EMERGENCY))))


def _is_location(actor: Any) -> bool:
    """Whether an actor names a Location: by its literal reference, else by its ``type``."""
    literal = getattr(actor, "reference", None)
    split = split_reference(literal) if literal else None
    return split[0] == "Location" if split else getattr(actor, "type", None) == "Location"


def _room_actor(ctx: Reading, entry: Entry, i: int, actor: Any) -> tuple[str, str] | None:
    """The room a Schedule's actor is, or None. Only Location actors are followed (a room is a
    Location) and must resolve; a Practitioner, device or service the hospital does not know,
    named by reference, identifier or display, is not read (docs/integration.md)."""
    literal = getattr(actor, "reference", None)
    if literal is not None and not literal.startswith("#") and split_reference(literal) is None:
        ctx.issues.error(entry.place, f"actor[{i}]", literal,
                         "not a FHIR reference: expected Type/id (e.g. Location/OR1)")
        return None
    if not _is_location(actor):
        return None
    return ctx.ref(entry, f"actor[{i}]", actor, ("room",), any_type=True)


def _shown(actors: list[Any]) -> str | None:
    """The actors as an issue's value: their references, else their displays."""
    names = [getattr(a, "reference", None) or getattr(a, "display", None) for a in actors]
    return ", ".join(n for n in names if n) or None
