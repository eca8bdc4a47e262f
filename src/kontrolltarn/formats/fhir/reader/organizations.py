"""Organization: the hospital's settings and its catalogue (specialties, equipment, procedures)
from Kontrolltårn's extensions. Read first: rooms, referrals and history name the catalogue."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from kontrolltarn.formats.fhir import systems as s
from kontrolltarn.formats.fhir.bundle import Entry
from kontrolltarn.model import BedType, EquipmentType, LogNormal, Procedure, Specialty

from .context import Reading, as_date, one


def read_organizations(ctx: Reading) -> None:
    """The hospital's settings and catalogue; the name of the top organization."""
    for entry in ctx.doc.of_type("Organization"):
        ctx.mark(entry, "organization")
        settings = s.complex_ext_values(entry.raw, s.EXT_HOSPITAL)
        if not settings:
            continue
        _read_hospital_settings(ctx, entry, settings[0])
        for item in s.complex_ext_values(entry.raw, s.EXT_SPECIALTY):
            ctx.build(entry, "specialties", "extension[specialty]", lambda item=item: Specialty(
                one(item, "id"), one(item, "name") or "", one(item, "turnover")))
        for item in s.complex_ext_values(entry.raw, s.EXT_EQUIPMENT):
            ctx.build(entry, "equipment", "extension[equipment]", lambda item=item: EquipmentType(
                one(item, "id"), one(item, "name") or "", bool(one(item, "mobile")),
                _counts(item.get("count", []))))
        for item in s.complex_ext_values(entry.raw, s.EXT_PROCEDURE):
            ctx.build(entry, "procedures", "extension[procedure]", lambda item=item: Procedure(
                one(item, "code"), one(item, "name") or "", one(item, "specialty"),
                LogNormal(float(one(item, "median")), float(one(item, "sigma"))),
                frozenset(item.get("equipment", [])), BedType(one(item, "bedType")),
                one(item, "competence")))
    for proc in ctx.parts.items["procedures"]:
        ctx.procedures[proc.code] = proc
    ctx.catalog_specialties = {sp.id for sp in ctx.parts.items["specialties"]}
    if "name" not in ctx.parts.settings and ctx.hospital is None:
        names = [e.resource.name for e in ctx.doc.of_type("Organization")
                 if e.resource.name and not e.resource.partOf]
        if names:
            ctx.parts.settings["name"] = str(names[0])


def _read_hospital_settings(ctx: Reading, entry: Entry, item: dict[str, list[Any]]) -> None:
    org = entry.resource
    settings = ctx.parts.settings
    settings["name"] = str(org.name or "")
    try:
        if one(item, "today") is not None:
            settings["today"] = as_date(one(item, "today"))
        if one(item, "timezone"):
            settings["timezone"] = str(one(item, "timezone"))
            ctx.tz = ZoneInfo(settings["timezone"])
        if one(item, "allowedOvertime") is not None:
            settings["allowed_overtime_min"] = one(item, "allowedOvertime")
        if one(item, "meta") is not None:
            settings["meta"] = json.loads(one(item, "meta"))
    except (ValueError, KeyError, TypeError) as exc:
        ctx.issues.error(entry.place, f"extension[{s.EXT_HOSPITAL}]", None, str(exc))


def _counts(values: list[Any]) -> dict[str, int]:
    """'location=count' strings (the equipment extension) as a dict."""
    counts = {}
    for value in values:
        location, _, count = str(value).rpartition("=")
        counts[location] = int(count)
    return counts
