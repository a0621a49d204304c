"""Checking a bank account number typed at signing.

The rule:
- spaces and hyphens people type to group digits are dropped; what remains must be
  digits only, 12 to 19 of them (Chinese personal settlement accounts and cards);
- a number of 16 to 19 digits starting with ``62`` is a UnionPay card (IIN range 62),
  and a card number ends with a Luhn check digit (ISO/IEC 7812): it must pass
  ``stdnum.luhn``. Other numbers (passbook and settlement account numbers) follow
  bank-internal schemes that are not public, so only the digits and length are checked.
"""

from __future__ import annotations

import unicodedata

from stdnum import luhn

MIN_DIGITS = 12
MAX_DIGITS = 19
_CARD_PREFIX = "62"
_CARD_MIN_DIGITS = 16
_SEPARATORS = str.maketrans("", "", " -\u3000\t")


class BankAccountError(ValueError):
    """``message`` is (Chinese, English) for people."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.message = (zh, en)


def clean_bank_account(text: str) -> str:
    """Digits as typed, without grouping spaces/hyphens (full-width digits folded)."""
    return unicodedata.normalize("NFKC", text).translate(_SEPARATORS).strip()


def is_card_number(number: str) -> bool:
    return number.startswith(_CARD_PREFIX) and len(number) >= _CARD_MIN_DIGITS


def check_bank_account(text: str) -> str:
    """The cleaned number, or BankAccountError saying what is wrong."""
    number = clean_bank_account(text)
    if not number:
        raise BankAccountError("请填写银行账号", "the bank account is required")
    if not (number.isascii() and number.isdigit()):
        raise BankAccountError("银行账号只能包含数字", "the bank account may hold digits only")
    if not MIN_DIGITS <= len(number) <= MAX_DIGITS:
        raise BankAccountError(
            f"银行账号应为{MIN_DIGITS}至{MAX_DIGITS}位数字（现为{len(number)}位）",
            f"the bank account must have {MIN_DIGITS} to {MAX_DIGITS} digits "
            f"(it has {len(number)})",
        )
    if is_card_number(number) and not luhn.is_valid(number):
        raise BankAccountError(
            "银行卡号校验位不正确，请核对后重新输入",
            "the card number's check digit is wrong (Luhn): please check and re-type it",
        )
    return number


def bank_account_message(text: str) -> tuple[str, str] | None:
    """For live validation: (zh, en) when ``text`` is not acceptable, else None."""
    try:
        check_bank_account(text)
    except BankAccountError as err:
        return err.message
    return None
