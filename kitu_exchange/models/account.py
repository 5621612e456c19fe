"""Accounts and sign-in attempts."""
import enum
from datetime import datetime

from flask_babel import gettext
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class Role(enum.StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"
    ADMIN = "admin"


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.MEMBER)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the account was deleted: name, e-mail and password are gone by then.
    deleted_at: Mapped[datetime | None]

    authority: Mapped["Authority"] = relationship(back_populates="users")

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def display_name(self) -> str:
        """The name to show beside posts and actions; a deleted account has none."""
        return gettext("ehemaliges Mitglied") if self.deleted else self.name

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class LoginAttempt(Base):
    """One sign-in attempt; failed ones within a window drive the rate limit."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
