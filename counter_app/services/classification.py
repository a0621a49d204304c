"""Keeping each account's class, reasons and their history right.

Reasons come from three places: the account's own data (``row_reasons``, from
the domain rules), other customers (``DUPLICATE_ID``, found set-based across the
whole table) and people (manual flags). Whoever changes any of the three calls
``reclassify`` so the current class and the history stay one truth.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session, selectinload

from counter_app.db.bulk import insert_rows
from counter_app.db.models import CapitalAccount, Classification, Customer, ManualFlag
from counter_app.domain.codes import (
    AccountClass,
    CustomerType,
    DepositoryStatus,
    FlagReason,
    IdType,
    Market,
    Reason,
)
from counter_app.domain.screening import (
    AccountFacts,
    ScreeningPolicy,
    SecuritiesFacts,
    classify,
    reasons_from_text,
    reasons_to_text,
    row_reasons,
)
from counter_app.services.settings import (
    BASE_DATE,
    DORMANT_BALANCE_LIMIT_CENTS,
    DORMANT_YEARS,
    dormancy_limits_of,
    get_settings,
)


def screening_policy(session: Session, base_date: date | None = None) -> ScreeningPolicy:
    """The rules' parameters: the branch's base date and dormancy settings."""
    values = get_settings(session, (BASE_DATE, DORMANT_BALANCE_LIMIT_CENTS, DORMANT_YEARS))
    limits = dormancy_limits_of(values)
    stored_base = values[BASE_DATE]
    base = base_date or (date.fromisoformat(stored_base) if stored_base else None) or date.today()
    return ScreeningPolicy(
        base_date=base,
        dormant_balance_limit_cents=limits.balance_limit_cents,
        dormant_years=limits.years,
    )


@dataclass(frozen=True, slots=True)
class Verdict:
    account_class: AccountClass
    reasons: frozenset[Reason]


def judge(
    own: Iterable[Reason],
    *,
    duplicate: bool,
    manual: Iterable[Reason],
    depository: DepositoryStatus,
) -> Verdict:
    reasons = set(own)
    reasons.discard(Reason.DUPLICATE_ID)
    if duplicate:
        reasons.add(Reason.DUPLICATE_ID)
    reasons.update(manual)
    return Verdict(classify(reasons, depository), frozenset(reasons))


def facts_of(account: CapitalAccount) -> AccountFacts:
    customer = account.customer
    return AccountFacts(
        name=customer.name,
        customer_type=CustomerType(customer.customer_type),
        id_type=IdType(customer.id_type),
        id_number=customer.id_number,
        phone=customer.phone,
        address=customer.address,
        has_paper_file=customer.has_paper_file,
        opened_on=account.opened_on,
        balance_cents=account.balance_cents,
        holdings_cents=account.holdings_cents,
        last_trade_on=account.last_trade_on,
        securities=tuple(
            SecuritiesFacts(
                market=Market(sec.market),
                account_no=sec.account_no,
                holder_name=sec.holder_name,
                holder_id_number=sec.holder_id_number,
            )
            for sec in account.securities
        ),
    )


def conflicting_ids(session: Session, among: Collection[str] | None = None) -> set[str]:
    """Normalized ID numbers held by customers with different normalized names."""
    stmt = (
        select(Customer.id_norm)
        .where(Customer.id_norm != "", Customer.name_norm != "")
        .group_by(Customer.id_norm)
        .having(func.count(func.distinct(Customer.name_norm)) > 1)
    )
    if among is not None:
        if not among:
            return set()
        stmt = stmt.where(Customer.id_norm.in_(list(among)))
    return set(session.execute(stmt).scalars())


def active_manual_reasons(session: Session, account_ids: Collection[int]) -> dict[int, set[Reason]]:
    if not account_ids:
        return {}
    rows = session.execute(
        select(ManualFlag.capital_account_id, ManualFlag.reason).where(
            ManualFlag.capital_account_id.in_(list(account_ids)),
            ManualFlag.cleared_at.is_(None),
        )
    )
    found: dict[int, set[Reason]] = {}
    for account_id, reason in rows:
        found.setdefault(account_id, set()).add(FlagReason(reason).reason)
    return found


def record_verdict(
    session: Session,
    account: CapitalAccount,
    verdict: Verdict,
    *,
    at: datetime,
    cause: str,
) -> bool:
    """Store a new verdict on the account and in its history; False if nothing changed."""
    return bool(record_verdicts(session, [(account, verdict)], at=at, cause=cause))


def record_verdicts(
    session: Session,
    verdicts: Iterable[tuple[CapitalAccount, Verdict]],
    *,
    at: datetime,
    cause: str,
) -> list[CapitalAccount]:
    """Store new verdicts on accounts and their history in one go; returns those changed."""
    changed: list[CapitalAccount] = []
    history: list[tuple[int, str, str, int]] = []
    for account, verdict in verdicts:
        reasons_text = reasons_to_text(verdict.reasons)
        securities_count = len(account.securities)
        if (
            account.account_class == verdict.account_class.value
            and account.reasons == reasons_text
            and account.securities_count == securities_count
        ):
            continue
        account.account_class = verdict.account_class.value
        account.reasons = reasons_text
        account.securities_count = securities_count
        account.updated_at = at
        changed.append(account)
        history.append((account.id, verdict.account_class.value, reasons_text, securities_count))
    if changed:
        session.flush()
        open_history_period(session, history, at=at, cause=cause)
    return changed


_HISTORY_COLUMNS = (
    "capital_account_id",
    "account_class",
    "reasons",
    "securities_count",
    "valid_from",
    "valid_to",
    "cause",
)


def open_history_period(
    session: Session,
    rows: list[tuple[int, str, str, int]],
    *,
    at: datetime,
    cause: str,
    close_previous: bool = True,
) -> None:
    """Close each account's open history period at ``at`` and open a new one.

    ``rows`` are (account id, class, reasons text, securities count). A period
    opened at the very same instant (same unit of work) is replaced instead, so
    one import or one step leaves one period per account, not a zero-length one.
    """
    if not rows:
        return
    ids = [row[0] for row in rows]
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        if close_previous:
            session.execute(
                delete(Classification).where(
                    Classification.capital_account_id.in_(chunk),
                    Classification.valid_to.is_(None),
                    Classification.valid_from == at,
                )
            )
            session.execute(
                update(Classification)
                .where(
                    Classification.capital_account_id.in_(chunk),
                    Classification.valid_to.is_(None),
                )
                .values(valid_to=at)
                .execution_options(synchronize_session=False)
            )
    insert_rows(
        session,
        cast(Table, Classification.__table__),
        _HISTORY_COLUMNS,
        [
            (account_id, account_class, reasons, count, at, None, cause)
            for account_id, account_class, reasons, count in rows
        ],
    )


def reclassify(
    session: Session,
    account: CapitalAccount,
    *,
    at: datetime,
    cause: str,
    policy: ScreeningPolicy | None = None,
) -> tuple[Verdict, Verdict]:
    """Re-screen one account from what is stored now; returns (before, after).

    Only this account: when its ID number or name changed, the caller also runs
    ``refresh_duplicates`` for the old and new ID numbers, so that partners gain or
    lose DUPLICATE_ID too (``cases.save_data`` does).
    """
    policy = policy or screening_policy(session)
    before = Verdict(AccountClass(account.account_class), reasons_from_text(account.reasons))
    own = row_reasons(facts_of(account), policy)
    account.row_reasons = reasons_to_text(own)
    id_norm = account.customer.id_norm
    duplicate = bool(id_norm) and id_norm in conflicting_ids(session, [id_norm])
    manual = active_manual_reasons(session, [account.id]).get(account.id, set())
    after = judge(
        own,
        duplicate=duplicate,
        manual=manual,
        depository=DepositoryStatus(account.depository_status),
    )
    record_verdict(session, account, after, at=at, cause=cause)
    return before, after


def refresh_duplicates(
    session: Session,
    *,
    at: datetime,
    cause: str,
    id_norms: Collection[str] | None = None,
) -> list[tuple[CapitalAccount, Verdict, Verdict]]:
    """Bring DUPLICATE_ID in line with the customers table, set-based.

    Looks only at ``id_norms`` when given (an edit), else at the whole table (an
    import). Returns the accounts whose verdict changed, with before and after.
    """
    conflicts = conflicting_ids(session, id_norms)
    if id_norms is None:
        has_now = set(
            session.execute(
                select(CapitalAccount.id).where(
                    CapitalAccount.reasons.like(f"%{Reason.DUPLICATE_ID.value}%")
                )
            ).scalars()
        )
    else:
        # an edit: the accounts of these ID numbers (the id_norm index), filtered here;
        # a LIKE in the query made the planner scan every account instead
        has_now = {
            account_id
            for account_id, reasons in session.execute(
                select(CapitalAccount.id, CapitalAccount.reasons)
                .join(Customer, Customer.id == CapitalAccount.customer_id)
                .where(Customer.id_norm.in_(list(id_norms)))
            )
            if Reason.DUPLICATE_ID in reasons_from_text(reasons)
        }
    wanted: set[int] = set()
    conflict_list = sorted(conflicts)
    for start in range(0, len(conflict_list), 900):
        part = conflict_list[start : start + 900]
        wanted.update(
            session.execute(
                select(CapitalAccount.id)
                .join(Customer, Customer.id == CapitalAccount.customer_id)
                .where(Customer.id_norm.in_(part))
            ).scalars()
        )
    to_change = sorted(has_now ^ wanted)
    changed: list[tuple[CapitalAccount, Verdict, Verdict]] = []
    if not to_change:
        return changed
    manual = active_manual_reasons(session, to_change)
    for start in range(0, len(to_change), 500):
        accounts = session.execute(
            select(CapitalAccount)
            .where(CapitalAccount.id.in_(to_change[start : start + 500]))
            .options(selectinload(CapitalAccount.securities))
        ).scalars()
        pending = []
        for account in accounts:
            before = Verdict(
                AccountClass(account.account_class), reasons_from_text(account.reasons)
            )
            after = judge(
                reasons_from_text(account.row_reasons),
                duplicate=account.id in wanted,
                manual=manual.get(account.id, set()),
                depository=DepositoryStatus(account.depository_status),
            )
            pending.append((account, before, after))
        stored = record_verdicts(
            session, [(a, after) for a, _, after in pending], at=at, cause=cause
        )
        stored_ids = {a.id for a in stored}
        changed.extend(item for item in pending if item[0].id in stored_ids)
    return changed
