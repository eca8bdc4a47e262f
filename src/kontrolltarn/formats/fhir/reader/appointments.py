"""Appointment: a planned operation, i.e. a program entry in its session."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from kontrolltarn.formats.fhir import systems as s
from kontrolltarn.model import ModelError, ProgramEntry

from .context import Reading


def read_appointments(ctx: Reading) -> None:
    """Program entries; in a session, ordered by start unless an order is given."""
    pending = []
    for entry in ctx.doc.of_type("Appointment"):
        ctx.mark(entry, "appointment")
        app = entry.resource
        if not app.basedOn and not app.slot:
            ctx.issues.warn(entry.place, "basedOn", None,
                            "ignored: not a planned operation (no basedOn and no slot)")
            continue
        if app.status in ("cancelled", "noshow", "entered-in-error"):
            ctx.issues.warn(entry.place, "status", app.status, "ignored: not on the program")
            continue
        case = ctx.ref(entry, "basedOn[0]", (app.basedOn or [None])[0], ("referral", "emergency"))
        session = ctx.ref(entry, "slot[0]", (app.slot or [None])[0], ("session",))
        surgeon = room = None
        for i, participant in enumerate(app.participant or []):
            found = ctx.ref(entry, f"participant[{i}].actor", participant.actor,
                            ("staff", "room", "patient"), required=False, any_type=True)
            if found and found[0] == "staff":
                surgeon = found[1]
            elif found and found[0] == "room":
                room = found[1]
        if surgeon is None:
            ctx.issues.error(entry.place, "participant", None,
                             "a planned operation needs a surgeon (Practitioner participant)")
        start = ctx.aware(entry, "start", app.start)
        end = ctx.aware(entry, "end", app.end)
        if case is None or session is None or surgeon is None or start is None or end is None:
            continue
        planned = app.minutesDuration or int((end - start).total_seconds() // 60)
        if room is None:
            known = ctx.session(session[1])
            room = known.room_id if known is not None else None
        pending.append((entry, case[1], session[1], room, start, planned, surgeon,
                        s.ext_value(entry.raw, s.EXT_ORDER)))
    by_session: dict[str, list[Any]] = defaultdict(list)
    for item in pending:
        by_session[item[2]].append(item)
    seen: dict[str, str] = {}
    for items in by_session.values():
        items.sort(key=lambda it: it[4])
        for rank, (entry, case, session, room, start, planned, surgeon, order) in enumerate(items, 1):
            if case in seen:
                ctx.issues.error(entry.place, "basedOn[0]", case,
                                 f"duplicate: the case is already planned by {seen[case]}")
                continue
            seen[case] = entry.place
            # entries count minutes from their session's date (a case may start after midnight)
            known = ctx.session(session)
            day = known.date if known is not None else start.date()
            start_min = (start.date() - day).days * 1440 + start.hour * 60 + start.minute
            try:
                ctx.parts.entries.append(ProgramEntry(
                    case, session, room or "", day, start_min,
                    planned, surgeon, order if order is not None else rank))
            except ModelError as exc:
                ctx.issues.from_model_error(entry.place, exc)


