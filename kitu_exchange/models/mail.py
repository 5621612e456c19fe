"""The mail outbox, each person's mail choices, and counters for rate limits."""
import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class MailState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # given up after a day, or discarded by an administrator


class DigestPeriod(enum.StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"


class OutgoingMail(Base):
    """One mail to send: written in the transaction of the event it tells about and
    delivered afterwards by `flask mail send` (mail/sender.py).

    `dedup_key` names what the mail is about ("digest:12:2026-W48", "reset:12:…"), so a
    second insert of the same mail is ignored. `next_attempt_at` is both the retry time
    and the claim: a sender moves it into the future before it talks to the server.
    """

    __tablename__ = "outgoing_mail"
    __table_args__ = (Index("ix_outgoing_mail_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(10), default=MailState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    @property
    def title(self) -> str:
        """How the audit log names the mail."""
        return f"{self.subject} → {self.recipient}"


class MailPreference(Base):
    """A person's mail choices; without a row the defaults of the columns apply."""

    __tablename__ = "mail_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    immediate: Mapped[bool] = mapped_column(default=True)
    digest: Mapped[str] = mapped_column(String(10), default=DigestPeriod.WEEKLY)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RateEvent(Base):
    """One counted request (a password reset asked for, per address and per e-mail);
    kept a day at most."""

    __tablename__ = "rate_event"
    __table_args__ = (Index("ix_rate_event_kind_key_at", "kind", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(default=utcnow)
