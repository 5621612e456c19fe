"""Legal pages (imprint, privacy and accessibility statement) as edited by admins."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class LegalPage(Base):
    """An admin's text for one legal page; without a row the shipped default is shown."""

    __tablename__ = "legal_page"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    updated_by: Mapped["User | None"] = relationship()

    @property
    def title(self) -> str:  # the label of its audit entries
        return self.slug
