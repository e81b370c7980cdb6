"""colleagues registered together (issue 16 part 2)

Revision ID: c01ea6e5a1d2
Revises: ebcef6f3c79d
Create Date: 2026-12-06 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c01ea6e5a1d2'
down_revision = 'ebcef6f3c79d'
branch_labels = None
depends_on = None


def upgrade():
    # A registration may be `invited` (by a colleague) and then has no consent until the person
    # gives it; the one-active-per-e-mail index already counts it (status != 'canceled').
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_registrations_status_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_registrations_status_known'),
            "status IN ('registered', 'waitlisted', 'invited', 'canceled')",
        )
        batch_op.alter_column('consent_at', existing_type=sa.DateTime(), nullable=True)
        batch_op.create_check_constraint(
            batch_op.f('ck_registrations_consent_given'),
            "consent_at IS NOT NULL OR status IN ('invited', 'canceled')",
        )
    op.create_table('colleague_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('coordinator_id', sa.Integer(), nullable=True),
    sa.Column('invited_by_user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('hold_expires_at', sa.DateTime(), nullable=True),
    sa.Column('sent_count', sa.Integer(), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('invited', 'confirmed', 'declined', 'expired')", name=op.f('ck_colleague_invitations_status_known')),
    sa.CheckConstraint('sent_count >= 1', name=op.f('ck_colleague_invitations_sent_at_least_once')),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_colleague_invitations_conference_id_conferences')),
    sa.ForeignKeyConstraint(['coordinator_id'], ['registrations.id'], name=op.f('fk_colleague_invitations_coordinator_id_registrations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invited_by_user_id'], ['users.id'], name=op.f('fk_colleague_invitations_invited_by_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_colleague_invitations_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_colleague_invitations')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_colleague_invitations_registration_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_colleague_invitations_token_hash'))
    )
    with op.batch_alter_table('colleague_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_colleague_invitations_conference_id'), ['conference_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_colleague_invitations_coordinator_id'), ['coordinator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_colleague_invitations_hold_expires_at'), ['hold_expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('colleague_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_colleague_invitations_hold_expires_at'))
        batch_op.drop_index(batch_op.f('ix_colleague_invitations_coordinator_id'))
        batch_op.drop_index(batch_op.f('ix_colleague_invitations_conference_id'))
    op.drop_table('colleague_invitations')
    # Invitations without consent cannot stay: they end as canceled.
    op.execute(
        "UPDATE registrations SET status = 'canceled', consent_at = created_at"
        " WHERE status = 'invited' OR consent_at IS NULL"
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_registrations_consent_given'), type_='check')
        batch_op.alter_column('consent_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.drop_constraint(batch_op.f('ck_registrations_status_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_registrations_status_known'),
            "status IN ('registered', 'waitlisted', 'canceled')",
        )
