"""console: sessions logged out before their cookie expired, shared by every console replica

Revision ID: 0003
Revises: 0002

A new table only: a worker or console of revision 0002 runs on beside it untouched.
"""

from alembic import op
import sqlalchemy as sa
import runner.store.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ended_sessions',
    sa.Column('sid_hash', sa.String(length=64), nullable=False),
    sa.Column('user_name', sa.String(length=120), nullable=False),
    sa.Column('expires', runner.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sid_hash')
    )
    op.create_index('ix_ended_sessions_expires', 'ended_sessions', ['expires'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ended_sessions_expires', table_name='ended_sessions')
    op.drop_table('ended_sessions')
