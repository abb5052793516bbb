"""whose own mailbox each message was found in: influence measures people by the others'

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

from patron.store import moments


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a nullable column: a plain ALTER TABLE on SQLite, nothing rebuilt, no trigger lost
    op.add_column('interaction_participant', sa.Column('own_mailbox', sa.Boolean(), nullable=True))


def downgrade() -> None:
    # SQLite drops a column by rebuilding the table, which loses its triggers
    moments.uninstall(op.get_bind())
    with op.batch_alter_table('interaction_participant', schema=None) as batch_op:
        batch_op.drop_column('own_mailbox')
    moments.install(op.get_bind())
