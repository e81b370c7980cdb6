"""tokens and sessions that can be ended (issue 20)

Revision ID: 5e1c7a9d2f40
Revises: b94c98204536
Create Date: 2026-12-06 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1c7a9d2f40'
down_revision = 'b94c98204536'
branch_labels = None
depends_on = None


def upgrade():
    # An attendee's token never turns into a staff token: each token keeps the kind of
    # account it was issued for.
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), nullable=True))
    op.execute(
        "UPDATE api_tokens SET kind = CASE WHEN (SELECT users.role FROM users"
        " WHERE users.id = api_tokens.user_id) = 'attendee' THEN 'attendee' ELSE 'staff' END"
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=10), nullable=False)
        batch_op.create_check_constraint(
            batch_op.f('ck_api_tokens_kind_known'), "kind IN ('attendee', 'staff')"
        )
    # A browser logged in without proof of the address ends once the address is proven.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_proven_at', sa.DateTime(), nullable=True))
    # The manage link in a mail: a link token that opens a session, no API token.
    op.create_table('manage_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_manage_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manage_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_manage_links_token_hash'))
    )
    with op.batch_alter_table('manage_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manage_links_user_id'), ['user_id'], unique=False)
    # A Message-ID fixed per outbox row when it is written: every send of a row has the same.
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=250), nullable=True))
    op.execute("UPDATE mail_outbox SET message_id = '<outbox-' || id || '@migrated.invalid>'")
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.alter_column('message_id', existing_type=sa.String(length=250), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_mail_outbox_message_id'), ['message_id'])
    # Refused staff passwords per address (a keyed hash) when REDIS_URL is not set.
    op.create_table('login_failures',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('first_failed_at', sa.DateTime(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_first_failed_at'), ['first_failed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_mail_outbox_message_id'), type_='unique')
        batch_op.drop_column('message_id')
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_first_failed_at'))
    op.drop_table('login_failures')
    with op.batch_alter_table('manage_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manage_links_user_id'))
    op.drop_table('manage_links')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_proven_at')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_api_tokens_kind_known'), type_='check')
        batch_op.drop_column('kind')
