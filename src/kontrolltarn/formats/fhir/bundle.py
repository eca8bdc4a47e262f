"""A FHIR document as a list of validated entries, with reference resolution inside the Bundle.

Structure is checked by ``fhir.resources.R4B`` (pydantic models of FHIR 4.3, which for the
resources read here is R4 4.0.1 plus additions we do not use; fhir.resources 7 and later ship no
4.0.1 package). Every structural error is reported with the resource and the element path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from kontrolltarn.formats.issues import Issues

#: resource types the planner reads; others are ignored with a warning
READ_TYPES = ("Organization", "Location", "Practitioner", "PractitionerRole", "Patient",
              "ServiceRequest", "Schedule", "Slot", "Appointment", "Procedure")
_RESPONSE_BUNDLES = ("transaction-response", "batch-response", "history")
_REF = re.compile(r"(?:^|/)([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")


@dataclass
class Entry:
    """One resource of the document: raw JSON, the validated object (None if invalid), where."""

    type: str
    id: str | None
    full_url: str | None
    raw: dict[str, Any]
    resource: Any
    place: str
    ignored: bool = False  # a valid type the planner does not read


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path or "(resource)"


def validate(type_name: str, raw: dict[str, Any], place: str, issues: Issues) -> Any:
    """The fhir.resources object for ``raw``, or None after reporting every structural error."""
    try:
        model = get_fhir_model_class(type_name)
    except (KeyError, ValueError, AttributeError):
        issues.error(place, "resourceType", type_name, "not a FHIR R4 resource type")
        return None
    # Resource-level extensions are checked here, not by pydantic: building a model per
    # extension was most of the import time, and the reader reads them from the raw JSON.
    extensions = raw.get("extension")
    if extensions is not None:
        check_extensions(extensions, "extension", place, issues)
        raw = {k: v for k, v in raw.items() if k != "extension"}
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            value = err.get("input")
            shown = value if isinstance(value, str | int | float | bool) or value is None else None
            issues.error(place, _field_path(tuple(err["loc"])), shown, err["msg"])
    except (ValueError, TypeError) as exc:  # fhir_core raises plain errors for some bad values
        issues.error(place, "(resource)", None, str(exc))
    return None


_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_JSON_KIND: dict[str, tuple[type, ...]] = {
    "valueInteger": (int,), "valueDecimal": (int, float), "valueBoolean": (bool,),
    "valueString": (str,), "valueCode": (str,), "valueUri": (str,), "valueDate": (str,),
    "valueDateTime": (str,), "valueCoding": (dict,), "valueReference": (dict,),
    "valuePeriod": (dict,), "valueCodeableConcept": (dict,),
}


def check_extensions(extensions: Any, path: str, place: str, issues: Issues) -> None:
    """The structure FHIR requires of extensions: a url and either one value[x] of the right
    JSON type or nested extensions."""
    if not isinstance(extensions, list):
        issues.error(place, path, None, "must be a list")
        return
    for i, ext in enumerate(extensions):
        here = f"{path}[{i}]"
        if not isinstance(ext, dict) or not isinstance(ext.get("url"), str) or not ext["url"]:
            issues.error(place, f"{here}.url", None, "an extension needs a url")
            continue
        values = [k for k in ext if k.startswith("value")]
        if "extension" in ext:
            if values:
                issues.error(place, f"{here}.{values[0]}", None,
                             "an extension has either a value or nested extensions")
            check_extensions(ext["extension"], f"{here}.extension", place, issues)
            continue
        if len(values) != 1:
            issues.error(place, here, ext["url"], "an extension needs exactly one value[x]")
            continue
        name, value = values[0], ext[values[0]]
        kinds = _JSON_KIND.get(name)
        bad_bool = isinstance(value, bool) and name in ("valueInteger", "valueDecimal")
        if kinds is not None and (not isinstance(value, kinds) or bad_bool):
            issues.error(place, f"{here}.{name}", value if isinstance(value, str | int | float)
                         else None, f"wrong type for {name}")
        elif name in ("valueDate", "valueDateTime") and not _valid_when(value, name):
            issues.error(place, f"{here}.{name}", value, "not a FHIR date or dateTime")
        elif isinstance(value, str) and not value.strip():
            issues.error(place, f"{here}.{name}", value, "FHIR strings cannot be empty")


def _valid_when(value: str, name: str) -> bool:
    if _DATE.match(value):
        if len(value) == 10:
            try:
                date.fromisoformat(value)
            except ValueError:
                return False
        return True
    if name == "valueDateTime":
        try:
            return datetime.fromisoformat(value).tzinfo is not None
        except ValueError:
            return False
    return False


class Document:
    """The entries of a Bundle (or a single resource), and a resolver for references."""

    def __init__(self, data: Any, issues: Issues) -> None:
        self.entries: list[Entry] = []
        self.bundle_timestamp: str | None = None
        self.tags: list[dict[str, Any]] = []
        self._by_key: dict[str, Entry] = {}
        self._issues = issues
        if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
            issues.error("document", "resourceType", None,
                         "a FHIR JSON document is an object with a resourceType")
            return
        if data["resourceType"] == "Bundle":
            self._read_bundle(data)
        else:
            self._add(data, None, None)

    def _read_bundle(self, data: dict[str, Any]) -> None:
        kind = data.get("type")
        if kind in _RESPONSE_BUNDLES:
            self._issues.error("Bundle", "type", kind,
                               "a response or history bundle holds outcomes or versions, not the "
                               "current data; send a collection, transaction or batch")
            return
        if not isinstance(kind, str):
            self._issues.error("Bundle", "type", kind, "required: collection, transaction, ...")
        self.bundle_timestamp = data.get("timestamp") if isinstance(data.get("timestamp"), str) else None
        meta = data.get("meta")
        if isinstance(meta, dict) and isinstance(meta.get("tag"), list):
            self.tags = [t for t in meta["tag"] if isinstance(t, dict)]
        entries = data.get("entry", [])
        if not isinstance(entries, list):
            self._issues.error("Bundle", "entry", None, "must be a list")
            return
        for i, entry in enumerate(entries):
            place = f"Bundle.entry[{i}]"
            if not isinstance(entry, dict):
                self._issues.error(place, "(entry)", None, "must be an object")
                continue
            request = entry.get("request")
            method = request.get("method") if isinstance(request, dict) else None
            if method in ("DELETE", "PATCH"):
                self._issues.error(place, "request.method", method,
                                   "deletions and patches are not imported; send whole resources")
                continue
            resource = entry.get("resource")
            if not isinstance(resource, dict):
                self._issues.error(place, "resource", None, "entry has no resource")
                continue
            full_url = entry.get("fullUrl") if isinstance(entry.get("fullUrl"), str) else None
            self._add(resource, full_url, place)

    def _add(self, raw: dict[str, Any], full_url: str | None, entry_place: str | None) -> None:
        type_name = raw.get("resourceType")
        rid = raw.get("id") if isinstance(raw.get("id"), str) else None
        label = f"{type_name}/{rid}" if rid else f"{type_name} {full_url or '(no id)'}"
        place = f"{entry_place} {label}" if entry_place else label
        if not isinstance(type_name, str):
            self._issues.error(entry_place or "document", "resource.resourceType", type_name,
                               "missing or not a string")
            return
        ignored = type_name not in READ_TYPES
        if ignored:
            if not validate_type_exists(type_name):
                self._issues.error(place, "resourceType", type_name, "not a FHIR R4 resource type")
                return
            self._issues.warn(place, "resourceType", type_name,
                              "ignored: the planner does not read this resource type")
        resource = None if ignored else validate(type_name, raw, place, self._issues)
        entry = Entry(type_name, rid, full_url, raw, resource, place, ignored)
        keys = [f"{type_name}/{rid}"] if rid else []
        if full_url:
            keys.append(full_url)
        for key in keys:
            if key in self._by_key:
                self._issues.error(place, "id" if key.startswith(type_name + "/") else "fullUrl",
                                   key, f"duplicate: already given by {self._by_key[key].place}")
                return
        for key in keys:
            self._by_key[key] = entry
        self.entries.append(entry)

    def of_type(self, type_name: str) -> list[Entry]:
        return [e for e in self.entries if e.type == type_name and e.resource is not None]

    def resolve(self, reference: str) -> Entry | None:
        """The entry a reference points to: by fullUrl, then by Type/id (relative, absolute or
        versioned, per the Bundle resolution rules), or None."""
        found = self._by_key.get(reference)
        if found is not None:
            return found
        match = _REF.search(reference)
        if match:
            return self._by_key.get(f"{match.group(1)}/{match.group(2)}")
        return None


def split_reference(reference: str) -> tuple[str, str] | None:
    """(Type, id) of a relative, absolute or versioned literal reference."""
    match = _REF.search(reference)
    return (match.group(1), match.group(2)) if match else None


def validate_type_exists(type_name: str) -> bool:
    try:
        get_fhir_model_class(type_name)
    except (KeyError, ValueError, AttributeError):
        return False
    return True
