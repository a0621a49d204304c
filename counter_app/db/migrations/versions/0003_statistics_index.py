"""statistics index: the class/period scan of `report stats` reads an index, not the table

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 04:05:00

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('classifications', schema=None) as batch_op:
        batch_op.create_index(
            'ix_classifications_stats',
            ['account_class', 'valid_from', 'valid_to', 'securities_count'],
            unique=False,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('classifications', schema=None) as batch_op:
        batch_op.drop_index('ix_classifications_stats')
