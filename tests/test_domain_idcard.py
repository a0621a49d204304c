"""idcard: GB 11643 resident ID numbers (18 and legacy 15) and other ID types."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.domain.idcard import (
    IdCheck,
    IdVerdict,
    check_other_id,
    check_resident_id,
    is_valid_legacy_15,
    upgrade_15_to_18,
)
from counter_app.domain.normalize import normalize_id

BASE = date(2026, 4, 1)

# An oracle independent of the code under test: GB 11643 weights 2^(17-i) mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_char(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def rid(first17: str) -> str:
    """A number with the right check character."""
    assert len(first17) == 17
    return first17 + check_char(first17)


def wrong(first17: str) -> tuple[str, str]:
    """A number with a wrong check character, and the right one."""
    right = check_char(first17)
    bad = "0" if right != "0" else "1"
    return first17 + bad, right


def test_oracle_agrees_with_known_real_format_numbers() -> None:
    # Sample-file numbers, valid per the domain; and the textbook example.
    assert check_char("43010219850401847") == "X"
    assert check_char("43010219951227491") == "0"
    assert check_char("11010519491231002") == "X"


@pytest.mark.parametrize(
    "number",
    [
        "430102199512274910",
        "43010219850401847X",
        "43010219850401847x",  # lower-case x accepted
        " 43010219850401847X ",
        "430102 19850401 847X",
        "４３０１０２１９８５０４０１８４７Ｘ",  # full-width
        "11010519491231002X",
    ],
)
def test_valid_18(number: str) -> None:
    verdict = check_resident_id(number, BASE)
    assert verdict.check is IdCheck.VALID
    assert verdict.problem is None
    assert verdict.expected_check_char == normalize_id(number)[-1]


def test_wrong_check_char_names_the_expected_one() -> None:
    number, right = wrong("43010219850401847")
    assert right == "X"
    verdict = check_resident_id(number, BASE)
    assert verdict == IdVerdict(IdCheck.INVALID, "check character should be X", "X")


def test_wrong_check_char_digit() -> None:
    verdict = check_resident_id("430102199512274911", BASE)
    assert verdict.check is IdCheck.INVALID
    assert verdict.problem == "check character should be 0"
    assert verdict.expected_check_char == "0"


def test_check_char_that_is_a_letter_other_than_x() -> None:
    verdict = check_resident_id("43010219951227491Y", BASE)
    assert verdict.check is IdCheck.INVALID
    assert verdict.problem == "check character should be 0"


def test_30_february_birth_date() -> None:
    # The sample file's 11010519990230776X: its check char is right, the date is not.
    assert check_char("11010519990230776") == "X"
    verdict = check_resident_id("11010519990230776X", BASE)
    assert verdict.check is IdCheck.INVALID
    assert verdict.problem == "birth date 1999-02-30 is not a real date"


@pytest.mark.parametrize(
    ("birth", "shown"),
    [("19991301", "1999-13-01"), ("19990001", "1999-00-01"), ("19990100", "1999-01-00")],
)
def test_impossible_month_or_day(birth: str, shown: str) -> None:
    verdict = check_resident_id(rid(f"110105{birth}123"), BASE)
    assert verdict.check is IdCheck.INVALID
    assert verdict.problem == f"birth date {shown} is not a real date"


def test_29_february_only_in_leap_years() -> None:
    assert check_resident_id(rid("11010520000229123"), BASE).check is IdCheck.VALID
    assert check_resident_id(rid("11010519000229123"), BASE).check is IdCheck.INVALID
    assert check_resident_id(rid("11010519990229123"), BASE).check is IdCheck.INVALID


def test_birth_date_on_base_date_is_valid_day_after_is_not() -> None:
    on_base = rid("11010520260401123")
    assert check_resident_id(on_base, BASE).check is IdCheck.VALID
    after = rid("11010520260402123")
    verdict = check_resident_id(after, BASE)
    assert verdict.check is IdCheck.INVALID
    assert verdict.problem is not None
    assert "after the base date" in verdict.problem
    # the same number is fine against a later base date
    assert check_resident_id(after, date(2026, 4, 2)).check is IdCheck.VALID


def test_absurdly_old_birth_year() -> None:
    assert check_resident_id(rid("11010518000101123"), BASE).check is IdCheck.VALID
    verdict = check_resident_id(rid("11010517991231123"), BASE)
    assert verdict.check is IdCheck.INVALID
    assert verdict.problem == "birth date 1799-12-31 is before 1800"
    assert check_resident_id(rid("11010500000101123"), BASE).check is IdCheck.INVALID


VALID_PROVINCES = (
    set(range(11, 16))
    | set(range(21, 24))
    | set(range(31, 38))
    | set(range(41, 47))
    | set(range(50, 55))
    | set(range(61, 66))
    | {71, 81, 82}
)


@pytest.mark.parametrize("province", range(0, 100))
def test_every_province_code(province: int) -> None:
    number = rid(f"{province:02d}0105198001011234"[:17])
    verdict = check_resident_id(number, BASE)
    if province in VALID_PROVINCES:
        assert verdict.check is IdCheck.VALID, number
    else:
        assert verdict.check is IdCheck.INVALID, number
        assert verdict.problem == f"province code {province:02d} does not exist"


@pytest.mark.parametrize(
    ("province", "ok"),
    [
        (10, False), (11, True), (15, True), (16, False), (20, False), (21, True),
        (23, True), (24, False), (30, False), (31, True), (37, True), (38, False),
        (40, False), (41, True), (46, True), (47, False), (49, False), (50, True),
        (54, True), (55, False), (60, False), (61, True), (65, True), (66, False),
        (70, False), (71, True), (72, False), (80, False), (81, True), (82, True),
        (83, False), (99, False),
    ],
)  # fmt: skip
def test_province_range_edges(province: int, ok: bool) -> None:
    verdict = check_resident_id(rid(f"{province:02d}010519800101123"), BASE)
    assert (verdict.check is IdCheck.VALID) is ok


def test_county_code_is_not_looked_up() -> None:
    # 110199 / 439999 are no county in any table; the number is still valid.
    assert check_resident_id(rid("11019919800101123"), BASE).check is IdCheck.VALID
    assert check_resident_id(rid("43999919800101123"), BASE).check is IdCheck.VALID


@pytest.mark.parametrize(
    "number",
    [
        "4301021985040184",  # 16
        "4301021985040184700",  # 19
        "43010219850401847XX",
        "4301021985040184A7",  # letter inside
        "X3010219850401847X",
        "43010-19850401847X",
        "１",
        "123",
    ],
)
def test_wrong_shape(number: str) -> None:
    verdict = check_resident_id(number, BASE)
    assert verdict.check is IdCheck.INVALID
    assert verdict.problem == "must be 18 characters (17 digits and a check character)"


@pytest.mark.parametrize("number", [None, "", "  ", "\u3000", "无", "N/A", "-", "不详"])
def test_missing(number: str | None) -> None:
    assert check_resident_id(number, BASE) == IdVerdict(IdCheck.MISSING, None, None)


# -- legacy 15 ---------------------------------------------------------------------


def test_valid_15_is_legacy_and_names_the_upgrades_check_char() -> None:
    verdict = check_resident_id("110105490101123", BASE)
    assert verdict.check is IdCheck.LEGACY_15
    assert verdict.problem == "old 15-digit number; must be upgraded to 18 digits"
    assert verdict.expected_check_char == check_char("11010519490101123")


def test_upgrade_15_to_18() -> None:
    upgraded = upgrade_15_to_18("110105490101123")
    assert upgraded == "11010519490101123" + check_char("11010519490101123")
    assert check_resident_id(upgraded, BASE).check is IdCheck.VALID
    assert upgrade_15_to_18(" 430102 850401 847 ") == rid("43010219850401847")


@pytest.mark.parametrize("number", ["11010549010112", "11010549010112X", "abc", ""])
def test_upgrade_refuses_non_15_digit(number: str) -> None:
    with pytest.raises(ValueError, match="15-digit"):
        upgrade_15_to_18(number)


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("110105990230123", "birth date 1999-02-30 is not a real date"),
        ("110105491301123", "birth date 1949-13-01 is not a real date"),
        ("160105490101123", "province code 16 does not exist"),
        ("830105490101123", "province code 83 does not exist"),
        ("11010549010112X", "must be 18 characters (17 digits and a check character)"),
        ("1101054901011A3", "must be 18 characters (17 digits and a check character)"),
    ],
)
def test_invalid_15(number: str, problem: str) -> None:
    verdict = check_resident_id(number, BASE)
    assert verdict.check is IdCheck.INVALID
    assert verdict.problem == problem
    assert normalize_id(number) == number  # not upgraded


def test_15_digit_birth_date_against_an_early_base_date() -> None:
    verdict = check_resident_id("110105990101123", date(1998, 1, 1))
    assert verdict.check is IdCheck.INVALID
    assert verdict.problem is not None
    assert "after the base date" in verdict.problem


def test_15_digit_province_edges() -> None:
    for province, ok in ((15, True), (16, False), (71, True), (81, True), (82, True), (83, False)):
        number = f"{province:02d}0105490101123"
        assert (check_resident_id(number, BASE).check is IdCheck.LEGACY_15) is ok
        assert is_valid_legacy_15(number) is ok


@given(
    st.sampled_from(sorted(VALID_PROVINCES)),
    st.integers(0, 9999),
    st.dates(date(1900, 1, 1), date(1999, 12, 31)),
    st.integers(0, 999),
)
def test_valid_15_upgrades_and_compares_equal(
    province: int, county: int, born: date, sequence: int
) -> None:
    old = f"{province:02d}{county:04d}{born:%y%m%d}{sequence:03d}"
    new = upgrade_15_to_18(old)
    assert new == f"{province:02d}{county:04d}{born:%Y%m%d}{sequence:03d}" + check_char(new[:17])
    assert normalize_id(old) == normalize_id(new) == new
    assert check_resident_id(old, BASE).check is IdCheck.LEGACY_15
    assert check_resident_id(new, BASE).check is IdCheck.VALID
    assert check_resident_id(new.lower(), BASE).check is IdCheck.VALID


@given(st.text(alphabet="0123456789Xx ", max_size=20))
def test_check_never_raises(number: str) -> None:
    verdict = check_resident_id(number, BASE)
    assert (verdict.problem is None) == (verdict.check in (IdCheck.VALID, IdCheck.MISSING))


# -- other id types ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "check"),
    [
        ("E12345678", IdCheck.VALID),
        ("H0123456701", IdCheck.VALID),
        ("91430100MA4L0XXXXX", IdCheck.VALID),
        ("x", IdCheck.VALID),
        ("1", IdCheck.VALID),
        ("护照", IdCheck.VALID),  # a letter, as far as Unicode is concerned
        ("///", IdCheck.INVALID),
        ("-/-", IdCheck.INVALID),
        ("……", IdCheck.INVALID),
        (None, IdCheck.MISSING),
        ("", IdCheck.MISSING),
        ("   ", IdCheck.MISSING),
        ("无", IdCheck.MISSING),
        ("n/a", IdCheck.MISSING),
    ],
)
def test_check_other_id(number: str | None, check: IdCheck) -> None:
    verdict = check_other_id(number)
    assert verdict.check is check
    assert (verdict.problem == "has no letter or digit") is (check is IdCheck.INVALID)
