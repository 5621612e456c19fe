"""Term-at-a-time scoring of the search and similar-case queries.

Whoosh evaluates an ``Or`` of many terms document-at-a-time through a tree of
union matchers: every posting passes through several Python method calls per tree
level (``is_active``/``id``/``next``/``score``), and the BM25F scorer looks up each
document's field length through the column reader. With the 20-50 weighted terms a
typed German query expands to, that dominated search latency (about 0.4 s at 50k
cases).

:class:`FlatScoreQuery` wraps such a query and computes the same scores term by term:
each term's postings are decoded a block at a time (Whoosh's own block decoder) and
accumulated in a dict, with BM25F applied from a per-segment length table. ``Or``,
``And``, ``AndNot`` and ``Term`` nodes are evaluated this way (a sub-query used twice,
such as the clauses of the "all words" bonus, is evaluated once); any other node
(phrases, ranges) runs through its normal Whoosh matcher. The result is handed to the
collector as a list matcher, so filters, masks, sorting, grouping and highlighting
work as before. Scores equal Whoosh's own up to floating-point summation order.

With ``top=N`` (only when nothing but the N best documents is needed, see
``queries.search``) just the N best documents of each segment are passed on, which
spares the collector from visiting every matching document. ``restrict``/``exclude``
queries are applied here too, so that pruning stays correct with a filter or mask.
"""

from __future__ import annotations

import threading
from itertools import accumulate
from typing import Any

from whoosh import query as Q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query.wrappers import WrappingQuery
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

__all__ = ["FlatScoreQuery", "facet_counts", "segment_key", "segment_scores"]

# Field-length bytes per (segment, field): segments are immutable, so a table is
# valid for as long as the segment exists. Bounded: old generations fall out.
_LENGTHS: dict[tuple[str, str], bytes] = {}
_LENGTHS_LOCK = threading.Lock()
_LENGTHS_MAX = 256


def segment_key(reader) -> str | None:
    """A process-wide key for a segment: its index name and random segment id."""
    seg = getattr(reader, "_segment", None)
    if seg is None:
        return None
    try:
        return f"{seg.indexname}/{seg.segment_id()}/{reader.doc_count_all()}"
    except Exception:  # noqa: BLE001 - unusual reader: no caching
        return None


def _length_bytes(reader, fieldname: str) -> bytes | None:
    """The per-document length bytes of a field in one segment (None if absent)."""
    key = segment_key(reader)
    if key is not None:
        cached = _LENGTHS.get((key, fieldname))
        if cached is not None:
            return cached
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return None
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    col = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if col is None:
        return None
    doccount = reader.doc_count_all()
    try:
        raw = col._dbfile.get(col._basepos, col._count) if col._count else b""
        if len(raw) != col._count:
            raise ValueError
    except Exception:  # noqa: BLE001 - fall back to the column interface
        raw = bytes(col[i] for i in range(min(col._count, doccount)))
    table = bytes(raw[:doccount]) + bytes(max(0, doccount - len(raw)))
    if key is not None:
        with _LENGTHS_LOCK:
            if len(_LENGTHS) >= _LENGTHS_MAX:
                _LENGTHS.clear()
            _LENGTHS[(key, fieldname)] = table
    return table


def _leaf_blocks(matcher):
    """Yield (ids, weights) per posting block of a leaf matcher."""
    m = matcher
    deleted = None
    if isinstance(m, FilterMatcher) and m._exclude:
        deleted, m = m._ids, m.child
    if isinstance(m, W3LeafMatcher):
        m.reset()
        while not m._atend:
            # Whoosh's _read_ids() undoes the delta coding with a Python generator;
            # accumulate() does the same in C.
            if m._data is None:
                m._read_data()
            ids = m._data[0]
            if not m._byteids:
                ids = tuple(accumulate(ids))
            m._read_weights()
            weights = m._weights
            if deleted:
                keep = [n for n, d in enumerate(ids) if d not in deleted]
                ids = [ids[n] for n in keep]
                weights = [weights[n] for n in keep]
            yield ids, weights
            if m._lastblock:
                break
            m._goto(m._nextoffset)
        return
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    yield ids, weights


