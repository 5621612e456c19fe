"""Mail outbox, mail preferences and rate-limit events

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 19:38:49.300469

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('key', sa.String(length=254), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_event')),
    )
    op.create_index('ix_rate_event_kind_key_at', 'rate_event', ['kind', 'key', 'at'],
                    unique=False)
    op.create_table(
        'mail_preference',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('immediate', sa.Boolean(), nullable=False),
        sa.Column('digest', sa.String(length=10), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_mail_preference_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_mail_preference')),
    )
    op.create_table(
        'outgoing_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=254), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('category', sa.String(length=30), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('text_body', sa.Text(), nullable=False),
        sa.Column('html_body', sa.Text(), nullable=False),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('dedup_key', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_outgoing_mail_user_id_user_account'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail')),
        sa.UniqueConstraint('dedup_key', name=op.f('uq_outgoing_mail_dedup_key')),
    )
    op.create_index('ix_outgoing_mail_due', 'outgoing_mail', ['state', 'next_attempt_at'],
                    unique=False)
    op.create_index(op.f('ix_outgoing_mail_user_id'), 'outgoing_mail', ['user_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_outgoing_mail_user_id'), table_name='outgoing_mail')
    op.drop_index('ix_outgoing_mail_due', table_name='outgoing_mail')
    op.drop_table('outgoing_mail')
    op.drop_table('mail_preference')
    op.drop_index('ix_rate_event_kind_key_at', table_name='rate_event')
    op.drop_table('rate_event')
