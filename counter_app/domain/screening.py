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


def _id_reason(facts: AccountFacts, policy: ScreeningPolicy) -> Reason | None:
    if facts.id_type is IdType.RIC:
        check = check_resident_id(facts.id_number, policy.base_date).check
    else:
        check = check_other_id(facts.id_number).check
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


def row_reasons(facts: AccountFacts, policy: ScreeningPolicy) -> frozenset[Reason]:
    """Every reason one account's own row shows, plus ``DORMANT`` when it is dormant.

    Securities accounts: each linked account's holder name and ID are compared with
    the customer's after ``normalize_name``/``normalize_id``; a blank or placeholder
    value counts as "" on both sides. So a blank holder value is a mismatch when the
    customer's value is known (the securities record cannot be shown to belong to the
    customer), and no mismatch when both are blank (the customer's own gap is already
    NAME_MISSING / ID_MISSING).
    """
    reasons: set[Reason] = set()
    add = reasons.add

    if is_blank_or_placeholder(facts.name):
        add(Reason.NAME_MISSING)
    id_reason = _id_reason(facts, policy)
    if id_reason is not None:
        add(id_reason)

    phone = check_phone(facts.phone)
    if phone is PhoneCheck.MISSING:
        add(Reason.PHONE_MISSING)
    elif phone is PhoneCheck.INVALID:
        add(Reason.PHONE_INVALID)

    address_reason = _address_reason(facts.address, policy.min_address_chars)
    if address_reason is not None:
        add(address_reason)
    if not facts.has_paper_file:
        add(Reason.FILE_MISSING)

    for sec in facts.securities:
        # Identical text needs no normalizing: the common case, and a cheap test.
        if sec.holder_name != facts.name and _name_key(sec.holder_name) != _name_key(facts.name):
            add(Reason.SEC_NAME_MISMATCH)
        if sec.holder_id_number != facts.id_number and normalize_id(
            sec.holder_id_number
        ) != normalize_id(facts.id_number):
            add(Reason.SEC_ID_MISMATCH)

    if is_dormant(facts, policy):
        add(Reason.DORMANT)
    return frozenset(reasons)


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
