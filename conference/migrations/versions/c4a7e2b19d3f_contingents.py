"""partner contingents and reconfirmation (issue 15, parts 2 and 3)

Revision ID: c4a7e2b19d3f
Revises: 5e1c7a9d2f40
Create Date: 2026-12-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a7e2b19d3f'
down_revision = '5e1c7a9d2f40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reconfirm_opens_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('reconfirm_closes_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column(
            'reconfirm_release', sa.Boolean(), nullable=False, server_default=sa.false()
        ))
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.alter_column('reconfirm_release', server_default=None)
    op.create_table('contingents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.Column('release_at', sa.DateTime(), nullable=True),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('places >= 0', name=op.f('ck_contingents_places_nonnegative')),
    sa.CheckConstraint('used >= 0', name=op.f('ck_contingents_used_nonnegative')),
    sa.CheckConstraint('used <= places', name=op.f('ck_contingents_used_within_places')),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_contingents_conference_id_conferences')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contingents'))
    )
    with op.batch_alter_table('contingents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contingents_conference_id'), ['conference_id'], unique=False)
    op.create_table('contingent_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contingent_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('max_uses', sa.Integer(), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('uses >= 0', name=op.f('ck_contingent_codes_uses_nonnegative')),
    sa.CheckConstraint('uses <= max_uses', name=op.f('ck_contingent_codes_uses_within_max')),
    sa.ForeignKeyConstraint(['contingent_id'], ['contingents.id'], name=op.f('fk_contingent_codes_contingent_id_contingents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contingent_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_contingent_codes_code_hash'))
    )
    with op.batch_alter_table('contingent_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contingent_codes_contingent_id'), ['contingent_id'], unique=False)
        batch_op.create_index('uq_contingent_codes_number', ['contingent_id', 'number'], unique=True)
    op.create_table('contingent_uses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contingent_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['code_id'], ['contingent_codes.id'], name=op.f('fk_contingent_uses_code_id_contingent_codes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contingent_id'], ['contingents.id'], name=op.f('fk_contingent_uses_contingent_id_contingents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_contingent_uses_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contingent_uses'))
    )
    with op.batch_alter_table('contingent_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contingent_uses_contingent_id'), ['contingent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contingent_uses_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index('uq_contingent_uses_active', ['registration_id'], unique=True, sqlite_where=sa.text('returned_at IS NULL'), postgresql_where=sa.text('returned_at IS NULL'))
    op.create_table('reconfirmations',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('conference_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.String(length=64), nullable=False),
    sa.Column('asked_at', sa.DateTime(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('answer', sa.String(length=3), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.Column('flagged_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("answer IN ('yes', 'no')", name=op.f('ck_reconfirmations_answer_known')),
    sa.ForeignKeyConstraint(['conference_id'], ['conferences.id'], name=op.f('fk_reconfirmations_conference_id_conferences')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_reconfirmations_registration_id_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_reconfirmations')),
    sa.UniqueConstraint('link_id', name=op.f('uq_reconfirmations_link_id'))
    )
    with op.batch_alter_table('reconfirmations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reconfirmations_conference_id'), ['conference_id'], unique=False)


def downgrade():
    op.drop_table('reconfirmations')
    op.drop_table('contingent_uses')
    op.drop_table('contingent_codes')
    op.drop_table('contingents')
    with op.batch_alter_table('conferences', schema=None) as batch_op:
        batch_op.drop_column('reconfirm_release')
        batch_op.drop_column('reconfirm_closes_at')
        batch_op.drop_column('reconfirm_opens_at')
