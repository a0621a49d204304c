"""Masking of personal data for labels, lists and screens that do not need it in full.

The rules:

* ``mask_name``: the first character stays, every other character becomes ``*``, so a
  name's length still shows (张三 -> 张*, 欧阳娜娜 -> 欧***). Separators stay as they are:
  the middle dots of minority and foreign names (·, •, ‧, ・) and spaces, so a name like
  阿依古丽·买买提 stays recognisable as a two-part name: 阿***·***. A one-character name
  is masked whole (*): showing its only character would show the name. Leading and
  trailing spaces are dropped.
* ``mask_id``: the first 6 characters (the address code of a resident ID) and the last 4
  stay for IDs of 15 characters or more, as banks print them (110101********1234). Shorter
  IDs (passports, permits) keep a quarter of their length at each end, so at least half is
  always hidden; IDs under 4 characters are masked whole.
* ``mask_bank_account``: PCI DSS allows at most the first 6 (the BIN) and the last 4 digits
  of a card number; accounts of 13 characters or more show exactly those. Shorter accounts
  show only their last 4 (none if under 8 characters). Spaces inside are dropped.

Masking keeps the length, character for character (code points, so 𠮷 is one).
"""

from __future__ import annotations

NAME_SEPARATORS = frozenset("·•‧・. \u3000")
MASK = "*"


def mask_name(name: str) -> str:
    chars = list(name.strip())
    letters = [i for i, ch in enumerate(chars) if ch not in NAME_SEPARATORS]
    if len(letters) <= 1:
        return "".join(MASK if ch not in NAME_SEPARATORS else ch for ch in chars)
    keep = letters[0]
    return "".join(ch if i == keep or ch in NAME_SEPARATORS else MASK for i, ch in enumerate(chars))


def _mask_middle(value: str, head: int, tail: int) -> str:
    if head + tail >= len(value):
        return MASK * len(value)
    return value[:head] + MASK * (len(value) - head - tail) + value[len(value) - tail :]


def mask_id(id_number: str) -> str:
    value = id_number.strip()
    n = len(value)
    if n >= 15:
        return _mask_middle(value, 6, 4)
    if n < 4:
        return MASK * n
    return _mask_middle(value, n // 4, n // 4)


def mask_bank_account(account: str) -> str:
    value = "".join(account.split())
    n = len(value)
    if n >= 13:
        return _mask_middle(value, 6, 4)
    if n >= 8:
        return _mask_middle(value, 0, 4)
    return MASK * n
