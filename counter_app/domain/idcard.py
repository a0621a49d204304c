"""Resident identity card numbers (GB 11643) and other ID numbers.

The 18-character number is a six-digit address code, the birth date YYYYMMDD, a
three-digit sequence and an ISO 7064 MOD 11-2 check character (``X`` for 10). The
old 15-digit number has the birth date as YYMMDD (always 19YY) and no check
character.

The address code is deliberately *not* looked up in a county table (that is why
``stdnum.cn.ric.validate`` is not used): numbers are assigned at registration, so a
county code may be younger than its holder, and a lookup rejects real customers.
Only the province-level code (the first two digits) is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from stdnum.cn import ric as _ric

from counter_app.domain._text import clean_id, is_id_placeholder

#: Province-level codes (GB/T 2260 first two digits), including Taiwan 71, Hong Kong
#: 81 and Macao 82.
PROVINCE_CODES: frozenset[str] = frozenset(
    [str(code) for code in range(11, 16)]
    + [str(code) for code in range(21, 24)]
    + [str(code) for code in range(31, 38)]
    + [str(code) for code in range(41, 47)]
    + [str(code) for code in range(50, 55)]
    + [str(code) for code in range(61, 66)]
    + ["71", "81", "82"]
)

#: A birth year before this is a typing error, not a customer.
EARLIEST_BIRTH_YEAR = 1800

LENGTH_PROBLEM = "must be 18 characters (17 digits and a check character)"


class IdCheck(StrEnum):
    VALID = "VALID"
    LEGACY_15 = "LEGACY_15"
    INVALID = "INVALID"
    MISSING = "MISSING"


@dataclass(frozen=True)
class IdVerdict:
    """The result of checking an ID number.

    Attributes:
        check: the outcome.
        problem: a short English message for people when the number is not VALID
            (for LEGACY_15 it says that it must be upgraded); None when VALID/MISSING.
        expected_check_char: the check character the 18-digit form should end with,
            whenever the 17 leading digits are known (for LEGACY_15, the upgrade's).
    """

    check: IdCheck
    problem: str | None = None
    expected_check_char: str | None = None


_MISSING = IdVerdict(IdCheck.MISSING)
_VALID_OTHER = IdVerdict(IdCheck.VALID)
# Verdicts are immutable: share the VALID ones (one per check character) rather than
# build one per account.
_VALID_18 = {char: IdVerdict(IdCheck.VALID, None, char) for char in "0123456789X"}


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _check_char(first17: str) -> str:
    # stdnum's calc_check_digit takes the full number and ignores its last character.
    return _ric.calc_check_digit(first17 + "0")


def _birth_problem(year: int, month: int, day: int, base_date: date | None) -> str | None:
    """None when YYYY-MM-DD is a real birth date (not before 1800, not after base_date)."""
    if year < EARLIEST_BIRTH_YEAR:
        return f"birth date {year:04d}-{month:02d}-{day:02d} is before {EARLIEST_BIRTH_YEAR}"
    try:
        born = date(year, month, day)
    except ValueError:
        return f"birth date {year:04d}-{month:02d}-{day:02d} is not a real date"
    if base_date is not None and born > base_date:
        return f"birth date {born.isoformat()} is after the base date"
    return None


def _legacy_15_problem(number: str, base_date: date | None) -> str | None:
    """None when a 15-character cleaned number is a valid old resident ID."""
    if not _is_digits(number):
        return LENGTH_PROBLEM
    if number[:2] not in PROVINCE_CODES:
        return f"province code {number[:2]} does not exist"
    return _birth_problem(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]), base_date)


def is_valid_legacy_15(number: str) -> bool:
    """True when ``number`` (already cleaned) is a valid old 15-digit resident ID.

    No base date is needed: a 19YY birth date is always in the past.
    """
    return len(number) == 15 and _legacy_15_problem(number, None) is None


def upgrade_15_to_18(number: str) -> str:
    """The 18-digit form of an old 15-digit number: "19" before the year, check char after.

    Raises:
        ValueError: when ``number`` is not 15 digits once cleaned.
    """
    cleaned = clean_id(number)
    if len(cleaned) != 15 or not _is_digits(cleaned):
        raise ValueError(f"not a 15-digit ID number: {number!r}")
    first17 = cleaned[:6] + "19" + cleaned[6:]
    return first17 + _check_char(first17)


def check_resident_id(number: str | None, base_date: date) -> IdVerdict:
    """Check a resident identity card number as of ``base_date``.

    Input may carry spaces, full-width digits or a lower-case ``x``. When several
    things are wrong, the problem reported is the first of: shape, province code,
    birth date, check character.
    """
    cleaned = clean_id(number)
    if is_id_placeholder(cleaned):
        return _MISSING
    length = len(cleaned)
    if length == 18:
        first17, last = cleaned[:17], cleaned[17]
        if not _is_digits(first17):
            return IdVerdict(IdCheck.INVALID, LENGTH_PROBLEM)
        expected = _check_char(first17)
        if first17[:2] not in PROVINCE_CODES:
            problem: str | None = f"province code {first17[:2]} does not exist"
        else:
            problem = _birth_problem(
                int(first17[6:10]), int(first17[10:12]), int(first17[12:14]), base_date
            )
        if problem is None and last != expected:
            problem = f"check character should be {expected}"
        if problem is None:
            return _VALID_18[expected]
        return IdVerdict(IdCheck.INVALID, problem, expected)
    if length == 15:
        problem = _legacy_15_problem(cleaned, base_date)
        if problem is None:
            first17 = cleaned[:6] + "19" + cleaned[6:]
            return IdVerdict(
                IdCheck.LEGACY_15,
                "old 15-digit number; must be upgraded to 18 digits",
                _check_char(first17),
            )
        return IdVerdict(IdCheck.INVALID, problem)
    return IdVerdict(IdCheck.INVALID, LENGTH_PROBLEM)


def check_other_id(number: str | None) -> IdVerdict:
    """Check an ID number of a type other than the resident card (passport, licence...).

    Only its presence can be checked: MISSING when blank or a placeholder, INVALID
    when it holds no letter or digit at all (e.g. "///"), VALID otherwise.
    """
    cleaned = clean_id(number)
    if is_id_placeholder(cleaned):
        return _MISSING
    if not any(char.isalnum() for char in cleaned):
        return IdVerdict(IdCheck.INVALID, "has no letter or digit")
    return _VALID_OTHER
