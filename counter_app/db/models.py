"""The data model (SQLAlchemy 2 typed ORM).

Conventions:
- Enumerated values are stored as their plain string (see ``domain/codes.py``) in
  ``String`` columns, not database enums, so adding a value needs no ALTER TYPE.
- Money is integer fen (cents): exact, and fast to sum.
- Business timestamps are naive local time of the branch (China has one time zone
  and no daylight saving); "as of a date" questions are asked in that time.
- Editable rows carry ``version`` (SQLAlchemy's version counter), so a stale write
  raises instead of silently overwriting another clerk's change.
- Nothing that records a decision is ever deleted: flags, restrictions, case steps
  and rejections are closed with a reason instead.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Setting(Base):
    """Key/value settings of the branch (base date, dormancy limits, branch name...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Bank(Base):
    """Depository banks: reference data, seeded by the first migration."""

    __tablename__ = "banks"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    short_zh: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ImportBatch(Base):
    """One import of a counter-system export (or of demo data)."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_name: Mapped[str] = mapped_column(String(512))
    source_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    effective_at: Mapped[datetime] = mapped_column(DateTime)
    operator: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_new: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)


class Customer(Base):
    """The person or institution behind one capital account, as the export states it."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    # code-point order on both backends, so a name prefix search is an index range scan
    name_norm: Mapped[str] = mapped_column(
        String(200).with_variant(String(200, collation="C"), "postgresql"), default=""
    )
    customer_type: Mapped[str] = mapped_column(String(16))
    id_type: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(64), default="")
    # normalized (upper-case, 15-digit RIC upgraded to 18): what duplicates and lookups use
    id_norm: Mapped[str] = mapped_column(String(64), default="", index=True)
    phone: Mapped[str] = mapped_column(String(64), default="")
    # digits of a valid number, for lookup; empty when invalid or missing
    phone_norm: Mapped[str] = mapped_column(String(32), default="", index=True)
    address: Mapped[str] = mapped_column(String(400), default="")
    has_paper_file: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_customers_name_norm", "name_norm"),)


class CapitalAccount(Base):
    __tablename__ = "capital_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_no: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), unique=True)
    opened_on: Mapped[date] = mapped_column(Date)
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    holdings_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    last_trade_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    bank_code: Mapped[str | None] = mapped_column(ForeignKey("banks.code"), nullable=True)
    bank_account: Mapped[str] = mapped_column(String(40), default="")
    depository_status: Mapped[str] = mapped_column(String(16))
    # the current screening, denormalized from classifications for fast lists and reports
    account_class: Mapped[str] = mapped_column(String(32), index=True)
    reasons: Mapped[str] = mapped_column(String(400), default="")
    # reasons that depend only on this row (no duplicates, no manual flags)
    row_reasons: Mapped[str] = mapped_column(String(400), default="")
    securities_count: Mapped[int] = mapped_column(Integer, default=0)
    # digest of the last imported row: an identical re-import changes nothing
    source_fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary(16), nullable=True)
    last_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id"), nullable=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    customer: Mapped[Customer] = relationship(lazy="joined")
    securities: Mapped[list[SecuritiesAccount]] = relationship(
        back_populates="capital_account",
        order_by="SecuritiesAccount.market",  # SH before SZ
    )

    __mapper_args__ = {"version_id_col": version}


class SecuritiesAccount(Base):
    __tablename__ = "securities_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capital_account_id: Mapped[int] = mapped_column(ForeignKey("capital_accounts.id"), index=True)
    market: Mapped[str] = mapped_column(String(4))
    account_no: Mapped[str] = mapped_column(String(16), unique=True)
    holder_name: Mapped[str] = mapped_column(String(200), default="")
    holder_id_number: Mapped[str] = mapped_column(String(64), default="")

    capital_account: Mapped[CapitalAccount] = relationship(back_populates="securities")


class Classification(Base):
    """One period during which an account had a class and a set of reasons.

    ``valid_from``/``valid_to`` (open when NULL) make "as of any past date" one
    range scan: the statistics never replay events.
    """

    __tablename__ = "classifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capital_account_id: Mapped[int] = mapped_column(ForeignKey("capital_accounts.id"))
    account_class: Mapped[str] = mapped_column(String(32))
    reasons: Mapped[str] = mapped_column(String(400), default="")
    securities_count: Mapped[int] = mapped_column(Integer, default=0)
    valid_from: Mapped[datetime] = mapped_column(DateTime)
    valid_to: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    cause: Mapped[str] = mapped_column(String(32))  # import, flag, unflag, case, depository

    __table_args__ = (
        Index("ix_classifications_account_open", "capital_account_id", "valid_to"),
        # covers the statistics query: it scans this index, never the table
        Index(
            "ix_classifications_stats",
            "account_class",
            "valid_from",
            "valid_to",
            "securities_count",
        ),
    )


