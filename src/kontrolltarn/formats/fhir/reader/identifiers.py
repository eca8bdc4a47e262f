"""Norwegian identifiers (national identity and D-numbers, HPR numbers, ...) checked wherever
they appear in the document, whatever the resource (policy in ``norwegian_ids``)."""

from __future__ import annotations

from typing import Any

from kontrolltarn.formats import norwegian_ids as nid
from kontrolltarn.formats.fhir.bundle import Entry

from .context import Reading


def check_identifiers(ctx: Reading) -> None:
    """Check every identifier of every resource; errors and warnings go to the issues."""
    for entry in ctx.doc.entries:
        if entry.resource is None:
            continue
        identifiers = getattr(entry.resource, "identifier", None)
        if not isinstance(identifiers, list):
            continue
        for i, identifier in enumerate(identifiers):
            _check_one(ctx, entry, f"identifier[{i}]", identifier)


def _check_one(ctx: Reading, entry: Entry, field: str, identifier: Any) -> nid.Check | None:
    if identifier is None or identifier.system is None:
        return None
    if nid.kind_of_system(identifier.system) is None:
        return None
    if not identifier.value:
        ctx.issues.error(entry.place, f"{field}.value", None,
                         f"a {nid.kind_of_system(identifier.system)} identifier needs a value")
        return None
    check = nid.check_identifier(identifier.system, identifier.value)
    if check is None:
        return None
    if check.verdict is nid.Verdict.REJECT:
        ctx.issues.error(entry.place, f"{field}.value", check.value,
                         f"{check.kind}: {check.reason}")
    elif check.verdict is nid.Verdict.WARN:
        ctx.issues.warn(entry.place, f"{field}.value", check.value,
                        f"{check.kind}: {check.reason}; accepted")
    return check
