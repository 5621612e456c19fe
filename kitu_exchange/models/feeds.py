"""Personal feed tokens: the secret in a person's feed addresses (kitu_exchange/feeds/)."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class FeedToken(Base):
    """One feed token of a person, with a label of their choice.

    Neither column holds the token: it is HMAC-SHA256(SECRET_KEY, seed), 256 bits, and
    the row keeps the seed and the token's SHA-256 (for the look-up). So a copy of the
    database reads no feed, and changing SECRET_KEY ends every feed token
    (feeds/tokens.py explains why the token is derived rather than shown only once).
    """

    __tablename__ = "feed_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    label: Mapped[str] = mapped_column(String(80))
    seed: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped["User"] = relationship()
