"""One-time keys of forms that create: a repeated send returns what the first created."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Submission(Base):
    """A form sent with `key` by this user created the `kind` record `target_id`.

    The row is written in the same transaction as the record, so it exists exactly when
    the record does. Keys belong to their user: the constraint is per user.
    """

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))  # question | reply | solution | ...
    target_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
