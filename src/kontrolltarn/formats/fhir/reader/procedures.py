"""Procedure: completed operations, the history that calibrates durations."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from kontrolltarn.formats.fhir import systems as s
from kontrolltarn.model import ModelError, Urgency
from kontrolltarn.model.history import PastOperation

from .context import Reading


def read_procedures(ctx: Reading) -> None:
    """Past operations, ordered per room and day by their start."""
    rows = []
    for entry in ctx.doc.of_type("Procedure"):
        ctx.mark(entry, "operation")
        proc = entry.resource
        if proc.status != "completed":
            ctx.issues.warn(entry.place, "status", proc.status,
                            "ignored: only completed operations are history")
            continue
        subject = ctx.ref(entry, "subject", proc.subject, ("patient",))
        code = ctx.procedure_code(entry, proc.code)
        surgeon = None
        for i, performer in enumerate(proc.performer or []):
            found = ctx.ref(entry, f"performer[{i}].actor", performer.actor, ("staff",),
                            any_type=True)
            if found and found[0] == "staff" and surgeon is None:
                surgeon = found[1]
        if surgeon is None:
            ctx.issues.error(entry.place, "performer", None, "the surgeon is required: a "
                             "Practitioner with an operating-room role")
        room = ctx.ref(entry, "location", proc.location, ("room",))
        period = proc.performedPeriod
        if period is None or period.start is None or period.end is None:
            ctx.issues.error(entry.place, "performedPeriod", None,
                             "start and end (in room, out of room) are required")
            continue
        start = ctx.aware(entry, "performedPeriod.start", period.start)
        end = ctx.aware(entry, "performedPeriod.end", period.end)
        if subject is None or code is None or surgeon is None or room is None \
                or start is None or end is None:
            continue
        rows.append((entry, subject[1], code, surgeon, room[1], start, end))
    by_room_day: dict[tuple[str, date], list[Any]] = defaultdict(list)
    for row in rows:
        by_room_day[(row[4], row[5].date())].append(row)
    for items in by_room_day.values():
        items.sort(key=lambda r: r[5])
        for order, (entry, patient_id, code, surgeon, room, start, end) in enumerate(items, 1):
            patient = ctx.patients.get(patient_id)
            actual = int((end - start).total_seconds() // 60)
            booked = s.ext_value(entry.raw, s.EXT_BOOKED_MIN) or actual
            urgency = s.ext_value(entry.raw, s.EXT_URGENCY)
            try:
                assert patient is not None
                ctx.parts.history.append(PastOperation(
                    ctx.model_id(entry), start.date(), ctx.site_of_room(room), room,
                    code.specialty_id, code.code, surgeon, patient.age_on(start.date()),
                    patient.sex, patient.asa, patient.bmi, booked, actual,
                    start.hour * 60 + start.minute, order, urgency is not None,
                    Urgency(urgency) if urgency else None))
            except (ModelError, ValueError, AssertionError) as exc:
                reason = exc.reason if isinstance(exc, ModelError) else str(exc)
                ctx.issues.error(entry.place, "Procedure", None, reason or "unreadable")
