"""Building and running queries: the search box and the "similar cases" panel.

Queries are built directly from the German analysis instead of through Whoosh's query
parser: ``parsing`` reads the search box's syntax, ``expansion`` turns each typed word
into a small group of weighted terms, ``spelling`` adds close spellings of unknown
words, ``similar_terms`` picks a draft's key terms. Every constant is in ``tuning``.
"""
from __future__ import annotations

from typing import Any

from whoosh import query as Q
from whoosh.fields import Schema
from whoosh.searching import Results, Searcher

from .analysis import SEGMENT_BOOST
from .expansion import alternatives_query, phrase_query, word_query
from .flatscore import FlatScoreQuery
from .parsing import parse_input
from .similar_terms import build_similar_query
from .spelling import corrections
from .synonyms import SynonymMap
from .terms import UnionOr, reader_of
from .tuning import ALL_WORDS_BONUS, WEIGHTING

__all__ = [
    "WEIGHTING",
    "build_search_query",
    "build_similar_query",
    "run_query",
    "scoring_searcher",
    "search",
    "similar",
    "similar_to_document",
]


def build_search_query(
    searcher_or_schema: Searcher | Schema, text: str, synonyms: SynonymMap | None = None
) -> Q.Query:
    """Build the query for search-box input (never raises; empty input -> NullQuery).

    With a searcher, document frequencies decide the weight of compound parts and
    which words get close-spelling alternatives; with only a schema both are skipped.
    """
    reader = reader_of(searcher_or_schema)
    units, excluded = parse_input(text)
    clauses: list[Q.Query] = []
    i = 0
    matches = {}
    if synonyms:
        # Synonym phrases may span consecutive plain words.
        flat = [(n, u[1][0]) for n, u in enumerate(units) if u[0] == "word"]
        stems = [w.stem for _, w in flat]
        for m in synonyms.find(stems):
            idx = [flat[k][0] for k in range(m.start, m.end)]
            if idx == list(range(idx[0], idx[0] + len(idx))):
                matches[idx[0]] = (len(idx), m.alternatives)
    while i < len(units):
        kind, words = units[i]
        if kind == "phrase":
            clauses.append(phrase_query(words))
            i += 1
            continue
        span, alts = matches.get(i, (1, ()))
        span_words = [units[k][1][0] for k in range(i, i + span)]
        fixes = [corrections(reader, w) for w in span_words]
        parts = [word_query(reader, w, corrections=c) for w, c in zip(span_words, fixes)]
        if synonyms and not alts and span == 1:
            # "Awareness-Schulung": look up the hyphen segments, and the corrected
            # spelling of a mistyped word ("Mobilgeräteverwaltnug").
            keys = [(stem,) for _, stem, boost in span_words[0].derived if boost >= SEGMENT_BOOST]
            keys += [(c.stem,) for c in fixes[0]]
            for key in keys:
                alts += synonyms.alternatives(key)
        original = parts[0] if len(parts) == 1 else UnionOr(parts)
        clauses.append(alternatives_query(reader, original, alts) if alts else original)
        i += span
    if not clauses:
        return Q.NullQuery
    if len(clauses) == 1:
        q: Q.Query = clauses[0]
    elif ALL_WORDS_BONUS <= 0:
        q = UnionOr(clauses)  # (a zero boost would divide by zero in Whoosh's pruning)
    else:
        # Or for recall, plus a bonus for documents that contain every concept.
        q = UnionOr([UnionOr(clauses), Q.And(clauses, boost=ALL_WORDS_BONUS)])
    if excluded:
        q = Q.AndNot(q, UnionOr([t for w in excluded
                                 for t in (Q.Term("title", w.stem), Q.Term("body", w.stem))]))
    return q


def scoring_searcher(searcher: Searcher) -> Searcher:
    """A searcher over the same reader that scores with WEIGHTING (not closing it)."""
    if searcher.weighting is WEIGHTING:
        return searcher
    # Kept with the searcher, which a thread keeps while the index is unchanged
    # (service.open_searcher): its idf cache then serves later requests too.
    scoring = getattr(searcher, "kitu_scoring", None)
    if scoring is None or scoring.reader() is not searcher.reader():
        scoring = Searcher(searcher.reader(), weighting=WEIGHTING, closereader=False,
                           fromindex=searcher._ix)
        searcher.kitu_scoring = scoring
    return scoring


_NO_PRUNING = ("sortedby", "groupedby", "collapse", "terms", "optimize", "scored")


def run_query(searcher: Searcher, q: Q.Query, limit: int | None = 10, **search_kwargs: Any) -> Results:
    """Run a built query with WEIGHTING through the term-at-a-time scorer.

    Scores and order are Whoosh's (see ``flatscore``). When only the ``limit`` best
    hits are wanted (no sorting, grouping, collapsing or matched-term recording), the
    scorer hands the collector only those, and a query-object ``filter``/``mask`` is
    applied before that cut; ``len(results)`` still counts every match.
    ``terms=True`` needs Whoosh's own matchers and runs the query unchanged.
    """
    s = scoring_searcher(searcher)
    if q is Q.NullQuery or search_kwargs.get("terms"):
        return s.search(q, limit=limit, **search_kwargs)
    kwargs = dict(search_kwargs)
    restrict = kwargs.get("filter")
    exclude = kwargs.get("mask")
    foldable = all(x is None or isinstance(x, Q.Query) for x in (restrict, exclude))
    prune = limit is not None and foldable and not any(kwargs.get(k) for k in _NO_PRUNING)
    if prune:
        kwargs.pop("filter", None)
        kwargs.pop("mask", None)
        fq = FlatScoreQuery(q, top=limit, restrict=restrict, exclude=exclude)
    else:
        fq = FlatScoreQuery(q)
    results = s.search(fq, limit=limit, **kwargs)
    if prune:
        results._total = fq.matched
    return results


def search(
    searcher: Searcher,
    text: str,
    *,
    synonyms: SynonymMap | None = None,
    limit: int | None = 10,
    **search_kwargs: Any,
) -> Results:
    """Run search-box input; extra keyword arguments go to ``Searcher.search``
    (``filter=``, ``mask=``, ``sortedby=``, ``groupedby=``, ``terms=True`` ...)."""
    q = build_search_query(searcher, text, synonyms)
    return run_query(searcher, q, limit=limit, **search_kwargs)


def similar(
    searcher: Searcher,
    text: str,
    *,
    synonyms: SynonymMap | None = None,
    limit: int | None = 5,
    **search_kwargs: Any,
) -> Results:
    """Existing cases similar to a question being written (its title and body).

    Pass ``mask=``/``filter=`` to leave out the document itself or restrict authorities.
    """
    q = build_similar_query(searcher, text, synonyms)
    return run_query(searcher, q, limit=limit, **search_kwargs)


def similar_to_document(
    searcher: Searcher,
    doc_id: str,
    *,
    synonyms: SynonymMap | None = None,
    limit: int | None = 5,
    stored: dict | None = None,
    **search_kwargs: Any,
) -> Results:
    """Cases similar to a stored document (its stored fields if the caller has them);
    the document itself is always masked out."""
    if stored is None:
        stored = searcher.document(doc_id=doc_id) or {}
    text = f"{stored.get('title', '')}\n{stored.get('body', '')}"
    own = Q.Term("doc_id", doc_id)
    mask = search_kwargs.pop("mask", None)
    mask = own if mask is None else UnionOr([mask, own])
    q = build_similar_query(searcher, text, synonyms)
    return run_query(searcher, q, limit=limit, mask=mask, **search_kwargs)
