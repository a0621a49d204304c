"""counter workflow tables: users, cases and their steps, agreements, restrictions,
CSDC requests, contact attempts, paper files

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 03:45:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('roles', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_no', sa.String(length=32), nullable=False),
    sa.Column('capital_account_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['capital_account_id'], ['capital_accounts.id'], name=op.f('fk_cases_capital_account_id_capital_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('case_no', name=op.f('uq_cases_case_no'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_capital_account_id'), ['capital_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_state'), ['state'], unique=False)

    op.create_table('contact_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('capital_account_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['capital_account_id'], ['capital_accounts.id'], name=op.f('fk_contact_attempts_capital_account_id_capital_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_attempts'))
    )
    with op.batch_alter_table('contact_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_attempts_capital_account_id'), ['capital_account_id'], unique=False)

    op.create_table('csdc_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('capital_account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['capital_account_id'], ['capital_accounts.id'], name=op.f('fk_csdc_requests_capital_account_id_capital_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_csdc_requests'))
    )
    with op.batch_alter_table('csdc_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_csdc_requests_capital_account_id'), ['capital_account_id'], unique=False)

    op.create_table('paper_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('capital_account_id', sa.Integer(), nullable=False),
    sa.Column('barcode', sa.String(length=32), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=True),
    sa.Column('checked_out_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['capital_account_id'], ['capital_accounts.id'], name=op.f('fk_paper_files_capital_account_id_capital_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_files')),
    sa.UniqueConstraint('barcode', name=op.f('uq_paper_files_barcode')),
    sa.UniqueConstraint('capital_account_id', name=op.f('uq_paper_files_capital_account_id'))
    )
    op.create_table('restrictions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('capital_account_id', sa.Integer(), nullable=False),
    sa.Column('restriction', sa.String(length=32), nullable=False),
    sa.Column('batch_no', sa.String(length=32), nullable=False),
    sa.Column('applied_by', sa.String(length=64), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=False),
    sa.Column('apply_reason', sa.Text(), nullable=False),
    sa.Column('lifted_by', sa.String(length=64), nullable=True),
    sa.Column('lifted_at', sa.DateTime(), nullable=True),
    sa.Column('lift_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['capital_account_id'], ['capital_accounts.id'], name=op.f('fk_restrictions_capital_account_id_capital_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_restrictions'))
    )
    with op.batch_alter_table('restrictions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_restrictions_capital_account_id'), ['capital_account_id'], unique=False)

    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_no', sa.String(length=32), nullable=False),
    sa.Column('capital_account_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('bank_code', sa.String(length=16), nullable=False),
    sa.Column('bank_account', sa.String(length=40), nullable=False),
    sa.Column('lang', sa.String(length=4), nullable=False),
    sa.Column('printed_by', sa.String(length=64), nullable=False),
    sa.Column('printed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bank_code'], ['banks.code'], name=op.f('fk_agreements_bank_code_banks')),
    sa.ForeignKeyConstraint(['capital_account_id'], ['capital_accounts.id'], name=op.f('fk_agreements_capital_account_id_capital_accounts')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_agreements_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('agreement_no', name=op.f('uq_agreements_agreement_no'))
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreements_capital_account_id'), ['capital_account_id'], unique=False)

    op.create_table('case_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.String(length=16), nullable=False),
    sa.Column('to_state', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reasons', sa.String(length=400), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_steps_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_steps'))
    )
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_steps_case_id'), ['case_id'], unique=False)

    op.create_table('paper_file_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paper_file_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('person', sa.String(length=64), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['paper_file_id'], ['paper_files.id'], name=op.f('fk_paper_file_movements_paper_file_id_paper_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_file_movements'))
    )
    with op.batch_alter_table('paper_file_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_paper_file_movements_paper_file_id'), ['paper_file_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('paper_file_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_paper_file_movements_paper_file_id'))
    op.drop_table('paper_file_movements')
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_steps_case_id'))
    op.drop_table('case_steps')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreements_capital_account_id'))
    op.drop_table('agreements')
    with op.batch_alter_table('restrictions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_restrictions_capital_account_id'))
    op.drop_table('restrictions')
    op.drop_table('paper_files')
    with op.batch_alter_table('csdc_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_csdc_requests_capital_account_id'))
    op.drop_table('csdc_requests')
    with op.batch_alter_table('contact_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_attempts_capital_account_id'))
    op.drop_table('contact_attempts')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_state'))
        batch_op.drop_index(batch_op.f('ix_cases_capital_account_id'))
    op.drop_table('cases')
    op.drop_table('users')
