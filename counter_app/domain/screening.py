"""Screening: the reasons found on one capital account, and the class they give.

Pure functions over plain facts (see shared/domain.md, "Account classes"). Two
kinds of reason are *not* found here, because one row does not hold what they need:
``DUPLICATE_ID`` (needs every account; the database layer finds it set-based on
``normalize_id``/``normalize_name``) and the manual ``MANUAL_*`` reasons (set by a
person). The caller adds them before calling ``classify``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from counter_app.domain.codes import (
    DATA_REASONS,
    IDENTITY_REASONS,
    MANUAL_REASONS,
    REASON_ORDER,
    AccountClass,
    CustomerType,
    DepositoryStatus,
    IdType,
    Market,
    Reason,
)
from counter_app.domain.idcard import IdCheck, check_other_id, check_resident_id
from counter_app.domain.normalize import (
    is_blank_or_placeholder,
    normalize_id,
    normalize_name,
)
from counter_app.domain.phone import PhoneCheck, check_phone

REASON_SEPARATOR = ";"


@dataclass(frozen=True, slots=True)
class SecuritiesFacts:
    """A securities account linked to the capital account, as the export states it."""

    market: Market
    account_no: str
    holder_name: str
    holder_id_number: str


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What screening needs to know about one capital account. Amounts in cents (fen)."""

    name: str
    customer_type: CustomerType
    id_type: IdType
    id_number: str
    phone: str
    address: str
    has_paper_file: bool
    opened_on: date
    balance_cents: int
    holdings_cents: int
    last_trade_on: date | None
    securities: tuple[SecuritiesFacts, ...] = ()


def dormancy_cutoff(base_date: date, years: int) -> date:
    """``base_date`` shifted back ``years`` calendar years; 29 February becomes 28 February."""
    year = base_date.year - years
    try:
        return base_date.replace(year=year)
    except ValueError:  # 29 February into a common year
        return base_date.replace(year=year, day=28)


@dataclass(frozen=True)
class ScreeningPolicy:
    """The settings screening runs with (the domain's defaults)."""

    base_date: date
    dormant_balance_limit_cents: int = 10000
    dormant_years: int = 3
    min_address_chars: int = 5

    def __post_init__(self) -> None:
        if self.dormant_balance_limit_cents < 0:
            raise ValueError("dormant_balance_limit_cents must not be negative")
        if self.dormant_years < 0:
            raise ValueError("dormant_years must not be negative")
        if self.min_address_chars < 0:
            raise ValueError("min_address_chars must not be negative")

    @cached_property
    def dormant_cutoff(self) -> date:
        """The last activity date that still counts as dormant."""
        # Cached: row_reasons runs a million times with the same policy.
        return dormancy_cutoff(self.base_date, self.dormant_years)


def is_dormant(facts: AccountFacts, policy: ScreeningPolicy) -> bool:
    """Small and inactive: balance <= limit, no holdings, last activity on or before the cutoff.

    The activity date is the last trade date, or the opening date for an account
    that never traded.
    """
    if facts.balance_cents > policy.dormant_balance_limit_cents or facts.holdings_cents != 0:
        return False
    activity = facts.last_trade_on if facts.last_trade_on is not None else facts.opened_on
    return activity <= policy.dormant_cutoff


def _name_key(name: str) -> str:
    # A placeholder means "no name": comparing "不详" with "" is not a mismatch.
    return "" if is_blank_or_placeholder(name) else normalize_name(name)


def _id_reason(id_type: str, id_number: str, base_date: date) -> Reason | None:
    if id_type == IdType.RIC:
        check = check_resident_id(id_number, base_date).check
    else:
        check = check_other_id(id_number).check
    if check is IdCheck.VALID:
        return None
    if check is IdCheck.MISSING:
        return Reason.ID_MISSING
    if check is IdCheck.LEGACY_15:
        return Reason.ID_LEGACY_15
    return Reason.ID_INVALID


def _address_reason(address: str, min_chars: int) -> Reason | None:
    if is_blank_or_placeholder(address):
        return Reason.ADDRESS_MISSING
    # Characters are counted without whitespace: "长沙 市 x" is no more of an
    # address than "长沙市x".
    if len("".join(address.split())) < min_chars:
        return Reason.ADDRESS_INCOMPLETE
    return None


# Reasons as bits of an int: the bulk path (an import) collects a row's reasons in one
# int and looks its text and class up in a small cache instead of building sets.
REASON_BITS: dict[Reason, int] = {reason: 1 << index for index, reason in enumerate(Reason)}
_NAME_MISSING = REASON_BITS[Reason.NAME_MISSING]
_PHONE_MISSING = REASON_BITS[Reason.PHONE_MISSING]
_PHONE_INVALID = REASON_BITS[Reason.PHONE_INVALID]
_FILE_MISSING = REASON_BITS[Reason.FILE_MISSING]
_SEC_NAME_MISMATCH = REASON_BITS[Reason.SEC_NAME_MISMATCH]
_SEC_ID_MISMATCH = REASON_BITS[Reason.SEC_ID_MISMATCH]
_DORMANT = REASON_BITS[Reason.DORMANT]


def reasons_of_mask(mask: int) -> frozenset[Reason]:
    return frozenset(reason for reason, bit in REASON_BITS.items() if mask & bit)


