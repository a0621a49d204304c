"""The account list (台账) a page at a time, for screens that scroll through it.

Keyset pagination by capital account number: each page starts after the last key of
the previous one, so page 5,000 costs what page 1 costs (an index range scan), and a
list of a million accounts is never loaded whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counter_app.db.models import CapitalAccount, Customer
from counter_app.domain.codes import AccountClass, DepositoryStatus, Reason
from counter_app.domain.screening import reasons_from_text, sort_reasons

MAX_PAGE = 5000


@dataclass(frozen=True, slots=True)
class AccountRow:
    """One line of the account list (plain data)."""

    account_id: int
    capital_account: str
    name: str
    account_class: AccountClass
    reasons: tuple[Reason, ...]
    depository_status: DepositoryStatus
    securities_count: int
    bank_code: str | None
    balance_cents: int


def page_accounts(
    session: Session,
    after_key: str | None,
    limit: int,
    account_class: AccountClass | None = None,
) -> list[AccountRow]:
    """Up to ``limit`` accounts whose number sorts after ``after_key`` (None: from the start),
    in capital-account order, optionally of one class only."""
    limit = max(1, min(limit, MAX_PAGE))
    stmt = (
        select(
            CapitalAccount.id,
            CapitalAccount.account_no,
            Customer.name,
            CapitalAccount.account_class,
            CapitalAccount.reasons,
            CapitalAccount.depository_status,
            CapitalAccount.securities_count,
            CapitalAccount.bank_code,
            CapitalAccount.balance_cents,
        )
        .join(Customer, Customer.id == CapitalAccount.customer_id)
        .order_by(CapitalAccount.account_no)
        .limit(limit)
    )
    if after_key is not None:
        stmt = stmt.where(CapitalAccount.account_no > after_key)
    if account_class is not None:
        stmt = stmt.where(CapitalAccount.account_class == account_class.value)
    return [
        AccountRow(
            account_id=r.id,
            capital_account=r.account_no,
            name=r.name,
            account_class=AccountClass(r.account_class),
            reasons=tuple(sort_reasons(reasons_from_text(r.reasons))),
            depository_status=DepositoryStatus(r.depository_status),
            securities_count=r.securities_count,
            bank_code=r.bank_code,
            balance_cents=r.balance_cents,
        )
        for r in session.execute(stmt)
    ]


def count_accounts(session: Session, account_class: AccountClass | None = None) -> int:
    """How many accounts the list holds (for the screen's "n accounts" line)."""
    stmt = select(func.count()).select_from(CapitalAccount)
    if account_class is not None:
        stmt = stmt.where(CapitalAccount.account_class == account_class.value)
    return int(session.execute(stmt).scalar_one())
