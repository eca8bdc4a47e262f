# ruff: noqa: E501
"""Check digits, dates and the per-type policy of kontrolltarn.formats.norwegian_ids."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kontrolltarn.formats import norwegian_ids as nid
from kontrolltarn.formats.norwegian_ids import Kind, Verdict


def _with_check_digits(nine: str) -> str | None:
    """Append K1 and K2 by the rule in NORWAY.md §2.1 (None when no valid number exists)."""
    digits = [int(c) for c in nine]
    k1 = 11 - sum(w * d for w, d in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), digits, strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    if k1 == 10:
        return None
    digits.append(k1)
    k2 = 11 - sum(w * d for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), digits, strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    return None if k2 == 10 else nine + str(k1) + str(k2)


@st.composite
def person_numbers(draw: st.DrawFn, kind: Kind = Kind.FNR) -> tuple[str, date]:
    born = draw(st.dates(date(1900, 1, 1), date(2039, 12, 31)))
    individual = draw(st.integers(0, 499) if born.year < 2000 else st.integers(500, 999))
    day = born.day + (40 if kind is Kind.DNR else 0)
    month = born.month + (40 if kind is Kind.HNR else 0)
    number = _with_check_digits(f"{day:02d}{month:02d}{born.year % 100:02d}{individual:03d}")
    assume(number is not None)
    return str(number), born


@pytest.mark.parametrize("value", ["21030550231", "13031353453"])
def test_published_valid_fnr(value: str) -> None:
    assert nid.check_person_number(value).verdict is Verdict.OK


@pytest.mark.parametrize("value,kind", [("12705825562", Kind.FNR), ("41667987421", Kind.DNR)])
def test_right_check_digits_but_impossible_date_is_accepted_with_warning(value: str, kind: Kind) -> None:
    check = nid.check_person_number(value, kind)
    assert check.verdict is Verdict.WARN and "date" in check.reason


@pytest.mark.parametrize("value", ["15064312345", "12345678901", "210377xxxxx", "1000240", ""])
def test_failing_or_malformed_person_numbers_are_rejected(value: str) -> None:
    assert nid.check_person_number(value).verdict is Verdict.REJECT


@pytest.mark.parametrize("value,ok", [("915933149", True), ("993467049", True), ("974705761", True),
                                      ("942110464", True), ("985626154", True), ("123456785", True),
                                      ("123456784", False), ("test", False),
                                      ("orgnr11112233344", False)])
def test_orgnr(value: str, ok: bool) -> None:
    assert nid.check_orgnr(value).accepted is ok


@pytest.mark.parametrize("value,ok", [("1215", True), ("9144900", True), ("1010101010", True),
                                      ("SYN001", False), ("12345678901", False)])
def test_hpr_is_a_plain_number(value: str, ok: bool) -> None:
    assert nid.check_register_number(value, Kind.HPR).accepted is ok


@given(person_numbers())
def test_generated_fnr_is_valid_and_encodes_its_birth_date(case: tuple[str, date]) -> None:
    value, born = case
    check = nid.check_person_number(value, Kind.FNR)
    assert check.verdict is Verdict.OK and check.birth_date == born


@given(person_numbers(Kind.DNR))
def test_generated_dnr_is_valid_and_encodes_its_birth_date(case: tuple[str, date]) -> None:
    value, born = case
    assert nid.check_person_number(value, Kind.DNR).birth_date == born
    assert nid.check_person_number(value, Kind.FNR).verdict is Verdict.WARN  # day 41+ as FNR


@given(person_numbers(Kind.HNR))
def test_generated_h_number_is_valid(case: tuple[str, date]) -> None:
    assert nid.check_person_number(case[0], Kind.HNR).verdict is Verdict.OK


@given(person_numbers(), st.integers(0, 10), st.integers(1, 9))
def test_any_single_digit_error_is_rejected(case: tuple[str, date], pos: int, delta: int) -> None:
    value = case[0]
    wrong = value[:pos] + str((int(value[pos]) + delta) % 10) + value[pos + 1:]
    assert nid.check_person_number(wrong).verdict is Verdict.REJECT


@given(person_numbers(), st.integers(0, 9))
def test_any_swap_of_neighbouring_digits_is_rejected(case: tuple[str, date], pos: int) -> None:
    value = case[0]
    assume(value[pos] != value[pos + 1])
    wrong = value[:pos] + value[pos + 1] + value[pos] + value[pos + 2:]
    assert nid.check_person_number(wrong).verdict is Verdict.REJECT


@given(st.text("0123456789", min_size=8, max_size=8), st.integers(0, 8), st.integers(1, 9))
def test_orgnr_catches_single_digit_errors(eight: str, pos: int, delta: int) -> None:
    rest = sum(w * int(c) for w, c in zip((3, 2, 7, 6, 5, 4, 3, 2), eight, strict=True)) % 11
    assume(rest != 1)
    value = eight + str(0 if rest == 0 else 11 - rest)
    assert nid.check_orgnr(value).accepted
    wrong = value[:pos] + str((int(value[pos]) + delta) % 10) + value[pos + 1:]
    assert not nid.check_orgnr(wrong).accepted


def test_2032_rule_numbers_are_accepted_with_a_warning() -> None:
    # search a nine-digit stem whose K1 sum leaves remainder 1..3 yet K2 holds
    for stem in range(10000000, 10100000):
        nine = f"0101{stem % 100:02d}{stem // 100 % 1000:03d}"
        for k1 in range(10):
            ten = nine + str(k1)
            rest = sum(w * int(c) for w, c in zip((3, 7, 6, 1, 8, 9, 4, 5, 2, 1), ten, strict=True)) % 11
            if rest not in (1, 2, 3):
                continue
            k2 = (11 - sum(w * int(c) for w, c in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), ten, strict=True)) % 11) % 11
            if k2 == 10:
                continue
            check = nid.check_person_number(ten + str(k2))
            assert check.verdict is Verdict.WARN and "2032" in check.reason
            return
    pytest.fail("no 2032-rule number found")


def test_system_aliases_and_unknown_systems() -> None:
    assert nid.kind_of_system("http://hl7.no/fhir/NamingSystem/FNR") is Kind.FNR
    assert nid.check_identifier("urn:oid:2.16.840.1.113883.2.4.6.3", "123") is None