class _Segment:
    """Evaluates query nodes over one segment (sub-searcher), with memoisation."""

    def __init__(self, searcher, context):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.parent = searcher.get_parent()
        self.schema = searcher.schema
        self.context = context
        weighting = context.weighting if context is not None and context.weighting else searcher.weighting
        self.weighting = weighting
        self.memo: dict[int, dict[int, float]] = {}
        self.refs: dict[int, int] = {}

    # ----------------------------------------------------------------- leaves
    def term(self, q: Q.Term, acc: dict[int, float] | None = None, factor: float = 1.0) -> dict[int, float]:
        """Add the term's scores times ``factor`` (and its boost) into ``acc``."""
        out: dict[int, float] = {} if acc is None else acc
        fieldname, text = q.fieldname, q.text
        if fieldname not in self.schema:
            return out
        field = self.schema[fieldname]
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return out
        reader = self.reader
        if (fieldname, btext) not in reader:
            return out
        try:
            postings = reader.postings(fieldname, btext)
        except TermNotFound:
            return out
        boost = q.boost * factor
        get = out.get
        weighting = self.weighting
        if not isinstance(weighting, BM25F) or not field.scorable:
            # Not BM25F (or an unscored field): let Whoosh's scorer score it.
            m = self.searcher.postings(fieldname, btext, weighting=weighting)
            while m.is_active():
                d = m.id()
                out[d] = get(d, 0.0) + m.score() * boost
                m.next()
            return out
        B = weighting._field_B.get(fieldname, weighting.B)
        K1 = weighting.K1
        idf = self.parent.idf(fieldname, text)
        avgfl = self.parent.avg_field_length(fieldname) or 1
        # bm25 = idf * (w * (K1 + 1)) / (w + K1 * ((1 - B) + B * length / avgfl));
        # the denominator's length part is tabulated per length byte.
        c = idf * (K1 + 1) * boost
        lengths = _length_bytes(reader, fieldname)
        if lengths is None:
            default = K1 * ((1 - B) + B * 1 / avgfl)
            for ids, weights in _leaf_blocks(postings):
                for d, w in zip(ids, weights):
                    out[d] = get(d, 0.0) + c * w / (w + default)
            return out
        norm = [K1 * ((1 - B) + B * byte_to_length(b) / avgfl) for b in range(256)]
        for ids, weights in _leaf_blocks(postings):
            for d, w in zip(ids, weights):
                out[d] = get(d, 0.0) + c * w / (w + norm[lengths[d]])
        return out

    def generic(self, q: Q.Query) -> dict[int, float]:
        m = q.matcher(self.searcher, self.context)
        out: dict[int, float] = {}
        while m.is_active():
            out[m.id()] = m.score()
            m.next()
        return out

    def ids(self, q: Q.Query) -> set[int]:
        """Documents matching a filter/mask query in this segment (unscored)."""
        m = q.matcher(self.searcher, self.searcher.boolean_context())
        out: set[int] = set()
        if isinstance(m, (W3LeafMatcher, FilterMatcher)):
            for ids, _ in _leaf_blocks(m):
                out.update(ids)
            return out
        while m.is_active():
            out.add(m.id())
            m.next()
        return out

    # -------------------------------------------------------------- compounds
    def count_refs(self, q: Q.Query) -> None:
        """Count how often each node object occurs in the tree (shared clauses)."""
        refs = self.refs
        stack = [q]
        while stack:
            node = stack.pop()
            n = refs.get(id(node), 0)
            refs[id(node)] = n + 1
            if n == 0 and isinstance(node, (Q.Or, Q.And)):
                stack.extend(node.subqueries)
            elif n == 0 and isinstance(node, Q.AndNot):
                stack.append(node.a)

    def eval(self, q: Q.Query) -> dict[int, float]:
        """{docnum: score} of a node (memoised: shared clauses are scored once)."""
        key = id(q)
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        result: dict[int, float] = {}
        self.add(q, result, 1.0, top=True)
        self.memo[key] = result
        return result

    def add(self, q: Q.Query, acc: dict[int, float], factor: float, top: bool = False) -> None:
        """Add ``factor`` times the scores of ``q`` into ``acc``.

        Nested Ors and their terms add straight into ``acc`` (one dict update per
        posting instead of one per tree level); a node used in several places is
        evaluated once into its own dict and merged.
        """
        if not top and self.refs.get(id(q), 1) > 1:
            self._merge(acc, self.eval(q), factor)
            return
        if q is Q.NullQuery or isinstance(q, type(Q.NullQuery)):
            return
        cls = type(q)
        if cls is Q.Term:
            self.term(q, acc, factor)
            return
        if isinstance(q, Q.Or) and not q.scale:
            subs = q.subqueries
            if len(subs) == 1:  # Whoosh ignores a one-child compound's boost
                self.add(subs[0], acc, factor)
                return
            f = factor * q.boost
            for sub in subs:
                self.add(sub, acc, f)
            return
        self._merge(acc, self._node(q), factor)

    @staticmethod
    def _merge(acc: dict[int, float], part: dict[int, float], factor: float) -> None:
        if not acc and factor == 1.0:
            acc.update(part)
            return
        get = acc.get
        if factor == 1.0:
            for d, s in part.items():
                acc[d] = get(d, 0.0) + s
        else:
            for d, s in part.items():
                acc[d] = get(d, 0.0) + s * factor

    def _node(self, q: Q.Query) -> dict[int, float]:
        cls = type(q)
        if cls is Q.And:
            subs = q.subqueries
            if not subs:
                return {}
            if len(subs) == 1:
                return self.eval(subs[0])
            parts = [self.eval(sub) for sub in subs]
            smallest = min(parts, key=len)
            common = set(smallest)
            for p in parts:
                if p is not smallest:
                    common.intersection_update(p.keys())
                    if not common:
                        return {}
            b = q.boost
            out = {}
            for d in common:
                total = 0.0
                for p in parts:
                    total += p[d]
                out[d] = total * b if b != 1.0 else total
            return out
        if cls is Q.AndNot:
            positive = self.eval(q.a)
            if not positive:
                return {}
            negative = self.ids(q.b)
            return {d: s for d, s in positive.items() if d not in negative}
        return self.generic(q)


