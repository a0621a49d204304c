"""Shared setup for the counter workflow tests: accounts in every situation, and staff."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from stdnum import luhn

from counter_app.db.engine import Database
from counter_app.db.models import AuditEntry, CapitalAccount, CaseStep
from counter_app.domain.codes import FlagReason, Role
from counter_app.domain.idcard import _check_char
from counter_app.importing.reader import RawRow
from counter_app.services.flags import flag_account
from counter_app.services.importer import import_rows
from counter_app.services.users import UserView, add_user, create_first_admin

BASE = date(2025, 6, 30)
T0 = datetime(2025, 7, 1, 9, 0)
PASSWORD = "correct horse 1"


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ric(first17: str) -> str:
    """A valid 18-character resident ID from its first 17 digits."""
    return first17 + _check_char(first17)


def wrong_check(first17: str) -> str:
    good = _check_char(first17)
    return first17 + ("1" if good != "1" else "2")


def card(body: str = "621700000000000000") -> str:
    """A Luhn-valid UnionPay card number (19 digits)."""
    return body + luhn.calc_check_digit(body)


ID_A = "43010219900101123"  # + check char
ID_B = "43010219850202234"
ID_C = "11010519700303345"
ID_D = "32010219600404456"
ID_E = "21020219550505567"
ID_F = "31010419750606678"
ID_G = "43010419880707789"
ID_I = "43010219920808891"
ID_J = "11010519660909902"
ID_NEW = "43010219911010013"

# capital accounts
A_DATA = "10000001"  # invalid ID check char, no phone: UNQUALIFIED_DATA
B_CLEAN = "10000002"  # clean, not on depository: QUALIFIED_NOT_DEPOSITED
C_DEPOSITED = "10000003"  # clean, ACTIVE: QUALIFIED_DEPOSITED
D_FLAGGED = "10000004"  # clean but flagged by a person: UNQUALIFIED_OTHER
E_DORMANT = "10000005"  # dormant, clean data
F_DORMANT_DATA = "10000006"  # dormant, no phone
G_DUP = "10000007"  # same ID as H, other name: UNQUALIFIED_IDENTITY
H_DUP = "10000008"
I_SEC = "10000009"  # securities holder name differs: UNQUALIFIED_IDENTITY
J_ACTIVE_DATA = "10000010"  # on depository (ACTIVE) but no phone
K_CLEAN = "10000011"  # more clean accounts for queues
L_CLEAN = "10000012"
M_CLEAN = "10000013"
N_CLEAN = "10000014"

CLEAN_EXTRA = [K_CLEAN, L_CLEAN, M_CLEAN, N_CLEAN]


def account_row(
    line_no: int,
    account: str,
    name: str,
    id_number: str,
    *,
    phone: str = "13800138000",
    address: str = "长沙市天心区中山路1号",
    sh: str = "",
    sh_name: str | None = None,
    sh_id: str | None = None,
    depository: str = "NONE",
    bank: str = "",
    bank_account: str = "",
    paper: str = "有",
    opened: str = "2020-01-01",
    balance: str = "5000.00",
    holdings: str = "0",
    last_trade: str = "2025-05-01",
) -> RawRow:
    values = {
        "capital_account": account,
        "name": name,
        "customer_type": "个人",
        "id_type": "身份证",
        "id_number": id_number,
        "phone": phone,
        "address": address,
        "opened_on": opened,
        "balance": balance,
        "holdings_value": holdings,
        "last_trade_on": last_trade,
        "sh_account": sh,
        "sh_name": name if sh_name is None and sh else (sh_name or ""),
        "sh_id_number": id_number if sh_id is None and sh else (sh_id or ""),
        "bank": bank,
        "bank_account": bank_account,
        "depository_status": depository,
        "paper_file": paper,
    }
    return RawRow(line_no=line_no, values=values)


def base_rows() -> list[RawRow]:
    rows = [
        account_row(2, A_DATA, "苏红", wrong_check(ID_A), phone="", sh="A100000001"),
        account_row(3, B_CLEAN, "武文", ric(ID_B), sh="A100000002"),
        account_row(
            4,
            C_DEPOSITED,
            "秦明",
            ric(ID_C),
            depository="ACTIVE",
            bank="ICBC",
            bank_account=card("621700000000000001"),
        ),
        account_row(5, D_FLAGGED, "吕杰", ric(ID_D)),
        account_row(6, E_DORMANT, "史玉", ric(ID_E), balance="12.50", last_trade="2016-02-08"),
        account_row(
            7,
            F_DORMANT_DATA,
            "覃军",
            ric(ID_F),
            phone="",
            balance="0.00",
            last_trade="2015-12-08",
        ),
        account_row(8, G_DUP, "龚雨兰", ric(ID_G)),
        account_row(9, H_DUP, "周刚", ric(ID_G)),
        account_row(10, I_SEC, "侯英", ric(ID_I), sh="A100000009", sh_name="侯英英"),
        account_row(
            11,
            J_ACTIVE_DATA,
            "雷雨",
            ric(ID_J),
            phone="",
            depository="ACTIVE",
            bank="CCB",
            bank_account=card("621700000000000002"),
        ),
    ]
    for offset, account in enumerate(CLEAN_EXTRA):
        first17 = f"43010219800101{offset + 1:03d}"
        rows.append(account_row(12 + offset, account, f"客户{offset}", ric(first17)))
    return rows


@dataclass
class Staff:
    admin: UserView
    clerk: UserView  # DIVERSION + DATA_FILLING + SIGNING
    clerk2: UserView  # the same roles
    auditor: UserView
    poster: UserView
    supervisor: UserView


def load_accounts(db: Database) -> None:
    import_rows(
        db,
        base_rows(),
        source_name="test-export.csv",
        source_sha256="0" * 64,
        base_date=BASE,
        operator="importer",
        now=T0 - timedelta(days=1),
    )
    flag_account(
        db,
        D_FLAGGED,
        FlagReason.AGENCY_IMPROPER,
        "agent signed without power of attorney",
        "checker",
        now=T0 - timedelta(hours=1),
    )


def make_staff(db: Database) -> Staff:
    admin = create_first_admin(db, "admin", "管理员", PASSWORD, now=T0)
    counter = [Role.DIVERSION, Role.DATA_FILLING, Role.SIGNING]
    return Staff(
        admin=admin,
        clerk=add_user(db, admin, "clerk", "张三", PASSWORD, counter, now=T0),
        clerk2=add_user(db, admin, "clerk2", "李四", PASSWORD, counter, now=T0),
        auditor=add_user(db, admin, "auditor", "王五", PASSWORD, [Role.AUDIT], now=T0),
        poster=add_user(db, admin, "poster", "赵六", PASSWORD, [Role.BANK_POSTING], now=T0),
        supervisor=add_user(db, admin, "boss", "钱七", PASSWORD, [Role.SUPERVISOR], now=T0),
    )


def account(db: Database, account_no: str) -> CapitalAccount:
    with db.read() as session:
        found = session.execute(
            select(CapitalAccount).where(CapitalAccount.account_no == account_no)
        ).scalar_one()
        _ = found.customer, found.securities  # load while the session is open
        return found


def audit_actions(db: Database, entity: str, key: str) -> list[str]:
    with db.read() as session:
        return list(
            session.execute(
                select(AuditEntry.action)
                .where(AuditEntry.entity == entity, AuditEntry.entity_key == key)
                .order_by(AuditEntry.id)
            ).scalars()
        )


def audit_entries(db: Database, action: str) -> list[tuple[str, str, dict[str, object]]]:
    with db.read() as session:
        rows = session.execute(
            select(AuditEntry.actor, AuditEntry.entity_key, AuditEntry.after)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        ).all()
        return [(a, k, json.loads(after or "{}")) for a, k, after in rows]


def count_audit(db: Database) -> int:
    with db.read() as session:
        return int(session.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def count_steps(db: Database) -> int:
    with db.read() as session:
        return int(session.execute(select(func.count()).select_from(CaseStep)).scalar_one())
