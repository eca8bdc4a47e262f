"""ServiceRequest: a waiting-list referral (with its case history) or, with an urgency, an
emergency request."""

from __future__ import annotations

from datetime import date, datetime

from kontrolltarn.formats.fhir import systems as s
from kontrolltarn.formats.fhir.bundle import Entry
from kontrolltarn.model import (
    CancellationReason,
    Case,
    CaseChange,
    ChangeKind,
    EmergencyRequest,
    ModelError,
    Priority,
    ReadinessItem,
    Referral,
    Urgency,
)

from .context import Reading, one

#: FHIR request priority → clinical priority when no Kontrolltårn priority is given
PRIORITY_FROM_FHIR = {"asap": Priority.P1, "stat": Priority.P1, "urgent": Priority.P2,
                      "routine": Priority.P3}
WAITING_STATUSES = ("draft", "active", "on-hold")


def read_service_requests(ctx: Reading) -> None:
    """Referrals and emergency requests that are still waiting; others are ignored."""
    for entry in ctx.doc.of_type("ServiceRequest"):
        sr = entry.resource
        urgency = s.ext_value(entry.raw, s.EXT_URGENCY)
        ctx.mark(entry, "emergency" if urgency else "referral")
        if sr.status not in WAITING_STATUSES:
            ctx.mark(entry, "other")
            ctx.issues.warn(entry.place, "status", sr.status,
                            "ignored: only draft, active and on-hold requests are waiting")
            continue
        if urgency:
            _read_emergency(ctx, entry, str(urgency))
        else:
            _read_referral(ctx, entry)


def _subject(ctx: Reading, entry: Entry) -> str | None:
    subject = entry.resource.subject
    if subject is not None and subject.reference is None and subject.identifier is not None:
        # Helsenorge gives the subject by national identity number only
        value = subject.identifier.value
        for patient in ctx.patients.values():
            if value and patient.national_id == value:
                return patient.id
        ctx.issues.error(entry.place, "subject.identifier.value", value,
                         "no patient with this national identity number")
        return None
    found = ctx.ref(entry, "subject", subject, ("patient",))
    return found[1] if found else None


def _read_referral(ctx: Reading, entry: Entry) -> None:
    sr = entry.resource
    patient_id = _subject(ctx, entry)
    proc = ctx.procedure_code(entry, sr.code)
    priority = _priority(ctx, entry)
    referral_date = None
    received = s.ext_value(entry.raw, s.HN_RECEIVED)
    for source in (sr.authoredOn, received, s.ext_value(entry.raw, s.HN_SENIORITY)):
        if source is not None and isinstance(source, date):
            referral_date = _local_date(ctx, source)
            break
    if referral_date is None:
        ctx.issues.error(entry.place, "authoredOn", sr.authoredOn,
                         "the referral date is required (authoredOn or no-mottatt-dato)")
    deadline = s.ext_value(entry.raw, s.HN_DEADLINE)
    if deadline is None and sr.occurrencePeriod is not None:
        deadline = sr.occurrencePeriod.end
    if isinstance(deadline, date):
        deadline = _local_date(ctx, deadline)  # Helsenorge sends valueDateTime
    else:
        ctx.issues.error(entry.place, f"extension[{s.HN_DEADLINE}]", deadline,
                         "the legal deadline is required (no-frist-for-helsehjelp "
                         "or occurrencePeriod.end), as a full date")
        deadline = None
    booked = s.ext_value(entry.raw, s.EXT_BOOKED_MIN)
    if booked is None and proc is not None:
        booked = max(1, round(proc.duration.median))
        ctx.issues.warn(entry.place, f"extension[{s.EXT_BOOKED_MIN}]", None,
                        "booked minutes not given: the procedure's median duration is used")
    surgeon = None
    for i, performer in enumerate(sr.performer or []):
        found = ctx.ref(entry, f"performer[{i}]", performer, ("staff",), any_type=True)
        if found and found[0] == "staff":
            surgeon = found[1]
    readiness = []
    for value in s.ext_values(entry.raw, s.EXT_READINESS):
        try:
            readiness.append(ReadinessItem(value))
        except ValueError:
            ctx.issues.error(entry.place, f"extension[{s.EXT_READINESS}]", value,
                             f"not one of {[r.value for r in ReadinessItem]}")
    note = "\n".join(n.text for n in (sr.note or []) if n.text)
    if patient_id is None or proc is None or priority is None or referral_date is None \
            or deadline is None:
        return
    specialty = s.ext_value(entry.raw, s.EXT_SPECIALTY_REF) or proc.specialty_id
    referral = ctx.build(entry, "referrals", "ServiceRequest", lambda: Referral(
        ctx.model_id(entry), patient_id, proc.code, specialty, referral_date, priority,
        deadline, booked, surgeon, note, frozenset(readiness),
        bool(s.ext_value(entry.raw, s.EXT_INFECTED))))
    if referral is not None:
        _read_case(ctx, entry, referral.id)


