"""Member authorities (Kommunen) of the cooperative."""
import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class AuthorityKind(enum.StrEnum):
    STADT = "Stadt"
    GEMEINDE = "Gemeinde"
    VERBANDSGEMEINDE = "Verbandsgemeinde"
    LANDKREIS = "Landkreis"
    ZWECKVERBAND = "Zweckverband"
    SONSTIGE = "Sonstige"


POPULATION_BANDS = {
    "lt10k": "unter 10.000",
    "10k-50k": "10.000 bis 50.000",
    "gt50k": "über 50.000",
}


def population_band(population: int | None) -> str:
    if population is None or population < 10_000:
        return "lt10k"
    return "10k-50k" if population <= 50_000 else "gt50k"


class Authority(Base):
    __tablename__ = "authority"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(80), default="Sachsen-Anhalt")
    population: Mapped[int | None]
    staff: Mapped[int | None]
    area_km2: Mapped[float | None]
    member_since: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # False for the association's office: it has accounts but is no member authority,
    # so the directory leaves it out.
    is_member: Mapped[bool] = mapped_column(default=True, server_default=true())

    users: Mapped[list["User"]] = relationship(back_populates="authority")
    contacts: Mapped[list["AuthorityContact"]] = relationship(
        back_populates="authority", cascade="all, delete-orphan",
        order_by="AuthorityContact.role, AuthorityContact.id")
    software: Mapped[list["AuthoritySoftware"]] = relationship(
        back_populates="authority", cascade="all, delete-orphan",
        order_by="AuthoritySoftware.field, AuthoritySoftware.product")

    @property
    def population_band(self) -> str:
        return population_band(self.population)

    def __repr__(self) -> str:
        return f"<Authority {self.slug}>"


# Fields of software and service providers an authority lists (labels in web.py).
SOFTWARE_FIELDS = ("finance", "dms", "council", "epayment", "hr", "registry", "permits",
                   "portal", "it_service", "other")


class AuthorityContact(Base):
    """A functional contact of an authority (a role, not a person: it survives turnover)."""

    __tablename__ = "authority_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(
        ForeignKey("authority.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    authority: Mapped[Authority] = relationship(back_populates="contacts")


class AuthoritySoftware(Base):
    """A product or service provider an authority uses in one field."""

    __tablename__ = "authority_software"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(
        ForeignKey("authority.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    product: Mapped[str] = mapped_column(String(120), index=True)
    provider: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    authority: Mapped[Authority] = relationship(back_populates="software")