class ManualFlag(Base):
    """A person's judgement that an account is unqualified (UNQUALIFIED_OTHER)."""

    __tablename__ = "manual_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capital_account_id: Mapped[int] = mapped_column(ForeignKey("capital_accounts.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text)
    flagged_by: Mapped[str] = mapped_column(String(64))
    flagged_at: Mapped[datetime] = mapped_column(DateTime)
    cleared_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    clear_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class AuditEntry(Base):
    """Append-only log of every change: who, when, what, before and after.

    Entries are chained: ``entry_hash`` = SHA-256 over the previous entry's hash
    and this entry's canonical content, so editing or removing a stored entry
    breaks the chain at that entry.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str] = mapped_column(String(64))
    before: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    after: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_key"),)


# --- The rest of the domain. Declared now so later work extends, not reshapes. ---


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    roles: Mapped[str] = mapped_column(String(200), default="")  # Role values joined by ";"
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Case(Base):
    """A customer's visit to the counter, moving post to post."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    capital_account_id: Mapped[int] = mapped_column(ForeignKey("capital_accounts.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CaseStep(Base):
    """One move of a case (including rejections): never updated, never deleted."""

    __tablename__ = "case_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(16))  # forward, reject, cancel, bank_reject
    reasons: Mapped[str] = mapped_column(String(400), default="")
    note: Mapped[str] = mapped_column(Text, default="")


class Agreement(Base):
    """A printed tripartite depository agreement."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_no: Mapped[str] = mapped_column(String(32), unique=True)
    capital_account_id: Mapped[int] = mapped_column(ForeignKey("capital_accounts.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    bank_code: Mapped[str] = mapped_column(ForeignKey("banks.code"))
    bank_account: Mapped[str] = mapped_column(String(40))
    lang: Mapped[str] = mapped_column(String(4))
    printed_by: Mapped[str] = mapped_column(String(64))
    printed_at: Mapped[datetime] = mapped_column(DateTime)


class RestrictionRecord(Base):
    """A restriction flag applied to an account in a batch, and its lifting."""

    __tablename__ = "restrictions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capital_account_id: Mapped[int] = mapped_column(ForeignKey("capital_accounts.id"), index=True)
    restriction: Mapped[str] = mapped_column(String(32))
    batch_no: Mapped[str] = mapped_column(String(32))
    applied_by: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[datetime] = mapped_column(DateTime)
    apply_reason: Mapped[str] = mapped_column(Text)
    lifted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    lift_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class CsdcRequest(Base):
    __tablename__ = "csdc_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capital_account_id: Mapped[int] = mapped_column(ForeignKey("capital_accounts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    message: Mapped[str] = mapped_column(Text, default="")


class ContactAttempt(Base):
    __tablename__ = "contact_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capital_account_id: Mapped[int] = mapped_column(ForeignKey("capital_accounts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class PaperFile(Base):
    """A paper customer file and who holds it now."""

    __tablename__ = "paper_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capital_account_id: Mapped[int] = mapped_column(ForeignKey("capital_accounts.id"), unique=True)
    barcode: Mapped[str] = mapped_column(String(32), unique=True)
    holder: Mapped[str | None] = mapped_column(String(64), nullable=True)
    checked_out_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class PaperFileMovement(Base):
    __tablename__ = "paper_file_movements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_file_id: Mapped[int] = mapped_column(ForeignKey("paper_files.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # OUT, IN
    person: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)


__all__ = [
    "Agreement",
    "AuditEntry",
    "Bank",
    "Base",
    "CapitalAccount",
    "Case",
    "CaseStep",
    "Classification",
    "ContactAttempt",
    "CsdcRequest",
    "Customer",
    "ImportBatch",
    "ManualFlag",
    "PaperFile",
    "PaperFileMovement",
    "RestrictionRecord",
    "SecuritiesAccount",
    "Setting",
    "User",
]