def _best(scores: dict[int, float], n: int) -> dict[int, float]:
    """The ``n`` best documents; ties go to the lower document number, as in Whoosh."""
    # heapq.nlargest loops in Python; a C sort of the floats is faster here.
    threshold = sorted(scores.values())[-n]
    candidates = [(-s, d) for d, s in scores.items() if s >= threshold]
    candidates.sort()
    return {d: -s for s, d in candidates[:n]}


def segment_scores(searcher, q: Q.Query, context=None) -> dict[int, float]:
    """{segment docnum: score} of every document matching ``q`` in one segment."""
    seg = _Segment(searcher, context)
    seg.count_refs(q)
    return seg.eval(q)


class FlatScoreQuery(WrappingQuery):
    """Scores ``child`` term-at-a-time (same scores as Whoosh, much less overhead)."""

    def __init__(self, child: Q.Query, top: int | None = None,
                 restrict: Q.Query | None = None, exclude: Q.Query | None = None):
        super().__init__(child)
        self.top = top
        self.restrict = restrict
        self.exclude = exclude
        # Matching documents seen by matcher() before top-N pruning (all segments).
        self.matched = 0

    def _rewrap(self, child):
        return self.__class__(child, self.top, self.restrict, self.exclude)

    def __eq__(self, other):
        return (type(other) is type(self) and other.child == self.child and other.top == self.top
                and other.restrict == self.restrict and other.exclude == self.exclude)

    def __hash__(self):
        return hash((type(self).__name__, self.child, self.top))

    def normalize(self):
        return self._rewrap(self.child.normalize())

    def segment_matches(self, searcher, context=None) -> dict[int, float]:
        """{segment docnum: score} of every match in one segment (filter/mask applied).

        Cached per segment reader, so that counting facets and fetching the page of
        hits evaluate the query once.
        """
        cache = self.__dict__.setdefault("_cache", {})
        key = id(searcher.reader())
        if key in cache:
            return cache[key][1]
        seg = _Segment(searcher, context if context is not None else searcher.context())
        seg.count_refs(self.child)
        scores = seg.eval(self.child)
        if scores and self.restrict is not None:
            allowed = seg.ids(self.restrict)
            scores = {d: s for d, s in scores.items() if d in allowed}
        if scores and self.exclude is not None:
            banned = seg.ids(self.exclude)
            scores = {d: s for d, s in scores.items() if d not in banned}
        cache[key] = (searcher.reader(), scores)  # keep the reader alive: id() stays unique
        return scores

    def all_matches(self, searcher) -> list[tuple[Any, int, dict[int, float]]]:
        """(segment searcher, document offset, {segment docnum: score}) per segment."""
        context = searcher.context()
        return [(sub, offset, self.segment_matches(sub, context))
                for sub, offset in searcher.leaf_searchers()]

    def matcher(self, searcher, context=None):
        scores = self.segment_matches(searcher, context)
        if context is not None and context.weighting is None:
            # Unscored (counting, docs_for_query): every match, no pruning.
            return ListMatcher(sorted(scores)) if scores else NullMatcher()
        self.matched += len(scores)
        if not scores:
            return NullMatcher()
        if self.top is not None and len(scores) > self.top:
            scores = _best(scores, self.top)
        ids = sorted(scores)
        return ListMatcher(ids, weights=[scores[d] for d in ids])


