"""Privacy: deleted accounts, re-use recorder, legal pages

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('legal_page',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_legal_page_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_page')),
    sa.UniqueConstraint('slug', name=op.f('uq_legal_page_slug'))
    )
    with op.batch_alter_table('reuse', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_reuse_recorded_by_id_user_account'), 'user_account', ['recorded_by_id'], ['id'])

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')

    with op.batch_alter_table('reuse', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reuse_recorded_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('recorded_by_id')

    op.drop_table('legal_page')
