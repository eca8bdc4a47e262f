"""What one read shares across resources: the document, the parts read so far, the issues,
and how a reference resolves to what an earlier resource became."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kontrolltarn.formats.fhir import systems as s
from kontrolltarn.formats.fhir.bundle import Document, Entry, split_reference
from kontrolltarn.formats.issues import Issues, Parts
from kontrolltarn.model import (
    TIMEZONE,
    Hospital,
    ModelError,
    Patient,
    Procedure,
    Room,
    Session,
    Specialty,
)

#: what each kind of target is called in an error message
KIND_LABELS = {"site": "site Location", "room": "operating-room Location",
               "staff": "Practitioner", "role": "PractitionerRole", "patient": "Patient",
               "referral": "ServiceRequest", "emergency": "emergency ServiceRequest",
               "session": "Slot", "organization": "Organization",
               "other": "resource the planner ignored"}


class Reading:
    """The state of reading one document; ``hospital`` is the one it will be merged into.
    Each resource's reader marks what its entries became, so later references resolve."""

    def __init__(self, data: Any, issues: Issues, hospital: Hospital | None = None) -> None:
        self.issues = issues
        self.hospital = hospital
        self.doc = Document(data, issues)
        self.parts = Parts()
        self.tz = ZoneInfo(hospital.timezone if hospital else TIMEZONE)
        self._ids: dict[int, str] = {}  # id(entry) -> model id
        self._kinds: dict[int, str] = {}  # id(entry) -> model kind it became (site, room, ...)
        self.catalog_specialties: set[str] = set()
        self.procedures: dict[str, Procedure] = dict(hospital.procedure_by_id) if hospital else {}
        self.patients: dict[str, Patient] = dict(hospital.patient_by_id) if hospital else {}
        self._existing = self._existing_fhir_ids(hospital)

    @staticmethod
    def _existing_fhir_ids(hospital: Hospital | None) -> dict[str, dict[str, str]]:
        """FHIR id → model id per kind for the hospital merged into (exports use fhir_id)."""
        if hospital is None:
            return defaultdict(dict)
        tables: dict[str, Iterable[str]] = {
            "site": (x.id for x in hospital.locations), "room": (x.id for x in hospital.rooms),
            "staff": (x.id for x in hospital.staff), "patient": (x.id for x in hospital.patients),
            "referral": (x.id for x in hospital.referrals),
            "emergency": (x.id for x in hospital.emergencies),
            "session": (x.id for x in hospital.sessions),
        }
        return defaultdict(dict, {k: {s.fhir_id(i): i for i in ids} for k, ids in tables.items()})

    def model_id(self, entry: Entry) -> str:
        """The model id an entry becomes: our own identifier, else the FHIR id or full URL."""
        if id(entry) not in self._ids:
            own = next((i.value for i in (getattr(entry.resource, "identifier", None) or [])
                        if i.system == s.KT_ID and i.value), None)
            fallback = entry.id or (entry.full_url or "").removeprefix("urn:uuid:")
            self._ids[id(entry)] = own or fallback or entry.place
        return self._ids[id(entry)]

    def ref(self, entry: Entry, field: str, reference: Any, kinds: tuple[str, ...],
            required: bool = True, any_type: bool = False) -> tuple[str, str] | None:
        """(kind, model id) of what ``reference`` points to, among ``kinds``; reports an error
        naming ``field`` when it does not resolve (or is missing and ``required``). With
        ``any_type`` a target of another type in the file is fine (and gives None)."""
        literal = getattr(reference, "reference", None) if reference is not None else None
        if literal is None:
            if required:
                self.issues.error(entry.place, field, None, "a literal reference is required")
            return None
        if literal.startswith("#"):
            self.issues.error(entry.place, field, literal, "contained resources are not read")
            return None
        target = self.doc.resolve(literal)
        if target is not None:
            kind = self._kinds.get(id(target))
            if target.resource is not None and kind in kinds:
                return kind, self.model_id(target)
            if any_type:
                return None
            if target.resource is None and not target.ignored:
                return None  # the target's own errors are already reported
            self.issues.error(entry.place, field, literal,
                              f"points to a {_labels([kind or target.type])}, expected {_labels(kinds)}")
            return None
        split = split_reference(literal)
        if split is not None:
            for kind in kinds:
                model = self._existing[kind].get(split[1])
                if model is not None:
                    return kind, model
        where = "in the file or the hospital" if self.hospital else "in the file"
        self.issues.error(entry.place, field, literal,
                          f"unknown reference: no {_labels(kinds)} with that id {where}")
        return None

    def mark(self, entry: Entry, kind: str) -> None:
        """Record what ``entry`` became (site, room, staff, ...), for references to it."""
        self._kinds[id(entry)] = kind

    def build(self, entry: Entry, kind: str, field: str, make: Any) -> Any:
        """Construct a model object; a ModelError or a missing part becomes an issue."""
        try:
            item = make()
        except ModelError as exc:
            self.issues.error(entry.place, f"{field} {exc.field}", exc.value, exc.reason)
            return None
        except (TypeError, ValueError, KeyError) as exc:
            self.issues.error(entry.place, field, None, f"incomplete or wrong value: {exc}")
            return None
        self.parts.add(kind, item, entry.place, self.issues)
        return item

    def ensure_specialty(self, entry: Entry, field: str, code: str, display: str | None) -> None:
        """A specialty named by a coding; unknown ones are added to the catalogue (warning)."""
        known = self.catalog_specialties | (set(self.hospital.specialty_by_id)
                                            if self.hospital else set())
        if code in known:
            return
        try:  # the model's one rule for ids (a FHIR code may hold a tab; an id may not)
            specialty = Specialty(code, display or code)
        except ModelError as exc:
            self.issues.error(entry.place, field, code, exc.reason)
            return
        self.catalog_specialties.add(code)
        self.parts.add("specialties", specialty, entry.place, self.issues)
        self.issues.warn(entry.place, field, code,
                         "specialty not in the catalogue: added with the default turnover time")

    def room(self, room_id: str) -> Room | None:
        """The room with this id read so far, else the hospital's merged into."""
        found: Room | None = next((r for r in self.parts.items["rooms"] if r.id == room_id), None)
        if found is None and self.hospital is not None:
            found = self.hospital.room_by_id.get(room_id)
        return found

    def session(self, session_id: str) -> Session | None:
        """The session with this id read so far, else the hospital's merged into."""
        found: Session | None = next((s for s in self.parts.items["sessions"]
                                      if s.id == session_id), None)
        if found is None and self.hospital is not None:
            found = self.hospital.session_by_id.get(session_id)
        return found

    def site_of_room(self, room_id: str) -> str:
        """The site of a room read so far or of the hospital merged into."""
        room = self.room(room_id)
        return room.location_id if room is not None else room_id

    def procedure_code(self, entry: Entry, concept: Any, field: str = "code") -> Procedure | None:
        """The catalogue procedure a code names (NCSP/NKPK or ours preferred); else an error."""
        codings = [c for c in (concept.coding or [])] if concept is not None else []
        preferred = [c for c in codings if c.system in (s.NKPK, s.KT_PROCEDURE)] or codings
        code = next((c.code for c in preferred if c.code), None)
        if code is None:
            self.issues.error(entry.place, f"{field}.coding", None, "a procedure code is required")
            return None
        proc = self.procedures.get(code)
        if proc is None:
            self.issues.error(entry.place, f"{field}.coding.code", code,
                              "procedure code not in the hospital's procedure catalogue")
        return proc

    def aware(self, entry: Entry, field: str, value: Any) -> datetime | None:
        """``value`` in the hospital's time zone; a date-time without an offset is an error."""
        if not isinstance(value, datetime) or value.tzinfo is None:
            self.issues.error(entry.place, field, str(value) if value is not None else None,
                              "a date-time with a timezone offset is required")
            return None
        return value.astimezone(self.tz)


def _labels(kinds: Iterable[str]) -> str:
    return " or ".join(dict.fromkeys(KIND_LABELS.get(k, k) for k in kinds))


def one(item: dict[str, list[Any]], key: str) -> Any:
    """The first value of ``key`` in a complex extension, or None."""
    values = item.get(key)
    return values[0] if values else None


def as_date(value: Any) -> date:
    """A FHIR date, dateTime or ISO string as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
