"""What the printed documents need, read from the database (printing itself is Qt-free and
database-free: ``counter_app.printing`` takes these dataclasses).

- ``list_banks``: the depository banks a clerk chooses from at signing.
- ``agreement_data``: the agreement of a number already issued (``cases.sign``), or a
  draft (number ``DRAFT``) for the preview before signing.
- ``change_form_data``: the data change form of a case, from the fields its saves changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.engine import Database
from counter_app.db.models import Agreement, Bank, CapitalAccount
from counter_app.domain.codes import IdType, Market, Reason
from counter_app.domain.reason_text import ID_TYPE_TEXT, MARKET_TEXT, REASON_TEXT
from counter_app.errors import NotFound
from counter_app.printing.models import (
    AgreementData,
    BranchInfo,
    ChangeFormData,
    FieldChange,
    Lang,
    PartyCustomer,
    SecuritiesAccountLine,
)
from counter_app.services.cases import case_changes, get_case
from counter_app.services.customer_form import FIELD_LABELS
from counter_app.services.lookup import get_account
from counter_app.services.settings import BRANCH_ADDRESS, BRANCH_NAME, BRANCH_PHONE, get_setting
from counter_app.services.users import UserView

DRAFT_NUMBER = "DRAFT"


@dataclass(frozen=True, slots=True)
class BankView:
    code: str
    name_zh: str
    short_zh: str
    name_en: str


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang == "zh" else pair[1]


def list_banks(db: Database) -> list[BankView]:
    """The active depository banks, by code."""
    with db.read() as session:
        banks = session.execute(
            select(Bank).where(Bank.active.is_(True)).order_by(Bank.code)
        ).scalars()
        return [BankView(b.code, b.name_zh, b.short_zh, b.name_en) for b in banks]


def branch_info(session: Session) -> BranchInfo:
    return BranchInfo(
        name=get_setting(session, BRANCH_NAME) or "",
        address=get_setting(session, BRANCH_ADDRESS) or "",
        phone=get_setting(session, BRANCH_PHONE) or "",
    )


def _customer(account: CapitalAccount, lang: Lang) -> PartyCustomer:
    c = account.customer
    return PartyCustomer(
        name=c.name,
        id_type_label=_pick(ID_TYPE_TEXT[IdType(c.id_type)], lang),
        id_number=c.id_number,
        phone=c.phone,
        address=c.address,
    )


def _agreement(
    session: Session,
    account: CapitalAccount,
    *,
    number: str,
    bank_code: str,
    bank_account: str,
    signed_on: date,
    lang: Lang,
) -> AgreementData:
    bank = session.get(Bank, bank_code)
    if bank is None:
        raise NotFound(f"unknown bank code {bank_code}", zh=f"没有银行代码为 {bank_code} 的银行")
    return AgreementData(
        agreement_no=number,
        branch=branch_info(session),
        customer=_customer(account, lang),
        capital_account=account.account_no,
        bank_name=bank.name_zh if lang == "zh" else bank.name_en,
        bank_account=bank_account,
        signed_on=signed_on,
        securities_accounts=tuple(
            SecuritiesAccountLine(_pick(MARKET_TEXT[Market(s.market)], lang), s.account_no)
            for s in account.securities
        ),
        lang=lang,
    )


def agreement_data(db: Database, agreement_no: str) -> AgreementData:
    """The agreement as issued: its bank, account, language and date as recorded."""
    with db.read() as session:
        agreement = session.execute(
            select(Agreement).where(Agreement.agreement_no == agreement_no.strip().upper())
        ).scalar_one_or_none()
        if agreement is None:
            raise NotFound(f"no agreement {agreement_no}", zh=f"没有编号为 {agreement_no} 的协议")
        return agreement_data_for(session, agreement)


def agreement_data_for(session: Session, agreement: Agreement) -> AgreementData:
    """The printable data of an agreement record, within the caller's unit of work."""
    account = session.get(CapitalAccount, agreement.capital_account_id)
    assert account is not None
    lang: Lang = "en" if agreement.lang == "en" else "zh"
    return _agreement(
        session,
        account,
        number=agreement.agreement_no,
        bank_code=agreement.bank_code,
        bank_account=agreement.bank_account,
        signed_on=agreement.printed_at.date(),
        lang=lang,
    )


def draft_agreement_data(
    db: Database,
    capital_account: str,
    bank_code: str,
    bank_account: str,
    lang: Lang,
    *,
    signed_on: date | None = None,
) -> AgreementData:
    """The agreement as it will print, numbered ``DRAFT``: the preview before signing."""
    with db.read() as session:
        account = get_account(session, capital_account)
        if account is None:
            raise NotFound(
                f"no capital account {capital_account}", zh=f"没有资金账户 {capital_account}"
            )
        return _agreement(
            session,
            account,
            number=DRAFT_NUMBER,
            bank_code=bank_code.strip().upper(),
            bank_account=bank_account,
            signed_on=signed_on or date.today(),
            lang=lang,
        )


def field_label(field: str, lang: Lang) -> str:
    """``securities.A100000034.holder_name`` -> "证券账户姓名（A100000034）"."""
    if field.startswith("securities."):
        _, account_no, which = field.split(".", 2)
        label = _pick(FIELD_LABELS[which], lang)
        return f"{label}（{account_no}）" if lang == "zh" else f"{label} ({account_no})"
    return _pick(FIELD_LABELS.get(field, (field, field)), lang)


def change_form_data(
    db: Database,
    actor: UserView,
    case_id: int,
    lang: Lang,
    cleared: Iterable[Reason] = (),
) -> ChangeFormData:
    """The data change form of a case: each field its saves changed, first old value to
    last new value; ``cleared`` are the reasons the changes cleared (from the save)."""
    case = get_case(db, actor, case_id)
    changes = case_changes(db, actor, case_id)
    first_old: dict[str, str] = {}
    last_new: dict[str, str] = {}
    for change in changes:
        first_old.setdefault(change.field, change.old)
        last_new[change.field] = change.new
    lines = tuple(
        FieldChange(field_label(name, lang), first_old[name], last_new[name])
        for name in last_new
        if first_old[name] != last_new[name]
    )
    with db.read() as session:
        account = get_account(session, case.capital_account)
        if account is None:
            raise NotFound(
                f"no capital account {case.capital_account}",
                zh=f"没有资金账户 {case.capital_account}",
            )
        return ChangeFormData(
            form_no=case.case_no,
            branch=branch_info(session),
            customer=_customer(account, lang),
            capital_account=account.account_no,
            changes=lines,
            cleared_reasons=tuple(_pick(REASON_TEXT[r], lang) for r in cleared),
            filed_on=date.today(),
            lang=lang,
        )
