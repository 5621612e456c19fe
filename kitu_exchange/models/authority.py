"""Member authorities (Kommunen) of the cooperative."""
import enum
from datetime import date, datetime

from sqlalchemy import String
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

    users: Mapped[list["User"]] = relationship(back_populates="authority")

    @property
    def population_band(self) -> str:
        return population_band(self.population)

    def __repr__(self) -> str:
        return f"<Authority {self.slug}>"
