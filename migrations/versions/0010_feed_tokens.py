"""Personal feed tokens

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'feed_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=80), nullable=False),
        sa.Column('seed', sa.String(length=64), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_feed_token_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_feed_token_token_hash')),
    )
    op.create_index(op.f('ix_feed_token_user_id'), 'feed_token', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_feed_token_user_id'), table_name='feed_token')
    op.drop_table('feed_token')
