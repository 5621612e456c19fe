"""Curation and moderation: revisions, helpful votes, flags and the audit log."""
import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, delete, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .base import Base, utcnow


class TargetType(enum.StrEnum):
    QUESTION = "question"
    REPLY = "reply"
    SOLUTION = "solution"


class Revision(Base):
    """The state of a post before one edit: who changed it, when and why."""

    __tablename__ = "revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(index=True)
    # The post's editable fields as JSON text (title, body, situation, ...).
    content: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when a moderator replaced the text (e.g. personal data); see the audit log.
    redacted_at: Mapped[datetime | None]

    editor: Mapped["User | None"] = relationship()


class Vote(Base):
    """A member found a reply or solution helpful (one vote per person and post)."""

    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("user_id", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    OUTDATED = "outdated"
    OTHER = "other"


class FlagStatus(enum.StrEnum):
    OPEN = "open"
    HIDDEN = "hidden"
    EDITED = "edited"
    DISMISSED = "dismissed"


class Flag(Base):
    """A member's report of a post; moderators resolve it."""

    __tablename__ = "flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(20), default=FlagStatus.OPEN, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolution_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    reporter: Mapped["User"] = relationship(foreign_keys=[reporter_id])
    resolved_by: Mapped["User | None"] = relationship(foreign_keys=[resolved_by_id])


class AuditEntry(Base):
    """One moderation or administration action. Append only: nothing edits or deletes."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int]
    target_label: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped["User | None"] = relationship()


# Votes, flags and versions point at their post by (target_type, target_id), which a
# database foreign key cannot express for three tables. This is the ON DELETE CASCADE
# of that reference: whatever deletes a post (a service, the importer, a cascade from a
# question to its replies) deletes them in the same flush, so none is left orphaned.
_POST_TYPES = {"Question": TargetType.QUESTION, "Reply": TargetType.REPLY,
               "Solution": TargetType.SOLUTION}


@event.listens_for(Session, "before_flush")
def _delete_traces_of_deleted_posts(session, flush_context, instances):
    doomed: dict[str, set[int]] = {}
    for record in session.deleted:
        target_type = _POST_TYPES.get(type(record).__name__)
        if target_type is not None and record.id is not None:
            doomed.setdefault(target_type, set()).add(record.id)
    for target_type, ids in doomed.items():
        for model in (Vote, Flag, Revision):
            session.execute(delete(model).where(model.target_type == target_type,
                                                model.target_id.in_(ids)))
