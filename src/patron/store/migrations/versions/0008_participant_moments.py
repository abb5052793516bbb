"""each touchpoint's moment beside its participants: a person's last contact in one look-up

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

from patron.store import moments


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a nullable column: a plain ALTER TABLE on SQLite, nothing rebuilt
    op.add_column('interaction_participant', sa.Column('occurred_at', sa.DateTime(), nullable=True))
    moments.install(op.get_bind())
    # in place of the index on person_id alone: one index to keep as mail comes in, not two
    op.drop_index('ix_interaction_participant_person_id', table_name='interaction_participant')
    op.create_index('ix_interaction_participant_person_moment', 'interaction_participant',
                    ['person_id', 'occurred_at'], unique=False)


def downgrade() -> None:
    moments.uninstall(op.get_bind())
    op.drop_index('ix_interaction_participant_person_moment', table_name='interaction_participant')
    op.create_index('ix_interaction_participant_person_id', 'interaction_participant',
                    ['person_id'], unique=False)
    with op.batch_alter_table('interaction_participant', schema=None) as batch_op:
        batch_op.drop_column('occurred_at')
