"""Norwegian identifiers: check digits, date validity and the import policy per identifier type.

The rules come from Skatteetaten (fødselsnummer, D-nummer, from 2032 the relaxed K1 rule),
Norsk helsenett (felles hjelpenummer) and Brønnøysundregistrene (organisasjonsnummer); the
research notes are `../shared/fixtures/fhir/NORWAY.md`.

Policy (also the table in docs/integration.md). A person number that fails its check digits is
**rejected**: a mistyped number attaches the plan to the wrong person, which the safety case
cannot accept. A number with correct check digits whose date part is no calendar date is
**accepted with a warning**: published examples and test data (Skatteetaten's synthetic numbers)
look like that, and the check digits already rule out a typing error. Numbers that carry no
check digit (HPR, RESH, HER) are checked only as digit strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# Identifier.system values (the no-basis NamingSystems' preferred OID form).
FNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.1"
DNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.2"
FHN_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.3"
HPR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.4"
ORGNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.101"
RESH_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.102"
HER_SYSTEM = "urn:oid:2.16.578.1.12.4.1.2"
HNR_SYSTEM = "HNR"  # local H-nummer: the profile's slice uses the literal system "HNR"

# The no-basis NamingSystems also list http://hl7.no URIs; both forms mean the same register.
_HL7NO = "http://hl7.no/fhir/NamingSystem/"
SYSTEM_ALIASES = {
    _HL7NO + "FNR": FNR_SYSTEM,
    _HL7NO + "DNR": DNR_SYSTEM,
    _HL7NO + "FHN": FHN_SYSTEM,
    _HL7NO + "HPR": HPR_SYSTEM,
    _HL7NO + "ENH": ORGNR_SYSTEM,
    _HL7NO + "RSH": RESH_SYSTEM,
    _HL7NO + "HER": HER_SYSTEM,
}

_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
_ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


class Kind(StrEnum):
    FNR = "fødselsnummer"
    DNR = "D-nummer"
    HNR = "H-nummer"
    FHN = "felles hjelpenummer"
    HPR = "HPR-nummer"
    ORGNR = "organisasjonsnummer"
    RESH = "RESH-id"
    HER = "HER-id"


class Verdict(StrEnum):
    OK = "ok"
    WARN = "warn"  # accepted; the warning is shown to the user and kept in the result
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of checking one identifier: the verdict and, unless OK, why."""

    kind: Kind
    value: str
    verdict: Verdict
    reason: str = ""
    birth_date: date | None = None  # the date the number encodes, when it encodes a real one

    @property
    def accepted(self) -> bool:
        return self.verdict is not Verdict.REJECT


def kind_of_system(system: str | None) -> Kind | None:
    """The identifier type an ``Identifier.system`` names, or None for a system we do not check."""
    if system is None:
        return None
    system = SYSTEM_ALIASES.get(system, system)
    return {
        FNR_SYSTEM: Kind.FNR, DNR_SYSTEM: Kind.DNR, FHN_SYSTEM: Kind.FHN, HPR_SYSTEM: Kind.HPR,
        ORGNR_SYSTEM: Kind.ORGNR, RESH_SYSTEM: Kind.RESH, HER_SYSTEM: Kind.HER, HNR_SYSTEM: Kind.HNR,
    }.get(system)


def _digits(value: str) -> list[int]:
    return [int(c) for c in value]


def person_check_digits(value: str) -> tuple[bool, bool]:
    """(valid under today's rule, valid under the 2032 rule) for an 11-digit person number.

    Today both weighted sums must be divisible by 11. From 2032 Skatteetaten also accepts K1
    sums with remainder 1, 2 or 3; K2 is unchanged. Systems must accept both side by side.
    """
    d = _digits(value)
    k1_rest = sum(w * x for w, x in zip(_K1_WEIGHTS, d[:10], strict=True)) % 11
    k2_ok = sum(w * x for w, x in zip(_K2_WEIGHTS, d, strict=True)) % 11 == 0
    return (k1_rest == 0 and k2_ok, k1_rest in (0, 1, 2, 3) and k2_ok)


