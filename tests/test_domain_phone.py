"""phone: mainland mobile or fixed line with area code, fast and agreeing with phonenumbers."""

from __future__ import annotations

import random
import time

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from counter_app.domain.phone import PhoneCheck, check_phone, normalize_phone


@pytest.mark.parametrize(
    ("raw", "nsn"),
    [
        ("13817863466", "13817863466"),
        ("18695494971", "18695494971"),
        ("138 1786 3466", "13817863466"),
        ("138-1786-3466", "13817863466"),
        (" 13817863466 ", "13817863466"),
        ("+8613817863466", "13817863466"),
        ("+86 138 1786 3466", "13817863466"),
        ("+86-138-1786-3466", "13817863466"),
        ("(+86) 13817863466", "13817863466"),
        ("0086 13817863466", "13817863466"),
        ("008613817863466", "13817863466"),
        ("8613817863466", "13817863466"),
        ("１３８１７８６３４６６", "13817863466"),  # full-width digits
        ("＋８６　１３８１７８６３４６６", "13817863466"),  # full-width plus, ideographic space
        ("0731-88886666", "73188886666"),
        ("0731 88886666", "73188886666"),
        ("(0731)88886666", "73188886666"),
        ("（0731）88886666", "73188886666"),  # full-width parentheses
        ("073188886666", "73188886666"),
        ("+86 731 88886666", "73188886666"),
        ("+86 (0)731 88886666", "73188886666"),
        ("0086 731 8888 6666", "73188886666"),
        ("010-12345678", "1012345678"),
        ("01012345678", "1012345678"),
        ("021-62345678", "2162345678"),
        ("0755–26543210", "75526543210"),  # en dash
    ],
)
def test_valid(raw: str, nsn: str) -> None:
    assert check_phone(raw) is PhoneCheck.VALID
    assert normalize_phone(raw) == nsn


@pytest.mark.parametrize(
    "raw",
    [
        "12345",
        "88886666",  # fixed line without area code
        "8888666",
        "6234567",
        "12345678901",  # 11 digits, 123 is no mobile prefix
        "10000000000",
        "1381786346",  # 10 digits
        "138178634661",  # 12 digits
        "1381786346a",  # letter
        "138ABCD3466",  # vanity letters are not accepted
        "abc",
        "tel",
        "0731-88886666转123",  # extension: not a plain number
        "13817863466/13900139000",  # two numbers
        "+85221234567",  # Hong Kong: not mainland
        "+1 650 253 0000",
        "001 650 253 0000",
        "021-95555",  # area code + service number, not a customer's phone
        "4008123123",  # 400 shared-cost number
        "800-810-8888",  # toll free
        "---",
        "+86",
        "٠١٣٨١٧٨٦٣٤٦٦",  # Arabic-Indic digits
    ],
)
def test_invalid(raw: str) -> None:
    assert check_phone(raw) is PhoneCheck.INVALID
    assert normalize_phone(raw) is None


@pytest.mark.parametrize("raw", [None, "", "  ", "\u3000", "无", "-", "不详", "N/A", "unknown"])
def test_missing(raw: str | None) -> None:
    assert check_phone(raw) is PhoneCheck.MISSING
    assert normalize_phone(raw) is None


def _reference(raw: str) -> str | None:
    """What the full phonenumbers API says, with the module's documented extra rules."""
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        return None
    if parsed.country_code != 86 or not phonenumbers.is_valid_number(parsed):
        return None
    kind = phonenumbers.number_type(parsed)
    nsn = phonenumbers.national_significant_number(parsed)
    if kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return nsn
    if kind == PhoneNumberType.FIXED_LINE and len(nsn) >= 10:
        return nsn
    return None


def test_mobile_validity_depends_on_the_first_five_digits_only() -> None:
    # The fast path caches validity per five-digit prefix. Check every prefix, with
    # the lowest, highest and a random suffix, against the full phonenumbers API.
    rng = random.Random(20260401)
    disagreements = []
    valid_prefixes = 0
    for prefix in range(10000, 20000):
        results = set()
        for suffix in ("000000", "999999", f"{rng.randrange(10**6):06d}"):
            number = f"{prefix}{suffix}"
            expected = _reference(number)
            results.add(expected is not None)
            if normalize_phone(number) != expected:
                disagreements.append(number)
        assert len(results) == 1, f"validity of {prefix}xxxxxx depends on the suffix"
        valid_prefixes += results == {True}
    assert disagreements == []
    # Sanity: the metadata does accept a large share of 1xxxx prefixes (and not all).
    assert 1000 < valid_prefixes < 10000


def test_agrees_with_phonenumbers_on_random_fixed_lines() -> None:
    rng = random.Random(7)
    disagreements = []
    for _ in range(20000):
        length = rng.choice((9, 10, 11, 12))
        national = "0" + str(rng.randrange(1, 10))
        national += "".join(str(rng.randrange(10)) for _ in range(length - 2))
        raw = rng.choice(
            (
                national,
                f"{national[:4]}-{national[4:]}",
                f"{national[:3]} {national[3:]}",
                f"+86 {national[1:]}",
                f"0086{national[1:]}",
            )
        )
        if normalize_phone(raw) != _reference(raw):
            disagreements.append(raw)
    assert disagreements == []


def test_fast_enough_for_a_million_accounts() -> None:
    # Screening a million accounts must take well under a minute; phones must cost
    # microseconds. Mostly distinct mobiles with some fixed lines, as in a real export.
    rng = random.Random(3)
    mobiles = [f"1{rng.choice('3589')}{rng.randrange(10**9):09d}" for _ in range(40000)]
    fixed = [f"0731-8{rng.randrange(10**7):07d}" for _ in range(5000)]
    numbers = mobiles + fixed + [f"+86 {m}" for m in mobiles[:5000]]
    check_phone(numbers[0])
    start = time.perf_counter()
    for raw in numbers:
        check_phone(raw)
    per_number = (time.perf_counter() - start) / len(numbers)
    # Typically ~1 µs; 10 µs leaves room for a slow CI machine.
    assert per_number < 10e-6, f"{per_number * 1e6:.1f} µs per phone"
