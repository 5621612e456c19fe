"""Search change log: writing transaction per change, one cursor per host

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('search_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('txid', sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f('ix_search_change_txid'), ['txid'], unique=False)

    op.create_table('search_cursor',
    sa.Column('host', sa.String(length=300), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('host', name=op.f('pk_search_cursor'))
    )


def downgrade():
    op.drop_table('search_cursor')
    with op.batch_alter_table('search_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_change_txid'))
        batch_op.drop_column('txid')
