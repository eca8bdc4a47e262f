"""FHIR R4 → model: a Bundle (or one resource) becomes ``Parts`` plus every issue found.

Rules (docs/integration.md has the full table):
- every reference the planner reads must resolve, to the Bundle or to the hospital it is merged
  into; references it does not read (encounter, managingOrganization, ...) are not followed;
- Norwegian identifiers are checked wherever they appear (policy in ``norwegian_ids``);
- a resource the planner cannot use is skipped with a warning naming why; a resource it uses
  but cannot read completely is an error.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from kontrolltarn.formats import norwegian_ids as nid
from kontrolltarn.formats.fhir import systems as s
from kontrolltarn.formats.fhir.bundle import Document, Entry, split_reference
from kontrolltarn.formats.issues import Issues, Parts
from kontrolltarn.model import (
    TIMEZONE,
    BedType,
    CancellationReason,
    Case,
    CaseChange,
    ChangeKind,
    EmergencyRequest,
    EquipmentType,
    Hospital,
    Location,
    LogNormal,
    ModelError,
    Patient,
    Priority,
    Procedure,
    ProgramEntry,
    ReadinessItem,
    Referral,
    Room,
    Session,
    Specialty,
    Staff,
    StaffRole,
    Urgency,
)
from kontrolltarn.model.history import PastOperation

#: FHIR request priority → clinical priority when no Kontrolltårn priority is given
PRIORITY_FROM_FHIR = {"asap": Priority.P1, "stat": Priority.P1, "urgent": Priority.P2,
                      "routine": Priority.P3}
#: SNOMED CT occupations understood as operating-room roles (beside our own code system)
SNOMED_ROLES = {"304292004": StaffRole.SURGEON, "88189002": StaffRole.ANAESTHETIST}
WAITING_STATUSES = ("draft", "active", "on-hold")
SITE_TYPES = ("si", "bu", "wi")
DEFAULT_ASA, DEFAULT_BMI = 2, 25.0


#: what each kind of target is called in an error message
KIND_LABELS = {"site": "site Location", "room": "operating-room Location",
               "staff": "Practitioner", "role": "PractitionerRole", "patient": "Patient",
               "referral": "ServiceRequest", "emergency": "emergency ServiceRequest",
               "session": "Slot", "organization": "Organization",
               "other": "resource the planner ignored"}


def _labels(kinds: Iterable[str]) -> str:
    return " or ".join(dict.fromkeys(KIND_LABELS.get(k, k) for k in kinds))


def _name_of(person: Any) -> str:
    for name in person.name or []:
        if name.text:
            return str(name.text)
        parts = [*(name.given or []), name.family or ""]
        joined = " ".join(p for p in parts if p)
        if joined:
            return joined
    return ""


class FhirReader:
    """Reads one document into ``Parts``; ``hospital`` is the one it will be merged into."""

    def __init__(self, data: Any, issues: Issues, hospital: Hospital | None = None) -> None:
        self.issues = issues
        self.hospital = hospital
        self.doc = Document(data, issues)
        self.parts = Parts()
        self.tz = ZoneInfo(hospital.timezone if hospital else TIMEZONE)
        self._ids: dict[int, str] = {}  # id(entry) -> model id
        self._kinds: dict[int, str] = {}  # id(entry) -> model kind it became (site, room, ...)
        self._catalog_specialties: set[str] = set()
        self._procedures: dict[str, Procedure] = dict(hospital.procedure_by_id) if hospital else {}
        self._patients: dict[str, Patient] = dict(hospital.patient_by_id) if hospital else {}
        self._existing = self._existing_fhir_ids(hospital)

    # ---------------------------------------------------------------- public
    def read(self) -> Parts:
        self._check_identifiers()
        self._read_organizations()
        self._read_locations()
        self._read_staff()
        self._read_patients()
        self._read_service_requests()
        self._read_sessions()
        self._read_appointments()
        self._read_procedures()
        for tag in self.doc.tags:
            if tag.get("system") == s.KT_PROGRAM and isinstance(tag.get("code"), str):
                self.parts.program_method = tag["code"]
        if "today" not in self.parts.settings and self.hospital is None:
            stamp = self.doc.bundle_timestamp
            self.parts.settings["today"] = (date.fromisoformat(stamp[:10]) if stamp
                                            else date.today())
        return self.parts

    # ---------------------------------------------------------------- ids and references
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

    def _mark(self, entry: Entry, kind: str) -> None:
        self._kinds[id(entry)] = kind

    # ---------------------------------------------------------------- identifiers
    def _check_identifiers(self) -> None:
        for entry in self.doc.entries:
            if entry.resource is None:
                continue
            identifiers = getattr(entry.resource, "identifier", None)
            if not isinstance(identifiers, list):
                continue
            for i, identifier in enumerate(identifiers):
                self._check_one(entry, f"identifier[{i}]", identifier)

    def _check_one(self, entry: Entry, field: str, identifier: Any) -> nid.Check | None:
        if identifier is None or identifier.system is None:
            return None
        if nid.kind_of_system(identifier.system) is None:
            return None
        if not identifier.value:
            self.issues.error(entry.place, f"{field}.value", None,
                              f"a {nid.kind_of_system(identifier.system)} identifier needs a value")
            return None
        check = nid.check_identifier(identifier.system, identifier.value)
        if check is None:
            return None
        if check.verdict is nid.Verdict.REJECT:
            self.issues.error(entry.place, f"{field}.value", check.value,
                              f"{check.kind}: {check.reason}")
        elif check.verdict is nid.Verdict.WARN:
            self.issues.warn(entry.place, f"{field}.value", check.value,
                             f"{check.kind}: {check.reason}; accepted")
        return check

    # ---------------------------------------------------------------- Organization
    def _read_organizations(self) -> None:
        for entry in self.doc.of_type("Organization"):
            self._mark(entry, "organization")
            settings = s.complex_ext_values(entry.raw, s.EXT_HOSPITAL)
            if not settings:
                continue
            self._read_hospital_settings(entry, settings[0])
            for item in s.complex_ext_values(entry.raw, s.EXT_SPECIALTY):
                self._build(entry, "specialties", "extension[specialty]", lambda item=item: Specialty(
                    _one(item, "id"), _one(item, "name") or "", _one(item, "turnover")))
            for item in s.complex_ext_values(entry.raw, s.EXT_EQUIPMENT):
                self._build(entry, "equipment", "extension[equipment]", lambda item=item: EquipmentType(
                    _one(item, "id"), _one(item, "name") or "", bool(_one(item, "mobile")),
                    _counts(item.get("count", []))))
            for item in s.complex_ext_values(entry.raw, s.EXT_PROCEDURE):
                self._build(entry, "procedures", "extension[procedure]", lambda item=item: Procedure(
                    _one(item, "code"), _one(item, "name") or "", _one(item, "specialty"),
                    LogNormal(float(_one(item, "median")), float(_one(item, "sigma"))),
                    frozenset(item.get("equipment", [])), BedType(_one(item, "bedType")),
                    _one(item, "competence")))
        for proc in self.parts.items["procedures"]:
            self._procedures[proc.code] = proc
        self._catalog_specialties = {sp.id for sp in self.parts.items["specialties"]}
        if "name" not in self.parts.settings and self.hospital is None:
            names = [e.resource.name for e in self.doc.of_type("Organization")
                     if e.resource.name and not e.resource.partOf]
            if names:
                self.parts.settings["name"] = str(names[0])

    def _read_hospital_settings(self, entry: Entry, item: dict[str, list[Any]]) -> None:
        org = entry.resource
        settings = self.parts.settings
        settings["name"] = str(org.name or "")
        try:
            if _one(item, "today") is not None:
                settings["today"] = _as_date(_one(item, "today"))
            if _one(item, "timezone"):
                settings["timezone"] = str(_one(item, "timezone"))
                self.tz = ZoneInfo(settings["timezone"])
            if _one(item, "allowedOvertime") is not None:
                settings["allowed_overtime_min"] = _one(item, "allowedOvertime")
            if _one(item, "meta") is not None:
                settings["meta"] = json.loads(_one(item, "meta"))
        except (ValueError, KeyError, TypeError) as exc:
            self.issues.error(entry.place, f"extension[{s.EXT_HOSPITAL}]", None, str(exc))

    def _build(self, entry: Entry, kind: str, field: str, make: Any) -> Any:
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

    # ---------------------------------------------------------------- Location
    def _read_locations(self) -> None:
        entries = self.doc.of_type("Location")
        room_parents = set()
        rooms = []
        for entry in entries:
            if self._is_room(entry):
                rooms.append(entry)
                if entry.resource.partOf is not None and entry.resource.partOf.reference:
                    target = self.doc.resolve(entry.resource.partOf.reference)
                    if target is not None:
                        room_parents.add(id(target))
        schedule_specialties = self._schedule_specialties()
        for entry in entries:
            if entry in rooms:
                continue
            loc = entry.resource
            if id(entry) in room_parents or _physical_type(loc) in SITE_TYPES \
                    or s.complex_ext_values(entry.raw, s.EXT_POST_OP_BEDS):
                self._mark(entry, "site")
                beds = {}
                for item in s.complex_ext_values(entry.raw, s.EXT_POST_OP_BEDS):
                    try:
                        beds[BedType(_one(item, "bedType"))] = _one(item, "count")
                    except ValueError as exc:
                        self.issues.error(entry.place, f"extension[{s.EXT_POST_OP_BEDS}]",
                                          _one(item, "bedType"), str(exc))
                self._build(entry, "locations", "Location",
                            lambda e=entry, b=beds: Location(self.model_id(e), str(e.resource.name or ""), b))
            else:
                self._mark(entry, "other")
                self.issues.warn(entry.place, "physicalType", _physical_type(loc),
                                 "ignored: neither an operating room nor a site with rooms")
        for entry in rooms:
            self._mark(entry, "room")
        for entry in rooms:
            loc = entry.resource
            site = self.ref(entry, "partOf", loc.partOf, ("site",))
            specialties = [str(v) for v in s.ext_values(entry.raw, s.EXT_ROOM_SPECIALTY)]
            if not specialties:
                codings = schedule_specialties.get(id(entry), [])
                for code, display in codings:
                    self._ensure_specialty(entry, "Schedule.specialty", code, display)
                specialties = [code for code, _ in codings]
            if not specialties:
                self.issues.error(entry.place, "extension[room-specialty]", None,
                                  "an operating room needs the specialties it takes: give the "
                                  "room-specialty extension or a Schedule with specialty")
                continue
            if site is None:
                continue
            if loc.status in ("suspended", "inactive"):
                self.issues.warn(entry.place, "status", loc.status, "room imported although "
                                 "not active: the planner decides by its sessions")
            self._build(entry, "rooms", "Location", lambda e=entry, st=site, sp=specialties: Room(
                self.model_id(e), st[1], str(e.resource.name or ""), frozenset(sp),
                frozenset(str(v) for v in s.ext_values(e.raw, s.EXT_ROOM_EQUIPMENT)),
                bool(s.ext_value(e.raw, s.EXT_EMERGENCY))))

    @staticmethod
    def _is_room(entry: Entry) -> bool:
        loc = entry.resource
        if s.ext_values(entry.raw, s.EXT_ROOM_SPECIALTY):
            return True
        return _physical_type(loc) == "ro" and loc.partOf is not None

    def _schedule_specialties(self) -> dict[int, list[tuple[str, str]]]:
        """Room entry → specialty codings of the Schedules that name it as actor."""
        found: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for entry in self.doc.of_type("Schedule"):
            codes = [(c.code, c.display or c.code) for cc in (entry.resource.specialty or [])
                     for c in (cc.coding or []) if c.code]
            for actor in entry.resource.actor or []:
                target = self.doc.resolve(actor.reference) if actor.reference else None
                if target is not None:
                    found[id(target)].extend(c for c in codes if c not in found[id(target)])
        return found

    def _ensure_specialty(self, entry: Entry, field: str, code: str, display: str | None) -> None:
        """A specialty named by a coding; unknown ones are added to the catalogue (warning)."""
        known = self._catalog_specialties | (set(self.hospital.specialty_by_id)
                                             if self.hospital else set())
        if code in known:
            return
        self._catalog_specialties.add(code)
        self.parts.add("specialties", Specialty(code, display or code), entry.place, self.issues)
        self.issues.warn(entry.place, field, code,
                         "specialty not in the catalogue: added with the default turnover time")

    # ---------------------------------------------------------------- staff
    def _read_staff(self) -> None:
        roles: dict[int, list[Entry]] = defaultdict(list)
        for entry in self.doc.of_type("PractitionerRole"):
            self._mark(entry, "role")
            reference = entry.resource.practitioner
            target = self.doc.resolve(reference.reference) if reference and reference.reference else None
            if target is None or target.type != "Practitioner":
                self.issues.error(entry.place, "practitioner",
                                  reference.reference if reference else None,
                                  "must point to a Practitioner in the same file")
                continue
            roles[id(target)].append(entry)
        for entry in self.doc.of_type("Practitioner"):
            self._mark(entry, "staff")
        for entry in self.doc.of_type("Practitioner"):
            self._read_practitioner(entry, roles.get(id(entry), []))

    def _read_practitioner(self, entry: Entry, roles: list[Entry]) -> None:
        usable = [(r, role) for r in roles if (role := _staff_role(r.resource)) is not None]
        if not usable:
            self._mark(entry, "other")
            self.issues.warn(entry.place, "PractitionerRole.code", None,
                             "ignored: no PractitionerRole with an operating-room role "
                             "(surgeon, anaesthetist, OR nurse, anaesthesia nurse)")
            return
        role_entry, role = usable[0]
        pr = role_entry.resource
        if len(usable) > 1:
            self.issues.warn(role_entry.place, "code", str(role),
                             f"{len(usable)} roles for one practitioner: the first is used")
        specialty = None
        for cc in pr.specialty or []:
            for coding in cc.coding or []:
                if coding.code and specialty is None:
                    specialty = coding.code
                    self._ensure_specialty(role_entry, "specialty", coding.code, coding.display)
        sites: set[str] = set()
        for i, loc in enumerate(pr.location or []):
            found = self.ref(role_entry, f"location[{i}]", loc, ("site", "room"))
            if found is not None:
                sites.add(found[1] if found[0] == "site" else self._site_of_room(found[1]))
        unavailable: set[date] = set()
        for i, na in enumerate(pr.notAvailable or []):
            if na.during is None or na.during.start is None:
                continue
            first = _as_date(na.during.start)
            last = _as_date(na.during.end) if na.during.end is not None else first
            if (last - first).days > 366:
                self.issues.error(role_entry.place, f"notAvailable[{i}].during", str(na.during.end),
                                  "periods longer than a year are not read")
                continue
            unavailable.update(first + timedelta(days=d) for d in range((last - first).days + 1))
        hpr = None
        for i, identifier in enumerate(entry.resource.identifier or []):
            if identifier.value and (identifier.system == s.KT_SYNTHETIC_HPR
                                     or nid.kind_of_system(identifier.system) is nid.Kind.HPR):
                hpr = identifier.value
            del i
        self._build(entry, "staff", "Practitioner", lambda: Staff(
            self.model_id(entry), _name_of(entry.resource), role, specialty,
            frozenset(str(v) for v in s.ext_values(role_entry.raw, s.EXT_COMPETENCE)), frozenset(sites),
            frozenset(unavailable), hpr))

    def _site_of_room(self, room_id: str) -> str:
        for room in self.parts.items["rooms"]:
            if room.id == room_id:
                return str(room.location_id)
        if self.hospital and room_id in self.hospital.room_by_id:
            return self.hospital.room_by_id[room_id].location_id
        return room_id

    # ---------------------------------------------------------------- Patient
    def _read_patients(self) -> None:
        for entry in self.doc.of_type("Patient"):
            self._mark(entry, "patient")
            patient = self._read_patient(entry)
            if patient is not None:
                self._patients[patient.id] = patient

    def _read_patient(self, entry: Entry) -> Patient | None:
        pat = entry.resource
        national_id, id_birth = None, None
        for i, identifier in enumerate(pat.identifier or []):
            kind = nid.kind_of_system(identifier.system)
            if kind in (nid.Kind.FNR, nid.Kind.DNR) and identifier.value and national_id is None:
                check = nid.check_identifier(identifier.system, identifier.value)
                if check is not None and check.accepted:
                    national_id, id_birth = identifier.value, check.birth_date
            elif identifier.system == s.KT_SYNTHETIC_NATIONAL_ID and national_id is None:
                national_id = identifier.value
            del i
        birth = _as_date(pat.birthDate) if isinstance(pat.birthDate, date) else None
        if birth is None and id_birth is not None:
            birth = id_birth
            self.issues.warn(entry.place, "birthDate", pat.birthDate,
                             "missing or partial: taken from the national identity number")
        if birth is None:
            self.issues.error(entry.place, "birthDate", pat.birthDate,
                              "a full birth date (or a national identity number) is required")
            return None
        if id_birth is not None and id_birth != birth:
            self.issues.warn(entry.place, "birthDate", str(birth),
                             f"differs from the date in the national identity number ({id_birth})")
        sex = {"male": "M", "female": "F"}.get(str(pat.gender), "U")
        if pat.gender is not None and pat.gender not in ("male", "female", "other", "unknown"):
            self.issues.error(entry.place, "gender", pat.gender,
                              "must be male, female, other or unknown")
            return None
        asa = s.ext_value(entry.raw, s.EXT_ASA)
        bmi = s.ext_value(entry.raw, s.EXT_BMI)
        if asa is None or bmi is None:
            self.issues.warn(entry.place, "extension[asa/bmi]", None,
                             f"ASA class or BMI not given: ASA {DEFAULT_ASA} and BMI "
                             f"{DEFAULT_BMI:g} assumed until the pre-operative assessment")
        result: Patient | None = self._build(entry, "patients", "Patient", lambda: Patient(
            self.model_id(entry), birth, sex, DEFAULT_ASA if asa is None else asa,
            DEFAULT_BMI if bmi is None else float(bmi), national_id))
        return result

    # ---------------------------------------------------------------- ServiceRequest
    def _read_service_requests(self) -> None:
        for entry in self.doc.of_type("ServiceRequest"):
            sr = entry.resource
            urgency = s.ext_value(entry.raw, s.EXT_URGENCY)
            self._mark(entry, "emergency" if urgency else "referral")
            if sr.status not in WAITING_STATUSES:
                self._mark(entry, "other")
                self.issues.warn(entry.place, "status", sr.status,
                                 "ignored: only draft, active and on-hold requests are waiting")
                continue
            if urgency:
                self._read_emergency(entry, str(urgency))
            else:
                self._read_referral(entry)

    def _subject(self, entry: Entry) -> str | None:
        subject = entry.resource.subject
        if subject is not None and subject.reference is None and subject.identifier is not None:
            # Helsenorge gives the subject by national identity number only
            value = subject.identifier.value
            for patient in self._patients.values():
                if value and patient.national_id == value:
                    return patient.id
            self.issues.error(entry.place, "subject.identifier.value", value,
                              "no patient with this national identity number")
            return None
        found = self.ref(entry, "subject", subject, ("patient",))
        return found[1] if found else None

    def _procedure_code(self, entry: Entry, concept: Any, field: str = "code") -> Procedure | None:
        codings = [c for c in (concept.coding or [])] if concept is not None else []
        preferred = [c for c in codings if c.system in (s.NKPK, s.KT_PROCEDURE)] or codings
        code = next((c.code for c in preferred if c.code), None)
        if code is None:
            self.issues.error(entry.place, f"{field}.coding", None, "a procedure code is required")
            return None
        proc = self._procedures.get(code)
        if proc is None:
            self.issues.error(entry.place, f"{field}.coding.code", code,
                              "procedure code not in the hospital's procedure catalogue")
        return proc

    def _read_referral(self, entry: Entry) -> None:
        sr = entry.resource
        patient_id = self._subject(entry)
        proc = self._procedure_code(entry, sr.code)
        priority = self._priority(entry)
        referral_date = None
        received = s.ext_value(entry.raw, s.HN_RECEIVED)
        for source in (sr.authoredOn, received, s.ext_value(entry.raw, s.HN_SENIORITY)):
            if source is not None and isinstance(source, date):
                referral_date = self._local_date(source)
                break
        if referral_date is None:
            self.issues.error(entry.place, "authoredOn", sr.authoredOn,
                              "the referral date is required (authoredOn or no-mottatt-dato)")
        deadline = s.ext_value(entry.raw, s.HN_DEADLINE)
        if deadline is None and sr.occurrencePeriod is not None:
            deadline = sr.occurrencePeriod.end
        if isinstance(deadline, date):
            deadline = self._local_date(deadline)  # Helsenorge sends valueDateTime
        else:
            self.issues.error(entry.place, f"extension[{s.HN_DEADLINE}]", deadline,
                              "the legal deadline is required (no-frist-for-helsehjelp "
                              "or occurrencePeriod.end), as a full date")
            deadline = None
        booked = s.ext_value(entry.raw, s.EXT_BOOKED_MIN)
        if booked is None and proc is not None:
            booked = max(1, round(proc.duration.median))
            self.issues.warn(entry.place, f"extension[{s.EXT_BOOKED_MIN}]", None,
                             "booked minutes not given: the procedure's median duration is used")
        surgeon = None
        for i, performer in enumerate(sr.performer or []):
            found = self.ref(entry, f"performer[{i}]", performer, ("staff",), any_type=True)
            if found and found[0] == "staff":
                surgeon = found[1]
        readiness = []
        for value in s.ext_values(entry.raw, s.EXT_READINESS):
            try:
                readiness.append(ReadinessItem(value))
            except ValueError:
                self.issues.error(entry.place, f"extension[{s.EXT_READINESS}]", value,
                                  f"not one of {[r.value for r in ReadinessItem]}")
        note = "\n".join(n.text for n in (sr.note or []) if n.text)
        if patient_id is None or proc is None or priority is None or referral_date is None \
                or deadline is None:
            return
        specialty = s.ext_value(entry.raw, s.EXT_SPECIALTY_REF) or proc.specialty_id
        referral = self._build(entry, "referrals", "ServiceRequest", lambda: Referral(
            self.model_id(entry), patient_id, proc.code, specialty, referral_date, priority,
            deadline, booked, surgeon, note, frozenset(readiness),
            bool(s.ext_value(entry.raw, s.EXT_INFECTED))))
        if referral is not None:
            self._read_case(entry, referral.id)

    def _read_case(self, entry: Entry, referral_id: str) -> None:
        """The referral's case history from its ``case-change`` extensions (or ``case``)."""
        items = s.complex_ext_values(entry.raw, s.EXT_CASE_CHANGE)
        if not items and s.ext_value(entry.raw, s.EXT_CASE) is not True:
            return
        changes: list[CaseChange] = []
        ok = True
        for i, item in enumerate(items):
            field = f"extension[case-change][{i}]"
            at, kind, reason = _one(item, "at"), _one(item, "kind"), _one(item, "reason")
            new, old = _one(item, "newDate"), _one(item, "oldDate")
            if not isinstance(at, datetime) or at.tzinfo is None:
                self.issues.error(entry.place, f"{field}.at", None if at is None else str(at),
                                  "a date-time with a timezone offset is required")
                ok = False
                continue
            for part, value in (("newDate", new), ("oldDate", old)):
                if value is not None and (isinstance(value, datetime)
                                          or not isinstance(value, date)):
                    self.issues.error(entry.place, f"{field}.{part}", str(value),
                                      "must be a full date (valueDate)")
                    ok = False
            try:
                change = CaseChange(
                    at, ChangeKind(kind), new if isinstance(new, date) else None,
                    old if isinstance(old, date) else None,
                    CancellationReason(reason) if reason is not None else None,
                    str(_one(item, "by") or "system"), str(_one(item, "note") or ""))
            except ModelError as exc:  # a cancellation without a reason
                self.issues.error(entry.place, f"{field}.{exc.field.rsplit('.', 1)[-1]}",
                                  exc.value, exc.reason)
                ok = False
                continue
            except ValueError:  # not a ChangeKind or CancellationReason
                bad, value, enum = (("kind", kind, ChangeKind)
                                    if kind not in {k.value for k in ChangeKind}
                                    else ("reason", reason, CancellationReason))
                self.issues.error(entry.place, f"{field}.{bad}", value,
                                  f"must be one of {[m.value for m in enum]}")
                ok = False
                continue
            if changes and change.at < changes[-1].at:
                self.issues.error(entry.place, f"{field}.at", change.at.isoformat(),
                                  f"changes must be in time order (after {changes[-1].at.isoformat()})")
                ok = False
            changes.append(change)
        if ok:
            self._build(entry, "cases", "extension[case-change]",
                        lambda: Case(referral_id, tuple(changes)))

    def _priority(self, entry: Entry) -> Priority | None:
        sr = entry.resource
        own = s.ext_value(entry.raw, s.EXT_PRIORITY)
        if own is not None:
            try:
                return Priority(own)
            except ValueError:
                self.issues.error(entry.place, f"extension[{s.EXT_PRIORITY}]", own, "must be 1..4")
                return None
        if sr.priority is None:
            return Priority.P3
        if sr.priority not in PRIORITY_FROM_FHIR:
            self.issues.error(entry.place, "priority", sr.priority,
                              "must be routine, urgent, asap or stat")
            return None
        return PRIORITY_FROM_FHIR[sr.priority]

    def _read_emergency(self, entry: Entry, urgency: str) -> None:
        sr = entry.resource
        patient_id = self._subject(entry)
        proc = self._procedure_code(entry, sr.code)
        site = None
        for i, loc in enumerate(sr.locationReference or []):
            found = self.ref(entry, f"locationReference[{i}]", loc, ("site",))
            site = found[1] if found else site
        if site is None and not sr.locationReference:
            self.issues.error(entry.place, "locationReference", None,
                              "an emergency request needs the site")
        booked = s.ext_value(entry.raw, s.EXT_BOOKED_MIN)
        requested = self._aware(entry, "authoredOn", sr.authoredOn)
        if patient_id is None or proc is None or site is None or requested is None:
            return
        self._build(entry, "emergencies", "ServiceRequest", lambda: EmergencyRequest(
            self.model_id(entry), patient_id, proc.code,
            s.ext_value(entry.raw, s.EXT_SPECIALTY_REF) or proc.specialty_id, site, Urgency(urgency),
            requested, booked))

    def _local_date(self, value: date) -> date:
        """The hospital's calendar date of a FHIR date or dateTime (an instant with an offset
        is converted to the hospital's time zone first: a deadline is a Norwegian date)."""
        if isinstance(value, datetime):
            return (value.astimezone(self.tz) if value.tzinfo is not None else value).date()
        return value

    def _aware(self, entry: Entry, field: str, value: Any) -> datetime | None:
        if not isinstance(value, datetime) or value.tzinfo is None:
            self.issues.error(entry.place, field, str(value) if value is not None else None,
                              "a date-time with a timezone offset is required")
            return None
        return value.astimezone(self.tz)

    # ---------------------------------------------------------------- Schedule and Slot
    def _read_sessions(self) -> None:
        schedules: dict[int, tuple[str, str] | None] = {}
        for entry in self.doc.of_type("Schedule"):
            self._mark(entry, "schedule")
            room = None
            for i, actor in enumerate(entry.resource.actor or []):
                found = self.ref(entry, f"actor[{i}]", actor, ("room",), any_type=True)
                if found and found[0] == "room":
                    room = found
            schedules[id(entry)] = room
        for entry in self.doc.of_type("Slot"):
            self._mark(entry, "session")
            slot = entry.resource
            literal = slot.schedule.reference if slot.schedule else None
            target = self.doc.resolve(literal) if literal else None
            if target is None or target.type != "Schedule":
                self.issues.error(entry.place, "schedule", literal,
                                  "unknown reference: no Schedule with that id in the file")
                continue
            if target.resource is None:
                continue
            room = schedules.get(id(target))
            if room is None:
                self._mark(entry, "other")
                self.issues.warn(entry.place, "schedule", literal,
                                 "ignored: the Schedule is not an operating room's")
                continue
            if slot.status == "busy-unavailable":
                self._mark(entry, "other")
                self.issues.warn(entry.place, "status", slot.status,
                                 "ignored: an unavailable slot is not a staffed session")
                continue
            start = self._aware(entry, "start", slot.start)
            end = self._aware(entry, "end", slot.end)
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
                        self._ensure_specialty(entry, "specialty", coding.code, coding.display)
            self._build(entry, "sessions", "Slot", lambda e=entry, r=room, d=day, a=start_min,
                        b=end_min, sp=specialty: Session(
                            self.model_id(e), r[1], d, a, b, sp,
                            bool(s.ext_value(e.raw, s.EXT_EMERGENCY))))

    # ---------------------------------------------------------------- Appointment
    def _read_appointments(self) -> None:
        pending = []
        for entry in self.doc.of_type("Appointment"):
            self._mark(entry, "appointment")
            app = entry.resource
            if not app.basedOn and not app.slot:
                self.issues.warn(entry.place, "basedOn", None,
                                 "ignored: not a planned operation (no basedOn and no slot)")
                continue
            if app.status in ("cancelled", "noshow", "entered-in-error"):
                self.issues.warn(entry.place, "status", app.status, "ignored: not on the program")
                continue
            case = self.ref(entry, "basedOn[0]", (app.basedOn or [None])[0], ("referral", "emergency"))
            session = self.ref(entry, "slot[0]", (app.slot or [None])[0], ("session",))
            surgeon = room = None
            for i, participant in enumerate(app.participant or []):
                found = self.ref(entry, f"participant[{i}].actor", participant.actor,
                                 ("staff", "room", "patient"), required=False, any_type=True)
                if found and found[0] == "staff":
                    surgeon = found[1]
                elif found and found[0] == "room":
                    room = found[1]
            if surgeon is None:
                self.issues.error(entry.place, "participant", None,
                                  "a planned operation needs a surgeon (Practitioner participant)")
            start = self._aware(entry, "start", app.start)
            end = self._aware(entry, "end", app.end)
            if case is None or session is None or surgeon is None or start is None or end is None:
                continue
            planned = app.minutesDuration or int((end - start).total_seconds() // 60)
            if room is None:
                room = self._room_of_session(session[1])
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
                    self.issues.error(entry.place, "basedOn[0]", case,
                                      f"duplicate: the case is already planned by {seen[case]}")
                    continue
                seen[case] = entry.place
                day = self._session_date(session) or start.date()
                start_min = (start.date() - day).days * 1440 + start.hour * 60 + start.minute
                try:
                    self.parts.entries.append(ProgramEntry(
                        case, session, room or "", day, start_min,
                        planned, surgeon, order if order is not None else rank))
                except ModelError as exc:
                    self.issues.from_model_error(entry.place, exc)

    def _session_date(self, session_id: str) -> date | None:
        """Entries count minutes from their session's date (a case may start after midnight)."""
        for session in self.parts.items["sessions"]:
            if session.id == session_id:
                return session.date
        if self.hospital and session_id in self.hospital.session_by_id:
            return self.hospital.session_by_id[session_id].date
        return None

    def _room_of_session(self, session_id: str) -> str | None:
        for session in self.parts.items["sessions"]:
            if session.id == session_id:
                return str(session.room_id)
        if self.hospital and session_id in self.hospital.session_by_id:
            return self.hospital.session_by_id[session_id].room_id
        return None

    # ---------------------------------------------------------------- Procedure
    def _read_procedures(self) -> None:
        rows = []
        for entry in self.doc.of_type("Procedure"):
            self._mark(entry, "operation")
            proc = entry.resource
            if proc.status != "completed":
                self.issues.warn(entry.place, "status", proc.status,
                                 "ignored: only completed operations are history")
                continue
            subject = self.ref(entry, "subject", proc.subject, ("patient",))
            code = self._procedure_code(entry, proc.code)
            surgeon = None
            for i, performer in enumerate(proc.performer or []):
                found = self.ref(entry, f"performer[{i}].actor", performer.actor, ("staff",),
                                 any_type=True)
                if found and found[0] == "staff" and surgeon is None:
                    surgeon = found[1]
            if surgeon is None:
                self.issues.error(entry.place, "performer", None, "the surgeon is required: a "
                                  "Practitioner with an operating-room role")
            room = self.ref(entry, "location", proc.location, ("room",))
            period = proc.performedPeriod
            if period is None or period.start is None or period.end is None:
                self.issues.error(entry.place, "performedPeriod", None,
                                  "start and end (in room, out of room) are required")
                continue
            start = self._aware(entry, "performedPeriod.start", period.start)
            end = self._aware(entry, "performedPeriod.end", period.end)
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
                patient = self._patients.get(patient_id)
                actual = int((end - start).total_seconds() // 60)
                booked = s.ext_value(entry.raw, s.EXT_BOOKED_MIN) or actual
                urgency = s.ext_value(entry.raw, s.EXT_URGENCY)
                try:
                    assert patient is not None
                    self.parts.history.append(PastOperation(
                        self.model_id(entry), start.date(), self._site_of_room(room), room,
                        code.specialty_id, code.code, surgeon, patient.age_on(start.date()),
                        patient.sex, patient.asa, patient.bmi, booked, actual,
                        start.hour * 60 + start.minute, order, urgency is not None,
                        Urgency(urgency) if urgency else None))
                except (ModelError, ValueError, AssertionError) as exc:
                    reason = exc.reason if isinstance(exc, ModelError) else str(exc)
                    self.issues.error(entry.place, "Procedure", None, reason or "unreadable")


def _physical_type(loc: Any) -> str | None:
    concept = loc.physicalType
    for coding in (concept.coding or []) if concept is not None else []:
        if coding.code:
            return str(coding.code)
    return None


def _staff_role(role: Any) -> StaffRole | None:
    for concept in role.code or []:
        for coding in concept.coding or []:
            if coding.system == s.KT_STAFF_ROLE:
                try:
                    return StaffRole(coding.code)
                except ValueError:
                    return None
            if coding.system == s.SNOMED and coding.code in SNOMED_ROLES:
                return SNOMED_ROLES[coding.code]
    return None


def _one(item: dict[str, list[Any]], key: str) -> Any:
    values = item.get(key)
    return values[0] if values else None


def _counts(values: list[Any]) -> dict[str, int]:
    """'location=count' strings (the equipment extension) as a dict."""
    counts = {}
    for value in values:
        location, _, count = str(value).rpartition("=")
        counts[location] = int(count)
    return counts


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
