"""Text normalization used to compare names and ID numbers across records.

Exports type the same thing in many ways: full-width digits, ideographic spaces,
four different middle dots in minority and foreign names, a lower-case ``x``, an
old 15-digit ID beside its 18-digit upgrade. Two values are "the same" when their
normalized forms are equal. Everything here is pure and cheap: it runs on every
field of every account during screening.
"""

from __future__ import annotations

import re

from counter_app.domain import idcard
from counter_app.domain._text import (
    PLACEHOLDERS,
    clean_id,
    is_blank_or_placeholder,
    is_id_placeholder,
    settle,
)
from counter_app.domain._text import nfkc as _nfkc

__all__ = [
    "NAME_DOT",
    "PLACEHOLDERS",
    "clean_id",
    "is_blank_or_placeholder",
    "normalize_id",
    "normalize_name",
]

#: The canonical middle dot that every variant is folded to.
NAME_DOT = "\u00b7"

# Dots people type between the parts of a minority or foreign name (阿沛·阿旺晋美).
# U+00B7 middle dot, U+2022 bullet, U+2027 hyphenation point, U+30FB katakana middle
# dot (what a Chinese IME often gives), U+FF65 its half-width form, U+2219 bullet
# operator, U+22C5 dot operator, U+2E31 word separator middle dot. The ASCII full
# stop is folded too: clerks type "买买提.艾力" for lack of a dot key, and a full
# stop never appears inside a Chinese name for any other reason. (U+0387 and the
# full-width U+FF0E become U+00B7 and "." under NFKC, so they are covered.)
_NAME_DOTS = "\u00b7\u2022\u2027\u30fb\uff65\u2219\u22c5\u2e31."
_DOT_TABLE = {ord(dot): NAME_DOT for dot in _NAME_DOTS}

# Most names are CJK unified ideographs (perhaps with the canonical dot) only: already
# NFKC, unchanged by casefold, no whitespace, so already normal. U+F900 compatibility
# ideographs are outside this range on purpose (NFKC changes them).
_PLAIN_NAME = re.compile("[\u4e00-\u9fff\u00b7]+")


def _name_pass(text: str) -> str:
    text = _nfkc(text)
    text = "".join(text.split()).translate(_DOT_TABLE)
    # casefold can leave text that NFKC changes again (and removing whitespace can
    # join a combining mark to its base), so renormalize after it.
    return _nfkc(text.casefold())


def normalize_name(text: str | None) -> str:
    """The comparison form of a person's or institution's name.

    NFKC, all whitespace removed (including U+3000), every middle dot as U+00B7,
    Latin letters case-folded. Idempotent. Placeholders are not mapped to "": this is
    text normalization only; callers decide what a placeholder means.
    """
    if not text:
        return ""
    if text.isascii():
        return "".join(text.split()).translate(_DOT_TABLE).lower()
    if _PLAIN_NAME.fullmatch(text):
        return text
    return settle(_name_pass, text)


def normalize_id(text: str | None) -> str:
    """The comparison form of an ID number.

    ``clean_id``, then a placeholder (无, N/A, -) becomes "" so that it is never taken
    for a real number (two customers whose ID is "无" do not share an ID), and a valid
    old 15-digit resident ID becomes its 18-digit upgrade so the two forms compare
    equal. Anything else, valid or not, is returned cleaned.
    """
    cleaned = clean_id(text)
    if is_id_placeholder(cleaned):
        return ""
    if len(cleaned) == 15 and idcard.is_valid_legacy_15(cleaned):
        return idcard.upgrade_15_to_18(cleaned)
    return cleaned
