"""One-time submission keys of forms that create

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'submission',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_submission_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_submission')),
        sa.UniqueConstraint('user_id', 'key', name=op.f('uq_submission_user_id')),
    )
    op.create_index(op.f('ix_submission_created_at'), 'submission', ['created_at'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_submission_created_at'), table_name='submission')
    op.drop_table('submission')
