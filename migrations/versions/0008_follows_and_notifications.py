"""Follows, in-app notifications, mention handles and auto-follow settings

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 19:45:00.000000

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _handle_base(name):
    # The rule of kitu_exchange/notifications/mentions.py at the time of this migration.
    text = name.lower()
    for umlaut, folded in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, folded)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:32].strip("-")
    return text if len(text) >= 2 else "mitglied"


def upgrade():
    op.create_table(
        'follow',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('target_kind', sa.String(length=20), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_follow_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follow')),
        sa.UniqueConstraint('user_id', 'target_kind', 'target_id',
                            name=op.f('uq_follow_user_id')),
    )
    op.create_index('ix_follow_target', 'follow', ['target_kind', 'target_id'], unique=False)
    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('question_id', sa.Integer(), nullable=True),
        sa.Column('reply_id', sa.Integer(), nullable=True),
        sa.Column('solution_id', sa.Integer(), nullable=True),
        sa.Column('authority_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['recipient_id'], ['user_account.id'],
                                name=op.f('fk_notification_recipient_id_user_account'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'],
                                name=op.f('fk_notification_actor_id_user_account'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['question_id'], ['question.id'],
                                name=op.f('fk_notification_question_id_question'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reply_id'], ['reply.id'],
                                name=op.f('fk_notification_reply_id_reply'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['solution_id'], ['solution.id'],
                                name=op.f('fk_notification_solution_id_solution'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['authority_id'], ['authority.id'],
                                name=op.f('fk_notification_authority_id_authority'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    )
    op.create_index('ix_notification_recipient', 'notification',
                    ['recipient_id', 'read_at', 'created_at'], unique=False)
    for column in ('question_id', 'reply_id', 'solution_id'):
        op.create_index(op.f(f'ix_notification_{column}'), 'notification', [column],
                        unique=False)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handle', sa.String(length=40), nullable=True))
        for name in ('follow_on_ask', 'follow_on_reply', 'follow_on_reuse'):
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=False,
                                          server_default=sa.true()))

    connection = op.get_bind()
    users = sa.table('user_account', sa.column('id', sa.Integer),
                     sa.column('name', sa.String), sa.column('deleted_at', sa.DateTime),
                     sa.column('handle', sa.String))
    taken = set()
    for user_id, name in connection.execute(
            sa.select(users.c.id, users.c.name).where(users.c.deleted_at.is_(None))
            .order_by(users.c.id)):
        base = _handle_base(name or "")
        handle, number = base, 1
        while handle in taken:
            number += 1
            handle = f"{base}-{number}"
        taken.add(handle)
        connection.execute(users.update().where(users.c.id == user_id).values(handle=handle))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_handle'), ['handle'])


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_handle'), type_='unique')
        for name in ('follow_on_reuse', 'follow_on_reply', 'follow_on_ask', 'handle'):
            batch_op.drop_column(name)
    for column in ('solution_id', 'reply_id', 'question_id'):
        op.drop_index(op.f(f'ix_notification_{column}'), table_name='notification')
    op.drop_index('ix_notification_recipient', table_name='notification')
    op.drop_table('notification')
    op.drop_index('ix_follow_target', table_name='follow')
    op.drop_table('follow')
