"""Accounts, their server-side sessions and sign-in attempts."""
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
    # TOTP (auth/second_factor.py). The secret is stored plain: the server must read it
    # to check codes, so encrypting it with a key derived from SECRET_KEY would only help
    # against a database copy without the configuration, and would lock everyone out at
    # a key rotation. A stolen secret alone still needs the password, which is hashed.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    totp_enabled_at: Mapped[datetime | None]  # None while a set-up is unconfirmed
    totp_last_step: Mapped[int | None]  # a code's time step works once only
    # The name to mention someone by (@handle): derived from the display name once, with
    # umlauts folded and a number added when taken (notifications/mentions.py).
    handle: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Follow automatically what one asks, replies to, records re-use of.
    follow_on_ask: Mapped[bool] = mapped_column(default=True)
    follow_on_reply: Mapped[bool] = mapped_column(default=True)
    follow_on_reuse: Mapped[bool] = mapped_column(default=True)

    authority: Mapped["Authority"] = relationship(back_populates="users")

    # Set by auth.sessions for the signed-in request: Flask-Login keeps get_id() in the
    # session and the remember cookie, so both carry this revocable token, not the id.
    session_token = None
    current_session = None

    def get_id(self) -> str | None:
        return self.session_token

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

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def needs_second_factor(self) -> bool:
        """Moderators and admins must use a second factor."""
        return self.role in (Role.MODERATOR, Role.ADMIN)

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


class UserSession(Base):
    """One signed-in browser. Its cookies carry a random token; only the SHA-256 of the
    token is stored, so a copy of the table signs no one in."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    remember: Mapped[bool] = mapped_column(default=False)
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """A one-time code that replaces the authenticator app once; stored as a salted hash."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None]
