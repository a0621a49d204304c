"""The branch's settings, stored in the database so every workstation shares them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.db.models import Setting

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


def get_setting(session: Session, key: str) -> str | None:
    value = session.execute(select(Setting.value).where(Setting.key == key)).scalar_one_or_none()
    if value is None:
        return DEFAULTS.get(key)
    return value


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
    return DormancyLimits(
        balance_limit_cents=int(get_setting(session, DORMANT_BALANCE_LIMIT_CENTS) or 10000),
        years=int(get_setting(session, DORMANT_YEARS) or 3),
    )
