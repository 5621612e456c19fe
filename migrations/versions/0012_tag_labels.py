"""Tags keep the case they were written in (label); name stays the lower-case key

Revision ID: 0012
Revises: 0008
Create Date: 2026-11-29 19:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tag') as batch:
        batch.add_column(sa.Column('label', sa.String(length=60), nullable=False,
                                   server_default=''))
    op.execute("UPDATE tag SET label = name")


def downgrade():
    with op.batch_alter_table('tag') as batch:
        batch.drop_column('label')
