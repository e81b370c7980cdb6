"""the venue draw: venue mode, draw moment, organisation cap, applications (issue 15)

Revision ID: d7a3f19c0b42
Revises: c01ea6e5a1d2
Create Date: 2026-12-06 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a3f19c0b42'
down_revision = 'c01ea6e5a1d2'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('registered', 'waitlisted', 'invited', 'canceled')"
NEW_STATUSES = "status IN ('registered', 'waitlisted', 'applied', 'invited', 'canceled')"


def upgrade():
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('venue_mode', sa.String(length=10), server_default='fcfs', nullable=False))
        batch_op.add_column(sa.Column('draw_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('organisation_cap', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('draw_published_at', sa.DateTime(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_conferences_venue_mode_known'), "venue_mode IN ('fcfs', 'draw')")
        batch_op.create_check_constraint(batch_op.f('ck_conferences_org_cap_positive'), "organisation_cap IS NULL OR organisation_cap >= 1")
    # An on-site application before the draw holds no place: the status `applied`.
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_registrations_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_registrations_status_known'), NEW_STATUSES)
    op.create_table('venue_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=40), nullable=False),
    sa.Column('commitment', sa.String(length=64), nullable=False),
    sa.Column('committed_at', sa.DateTime(), nullable=False),
    sa.Column('dry_run', sa.JSON(), nullable=True),
    sa.Column('dry_run_at', sa.DateTime(), nullable=True),
    sa.Column('published', sa.JSON(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_venue_draws_conference_id_conferences')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_venue_draws')),
    sa.UniqueConstraint('conference_id', name=op.f('uq_venue_draws_conference_id'))
    )
    op.create_table('organisation_merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=200), nullable=False),
    sa.Column('canonical', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_organisation_merges_conference_id_conferences')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_merges')),
    sa.UniqueConstraint('conference_id', 'alias', name='uq_organisation_merge')
    )
    with op.batch_alter_table('organisation_merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_merges_conference_id'), ['conference_id'], unique=False)


def downgrade():
    with op.batch_alter_table('organisation_merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_merges_conference_id'))
    op.drop_table('organisation_merges')
    op.drop_table('venue_draws')
    op.execute("UPDATE registrations SET status = 'waitlisted' WHERE status = 'applied'")
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_registrations_status_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_registrations_status_known'), OLD_STATUSES)
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_conferences_org_cap_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_conferences_venue_mode_known'), type_='check')
        batch_op.drop_column('draw_published_at')
        batch_op.drop_column('organisation_cap')
        batch_op.drop_column('draw_at')
        batch_op.drop_column('venue_mode')
