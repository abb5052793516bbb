"""the register: people, organisations, engagements and the work

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('goal',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('target_on', sa.Date(), nullable=True),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal'))
    )
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('name', name=op.f('uq_organisation_name'))
    )
    op.create_table('engagement',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('goal', sa.Text(), nullable=True),
    sa.Column('success_criteria', sa.JSON(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_engagement_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement')),
    sa.UniqueConstraint('name', name=op.f('uq_engagement_name'))
    )
    with op.batch_alter_table('engagement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engagement_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('organisation_domain',
    sa.Column('domain', sa.String(length=253), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_organisation_domain_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('domain', name=op.f('pk_organisation_domain'))
    )
    with op.batch_alter_table('organisation_domain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_domain_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_person_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('ask',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=True),
    sa.Column('engagement_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('effort_hours', sa.Float(), nullable=True),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_ask_engagement_id_engagement'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requester_id'], ['person.id'], name=op.f('fk_ask_requester_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ask'))
    )
    with op.batch_alter_table('ask', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ask_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ask_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index('ix_ask_status_due', ['status', 'due_at'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('engagement_id', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_feedback_engagement_id_engagement'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_feedback_person_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_person_id'), ['person_id'], unique=False)

    op.create_table('interaction',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=True),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('sentiment', sa.Integer(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_interaction_engagement_id_engagement'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interaction'))
    )
    with op.batch_alter_table('interaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interaction_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interaction_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('milestone',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_milestone_engagement_id_engagement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone'))
    )
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_engagement_id'), ['engagement_id'], unique=False)

    op.create_table('person_email',
    sa.Column('address', sa.String(length=320), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_email_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('address', name=op.f('pk_person_email'))
    )
    with op.batch_alter_table('person_email', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_email_person_id'), ['person_id'], unique=False)

    op.create_table('prospect',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('goal', sa.Text(), nullable=True),
    sa.Column('fee', sa.Float(), nullable=True),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['person.id'], name=op.f('fk_prospect_contact_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_prospect_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prospect')),
    sa.UniqueConstraint('name', name=op.f('uq_prospect_name'))
    )
    with op.batch_alter_table('prospect', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prospect_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prospect_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('stakeholder',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('power', sa.Integer(), nullable=False),
    sa.Column('interest', sa.Integer(), nullable=False),
    sa.Column('legitimacy', sa.Integer(), nullable=False),
    sa.Column('urgency', sa.Integer(), nullable=False),
    sa.Column('stance', sa.String(length=20), nullable=False),
    sa.Column('incentives', sa.Text(), nullable=True),
    sa.Column('cadence_days', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_stakeholder_engagement_id_engagement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_stakeholder_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stakeholder')),
    sa.UniqueConstraint('person_id', 'engagement_id', 'role', name='uq_stakeholder_role')
    )
    with op.batch_alter_table('stakeholder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stakeholder_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stakeholder_person_id'), ['person_id'], unique=False)

    op.create_table('time_entry',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('boss_kind', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_time_entry_engagement_id_engagement'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_entry'))
    )
    with op.batch_alter_table('time_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_time_entry_engagement_id'), ['engagement_id'], unique=False)

    op.create_table('ask_dependency',
    sa.Column('ask_id', sa.Integer(), nullable=False),
    sa.Column('depends_on_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ask_id'], ['ask.id'], name=op.f('fk_ask_dependency_ask_id_ask'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['depends_on_id'], ['ask.id'], name=op.f('fk_ask_dependency_depends_on_id_ask'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ask_id', 'depends_on_id', name=op.f('pk_ask_dependency'))
    )
    with op.batch_alter_table('ask_dependency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ask_dependency_depends_on_id'), ['depends_on_id'], unique=False)

    op.create_table('commitment',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('promisee_id', sa.Integer(), nullable=True),
    sa.Column('engagement_id', sa.Integer(), nullable=True),
    sa.Column('ask_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('made_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['ask_id'], ['ask.id'], name=op.f('fk_commitment_ask_id_ask'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagement.id'], name=op.f('fk_commitment_engagement_id_engagement'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['promisee_id'], ['person.id'], name=op.f('fk_commitment_promisee_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment'))
    )
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commitment_ask_id'), ['ask_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitment_engagement_id'), ['engagement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commitment_promisee_id'), ['promisee_id'], unique=False)

    op.create_table('interaction_participant',
    sa.Column('interaction_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['interaction_id'], ['interaction.id'], name=op.f('fk_interaction_participant_interaction_id_interaction'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_interaction_participant_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('interaction_id', 'person_id', name=op.f('pk_interaction_participant'))
    )
    with op.batch_alter_table('interaction_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interaction_participant_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('interaction_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interaction_participant_person_id'))

    op.drop_table('interaction_participant')
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commitment_promisee_id'))
        batch_op.drop_index(batch_op.f('ix_commitment_engagement_id'))
        batch_op.drop_index(batch_op.f('ix_commitment_ask_id'))

    op.drop_table('commitment')
    with op.batch_alter_table('ask_dependency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ask_dependency_depends_on_id'))

    op.drop_table('ask_dependency')
    with op.batch_alter_table('time_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_time_entry_engagement_id'))

    op.drop_table('time_entry')
    with op.batch_alter_table('stakeholder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stakeholder_person_id'))
        batch_op.drop_index(batch_op.f('ix_stakeholder_engagement_id'))

    op.drop_table('stakeholder')
    with op.batch_alter_table('prospect', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prospect_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_prospect_contact_id'))

    op.drop_table('prospect')
    with op.batch_alter_table('person_email', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_email_person_id'))

    op.drop_table('person_email')
    with op.batch_alter_table('milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_engagement_id'))

    op.drop_table('milestone')
    with op.batch_alter_table('interaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interaction_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_interaction_engagement_id'))

    op.drop_table('interaction')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_person_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_engagement_id'))

    op.drop_table('feedback')
    with op.batch_alter_table('ask', schema=None) as batch_op:
        batch_op.drop_index('ix_ask_status_due')
        batch_op.drop_index(batch_op.f('ix_ask_requester_id'))
        batch_op.drop_index(batch_op.f('ix_ask_engagement_id'))

    op.drop_table('ask')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_person_name'))

    op.drop_table('person')
    with op.batch_alter_table('organisation_domain', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_domain_organisation_id'))

    op.drop_table('organisation_domain')
    with op.batch_alter_table('engagement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engagement_organisation_id'))

    op.drop_table('engagement')
    op.drop_table('organisation')
    op.drop_table('goal')
