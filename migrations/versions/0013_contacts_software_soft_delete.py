"""Authority contacts and software in use, directory membership, soft delete, re-use dates

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_question_deleted_by_id_user_account'),
                                    'user_account', ['deleted_by_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_question_deleted_at'), ['deleted_at'],
                              unique=False)
    with op.batch_alter_table('reuse', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('authority', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_member', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    # Publishing is a review: published solutions without one count from their creation.
    op.execute("UPDATE solution SET last_reviewed_at = created_at "
               "WHERE status IN ('published', 'best_practice') AND last_reviewed_at IS NULL")
    # The association's office is an authority for accounts, not a member.
    op.execute("UPDATE authority SET is_member = false WHERE slug = 'kitu'")
    op.create_table(
        'authority_contact',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('authority_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=120), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=False),
        sa.Column('note', sa.String(length=300), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['authority_id'], ['authority.id'],
                                name=op.f('fk_authority_contact_authority_id_authority'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_authority_contact')),
    )
    op.create_index(op.f('ix_authority_contact_authority_id'), 'authority_contact',
                    ['authority_id'], unique=False)
    op.create_table(
        'authority_software',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('authority_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=40), nullable=False),
        sa.Column('product', sa.String(length=120), nullable=False),
        sa.Column('provider', sa.String(length=120), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['authority_id'], ['authority.id'],
                                name=op.f('fk_authority_software_authority_id_authority'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_authority_software')),
    )
    op.create_index(op.f('ix_authority_software_authority_id'), 'authority_software',
                    ['authority_id'], unique=False)
    op.create_index(op.f('ix_authority_software_product'), 'authority_software',
                    ['product'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_authority_software_product'), table_name='authority_software')
    op.drop_index(op.f('ix_authority_software_authority_id'), table_name='authority_software')
    op.drop_table('authority_software')
    op.drop_index(op.f('ix_authority_contact_authority_id'), table_name='authority_contact')
    op.drop_table('authority_contact')
    with op.batch_alter_table('authority', schema=None) as batch_op:
        batch_op.drop_column('is_member')
    with op.batch_alter_table('reuse', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_deleted_at'))
        batch_op.drop_constraint(batch_op.f('fk_question_deleted_by_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_column('deleted_by_id')
