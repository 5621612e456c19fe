"""Sentence vectors of cases for similar-case search

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_vector',
        sa.Column('doc_id', sa.String(length=140), nullable=False),
        sa.Column('model', sa.String(length=80), nullable=False),
        sa.Column('text_hash', sa.String(length=64), nullable=False),
        sa.Column('vector', sa.LargeBinary(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('doc_id', name=op.f('pk_search_vector')),
    )
    op.create_index(op.f('ix_search_vector_updated_at'), 'search_vector', ['updated_at'],
                    unique=False)
    # Vectors still to be computed: the worker looks for them every second.
    op.create_index('ix_search_vector_pending', 'search_vector', ['doc_id'], unique=False,
                    sqlite_where=sa.text('vector IS NULL'),
                    postgresql_where=sa.text('vector IS NULL'))


def downgrade():
    op.drop_index('ix_search_vector_pending', table_name='search_vector')
    op.drop_index(op.f('ix_search_vector_updated_at'), table_name='search_vector')
    op.drop_table('search_vector')
