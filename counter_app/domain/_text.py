"""Low-level text helpers shared by normalize and idcard (kept apart to avoid an import cycle)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

#: Spellings that mean "nothing here", compared after NFKC + strip + casefold (so the
#: full-width ``－`` or ``Ｎ／Ａ`` count too).
PLACEHOLDERS: frozenset[str] = frozenset({"无", "不详", "未知", "-", "unknown", "n/a"})


def nfkc(text: str) -> str:
    """NFKC, skipping the work for ASCII or already-normal text (the common case)."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


# Longer than any placeholder can be after NFKC (which never deletes a character and
# composes only base + combining mark into letters no placeholder has); lets long
# text such as an address skip the normalization.
_PLACEHOLDER_BOUND = 16


def is_blank_or_placeholder(text: str | None) -> bool:
    """True for None, empty or whitespace-only text, or a placeholder such as 无 or N/A."""
    if text is None:
        return True
    text = text.strip()
    if len(text) > _PLACEHOLDER_BOUND:
        return False
    folded = nfkc(text).strip().casefold()
    return not folded or folded in PLACEHOLDERS


def _clean_id_pass(text: str) -> str:
    # Removing whitespace can join a combining mark to its base, and upper() can
    # leave text NFKC changes again: renormalize after both.
    return nfkc("".join(nfkc(text).split()).upper())


def clean_id(text: str | None) -> str:
    """NFKC, all whitespace removed, upper-cased (``x`` -> ``X``). No other change. Idempotent."""
    if not text:
        return ""
    if text.isascii():
        return "".join(text.split()).upper()
    return settle(_clean_id_pass, text)


def settle(step: Callable[[str], str], text: str) -> str:
    """Apply ``step`` until the text stops changing (a fixed point), at most 4 times.

    Text that ``step`` leaves unchanged is done after one call (the usual case); only
    pathological input (compatibility characters that decompose to a space and a
    combining mark) needs more passes.
    """
    for _ in range(4):
        result = step(text)
        if result == text:
            break
        text = result
    return text


_LONGEST_PLACEHOLDER = max(len(placeholder) for placeholder in PLACEHOLDERS)


def is_id_placeholder(cleaned: str) -> bool:
    """True when an already ``clean_id``-ed value is empty or a placeholder."""
    if len(cleaned) > _LONGEST_PLACEHOLDER:
        return False
    return not cleaned or cleaned.casefold() in PLACEHOLDERS
