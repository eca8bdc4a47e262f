"""Code systems, identifier systems and extension URLs the FHIR reader and writer share.

Norwegian systems come from the no-basis NamingSystems and Helsenorge's waiting-list extensions;
Kontrolltårn's own extensions (prefix ``KT``) carry planning facts FHIR has no element for
(ASA class, booked minutes, turnover, durations). A foreign reader may ignore them all.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from typing import Any

from kontrolltarn.formats.norwegian_ids import (  # noqa: F401  (re-exported for the reader)
    DNR_SYSTEM,
    FNR_SYSTEM,
    HPR_SYSTEM,
    ORGNR_SYSTEM,
)

KT = "https://kontrolltarn.no/fhir/"
KT_EXT = KT + "StructureDefinition/"

# Identifier systems: a model object's own id travels in one, so ids FHIR cannot hold survive.
KT_ID = KT + "NamingSystem/id"
KT_SYNTHETIC_NATIONAL_ID = KT + "NamingSystem/national-id-unverified"
KT_SYNTHETIC_HPR = KT + "NamingSystem/hpr-unverified"

# Code systems
NKPK = "urn:oid:2.16.578.1.12.4.1.1.7275"  # Norsk klinisk prosedyrekodeverk (NCSP, NCMP, NCRP)
KT_PROCEDURE = KT + "CodeSystem/procedure"
KT_SPECIALTY = KT + "CodeSystem/specialty"
KT_STAFF_ROLE = KT + "CodeSystem/staff-role"
KT_PROGRAM = KT + "CodeSystem/program-method"
LOCATION_PHYSICAL_TYPE = "http://terminology.hl7.org/CodeSystem/location-physical-type"
SNOMED = "http://snomed.info/sct"

# Helsenorge waiting-list extensions on ServiceRequest (valueDateTime)
HN = "http://helsenorge.no/fhir/StructureDefinition/"
HN_DEADLINE = HN + "no-frist-for-helsehjelp"
HN_RECEIVED = HN + "no-mottatt-dato"
HN_SENIORITY = HN + "no-ansiennitets-dato"

# Kontrolltårn extensions
EXT_HOSPITAL = KT_EXT + "hospital"  # complex: today, timezone, allowedOvertime, meta
EXT_SPECIALTY = KT_EXT + "specialty"  # complex: id, name, turnover
EXT_EQUIPMENT = KT_EXT + "equipment"  # complex: id, name, mobile, count (location=n)
EXT_PROCEDURE = KT_EXT + "procedure"  # complex: code, name, specialty, median, sigma, ...
EXT_POST_OP_BEDS = KT_EXT + "post-op-beds"  # complex on a site Location: bedType, count
EXT_ROOM_SPECIALTY = KT_EXT + "room-specialty"  # valueCode, repeated
EXT_ROOM_EQUIPMENT = KT_EXT + "room-equipment"  # valueCode, repeated
EXT_EMERGENCY = KT_EXT + "emergency"  # valueBoolean on a room Location or a Slot
EXT_COMPETENCE = KT_EXT + "competence"  # valueCode, repeated, on PractitionerRole
EXT_ASA = KT_EXT + "asa"  # valueInteger on Patient
EXT_BMI = KT_EXT + "bmi"  # valueDecimal on Patient
EXT_PRIORITY = KT_EXT + "priority"  # valueInteger 1..4 on ServiceRequest
EXT_BOOKED_MIN = KT_EXT + "booked-minutes"  # valueInteger on ServiceRequest
EXT_SPECIALTY_REF = KT_EXT + "specialty-id"  # valueCode on ServiceRequest
EXT_READINESS = KT_EXT + "readiness-missing"  # valueCode, repeated
EXT_INFECTED = KT_EXT + "infected"  # valueBoolean
EXT_URGENCY = KT_EXT + "urgency"  # valueCode: an emergency (ø-hjelp) request
EXT_ORDER = KT_EXT + "order"  # valueInteger on Appointment: position in the session
EXT_SESSION_START = KT_EXT + "session-start-minute"  # valueInteger, wall-clock minutes on Slot
EXT_SESSION_END = KT_EXT + "session-end-minute"  # valueInteger
EXT_BOOKED = KT_EXT + "booked-minutes"
# A referral's case history (model ``Case``) on its ServiceRequest: one complex extension per
# recorded change (at, kind, newDate, oldDate, reason, by, note), in time order; a case with no
# change yet is marked by ``case`` (valueBoolean true) alone.
EXT_CASE_CHANGE = KT_EXT + "case-change"
EXT_CASE = KT_EXT + "case"

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def fhir_id(model_id: str) -> str:
    """``model_id`` if FHIR can hold it as a resource id, else a stable digest of it (the model
    id itself then travels in a ``KT_ID`` identifier)."""
    if _FHIR_ID.match(model_id):
        return model_id
    return "kt-" + hashlib.sha1(model_id.encode("utf-8")).hexdigest()[:24]


def ext(url: str, **value: Any) -> dict[str, Any]:
    """One simple extension: ``ext(EXT_ASA, valueInteger=2)``."""
    return {"url": url, **value}


def complex_ext(url: str, parts: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """A complex extension from (sub-url, value[x] name, value) parts; None and "" are left out."""
    return {"url": url, "extension": [{"url": sub, kind: value} for sub, kind, value in parts
                                      if value is not None and value != ""]}


def _extensions(owner: Any) -> list[Any]:
    found = owner.get("extension") if isinstance(owner, dict) else getattr(owner, "extension", None)
    return found if isinstance(found, list) else []


def _url(extension: Any) -> Any:
    return extension.get("url") if isinstance(extension, dict) else extension.url


def ext_values(owner: Any, url: str) -> list[Any]:
    """The value[x] of each extension with ``url`` on ``owner`` (raw JSON, as the reader keeps
    resource-level extensions out of the pydantic models for speed, or a fhir.resources element)."""
    return [_value_of(e) for e in _extensions(owner) if _url(e) == url]


def ext_value(owner: Any, url: str) -> Any:
    values = ext_values(owner, url)
    return values[0] if values else None


def complex_ext_values(owner: Any, url: str) -> list[dict[str, list[Any]]]:
    """Each complex extension with ``url`` as {sub-url: [values]}."""
    found = []
    for e in _extensions(owner):
        if _url(e) != url:
            continue
        parts: dict[str, list[Any]] = {}
        for sub in _extensions(e):
            parts.setdefault(_url(sub), []).append(_value_of(sub))
        found.append(parts)
    return found


_VALUE_KINDS = ("valueString", "valueCode", "valueInteger", "valueDecimal", "valueBoolean",
                "valueDate", "valueDateTime", "valueCoding", "valueReference", "valuePeriod")


def _value_of(extension: Any) -> Any:
    for name in _VALUE_KINDS:
        value = extension.get(name) if isinstance(extension, dict) else getattr(extension, name, None)
        if value is None:
            continue
        if isinstance(value, str) and name in ("valueDate", "valueDateTime"):
            return _parse_when(value)
        return value
    return None


def _parse_when(text: str) -> Any:
    """A full date → date, a date-time → datetime; partial dates stay text."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        if len(text) > 10:
            return datetime.fromisoformat(text)
    except ValueError:
        return text
    return text
