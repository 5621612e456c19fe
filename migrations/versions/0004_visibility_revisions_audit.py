"""Redacted revisions, unique authority names

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redacted_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('authority', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_authority_name'), ['name'])


def downgrade():
    with op.batch_alter_table('authority', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_authority_name'), type_='unique')
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.drop_column('redacted_at')
