"""audit append function: PostgreSQL links audit entries to the chain in one round trip

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 06:30:00

"""
from pathlib import Path
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_FUNCTION_SQL = Path(__file__).resolve().parents[2] / "sql" / "audit_append_postgresql.sql"


def upgrade() -> None:
    """Upgrade schema (SQLite links entries in the application: nothing to do there)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION_SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION IF EXISTS counter_app_audit_append("
            "timestamp without time zone[], text[], text[], text[], text[], text[], text[], text[])"
        )