# Facet value -> segment docnums, per (segment, field): built once per segment.
_FACETS: dict[tuple[str, str], dict[str, frozenset[int]]] = {}


def _facet_sets(reader, fieldname: str) -> dict[str, frozenset[int]]:
    key = segment_key(reader)
    if key is not None and (key, fieldname) in _FACETS:
        return _FACETS[(key, fieldname)]
    field = reader.schema[fieldname]
    out: dict[str, frozenset[int]] = {}
    try:
        terms = list(reader.lexicon(fieldname))
    except TermNotFound:  # a field this index's schema does not have
        terms = []
    for btext in terms:
        ids: set[int] = set()
        for block_ids, _ in _leaf_blocks(reader.postings(fieldname, btext)):
            ids.update(block_ids)
        out[field.from_bytes(btext)] = frozenset(ids)
    if key is not None:
        with _LENGTHS_LOCK:
            if len(_FACETS) >= _LENGTHS_MAX:
                _FACETS.clear()
            _FACETS[(key, fieldname)] = out
    return out


def facet_counts(matches, fieldnames) -> dict[str, dict[str, int]]:
    """Matching documents per value of each (keyword/ID) field, like Whoosh's
    ``groupedby=FieldFacet(name, allow_overlap=True)`` group sizes.

    ``matches`` is :meth:`FlatScoreQuery.all_matches` output. Uses one cached
    value -> documents set per segment and field, so counting costs a few set
    intersections instead of a categorizer call per matching document.
    """
    counts: dict[str, dict[str, int]] = {name: {} for name in fieldnames}
    for sub, _, scores in matches:
        if not scores:
            continue
        docs = set(scores)
        reader = sub.reader()
        for name in fieldnames:
            bucket = counts[name]
            for value, ids in _facet_sets(reader, name).items():
                n = len(ids & docs)
                if n:
                    bucket[value] = bucket.get(value, 0) + n
    return counts
