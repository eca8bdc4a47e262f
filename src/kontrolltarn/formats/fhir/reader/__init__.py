"""FHIR R4 → model: a Bundle (or one resource) becomes ``Parts`` plus every issue found.

Rules (docs/integration.md has the full table):
- every reference the planner reads must resolve, to the Bundle or to the hospital it is merged
  into; references it does not read (encounter, managingOrganization, ...) are not followed;
- Norwegian identifiers are checked wherever they appear (policy in ``norwegian_ids``);
- a resource the planner cannot use is skipped with a warning naming why; a resource it uses
  but cannot read completely is an error.

One module per FHIR resource kind; ``context.Reading`` is what they share.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kontrolltarn.formats.fhir import systems as s
from kontrolltarn.formats.issues import Issues, Parts
from kontrolltarn.model import Hospital

from .appointments import read_appointments
from .context import Reading
from .identifiers import check_identifiers
from .locations import read_locations
from .organizations import read_organizations
from .patients import read_patients
from .practitioners import read_practitioners
from .procedures import read_procedures
from .service_requests import read_service_requests
from .slots import read_schedules_and_slots

__all__ = ["read_fhir"]


def read_fhir(data: Any, issues: Issues, hospital: Hospital | None = None) -> Parts:
    """Model parts from parsed FHIR JSON; every problem goes to ``issues``. ``hospital`` is the
    one the parts will be merged into: references may point to it."""
    ctx = Reading(data, issues, hospital)
    # in this order: a reference resolves only to a kind an earlier step has marked
    check_identifiers(ctx)
    read_organizations(ctx)
    read_locations(ctx)
    read_practitioners(ctx)
    read_patients(ctx)
    read_service_requests(ctx)
    read_schedules_and_slots(ctx)
    read_appointments(ctx)
    read_procedures(ctx)
    for tag in ctx.doc.tags:
        if tag.get("system") == s.KT_PROGRAM and isinstance(tag.get("code"), str):
            ctx.parts.program_method = tag["code"]
    if "today" not in ctx.parts.settings and ctx.hospital is None:
        stamp = ctx.doc.bundle_timestamp
        ctx.parts.settings["today"] = (date.fromisoformat(stamp[:10]) if stamp
                                       else date.today())
    return ctx.parts
