"""Redacted revisions, unique authority names, pending solution changes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redacted_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('authority', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_authority_name'), ['name'])
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_content', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('pending_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('pending_editor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pending_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_solution_pending_status'), ['pending_status'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_solution_pending_editor_id_user_account'),
                                    'user_account', ['pending_editor_id'], ['id'])


def downgrade():
    with op.batch_alter_table('solution', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_solution_pending_editor_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_solution_pending_status'))
        for column in ('pending_at', 'pending_editor_id', 'pending_status', 'pending_content'):
            batch_op.drop_column(column)
    with op.batch_alter_table('authority', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_authority_name'), type_='unique')
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.drop_column('redacted_at')
