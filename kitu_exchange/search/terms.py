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


# Document frequencies per segment: a segment never changes once written (deletions do
# not change Whoosh's term statistics), so a count read once serves every later request
# until the segment is merged away. Similar cases read the frequency of every word of a
# case (about 120 per panel): from the segment files that was a fifth of the panel's time.
_SEGMENT_DF: dict[tuple[str, str, str], int] = {}
SEGMENT_DF_MAX = 200_000


def doc_frequency(reader, fieldname: str, text: str) -> int:
    """In how many documents a term occurs (0 for an unknown term or field).

    Only an unknown field counts as absent: any other failure (unreadable index files)
    propagates, so that it is logged and the index rebuilt (service.open_searcher)
    instead of every term silently counting as unknown and the panel staying empty.
    """
    total = 0
    for leaf, _ in reader.leaf_readers():
        key = segment_key(leaf)
        cached = None if key is None else _SEGMENT_DF.get((key, fieldname, text))
        if cached is None:
            try:
                cached = leaf.doc_frequency(fieldname, text)
            except TermNotFound:  # a field this index's schema does not have
                cached = 0
            if key is not None:
                if len(_SEGMENT_DF) >= SEGMENT_DF_MAX:
                    _SEGMENT_DF.clear()  # old segments' counts go with the rest
                _SEGMENT_DF[(key, fieldname, text)] = cached
        total += cached
    return total


def reader_key(reader) -> tuple | None:
    """Identifies an index state (its segments and live documents) across requests."""
    keys = []
    for leaf, _ in reader.leaf_readers():
        key = segment_key(leaf)
        if key is None:
            return None
        keys.append(key)
    return (*keys, reader.doc_count())


# The case id of each document, per segment (segments never change). Similar cases read
# it for every candidate (50 per panel); unpickling a candidate's stored fields, title
# and text, only for its id was 1.5 % of a worker's CPU under the load benchmark.
_DOC_IDS: dict[str, dict[int, str]] = {}
DOC_IDS_SEGMENTS_MAX = 200


def hit_doc_id(hit) -> str:
    """The case id (``question/slug``) of a Whoosh hit."""
    docnum = hit.docnum
    for leaf, offset in hit.searcher.reader().leaf_readers():
        if offset <= docnum < offset + leaf.doc_count_all():
            key = segment_key(leaf)
            if key is None:
                break
            ids = _DOC_IDS.get(key)
            if ids is None:
                if len(_DOC_IDS) >= DOC_IDS_SEGMENTS_MAX:
                    _DOC_IDS.clear()  # merged-away segments' ids go with the rest
                ids = _DOC_IDS[key] = {}
            local = docnum - offset
            doc_id = ids.get(local)
            if doc_id is None:
                doc_id = ids[local] = leaf.stored_fields(local)["doc_id"]
            return doc_id
    return hit["doc_id"]
