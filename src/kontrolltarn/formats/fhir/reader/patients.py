"""Patient: birth date (or the one in the national identity number), sex, ASA class and BMI."""

from __future__ import annotations

from datetime import date

from kontrolltarn.formats import norwegian_ids as nid
from kontrolltarn.formats.fhir import systems as s
from kontrolltarn.formats.fhir.bundle import Entry
from kontrolltarn.model import Patient

from .context import Reading, as_date

DEFAULT_ASA, DEFAULT_BMI = 2, 25.0


def read_patients(ctx: Reading) -> None:
    """Patients of the file; the ones read are known to later references by number."""
    for entry in ctx.doc.of_type("Patient"):
        ctx.mark(entry, "patient")
        patient = _read_patient(ctx, entry)
        if patient is not None:
            ctx.patients[patient.id] = patient


def _read_patient(ctx: Reading, entry: Entry) -> Patient | None:
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
    birth = as_date(pat.birthDate) if isinstance(pat.birthDate, date) else None
    if birth is None and id_birth is not None:
        birth = id_birth
        ctx.issues.warn(entry.place, "birthDate", pat.birthDate,
                        "missing or partial: taken from the national identity number")
    if birth is None:
        ctx.issues.error(entry.place, "birthDate", pat.birthDate,
                         "a full birth date (or a national identity number) is required")
        return None
    if id_birth is not None and id_birth != birth:
        ctx.issues.warn(entry.place, "birthDate", str(birth),
                        f"differs from the date in the national identity number ({id_birth})")
    sex = {"male": "M", "female": "F"}.get(str(pat.gender), "U")
    if pat.gender is not None and pat.gender not in ("male", "female", "other", "unknown"):
        ctx.issues.error(entry.place, "gender", pat.gender,
                         "must be male, female, other or unknown")
        return None
    asa = s.ext_value(entry.raw, s.EXT_ASA)
    bmi = s.ext_value(entry.raw, s.EXT_BMI)
    if asa is None or bmi is None:
        ctx.issues.warn(entry.place, "extension[asa/bmi]", None,
                        f"ASA class or BMI not given: ASA {DEFAULT_ASA} and BMI "
                        f"{DEFAULT_BMI:g} assumed until the pre-operative assessment")
    result: Patient | None = ctx.build(entry, "patients", "Patient", lambda: Patient(
        ctx.model_id(entry), birth, sex, DEFAULT_ASA if asa is None else asa,
        DEFAULT_BMI if bmi is None else float(bmi), national_id))
    return result