def birth_date_of(value: str, kind: Kind) -> date | None:
    """The birth date an FNR, D- or H-number encodes, or None if its date part is no date.

    D-numbers add 4 to the first digit (day + 40), H-numbers 4 to the third (month + 40).
    The century follows from the individual number (digits 7-9), as Skatteetaten assigns them.
    """
    d = _digits(value)
    day, month, year2 = d[0] * 10 + d[1], d[2] * 10 + d[3], d[4] * 10 + d[5]
    individual = d[6] * 100 + d[7] * 10 + d[8]
    if kind is Kind.DNR:
        day -= 40
    if kind is Kind.HNR:
        month -= 40
    if individual <= 499:
        century = 1900
    elif individual <= 749 and year2 >= 54:
        century = 1800
    elif individual >= 900 and year2 >= 40:
        century = 1900
    elif individual >= 500 and year2 <= 39:
        century = 2000
    else:
        return None
    try:
        return date(century + year2, month, day)
    except ValueError:
        return None


def check_person_number(value: str, kind: Kind = Kind.FNR) -> Check:
    """Check an FNR, D-, H- or FH-number: two check digits (reject), then the date (warn)."""
    if len(value) != 11 or not value.isdigit():
        return Check(kind, value, Verdict.REJECT, "must be 11 digits")
    today_ok, rule_2032_ok = person_check_digits(value)
    if not rule_2032_ok:
        return Check(kind, value, Verdict.REJECT, "check digits (mod 11) do not match")
    if kind is Kind.FHN:
        if value[0] not in "89":
            return Check(kind, value, Verdict.REJECT, "a felles hjelpenummer starts with 8 or 9")
        return Check(kind, value, Verdict.OK)  # carries no date
    if kind is Kind.DNR and value[0] not in "4567":
        return Check(kind, value, Verdict.REJECT, "a D-nummer's first digit is 4-7 (day + 40)")
    born = birth_date_of(value, kind)
    if born is None:
        return Check(kind, value, Verdict.WARN,
                     "check digits are right but the date part is no calendar date "
                     "(test or synthetic number?)")
    if not today_ok:
        return Check(kind, value, Verdict.WARN,
                     "valid only under the K1 rule that applies from 2032", born)
    return Check(kind, value, Verdict.OK, birth_date=born)


def check_orgnr(value: str) -> Check:
    """Organisasjonsnummer: 9 digits, weights 3 2 7 6 5 4 3 2, remainder 1 has no check digit."""
    if len(value) != 9 or not value.isdigit():
        return Check(Kind.ORGNR, value, Verdict.REJECT, "must be 9 digits")
    d = _digits(value)
    rest = sum(w * x for w, x in zip(_ORGNR_WEIGHTS, d[:8], strict=True)) % 11
    expected = 0 if rest == 0 else 11 - rest
    if expected == 10 or expected != d[8]:
        return Check(Kind.ORGNR, value, Verdict.REJECT, "check digit (mod 11) does not match")
    return Check(Kind.ORGNR, value, Verdict.OK)


def check_register_number(value: str, kind: Kind, max_digits: int = 10) -> Check:
    """HPR, RESH, HER: plain register numbers with no documented check digit (digits only)."""
    if not value.isdigit() or not 1 <= len(value) <= max_digits:
        return Check(kind, value, Verdict.REJECT, f"must be 1-{max_digits} digits")
    return Check(kind, value, Verdict.OK)


def check_identifier(system: str | None, value: str) -> Check | None:
    """Check ``value`` under ``system``; None when the system is not a Norwegian register we
    check (unknown systems are kept, not rejected)."""
    kind = kind_of_system(system)
    if kind is None:
        return None
    if kind in (Kind.FNR, Kind.DNR, Kind.HNR, Kind.FHN):
        return check_person_number(value, kind)
    if kind is Kind.ORGNR:
        return check_orgnr(value)
    return check_register_number(value, kind)


def person_number_kind(value: str) -> Kind | None:
    """FNR or D-number, for a value that passes that check (used when exporting a model id)."""
    for kind in (Kind.FNR, Kind.DNR):
        check = check_person_number(value, kind)
        if check.verdict is Verdict.OK:
            return kind
    return None
