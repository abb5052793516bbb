"""first week: the day a stakeholder joined an engagement, an engagement's hourly rate

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('engagement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rate', sa.Float(), nullable=True))

    # Stakeholders recorded before this revision joined on the engagement's first day where
    # one is known (never later than today), else today: nobody becomes overdue by upgrading.
    with op.batch_alter_table('stakeholder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('added_on', sa.Date(), nullable=True))
    stakeholder = sa.table('stakeholder', sa.column('engagement_id', sa.Integer),
                           sa.column('added_on', sa.Date))
    engagement = sa.table('engagement', sa.column('id', sa.Integer),
                          sa.column('starts_on', sa.Date))
    today = sa.func.current_date()
    starts = (sa.select(engagement.c.starts_on)
              .where(engagement.c.id == stakeholder.c.engagement_id)
              .scalar_subquery())
    op.execute(stakeholder.update().values(
        added_on=sa.case((starts < today, starts), else_=today)))
    with op.batch_alter_table('stakeholder', schema=None) as batch_op:
        batch_op.alter_column('added_on', existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('stakeholder', schema=None) as batch_op:
        batch_op.drop_column('added_on')
    with op.batch_alter_table('engagement', schema=None) as batch_op:
        batch_op.drop_column('rate')
