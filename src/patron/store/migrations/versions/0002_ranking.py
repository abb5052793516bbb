"""ranking: goals, deliverables, exclusive asks, opposed incentives, tags

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ask_exclusion',
    sa.Column('ask_id', sa.Integer(), nullable=False),
    sa.Column('excludes_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ask_id'], ['ask.id'], name=op.f('fk_ask_exclusion_ask_id_ask'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['excludes_id'], ['ask.id'], name=op.f('fk_ask_exclusion_excludes_id_ask'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ask_id', 'excludes_id', name=op.f('pk_ask_exclusion'))
    )
    with op.batch_alter_table('ask_exclusion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ask_exclusion_excludes_id'), ['excludes_id'], unique=False)

    op.create_table('stakeholder_opposition',
    sa.Column('stakeholder_id', sa.Integer(), nullable=False),
    sa.Column('opposed_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['opposed_id'], ['stakeholder.id'], name=op.f('fk_stakeholder_opposition_opposed_id_stakeholder'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stakeholder_id'], ['stakeholder.id'], name=op.f('fk_stakeholder_opposition_stakeholder_id_stakeholder'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('stakeholder_id', 'opposed_id', name=op.f('pk_stakeholder_opposition'))
    )
    with op.batch_alter_table('stakeholder_opposition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stakeholder_opposition_opposed_id'), ['opposed_id'], unique=False)

    with op.batch_alter_table('ask', schema=None) as batch_op:
        batch_op.add_column(sa.Column('goal_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deliverable', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('tags', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('annotations', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ask_goal_id'), ['goal_id'], unique=False)
        batch_op.create_index('ix_ask_source', ['source'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ask_goal_id_goal'), 'goal', ['goal_id'], ['id'], ondelete='SET NULL')

    op.create_index(op.f('ix_commitment_made_at'), 'commitment', ['made_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_made_at'))

    with op.batch_alter_table('ask', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ask_goal_id_goal'), type_='foreignkey')
        batch_op.drop_index('ix_ask_source')
        batch_op.drop_index(batch_op.f('ix_ask_goal_id'))
        batch_op.drop_column('annotations')
        batch_op.drop_column('tags')
        batch_op.drop_column('deliverable')
        batch_op.drop_column('goal_id')

    with op.batch_alter_table('stakeholder_opposition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stakeholder_opposition_opposed_id'))

    op.drop_table('stakeholder_opposition')
    with op.batch_alter_table('ask_exclusion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ask_exclusion_excludes_id'))

    op.drop_table('ask_exclusion')