def _read_case(ctx: Reading, entry: Entry, referral_id: str) -> None:
    """The referral's case history from its ``case-change`` extensions (or ``case``)."""
    items = s.complex_ext_values(entry.raw, s.EXT_CASE_CHANGE)
    if not items and s.ext_value(entry.raw, s.EXT_CASE) is not True:
        return
    changes: list[CaseChange] = []
    ok = True
    for i, item in enumerate(items):
        field = f"extension[case-change][{i}]"
        at, kind, reason = one(item, "at"), one(item, "kind"), one(item, "reason")
        new, old = one(item, "newDate"), one(item, "oldDate")
        if not isinstance(at, datetime) or at.tzinfo is None:
            ctx.issues.error(entry.place, f"{field}.at", None if at is None else str(at),
                             "a date-time with a timezone offset is required")
            ok = False
            continue
        for part, value in (("newDate", new), ("oldDate", old)):
            if value is not None and (isinstance(value, datetime)
                                      or not isinstance(value, date)):
                ctx.issues.error(entry.place, f"{field}.{part}", str(value),
                                 "must be a full date (valueDate)")
                ok = False
        try:
            change = CaseChange(
                at, ChangeKind(kind), new if isinstance(new, date) else None,
                old if isinstance(old, date) else None,
                CancellationReason(reason) if reason is not None else None,
                str(one(item, "by") or "system"), str(one(item, "note") or ""))
        except ModelError as exc:  # a cancellation without a reason
            ctx.issues.error(entry.place, f"{field}.{exc.field.rsplit('.', 1)[-1]}",
                             exc.value, exc.reason)
            ok = False
            continue
        except ValueError:  # not a ChangeKind or CancellationReason
            bad, value, enum = (("kind", kind, ChangeKind)
                                if kind not in {k.value for k in ChangeKind}
                                else ("reason", reason, CancellationReason))
            ctx.issues.error(entry.place, f"{field}.{bad}", value,
                             f"must be one of {[m.value for m in enum]}")
            ok = False
            continue
        if changes and change.at < changes[-1].at:
            ctx.issues.error(entry.place, f"{field}.at", change.at.isoformat(),
                             f"changes must be in time order (after {changes[-1].at.isoformat()})")
            ok = False
        changes.append(change)
    if ok:
        ctx.build(entry, "cases", "extension[case-change]",
                  lambda: Case(referral_id, tuple(changes)))


def _priority(ctx: Reading, entry: Entry) -> Priority | None:
    sr = entry.resource
    own = s.ext_value(entry.raw, s.EXT_PRIORITY)
    if own is not None:
        try:
            return Priority(own)
        except ValueError:
            ctx.issues.error(entry.place, f"extension[{s.EXT_PRIORITY}]", own, "must be 1..4")
            return None
    if sr.priority is None:
        return Priority.P3
    if sr.priority not in PRIORITY_FROM_FHIR:
        ctx.issues.error(entry.place, "priority", sr.priority,
                         "must be routine, urgent, asap or stat")
        return None
    return PRIORITY_FROM_FHIR[sr.priority]


def _read_emergency(ctx: Reading, entry: Entry, urgency: str) -> None:
    sr = entry.resource
    patient_id = _subject(ctx, entry)
    proc = ctx.procedure_code(entry, sr.code)
    site = None
    for i, loc in enumerate(sr.locationReference or []):
        found = ctx.ref(entry, f"locationReference[{i}]", loc, ("site",))
        site = found[1] if found else site
    if site is None and not sr.locationReference:
        ctx.issues.error(entry.place, "locationReference", None,
                         "an emergency request needs the site")
    booked = s.ext_value(entry.raw, s.EXT_BOOKED_MIN)
    requested = ctx.aware(entry, "authoredOn", sr.authoredOn)
    if patient_id is None or proc is None or site is None or requested is None:
        return
    ctx.build(entry, "emergencies", "ServiceRequest", lambda: EmergencyRequest(
        ctx.model_id(entry), patient_id, proc.code,
        s.ext_value(entry.raw, s.EXT_SPECIALTY_REF) or proc.specialty_id, site, Urgency(urgency),
        requested, booked))


def _local_date(ctx: Reading, value: date) -> date:
    """The hospital's calendar date of a FHIR date or dateTime (an instant with an offset
    is converted to the hospital's time zone first: a deadline is a Norwegian date)."""
    if isinstance(value, datetime):
        return (value.astimezone(ctx.tz) if value.tzinfo is not None else value).date()
    return value
