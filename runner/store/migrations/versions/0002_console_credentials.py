"""console: API tokens, login attempts, who an exception is assigned to, alerts acknowledged,
an operator's skipped firings and one-off runs

Revision ID: 0002
Revises: 0001

New tables and one nullable column: a worker of revision 0001 runs on beside it untouched
(it names the columns it writes and reads).
"""

from alembic import op
import sqlalchemy as sa
import runner.store.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_name', sa.String(length=120), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', runner.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', runner.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_name'], ['users.name'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_name', sa.String(length=120), nullable=False),
    sa.Column('at', runner.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_login_attempts_name_at', 'login_attempts', ['user_name', 'at'], unique=False)
    op.create_table('schedule_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('bot', sa.String(length=64), nullable=False),
    sa.Column('task', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('at', runner.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', runner.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_schedule_changes_at', 'schedule_changes', ['at'], unique=False)
    op.add_column('work_items', sa.Column('assigned_to', sa.String(length=120), nullable=True))
    op.add_column('alerts', sa.Column('acked_by', sa.String(length=120), nullable=True))
    op.add_column('alerts', sa.Column('acked_at', runner.store.types.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('alerts', 'acked_at')
    op.drop_column('alerts', 'acked_by')
    op.drop_column('work_items', 'assigned_to')
    op.drop_index('ix_schedule_changes_at', table_name='schedule_changes')
    op.drop_table('schedule_changes')
    op.drop_index('ix_login_attempts_name_at', table_name='login_attempts')
    op.drop_table('login_attempts')
    op.drop_table('api_tokens')
