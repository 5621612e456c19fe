"""Search change log and moderator-maintained synonym sets."""
from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class SearchChange(Base):
    """A document whose index entry must be refreshed.

    Written in the same transaction as the change itself, so the index never misses a
    committed change and never sees a rolled-back one. Every index replica keeps its own
    cursor (the last applied id) and re-reads the current row when it applies a change.
    """

    __tablename__ = "search_change"

    # SQLite only auto-increments an INTEGER PRIMARY KEY, so BIGINT elsewhere only.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    doc_id: Mapped[str] = mapped_column(String(140))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # PostgreSQL: the writing transaction (pg_current_xact_id()), so that an applier
    # passes a change only once its transaction can no longer be in flight. SQLite
    # serialises writers, so ids are commit order there and this stays empty.
    txid: Mapped[int | None] = mapped_column(BigInteger, index=True)


class SearchCursor(Base):
    """How far one host's index replica got in the change log; applied changes below
    every recently seen host's position are pruned."""

    __tablename__ = "search_cursor"

    host: Mapped[str] = mapped_column(String(300), primary_key=True)
    # PostgreSQL: the transaction horizon (every change of a lower txid is applied);
    # SQLite: the last applied change id.
    position: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SynonymSet(Base):
    """Terms that search treats as equivalent, e.g. "XRechnung, E-Rechnung"."""

    __tablename__ = "synonym_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    terms: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def term_list(self) -> list[str]:
        return [term.strip() for term in self.terms.split(",") if term.strip()]


class SearchVector(Base):
    """The sentence vector of one visible case (search/vectors.py owns the encoder).

    Derived data like the index, but kept in the database so that a reindex does not
    recompute it and every host's web processes share it. `vector` is empty while the
    vector is still to be computed (pending); a row of another `model` counts as
    missing. Removed with the case by the index applier.
    """

    __tablename__ = "search_vector"
    __table_args__ = (
        # Vectors still to be computed: the worker looks for them every second.
        Index("ix_search_vector_pending", "doc_id", sqlite_where=text("vector IS NULL"),
              postgresql_where=text("vector IS NULL")),
    )

    doc_id: Mapped[str] = mapped_column(String(140), primary_key=True)
    # Encoder name and version, e.g. "multilingual-e5-small 0.3.0": another one
    # invalidates the vector.
    model: Mapped[str] = mapped_column(String(80))
    # SHA-256 of the encoded text: an unchanged case is not encoded again.
    text_hash: Mapped[str] = mapped_column(String(64))
    # Little-endian float16, L2-normalised.
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow,
                                                 index=True)
