"""Solution records (Lösungen) and their re-use by other authorities (Nachnutzung)."""
import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .taxonomy import link_table

solution_topic = link_table("solution_topic", "solution", "topic")
solution_tag = link_table("solution_tag", "solution", "tag")


class SolutionStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    BEST_PRACTICE = "best_practice"
    ARCHIVED = "archived"


# Statuses that every member may see; drafts, submissions and archived solutions are
# visible to their authors and curators only (kitu_exchange/visibility.py).
PUBLIC_STATUSES = (SolutionStatus.PUBLISHED, SolutionStatus.BEST_PRACTICE)


class ReuseStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    IN_USE = "in_use"


class Solution(Base):
    __tablename__ = "solution"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    situation: Mapped[str] = mapped_column(Text, default="")
    situation_html: Mapped[str] = mapped_column(Text, default="")
    approach: Mapped[str] = mapped_column(Text, default="")
    approach_html: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    result_html: Mapped[str] = mapped_column(Text, default="")
    costs: Mapped[str] = mapped_column(String(300), default="")
    effort: Mapped[str] = mapped_column(String(300), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default=SolutionStatus.DRAFT, index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime | None]
    reuse_count: Mapped[int] = mapped_column(default=0)
    helpful_count: Mapped[int] = mapped_column(default=0)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    last_reviewed_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    source_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("question.id", ondelete="SET NULL"))
    # An author's edit of a published solution waits here (JSON of the form's fields)
    # until a moderator approves it; "submitted" or "returned" (sent back).
    pending_content: Mapped[str | None] = mapped_column(Text)
    pending_status: Mapped[str | None] = mapped_column(String(20), index=True)
    pending_editor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    pending_at: Mapped[datetime | None]

    authority: Mapped["Authority"] = relationship()
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])
    pending_editor: Mapped["User | None"] = relationship(foreign_keys=[pending_editor_id])
    topics: Mapped[list["Topic"]] = relationship(secondary=solution_topic, order_by="Topic.name")
    tags: Mapped[list["Tag"]] = relationship(secondary=solution_tag, order_by="Tag.name")
    reuses: Mapped[list["Reuse"]] = relationship(
        back_populates="solution", cascade="all, delete-orphan", order_by="Reuse.created_at"
    )

    source_question: Mapped["Question | None"] = relationship()

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def best_practice(self) -> bool:
        return self.status == SolutionStatus.BEST_PRACTICE

    @property
    def returned(self) -> bool:
        """Sent back by a moderator with a comment: the draft, or a pending change."""
        return ((self.status == SolutionStatus.DRAFT and bool(self.review_comment))
                or self.pending_status == "returned")

    def __repr__(self) -> str:
        return f"<Solution {self.slug}>"


class Reuse(Base):
    """An authority re-uses (or plans to re-use) a solution of another authority."""

    __tablename__ = "reuse"
    __table_args__ = (UniqueConstraint("solution_id", "authority_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    solution_id: Mapped[int] = mapped_column(ForeignKey("solution.id", ondelete="CASCADE"))
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ReuseStatus.IN_USE)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]
    # Who recorded it last: the person's data export lists the re-uses they recorded.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    solution: Mapped[Solution] = relationship(back_populates="reuses")
    authority: Mapped["Authority"] = relationship()
    recorded_by: Mapped["User | None"] = relationship()
