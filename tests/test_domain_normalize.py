"""normalize: placeholders, names and ID numbers in their comparison form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.domain.normalize import (
    NAME_DOT,
    PLACEHOLDERS,
    clean_id,
    is_blank_or_placeholder,
    normalize_id,
    normalize_name,
)


def test_placeholders_are_the_domain_list() -> None:
    assert {"无", "不详", "未知", "-", "unknown", "n/a"} == PLACEHOLDERS


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "\u3000",  # ideographic space
        "\t\n",
        "无",
        " 无 ",
        "不详",
        "未知",
        "-",
        "－",  # full-width hyphen-minus
        "unknown",
        "UNKNOWN",
        "Unknown ",
        "ｕｎｋｎｏｗｎ",  # full-width letters
        "n/a",
        "N/A",
        "Ｎ／Ａ",  # full-width
        "\u3000不详\u3000",
    ],
)
def test_blank_or_placeholder(text: str | None) -> None:
    assert is_blank_or_placeholder(text) is True


@pytest.mark.parametrize("text", ["张三", "无名氏", "--", "n/a/b", "na", "0", "x", "不详细"])
def test_not_placeholder(text: str) -> None:
    assert is_blank_or_placeholder(text) is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三", "张三"),
        (" 张三 ", "张三"),
        ("张 三", "张三"),
        ("张\u3000三", "张三"),  # ideographic space
        ("张\u00a0三", "张三"),  # no-break space
        ("张\t三\n", "张三"),
        ("阿沛·阿旺晋美", "阿沛·阿旺晋美"),
        ("阿沛•阿旺晋美", "阿沛·阿旺晋美"),  # U+2022 bullet
        ("阿沛‧阿旺晋美", "阿沛·阿旺晋美"),  # U+2027 hyphenation point
        ("阿沛・阿旺晋美", "阿沛·阿旺晋美"),  # U+30FB katakana middle dot
        ("阿沛\uff65阿旺晋美", "阿沛·阿旺晋美"),  # U+FF65 half-width katakana middle dot
        ("阿沛\u2219阿旺晋美", "阿沛·阿旺晋美"),  # U+2219 bullet operator
        ("阿沛\u22c5阿旺晋美", "阿沛·阿旺晋美"),  # U+22C5 dot operator
        ("阿沛\u0387阿旺晋美", "阿沛·阿旺晋美"),  # U+0387 Greek ano teleia (NFKC -> U+00B7)
        ("阿沛.阿旺晋美", "阿沛·阿旺晋美"),  # ASCII full stop typed for want of a dot
        ("阿沛．阿旺晋美", "阿沛·阿旺晋美"),  # full-width full stop
        ("阿沛 · 阿旺晋美", "阿沛·阿旺晋美"),
        ("John SMITH", "johnsmith"),
        ("Ｊｏｈｎ Ｓｍｉｔｈ", "johnsmith"),  # full-width Latin
        ("John•Smith", "john·smith"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),  # casefold, not lower
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_name(raw: str | None, expected: str) -> None:
    assert normalize_name(raw) == expected


def test_normalize_name_uses_canonical_dot() -> None:
    assert NAME_DOT == "\u00b7"
    assert normalize_name("a・b") == "a\u00b7b"


def test_every_dot_spelling_compares_equal() -> None:
    dots = "\u00b7\u2022\u2027\u30fb\uff65\u2219\u22c5\u0387.．"
    forms = {normalize_name(f"买买提{dot}艾力") for dot in dots}
    assert forms == {"买买提·艾力"}


def test_different_names_stay_different() -> None:
    assert normalize_name("张三") != normalize_name("张叁")
    assert normalize_name("买买提·艾力") != normalize_name("买买提艾力")


@given(st.text())
def test_normalize_name_is_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


@given(st.text(alphabet=st.sampled_from("张三李四 \u3000·•‧・.AbCdé\u0301\u00a8ß")))
def test_normalize_name_is_idempotent_on_name_like_text(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once
    assert " " not in once


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("43010219850401847x", "43010219850401847X"),
        (" 430102 19850401 847X ", "43010219850401847X"),
        ("４３０１０２１９８５０４０１８４７ｘ", "43010219850401847X"),  # full-width
        ("4301\u300002198504018470", "430102198504018470"),
        ("E12345678", "E12345678"),
        ("e12345678", "E12345678"),
    ],
)
def test_clean_id(raw: str, expected: str) -> None:
    assert clean_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  ", ""),
        ("无", ""),
        ("N/A", ""),
        ("-", ""),
        ("43010219850401847x", "43010219850401847X"),
        # valid 15-digit: upgraded (check char of 110105194901011235 is 5)
        ("110105490101123", "110105194901011235"),
        (" 110105 490101 123 ", "110105194901011235"),
        # invalid 15-digit (30 February): cleaned, not upgraded
        ("110105490230123", "110105490230123"),
        # invalid 15-digit (province 99): cleaned, not upgraded
        ("990105490101123", "990105490101123"),
        # invalid 18-digit (bad check char): cleaned only
        ("430102198504018470", "430102198504018470"),
        ("abc", "ABC"),
    ],
)
def test_normalize_id(raw: str | None, expected: str) -> None:
    assert normalize_id(raw) == expected


def test_15_and_18_digit_forms_compare_equal() -> None:
    assert normalize_id("110105490101123") == normalize_id("110105194901011235")
    assert normalize_id("110105490101123") != normalize_id("110105194901011236")


@given(st.text())
def test_normalize_id_is_idempotent(text: str) -> None:
    once = normalize_id(text)
    assert normalize_id(once) == once