def row_reason_mask(
    policy: ScreeningPolicy,
    name: str,
    name_key: str,
    id_type: str,
    id_number: str,
    id_key: str,
    phone: PhoneCheck,
    address: str,
    has_paper_file: bool,
    opened_on: date,
    balance_cents: int,
    holdings_cents: int,
    last_trade_on: date | None,
    securities: Iterable[tuple[str, str, str, str]],
) -> int:
    """``row_reasons`` as bits, for callers that already hold the normalized values.

    ``name_key`` is "" for a blank or placeholder name, else ``normalize_name(name)``;
    ``id_key`` is ``normalize_id(id_number)``; ``phone`` is ``check_phone`` of the
    phone; ``securities`` are (market, account number, holder name, holder ID number).
    One body for both paths, so the import and ``row_reasons`` cannot disagree.
    """
    mask = 0
    if not name_key:
        mask = _NAME_MISSING
    id_reason = _id_reason(id_type, id_number, policy.base_date)
    if id_reason is not None:
        mask |= REASON_BITS[id_reason]
    if phone is PhoneCheck.MISSING:
        mask |= _PHONE_MISSING
    elif phone is PhoneCheck.INVALID:
        mask |= _PHONE_INVALID
    address_reason = _address_reason(address, policy.min_address_chars)
    if address_reason is not None:
        mask |= REASON_BITS[address_reason]
    if not has_paper_file:
        mask |= _FILE_MISSING
    for _market, _number, holder_name, holder_id in securities:
        # Identical text needs no normalizing: the common case, and a cheap test.
        if holder_name != name and _name_key(holder_name) != name_key:
            mask |= _SEC_NAME_MISMATCH
        if holder_id != id_number and normalize_id(holder_id) != id_key:
            mask |= _SEC_ID_MISMATCH
    if balance_cents <= policy.dormant_balance_limit_cents and holdings_cents == 0:
        activity = last_trade_on if last_trade_on is not None else opened_on
        if activity <= policy.dormant_cutoff:
            mask |= _DORMANT
    return mask


def row_reasons(facts: AccountFacts, policy: ScreeningPolicy) -> frozenset[Reason]:
    """Every reason one account's own row shows, plus ``DORMANT`` when it is dormant.

    Securities accounts: each linked account's holder name and ID are compared with
    the customer's after ``normalize_name``/``normalize_id``; a blank or placeholder
    value counts as "" on both sides. So a blank holder value is a mismatch when the
    customer's value is known (the securities record cannot be shown to belong to the
    customer), and no mismatch when both are blank (the customer's own gap is already
    NAME_MISSING / ID_MISSING).
    """
    mask = row_reason_mask(
        policy,
        facts.name,
        _name_key(facts.name),
        facts.id_type,
        facts.id_number,
        normalize_id(facts.id_number),
        check_phone(facts.phone),
        facts.address,
        facts.has_paper_file,
        facts.opened_on,
        facts.balance_cents,
        facts.holdings_cents,
        facts.last_trade_on,
        [(s.market, s.account_no, s.holder_name, s.holder_id_number) for s in facts.securities],
    )
    return reasons_of_mask(mask)


class MaskVerdicts:
    """Reasons text and class of a reasons bitmask and depository status, cached.

    A file has only a few dozen distinct combinations, so the import looks them up
    instead of sorting and classifying every row.
    """

    def __init__(self) -> None:
        self._found: dict[tuple[int, str], tuple[str, str]] = {}

    def get(self, mask: int, depository: DepositoryStatus) -> tuple[str, str]:
        """(reasons text, class value) as ``reasons_to_text`` and ``classify`` give them."""
        key = (mask, depository)
        found = self._found.get(key)
        if found is None:
            reasons = reasons_of_mask(mask)
            found = (reasons_to_text(reasons), classify(reasons, depository).value)
            self._found[key] = found
        return found


def classify(reasons: Iterable[Reason], depository: DepositoryStatus) -> AccountClass:
    """The one class of an account: the first rule that matches, in the domain's order."""
    found = frozenset(reasons)
    if Reason.DORMANT in found:
        return AccountClass.DORMANT_SMALL
    if found & IDENTITY_REASONS:
        return AccountClass.UNQUALIFIED_IDENTITY
    if found & DATA_REASONS:
        return AccountClass.UNQUALIFIED_DATA
    if found & MANUAL_REASONS:
        return AccountClass.UNQUALIFIED_OTHER
    if depository is DepositoryStatus.ACTIVE:
        return AccountClass.QUALIFIED_DEPOSITED
    return AccountClass.QUALIFIED_NOT_DEPOSITED


def sort_reasons(reasons: Iterable[Reason]) -> list[Reason]:
    """Reasons in the order shown to people (``codes.REASON_ORDER``), without repeats."""
    return sorted(set(reasons), key=REASON_ORDER.__getitem__)


def reasons_to_text(reasons: Iterable[Reason]) -> str:
    """ "SEC_ID_MISMATCH;PHONE_MISSING": the stored/exported form. "" for none."""
    return REASON_SEPARATOR.join(reason.value for reason in sort_reasons(reasons))


def reasons_from_text(text: str | None) -> frozenset[Reason]:
    """Inverse of ``reasons_to_text``; tolerates spaces and empty parts.

    Raises:
        ValueError: on a code that is not a ``Reason``.
    """
    if not text:
        return frozenset()
    return frozenset(Reason(part.strip()) for part in text.split(REASON_SEPARATOR) if part.strip())
