"""Mainland China phone numbers: a mobile, or a fixed line with its area code.

Validity comes from the ``phonenumbers`` metadata, but ``phonenumbers.parse`` plus
``is_valid_number`` costs 20-30 µs a number, and screening a million accounts must
take seconds. So the text is taken apart here (it is only ever a Chinese number)
and the metadata is asked about the national significant number (NSN) directly:

* An 11-digit NSN starting with 1 can only be a mobile in the CN metadata (fixed
  lines starting with 1 are Beijing's 10 + 8 digits = 10 digits), and the mobile
  pattern is ``1(?:610\\d|740[0-5])\\d{6}|1(?:[38]\\d|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])\\d{8}``:
  everything after the fifth digit is ``\\d``. Validity therefore depends on the
  first five digits only, and is cached per five-digit prefix (at most 10,000
  entries). tests/test_domain_phone.py checks every prefix 10000-19999 against
  ``phonenumbers.parse`` so a metadata update that breaks this is caught.
* Any other NSN is asked of the metadata once and cached (LRU).

Rules beyond the metadata, so that the number is one a clerk can call the customer on:
* letters (vanity numbers, "转" extensions, "ext") make it INVALID;
* a fixed line must have an area code: its NSN has at least 10 digits (2- or 3-digit
  area code and a 7- or 8-digit local number). Shorter "fixed lines" in the metadata
  are area code + service number (021-95555), not a customer's phone;
* only mobile and fixed-line types count; 400/800 numbers (shared cost, toll free)
  and premium-rate numbers are INVALID.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from phonenumbers import PhoneNumber, PhoneNumberType, number_type

from counter_app.domain._text import is_blank_or_placeholder, nfkc


class PhoneCheck(StrEnum):
    VALID = "VALID"
    INVALID = "INVALID"
    MISSING = "MISSING"


_CN_COUNTRY_CODE = 86
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_FIXED_TYPES = frozenset({PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_MIN_FIXED_NSN = 10
_MAX_NSN = 12

# Punctuation people put in phone numbers (after NFKC, so full-width forms are covered).
_PUNCTUATION = str.maketrans("", "", "-().\u2010\u2011\u2012\u2013\u2014\u2212")

# Five-digit mobile prefix -> valid. Filled lazily; bounded by 10,000 keys.
_mobile_prefix_valid: dict[str, bool] = {}

_Result = tuple[PhoneCheck, str | None]
_MISSING: _Result = (PhoneCheck.MISSING, None)
_INVALID: _Result = (PhoneCheck.INVALID, None)


def _cn_number_type(nsn: str) -> int:
    return number_type(PhoneNumber(country_code=_CN_COUNTRY_CODE, national_number=int(nsn)))


def _mobile(digits: str) -> _Result:
    """``digits``: 11 ASCII digits starting with 1."""
    prefix = digits[:5]
    valid = _mobile_prefix_valid.get(prefix)
    if valid is None:
        valid = _cn_number_type(prefix + "000000") in _MOBILE_TYPES
        _mobile_prefix_valid[prefix] = valid
    return (PhoneCheck.VALID, digits) if valid else _INVALID


@lru_cache(maxsize=1 << 16)
def _other(nsn: str) -> _Result:
    """``nsn``: ASCII digits, not starting with 0, not an 11-digit 1xxxxxxxxxx."""
    if len(nsn) < _MIN_FIXED_NSN or len(nsn) > _MAX_NSN:
        return _INVALID
    return (PhoneCheck.VALID, nsn) if _cn_number_type(nsn) in _FIXED_TYPES else _INVALID


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _analyse(raw: str | None) -> _Result:
    if raw is None:
        return _MISSING
    # Fast path: a bare 11-digit mobile, by far the most common spelling.
    if len(raw) == 11 and raw[0] == "1" and _is_digits(raw):
        return _mobile(raw)
    if is_blank_or_placeholder(raw):
        return _MISSING
    text = "".join(nfkc(raw).split()).translate(_PUNCTUATION)
    if text.startswith("+"):
        if not text.startswith("+86"):
            return _INVALID  # another country: not a mainland number
        digits = text[3:]
    elif text.startswith("0086"):
        digits = text[4:]
    else:
        digits = text
    if not _is_digits(digits):
        return _INVALID
    if digits.startswith("0"):
        # Trunk prefix: 0731-88886666, or "+86 (0)731 ..." written with it.
        digits = digits[1:]
        if digits.startswith("0"):
            return _INVALID  # an international prefix for another country
    elif len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]  # "86" country code written without the plus
    if len(digits) == 11 and digits[0] == "1":
        return _mobile(digits)
    return _other(digits)


def check_phone(raw: str | None) -> PhoneCheck:
    """VALID for a mainland mobile or a fixed line with area code; MISSING when blank."""
    return _analyse(raw)[0]


def normalize_phone(raw: str | None) -> str | None:
    """The national significant number (digits, no trunk 0) of a valid number, else None."""
    return _analyse(raw)[1]


def analyse_phone(raw: str | None) -> tuple[PhoneCheck, str | None]:
    """``check_phone`` and ``normalize_phone`` at once (the import needs both)."""
    return _analyse(raw)
