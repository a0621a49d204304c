"""Agreement numbers and the record of each printed agreement."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.models import Agreement, Bank, CapitalAccount
from counter_app.errors import NotFound, Refused
from counter_app.services.audit import AuditLog

AGREEMENT_PREFIX = "TA"


def agreement_number(agreement_id: int, printed_at: datetime) -> str:
    """``TA`` + print date + the record's id: unique because the id is."""
    return f"{AGREEMENT_PREFIX}{printed_at:%Y%m%d}{agreement_id:06d}"


def issue_agreement(
    session: Session,
    account: CapitalAccount,
    *,
    actor: str,
    lang: str = "zh",
    bank_code: str | None = None,
    bank_account: str | None = None,
    case_id: int | None = None,
    now: datetime | None = None,
) -> Agreement:
    """Record a new agreement for ``account`` and give it its number (audit-logged).

    The bank and bank account default to those on record; without either the
    agreement cannot be made (the bank is one of its three parties).
    """
    now = now or datetime.now()
    code = bank_code or account.bank_code
    number = (bank_account if bank_account is not None else account.bank_account).strip()
    if not code or not number:
        raise Refused(
            f"capital account {account.account_no} has no depository bank or bank account "
            "on record: choose the bank and enter the bank account first",
            zh=(
                f"资金账户 {account.account_no} 尚未登记存管银行或银行账户："
                "请先选择银行并录入银行账户"
            ),
        )
    if session.get(Bank, code) is None:
        raise NotFound(f"unknown bank code {code}", zh=f"没有银行代码为 {code} 的银行")
    agreement = Agreement(
        agreement_no=f"PENDING-{account.id}-{now.timestamp()}",
        capital_account_id=account.id,
        case_id=case_id,
        bank_code=code,
        bank_account=number,
        lang=lang,
        printed_by=actor,
        printed_at=now,
    )
    session.add(agreement)
    session.flush()
    agreement.agreement_no = agreement_number(agreement.id, now)
    session.flush()
    with AuditLog(session) as audit:
        audit.record(
            actor=actor,
            action="agreement.print",
            entity="capital_account",
            entity_key=account.account_no,
            after={
                "agreement_no": agreement.agreement_no,
                "bank": code,
                "bank_account": number,
                "lang": lang,
                "case_id": case_id,
            },
            at=now,
        )
    return agreement


def find_agreement(session: Session, agreement_no: str) -> Agreement | None:
    return session.execute(
        select(Agreement).where(Agreement.agreement_no == agreement_no.strip().upper())
    ).scalar_one_or_none()
