"""search: a full-text index of people, organisations, engagements, asks and touchpoints

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from alembic import op

from patron.store import search


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # FTS5 tables kept by triggers on SQLite, expression GIN indexes on PostgreSQL; filled
    # from the records already there.
    search.install(op.get_bind())


def downgrade() -> None:
    search.uninstall(op.get_bind())
