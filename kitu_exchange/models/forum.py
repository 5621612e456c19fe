"""Questions (Fragen) and their replies (Antworten)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .taxonomy import link_table

question_topic = link_table("question_topic", "question", "topic")
question_tag = link_table("question_tag", "question", "tag")


class Question(Base):
    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    accepted_reply_id: Mapped[int | None] = mapped_column(
        ForeignKey("reply.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime | None]
    # Soft delete: gone for members at once, restorable by moderators until purged.
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reply_count: Mapped[int] = mapped_column(default=0)
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    locked_at: Mapped[datetime | None]
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("question.id"))

    authority: Mapped["Authority"] = relationship()
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])
    deleted_by: Mapped["User | None"] = relationship(foreign_keys=[deleted_by_id])
    replies: Mapped[list["Reply"]] = relationship(
        back_populates="question",
        order_by="Reply.created_at, Reply.id",
        foreign_keys="Reply.question_id",
        cascade="all, delete-orphan",
    )
    accepted_reply: Mapped["Reply | None"] = relationship(
        foreign_keys=[accepted_reply_id], post_update=True
    )
    topics: Mapped[list["Topic"]] = relationship(secondary=question_topic, order_by="Topic.name")
    tags: Mapped[list["Tag"]] = relationship(secondary=question_tag, order_by="Tag.name")
    duplicate_of: Mapped["Question | None"] = relationship(remote_side=[id])

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def locked(self) -> bool:
        return self.locked_at is not None

    @property
    def solved(self) -> bool:
        return self.accepted_reply_id is not None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.slug}>"


class Reply(Base):
    __tablename__ = "reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("question.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    helpful_count: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship(back_populates="replies", foreign_keys=[question_id])
    authority: Mapped["Authority"] = relationship()
    author: Mapped["User | None"] = relationship()

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def accepted(self) -> bool:
        return self.question.accepted_reply_id == self.id
