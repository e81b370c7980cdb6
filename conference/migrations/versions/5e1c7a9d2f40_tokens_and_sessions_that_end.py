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


def downgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_api_tokens_kind_known'), type_='check')
        batch_op.drop_column('kind')
