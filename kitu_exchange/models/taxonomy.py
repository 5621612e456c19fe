"""Topics (Themenfelder) and free tags (Schlagwörter)."""
from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Topic(Base):
    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<Topic {self.slug}>"


class Tag(Base):
    """A free tag. `name` is the lower-case key (addresses, filters, search); `label`
    is how people wrote it ("XRechnung"), which is what pages show."""
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(60), default="", server_default="")

    @property
    def shown(self) -> str:
        return self.label or self.name


def link_table(name: str, owner: str, target: str) -> Table:
    """Many-to-many table between `owner` and `target` (a Topic or Tag)."""
    return Table(
        name,
        Base.metadata,
        Column(f"{owner}_id", ForeignKey(f"{owner}.id", ondelete="CASCADE"), primary_key=True),
        Column(f"{target}_id", ForeignKey(f"{target}.id", ondelete="CASCADE"), primary_key=True),
    )
