"""Finding accounts by whatever the customer or the scanner gives: one text box.

The text is only ever a bound parameter, never SQL: each key it could be is
tried with an indexed equality or range condition, and the matches are merged.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.engine import Database
from counter_app.db.models import Agreement, CapitalAccount, Customer, SecuritiesAccount
from counter_app.domain.codes import AccountClass, DepositoryStatus, Reason
from counter_app.domain.masking import mask_bank_account, mask_id
from counter_app.domain.normalize import normalize_id, normalize_name
from counter_app.domain.phone import normalize_phone
from counter_app.domain.screening import reasons_from_text, sort_reasons
from counter_app.services.audit import AuditLog

MAX_RESULTS = 50
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_DIGITS = re.compile(r"\d+")
_SH_ACCOUNT = re.compile(r"A\d{9}")
_SZ_ACCOUNT = re.compile(r"0\d{9}")
_ID_LIKE = re.compile(r"\d{15}|\d{17}[\dX]")
_AGREEMENT_NO = re.compile(r"[A-Z]{2}\d{6,}")


@dataclass(frozen=True)
class SecuritiesView:
    market: str
    account_no: str
    holder_name: str
    holder_id_number: str


@dataclass(frozen=True)
class AccountView:
    """What a list or a lookup shows of an account (plain data, no ORM object)."""

    account_id: int
    capital_account: str
    name: str
    id_type: str
    id_number: str
    phone: str
    address: str
    account_class: AccountClass
    reasons: list[Reason]
    depository_status: DepositoryStatus
    bank_code: str | None
    bank_account: str
    balance_cents: int
    holdings_cents: int
    securities: list[SecuritiesView] = field(default_factory=list)
    matched_by: str = ""


def view_of(account: CapitalAccount, matched_by: str = "") -> AccountView:
    """The view of an account already loaded as an ORM object."""
    return _account_view(
        account.id,
        account.account_no,
        account.customer,
        account,
        [
            SecuritiesView(s.market, s.account_no, s.holder_name, s.holder_id_number)
            for s in account.securities
        ],
        matched_by,
    )


def _account_view(
    account_id: int,
    account_no: str,
    customer: Any,
    account: Any,
    securities: list[SecuritiesView],
    matched_by: str,
) -> AccountView:
    """``customer`` and ``account`` may be ORM objects or one plain row holding both."""
    return AccountView(
        account_id=account_id,
        capital_account=account_no,
        name=customer.name,
        id_type=customer.id_type,
        id_number=customer.id_number,
        phone=customer.phone,
        address=customer.address,
        account_class=AccountClass(account.account_class),
        reasons=sort_reasons(reasons_from_text(account.reasons)),
        depository_status=DepositoryStatus(account.depository_status),
        bank_code=account.bank_code,
        bank_account=account.bank_account,
        balance_cents=account.balance_cents,
        holdings_cents=account.holdings_cents,
        securities=securities,
        matched_by=matched_by,
    )


def masked_view(view: AccountView) -> AccountView:
    """The view as lists show it: ID numbers as first 6 and last 4, bank accounts as BIN
    and last 4 (PCI DSS)."""
    return replace(
        view,
        id_number=mask_id(view.id_number),
        bank_account=mask_bank_account(view.bank_account),
        securities=[
            replace(sec, holder_id_number=mask_id(sec.holder_id_number)) for sec in view.securities
        ],
    )


def record_reveal(db: Database, views: list[AccountView], operator: str) -> None:
    """Write one audit entry per account whose full numbers are about to be shown."""
    if not views:
        return
    with db.write() as session, AuditLog(session) as audit:
        for view in views:
            audit.record(
                actor=operator,
                action="account.reveal",
                entity="capital_account",
                entity_key=view.capital_account,
                after={
                    "fields": ["id_number", "bank_account", "holder_id_number"],
                    "via": "command line",
                },
            )


def find_accounts(session: Session, text: str, limit: int = MAX_RESULTS) -> list[AccountView]:
    """Accounts matching ``text`` as any key: capital account, ID, securities account,
    phone, agreement number, or name (exact first, then prefix)."""
    # Control characters (a scanner's tab or newline, a stray NUL, which PostgreSQL
    # cannot even receive) and lone surrogates are no part of any key: separators.
    query = unicodedata.normalize("NFKC", _CONTROL.sub(" ", text)).strip()
    if not query or len(query) > 200:
        return []
    compact = "".join(query.split()).upper()
    matches: dict[int, str] = {}

    def add(stmt: object, key: str) -> None:
        for account_id in session.execute(stmt).scalars():  # type: ignore[call-overload]
            matches.setdefault(account_id, key)

    if _DIGITS.fullmatch(compact) and 6 <= len(compact) <= 20:
        add(
            select(CapitalAccount.id).where(CapitalAccount.account_no == compact), "capital_account"
        )
    if _ID_LIKE.fullmatch(compact) or (len(compact) >= 6 and not _DIGITS.fullmatch(compact)):
        id_norm = normalize_id(compact)
        if id_norm:
            add(
                select(CapitalAccount.id)
                .join(Customer, Customer.id == CapitalAccount.customer_id)
                .where(Customer.id_norm == id_norm),
                "id_number",
            )
    if _SH_ACCOUNT.fullmatch(compact) or _SZ_ACCOUNT.fullmatch(compact):
        add(
            select(SecuritiesAccount.capital_account_id).where(
                SecuritiesAccount.account_no == compact
            ),
            "securities_account",
        )
    if _AGREEMENT_NO.fullmatch(compact):
        add(
            select(Agreement.capital_account_id).where(Agreement.agreement_no == compact),
            "agreement_no",
        )
    phone = normalize_phone(query)
    if phone:
        add(
            select(CapitalAccount.id)
            .join(Customer, Customer.id == CapitalAccount.customer_id)
            .where(Customer.phone_norm == phone),
            "phone",
        )
    if not _DIGITS.fullmatch(compact):
        name = normalize_name(query)
        if name:
            add(
                select(CapitalAccount.id)
                .join(Customer, Customer.id == CapitalAccount.customer_id)
                .where(Customer.name_norm == name)
                .limit(limit),
                "name",
            )
            if not matches:
                # only when no one has exactly that name: a clerk who typed a whole
                # name wants that person, not everyone whose name starts with it
                # prefix as a range on the code-point-ordered index (see models)
                add(
                    select(CapitalAccount.id)
                    .join(Customer, Customer.id == CapitalAccount.customer_id)
                    .where(Customer.name_norm > name, Customer.name_norm < name + "\U0010ffff")
                    .order_by(Customer.name_norm)
                    .limit(limit),
                    "name_prefix",
                )
    if not matches:
        return []
    ids = list(matches)[:limit]
    return _views(session, ids, matches)


def _views(session: Session, ids: list[int], matched_by: dict[int, str]) -> list[AccountView]:
    """Views of accounts in ``ids`` order, read as plain rows (no ORM objects: a lookup
    runs on every keystroke's Enter and every scan, so it stays a few milliseconds)."""
    securities: dict[int, list[SecuritiesView]] = {}
    for account_id, market, number, holder_name, holder_id in session.execute(
        select(
            SecuritiesAccount.capital_account_id,
            SecuritiesAccount.market,
            SecuritiesAccount.account_no,
            SecuritiesAccount.holder_name,
            SecuritiesAccount.holder_id_number,
        )
        .where(SecuritiesAccount.capital_account_id.in_(ids))
        .order_by(SecuritiesAccount.market)
    ):
        securities.setdefault(account_id, []).append(
            SecuritiesView(market, number, holder_name, holder_id)
        )
    rows = session.execute(
        select(
            CapitalAccount.id,
            CapitalAccount.account_no,
            Customer.name,
            Customer.id_type,
            Customer.id_number,
            Customer.phone,
            Customer.address,
            CapitalAccount.account_class,
            CapitalAccount.reasons,
            CapitalAccount.depository_status,
            CapitalAccount.bank_code,
            CapitalAccount.bank_account,
            CapitalAccount.balance_cents,
            CapitalAccount.holdings_cents,
        )
        .join(Customer, Customer.id == CapitalAccount.customer_id)
        .where(CapitalAccount.id.in_(ids))
    )
    by_id = {
        r.id: _account_view(
            r.id, r.account_no, r, r, securities.get(r.id, []), matched_by.get(r.id, "")
        )
        for r in rows
    }
    return [by_id[i] for i in ids if i in by_id]


def get_account(session: Session, capital_account: str) -> CapitalAccount | None:
    return session.execute(
        select(CapitalAccount).where(CapitalAccount.account_no == capital_account.strip())
    ).scalar_one_or_none()
