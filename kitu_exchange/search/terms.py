"""Building blocks shared by the query modules: an Or with a fixed matcher, and the
index statistics they read (document frequencies, a key for an index state)."""
from __future__ import annotations

from typing import Any

from whoosh import query as Q
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from .flatscore import segment_key


class UnionOr(Q.Or):
    """Or that always uses Whoosh's union-tree matcher.

    Whoosh picks a "preloaded array" matcher for indexes under 5,000 documents, which
    allocates a 2,048-slot array per Or; with the nested Ors built here that made small
    indexes slower (40 ms) than large ones. The union tree also allows top-N pruning.
    """

    matcher_type = Q.Or.DEFAULT_MATCHER


def reader_of(searcher_or_schema: Any):
    """The reader of a searcher; None for a bare schema (no statistics)."""
    return searcher_or_schema.reader() if isinstance(searcher_or_schema, Searcher) else None


def doc_frequency(reader, fieldname: str, text: str) -> int:
    """In how many documents a term occurs (0 for an unknown term or field).

    Only an unknown field counts as absent: any other failure (unreadable index files)
    propagates, so that it is logged and the index rebuilt (service.open_searcher)
    instead of every term silently counting as unknown and the panel staying empty.
    """
    try:
        return reader.doc_frequency(fieldname, text)
    except TermNotFound:  # a field this index's schema does not have
        return 0


def reader_key(reader) -> tuple | None:
    """Identifies an index state (its segments and live documents) across requests."""
    keys = []
    for leaf, _ in reader.leaf_readers():
        key = segment_key(leaf)
        if key is None:
            return None
        keys.append(key)
    return (*keys, reader.doc_count())
