"""Showing a full ID number or bank account, on purpose and on the record.

The policy (issue "shared database", 5; PCI DSS 4.0 requirement 3.4.1 for bank
accounts): lists, queues, exports and reports show ID numbers and bank accounts
masked, for everyone. Only the posts whose work is to read or copy those values in
full (data filling, signing, audit, bank posting: ``FULL_VALUE_ROLES``) may see them,
only inside the case being worked on, and every time one is shown it is written to
the audit log with who, when, which value and for which case.

``needs_full_values(roles)`` answers the first question for the GUI; ``reveal_full``
does the showing: it checks the user and (when given) the case, writes the audit
entry in the same transaction, and only then returns the value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.engine import Database
from counter_app.db.models import (
    Agreement,
    CapitalAccount,
    Case,
    Customer,
    SecuritiesAccount,
    User,
)
from counter_app.domain.codes import CaseState, Role
from counter_app.errors import NotFound, Refused
from counter_app.services.audit import AuditLog
from counter_app.services.users import normalize_username, parse_roles

#: Posts whose work needs the full values, inside the case being worked on.
FULL_VALUE_ROLES = frozenset({Role.DATA_FILLING, Role.SIGNING, Role.AUDIT, Role.BANK_POSTING})
_CLOSED = frozenset({CaseState.DONE.value, CaseState.CANCELLED.value})


def needs_full_values(roles: Iterable[Role | str]) -> bool:
    """True when any of ``roles`` may see full ID numbers and bank accounts.

    Even then only inside the case being worked on, through :func:`reveal_full`
    (which audits it); lists, queues, exports and reports stay masked for every role.
    DIVERSION, SUPERVISOR and ADMINISTRATOR see masked values only.
    """
    held = {Role(r) for r in roles}
    return bool(held & FULL_VALUE_ROLES)


@dataclass(frozen=True)
class _Source:
    """How to find a revealable value: the account it belongs to, and the value."""

    account_id: Callable[[Session, str], int | None]
    value: Callable[[Session, str], str | None]


def _account_id_by_no(session: Session, key: str) -> int | None:
    return session.execute(
        select(CapitalAccount.id).where(CapitalAccount.account_no == key)
    ).scalar_one_or_none()


def _customer_id_number(session: Session, key: str) -> str | None:
    return session.execute(
        select(Customer.id_number)
        .join(CapitalAccount, CapitalAccount.customer_id == Customer.id)
        .where(CapitalAccount.account_no == key)
    ).scalar_one_or_none()


def _bank_account(session: Session, key: str) -> str | None:
    return session.execute(
        select(CapitalAccount.bank_account).where(CapitalAccount.account_no == key)
    ).scalar_one_or_none()


def _securities_account_id(session: Session, key: str) -> int | None:
    return session.execute(
        select(SecuritiesAccount.capital_account_id).where(SecuritiesAccount.account_no == key)
    ).scalar_one_or_none()


def _holder_id_number(session: Session, key: str) -> str | None:
    return session.execute(
        select(SecuritiesAccount.holder_id_number).where(SecuritiesAccount.account_no == key)
    ).scalar_one_or_none()


def _agreement_account_id(session: Session, key: str) -> int | None:
    return session.execute(
        select(Agreement.capital_account_id).where(Agreement.agreement_no == key)
    ).scalar_one_or_none()


def _agreement_bank_account(session: Session, key: str) -> str | None:
    return session.execute(
        select(Agreement.bank_account).where(Agreement.agreement_no == key)
    ).scalar_one_or_none()


#: (entity, field) -> where the value is. ``key`` is the capital account number, the
#: securities account number or the agreement number.
REVEALABLE: dict[tuple[str, str], _Source] = {
    ("capital_account", "id_number"): _Source(_account_id_by_no, _customer_id_number),
    ("capital_account", "bank_account"): _Source(_account_id_by_no, _bank_account),
    ("securities_account", "holder_id_number"): _Source(_securities_account_id, _holder_id_number),
    ("agreement", "bank_account"): _Source(_agreement_account_id, _agreement_bank_account),
}


def reveal_full(
    db: Database,
    actor_username: str,
    entity: str,
    key: str,
    field: str,
    *,
    case_id: int | None = None,
    now: datetime | None = None,
) -> str:
    """The full value of ``entity``'s ``field`` for ``actor_username``, audited.

    Args:
        entity, key, field: what to show, one of :data:`REVEALABLE`.
        case_id: the case being worked on. When given, the case must be open, claimed
            by the actor and about the same account; the GUI always passes it.

    Raises:
        Refused: the user may not see full values, or the case is not theirs.
        NotFound: no such user, record or field.
    """
    source = REVEALABLE.get((entity, field))
    if source is None:
        raise NotFound(
            f"{entity}.{field} is not a value that can be revealed",
            zh=f"{entity}.{field} 不是可以显示完整值的字段",
        )
    username = normalize_username(actor_username)
    now = now or datetime.now()
    with db.write() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None or not user.active:
            raise Refused(
                f"no active user {actor_username!r}", zh=f"没有有效用户 {actor_username!r}"
            )
        if not needs_full_values(parse_roles(user.roles)):
            raise Refused(
                f"{user.username} may see ID numbers and bank accounts only masked: "
                "full values are for data filling, signing, audit and bank posting",
                zh=(
                    f"{user.username} 只能查看遮蔽后的证件号码和银行账户：完整值仅供资料录入、"
                    "签约、审核和银行入账岗位使用"
                ),
            )
        account_id = source.account_id(session, key)
        value = source.value(session, key)
        if account_id is None or value is None:
            raise NotFound(f"no {entity} {key}", zh=f"没有 {entity} {key}")
        if case_id is not None:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFound(f"no case {case_id}", zh=f"没有案件 {case_id}")
            if case.capital_account_id != account_id:
                raise Refused(
                    f"case {case.case_no} is about another account",
                    zh=f"案件 {case.case_no} 涉及的是另一个账户",
                )
            if case.state in _CLOSED:
                raise Refused(f"case {case.case_no} is closed", zh=f"案件 {case.case_no} 已结案")
            if case.claimed_by != user.username:
                raise Refused(
                    f"case {case.case_no} is not claimed by {user.username}: full values are "
                    "shown only in the case being worked on",
                    zh=(
                        f"案件 {case.case_no} 未由 {user.username} 领取："
                        "完整值只在正在办理的案件中显示"
                    ),
                )
        with AuditLog(session) as audit:
            audit.record(
                actor=user.username,
                action="data.reveal",
                entity=entity,
                entity_key=key,
                after={"field": field, "case_id": case_id},
                at=now,
            )
        return value
