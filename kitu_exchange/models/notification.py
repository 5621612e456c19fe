"""Follows (Folgen) and in-app notifications (Benachrichtigungen)."""
import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class FollowKind(enum.StrEnum):
    QUESTION = "question"
    SOLUTION = "solution"
    TOPIC = "topic"
    TAG = "tag"
    AUTHORITY = "authority"


class Follow(Base):
    """A person follows a question, solution, topic, tag or authority.

    The target is a kind and an id rather than one foreign key per kind: fan-out selects
    followers of several kinds at once with one condition. Deleting a target leaves no
    dangling follow of consequence (nothing is ever notified about a missing target), and
    the topic/tag/authority deletions remove their follows explicitly.
    """

    __tablename__ = "follow"
    __table_args__ = (
        UniqueConstraint("user_id", "target_kind", "target_id"),
        # Fan-out looks followers up by target.
        Index("ix_follow_target", "target_kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """One event told to one person. The post columns say what it is about; `note`
    carries a moderator's comment or reason where the kind has one."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_recipient", "recipient_id", "read_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True)
    reply_id: Mapped[int | None] = mapped_column(
        ForeignKey("reply.id", ondelete="CASCADE"), index=True)
    solution_id: Mapped[int | None] = mapped_column(
        ForeignKey("solution.id", ondelete="CASCADE"), index=True)
    # The authority an event is about: the one that re-uses, or the one mentioned.
    authority_id: Mapped[int | None] = mapped_column(
        ForeignKey("authority.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    recipient: Mapped["User"] = relationship(foreign_keys=[recipient_id])
    actor: Mapped["User | None"] = relationship(foreign_keys=[actor_id])
    question: Mapped["Question | None"] = relationship()
    reply: Mapped["Reply | None"] = relationship()
    solution: Mapped["Solution | None"] = relationship()
    authority: Mapped["Authority | None"] = relationship()

    @property
    def unread(self) -> bool:
        return self.read_at is None
