"""The branch's settings, stored in the database so every workstation shares them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.engine import Database
from counter_app.db.models import Setting
from counter_app.errors import UserError
from counter_app.services.audit import AuditLog

BASE_DATE = "base_date"
DORMANT_BALANCE_LIMIT_CENTS = "dormant_balance_limit_cents"
DORMANT_YEARS = "dormant_years"
BRANCH_NAME = "branch_name"
BRANCH_ADDRESS = "branch_address"
BRANCH_PHONE = "branch_phone"
IDLE_LOCK_MINUTES = "idle_lock_minutes"
AUDITOR_NOT_FILLER = "auditor_not_filler"
AUDITOR_NOT_SIGNER = "auditor_not_signer"

DEFAULTS: dict[str, str] = {
    DORMANT_BALANCE_LIMIT_CENTS: "10000",
    DORMANT_YEARS: "3",
    BRANCH_NAME: "证券营业部",
    BRANCH_ADDRESS: "",
    BRANCH_PHONE: "",
    IDLE_LOCK_MINUTES: "10",
    AUDITOR_NOT_FILLER: "0",
    AUDITOR_NOT_SIGNER: "0",
}


# What a person may change (the base date is set by the first import, never by hand),
# with the check each value must pass.
def _whole_number(low: int, high: int) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        if not value.isdigit() or not low <= int(value) <= high:
            return f"a whole number from {low} to {high}"
        return None

    return check


def _flag(value: str) -> str | None:
    return None if value in ("0", "1") else "0 (off) or 1 (on)"


def _text(value: str) -> str | None:
    return None if len(value) <= 200 else "at most 200 characters"


SETTABLE: dict[str, Callable[[str], str | None]] = {
    DORMANT_BALANCE_LIMIT_CENTS: _whole_number(0, 10_000_000),
    DORMANT_YEARS: _whole_number(1, 20),
    BRANCH_NAME: _text,
    BRANCH_ADDRESS: _text,
    BRANCH_PHONE: _text,
    IDLE_LOCK_MINUTES: _whole_number(1, 240),
    AUDITOR_NOT_FILLER: _flag,
    AUDITOR_NOT_SIGNER: _flag,
}


def change_setting(db: Database, key: str, value: str, operator: str) -> None:
    """Change a setting a person may change, checked and written to the audit log.

    Changing a dormancy limit does not re-screen existing accounts by itself: the next
    import does (every account is screened again with the limits then in force).
    """
    check = SETTABLE.get(key)
    if check is None:
        raise UserError(f"{key} cannot be changed by hand", zh=f"设置 {key} 不能手工修改")
    value = value.strip()
    problem = check(value)
    if problem is not None:
        raise UserError(f"{key} must be {problem}", zh=f"设置 {key} 的值不正确，应为：{problem}")
    with db.write() as session:
        previous = get_setting(session, key)
        set_setting(session, key, value)
        with AuditLog(session) as audit:
            audit.record(
                actor=operator,
                action="setting.change",
                entity="setting",
                entity_key=key,
                before={"value": previous},
                after={"value": value},
            )


def get_setting(session: Session, key: str) -> str | None:
    value = session.execute(select(Setting.value).where(Setting.key == key)).scalar_one_or_none()
    if value is None:
        return DEFAULTS.get(key)
    return value


def get_settings(session: Session, keys: Collection[str]) -> dict[str, str | None]:
    """Several settings in one query (a case step reads three on every re-screening)."""
    wanted = list(keys)
    rows = session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(wanted)))
    stored = {key: value for key, value in rows}
    return {key: stored[key] if key in stored else DEFAULTS.get(key) for key in wanted}


def set_setting(session: Session, key: str, value: str) -> str | None:
    """Store a setting; returns the previous stored value (for the audit log)."""
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
        return None
    previous = row.value
    row.value = value
    return previous


def get_base_date(session: Session) -> date | None:
    value = get_setting(session, BASE_DATE)
    return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class DormancyLimits:
    balance_limit_cents: int
    years: int


def get_dormancy_limits(session: Session) -> DormancyLimits:
    return dormancy_limits_of(get_settings(session, (DORMANT_BALANCE_LIMIT_CENTS, DORMANT_YEARS)))


def dormancy_limits_of(values: Mapping[str, str | None]) -> DormancyLimits:
    """The limits from settings already read (``get_settings``)."""
    return DormancyLimits(
        balance_limit_cents=int(values.get(DORMANT_BALANCE_LIMIT_CENTS) or 10000),
        years=int(values.get(DORMANT_YEARS) or 3),
    )
