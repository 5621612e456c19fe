"""Search for the views and the command line: results checked against the database."""
import threading
from html import escape
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from math import inf
from time import monotonic

import numpy as np
from flask import current_app, has_app_context
from sqlalchemy import event, func, select
from sqlalchemy.orm import joinedload
from whoosh import highlight
from whoosh import query as Q
from whoosh import sorting

from ..extensions import db
from ..models import Question, Solution, SynonymSet, User
from ..visibility import public_questions, public_solutions
from . import encoding_budget, explain, queries, semantic, spelling, tuning
from .changes import doc_id_of
from .analysis import lexicon
from .flatscore import FlatScoreQuery, facet_counts
from .index import index_failed, open_index, raised_by_index, rebuild_in_background
from .synonyms import SynonymMap
from .terms import hit_doc_id

_synonym_lock = threading.Lock()
# The synonym sets are looked up at most once a second per app (process): the version
# query ran on every search and similar panel. A change made in this process is seen at
# once (the mapper events below); other processes see it within a second, as they see
# index changes within two.
SYNONYMS_RECHECK_SECONDS = 1.0
_SYNONYMS = "kitu_synonyms"

FACET_FIELDS = ("kind", "topics", "authority", "authority_kind", "population_band", "status")
SORTS = {"relevance", "newest", "reuse"}
# A spelling suggestion must occur in a case the person may open; this many cases with
# the word are checked (drafts and hidden posts are few beside the visible ones).
SUGGESTION_CHECK_LIMIT = 50


def synonym_map() -> SynonymMap:
    """The moderators' synonym sets, rebuilt only when they changed."""
    cache = current_app.extensions.setdefault(_SYNONYMS, {})
    if "map" in cache and monotonic() - cache.get("checked", -inf) < SYNONYMS_RECHECK_SECONDS:
        return cache["map"]
    version = tuple(db.session.execute(
        select(func.count(SynonymSet.id), func.max(SynonymSet.updated_at))).one())
    with _synonym_lock:
        if cache.get("version") != version:
            sets = [s.term_list for s in db.session.scalars(select(SynonymSet))]
            cache.update(version=version, map=SynonymMap(sets))
        cache["checked"] = monotonic()
        return cache["map"]


@event.listens_for(SynonymSet, "after_insert")
@event.listens_for(SynonymSet, "after_update")
@event.listens_for(SynonymSet, "after_delete")
def _synonyms_changed(mapper, connection, target) -> None:
    if has_app_context():
        current_app.extensions.get(_SYNONYMS, {}).pop("checked", None)


class IndexUnavailable(Exception):
    """The index failed in use; a rebuild has been started."""


@contextmanager
def open_searcher():
    """A searcher on the current index, or None while the index is being rebuilt.

    Raises IndexUnavailable when the index fails in use (e.g. corrupt files): the
    failure is logged and one rebuild per host starts; callers go on without search.
    """
    index = open_index()
    if index is None:
        rebuild_in_background()
        yield None
        return
    try:
        yield _thread_searcher(index)
    except Exception as error:
        _forget_thread_searcher()
        if not raised_by_index(error):
            raise
        index_failed(error)
        raise IndexUnavailable from error


# Each thread keeps its searcher while the index is unchanged: opening one reads the
# table of contents and every segment's term tables, 5 % of a worker's CPU under the
# load benchmark (most requests search or show similar cases), and the searcher's
# per-term statistics (idf) then serve later requests too. Per thread, not per process:
# Whoosh's readers seek and read shared file handles.
_thread = threading.local()


class _HeldSearcher:
    """A thread's searcher; its files close when it is replaced or the thread ends."""

    def __init__(self, index):
        self.index, self.searcher = index, index.searcher()

    def current(self, index) -> bool:
        return (self.index is index
                and index.latest_generation() == self.searcher.reader().generation())

    def close(self) -> None:
        try:
            self.searcher.close()
        except Exception:  # noqa: BLE001 - a broken index may fail to close, too
            pass

    __del__ = close


def _thread_searcher(index):
    held = getattr(_thread, "held", None)
    if held is None or not held.current(index):
        _forget_thread_searcher()
        held = _thread.held = _HeldSearcher(index)
    return held.searcher


def _forget_thread_searcher() -> None:
    held = getattr(_thread, "held", None)
    _thread.held = None
    if held is not None:
        held.close()


def visible_records(user: User | None, doc_ids: list[str]) -> dict[str, Question | Solution]:
    """The records behind these ids that may be shown now (the database decides), with
    their authority (every hit names it) in the same query."""
    slugs = {"question": [], "solution": []}
    for doc_id in doc_ids:
        kind, _, slug = doc_id.partition("/")
        if kind in slugs:
            slugs[kind].append(slug)
    found: dict[str, Question | Solution] = {}
    if slugs["question"]:
        for question in db.session.scalars(
                select(Question).where(Question.slug.in_(slugs["question"]),
                                       public_questions())
                .options(joinedload(Question.authority))):
            found[f"question/{question.slug}"] = question
    if slugs["solution"]:
        for solution in db.session.scalars(
                select(Solution).where(Solution.slug.in_(slugs["solution"]),
                                       public_solutions())
                .options(joinedload(Solution.authority))):
            found[f"solution/{solution.slug}"] = solution
    return found


@dataclass
class SearchFilters:
    kind: str | None = None
    topic: str | None = None
    authority: str | None = None
    authority_kind: str | None = None
    population_band: str | None = None
    solved: bool | None = None
    best_practice: bool = False
    date_from: date | None = None
    date_to: date | None = None

    def query(self) -> Q.Query | None:
        terms = []
        for fieldname, value in (("kind", self.kind), ("topics", self.topic),
                                 ("authority", self.authority),
                                 ("authority_kind", self.authority_kind),
                                 ("population_band", self.population_band)):
            if value:
                terms.append(Q.Term(fieldname, value))
        if self.solved is not None:
            terms.append(Q.Term("kind", "question"))
            terms.append(Q.Term("solved", self.solved))
        if self.best_practice:
            terms.append(Q.Term("best_practice", True))
        if self.date_from or self.date_to:
            start = datetime.combine(self.date_from, time()) if self.date_from else None
            end = datetime.combine(self.date_to, time.max) if self.date_to else None
            terms.append(Q.DateRange("created", start, end))
        return Q.And(terms) if terms else None


@dataclass
class Hit:
    doc_id: str
    record: Question | Solution
    score: float
    snippet: str = ""
    reason: list[str] | None = None  # shared terms; empty: "ähnlich beschrieben"
    answer: str = ""  # start of the accepted reply of a solved question

    @property
    def kind(self) -> str:
        return self.doc_id.split("/", 1)[0]


@dataclass
class SearchResults:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 0
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None
    unavailable: bool = False


def search_cases(user: User | None, text: str, filters: SearchFilters | None = None,
                 sort: str = "relevance", page: int = 1, per_page: int = 10) -> SearchResults:
    """One page of search results with facet counts and a spelling suggestion."""
    try:
        return _search_cases(user, text, filters or SearchFilters(), sort, page, per_page)
    except IndexUnavailable:
        return SearchResults(query=text, page=page, unavailable=True)


def _search_cases(user: User | None, text: str, filters: SearchFilters, sort: str, page: int,
                  per_page: int) -> SearchResults:
    results = SearchResults(query=text, page=page)
    with open_searcher() as searcher:
        if searcher is None:
            results.unavailable = True
            return results
        # The query is scored once (term-at-a-time, see flatscore): every match for the
        # total and the facet counts, then only the page's hits go through Whoosh's
        # collector. Facet counts come from cached value -> documents sets instead of
        # Whoosh's per-hit grouping; highlights use the query's terms.
        q = queries.build_search_query(searcher, text, synonym_map())
        scorer = queries.scoring_searcher(searcher)
        flat = FlatScoreQuery(q, restrict=filters.query())
        matches = flat.all_matches(scorer) if q is not Q.NullQuery else []
        results.total = sum(len(scores) for _, _, scores in matches)
        results.pages = max(1, -(-results.total // per_page))
        results.page = page = min(max(1, page), results.pages)
        limit = page * per_page
        ranked = None
        if sort == "newest":
            hits = scorer.search(flat, limit=limit,
                                 sortedby=sorting.FieldFacet("created", reverse=True))
        elif sort == "reuse":
            hits = scorer.search(flat, limit=limit,
                                 sortedby=[sorting.FieldFacet("reuse_count", reverse=True),
                                           sorting.ScoreFacet()])
        else:
            # Input of several words: the best lexical matches reordered with the
            # semantic signal (tuning.SEARCH_RERANK_DEPTH); totals and facets unchanged.
            depth = max(limit, tuning.SEARCH_RERANK_DEPTH)
            flat.top = depth
            hits = scorer.search(flat, limit=depth)
            order = _rerank_search(text, [(hit["doc_id"], hit.score) for hit in hits],
                                   budget=encoding_budget.current())
            if order is not None:
                by_id = {hit["doc_id"]: hit for hit in hits}
                ranked = [by_id[fused.doc_id] for fused in order]
        window = (ranked if ranked is not None else hits)[(page - 1) * per_page: page * per_page]
        records = visible_records(user, [hit["doc_id"] for hit in window])
        hits.fragmenter.maxchars = 220
        hits.fragmenter.surround = 60
        hits.formatter = _MarkFormatter()
        for hit in window:
            record = records.get(hit["doc_id"])
            if record is None:
                continue  # gone or hidden since it was indexed
            snippet = hit.highlights("body", top=2) or hit.highlights("title")
            results.hits.append(Hit(hit["doc_id"], record, hit.score, snippet))
        counts = facet_counts(matches, FACET_FIELDS)
        results.facets = {name: {str(k): n for k, n in counts[name].items()}
                          for name in FACET_FIELDS}
        # suggest() only proposes a spelling that the index knows clearly better and
        # that occurs in a case this person may open.
        results.suggestion = spelling.suggest(
            searcher, text, allowed=lambda term: _in_visible_case(searcher, user, term))
    return results


def _in_visible_case(searcher, user: User | None, term: str) -> bool:
    hits = searcher.search(Q.Term("exact", term), limit=SUGGESTION_CHECK_LIMIT)
    return bool(visible_records(user, [hit["doc_id"] for hit in hits]))


def similar_cases(user: User | None, *, text: str | None = None,
                  case: Question | Solution | None = None, authority_slug: str | None = None,
                  limit: int = 5) -> list[Hit]:
    """Cases similar to a draft's text or to a case, other authorities first; only cases
    similar enough (semantic.passes_panel), each with the reason it matched; none while
    the index is unavailable.

    A visible case uses its stored vector (no encoding); a draft, and a case search does
    not hold (a solution in review), is encoded once."""
    doc_id = doc_id_of(case) if case is not None else None
    try:
        ranked, semantic_used, source = _similar_ranked(text, case, doc_id)
    except IndexUnavailable:
        return []
    if semantic_used:
        ranked = [hit for hit in ranked if semantic.passes_panel(hit)]
    else:
        ranked = [hit for hit in ranked if hit.lexical >= tuning.LEXICAL_PANEL_MIN_SHARE]
    ranked = ranked[:limit * 3]
    records = visible_records(user, [hit.doc_id for hit in ranked])
    found = [Hit(hit.doc_id, records[hit.doc_id], hit.score) for hit in ranked
             if hit.doc_id in records]
    # Other towns first: that is where the re-usable experience is.
    found.sort(key=lambda hit: hit.record.authority.slug == authority_slug)
    found = found[:limit]
    wanted = explain.source_stems(source) if found else set()
    for hit in found:
        hit.reason = explain.shared_terms(wanted, hit.record)
        hit.answer = explain.answer_start(hit.record)
    return found


def _similar_ranked(text: str | None, case: Question | Solution | None,
                    doc_id: str | None) -> tuple[list[semantic.Fused], bool, str]:
    """Fused candidates (best first), whether the semantic signal took part, and the
    text the reasons are taken from."""
    stored = None
    with open_searcher() as searcher:
        if searcher is None:
            return [], False, ""
        synonyms = synonym_map()
        if doc_id is not None:
            stored = searcher.document(doc_id=doc_id)
        if stored is not None:
            source = f"{stored.get('title', '')}\n{stored.get('body', '')}"
            hits = queries.similar_to_document(searcher, doc_id, synonyms=synonyms,
                                               limit=tuning.SIMILAR_CANDIDATES, stored=stored)
        else:
            source = text if case is None else explain.case_source(case)
            # Encoding (about 0.1 s) runs while the lexical query does.
            vector_soon = semantic.encode_draft_soon(
                source or "", budget=encoding_budget.current()) \
                if semantic.available() else None
            own = Q.Term("doc_id", doc_id) if doc_id else None
            hits = queries.similar(searcher, source or "", synonyms=synonyms,
                                   limit=tuning.SIMILAR_CANDIDATES, mask=own)
        lexical = [(hit_doc_id(hit), hit.score) for hit in hits]
    if stored is None:
        fused = _fuse_similar_text(vector_soon() if vector_soon else None, lexical,
                                   exclude=doc_id)
    elif semantic.available():
        vector, found = semantic.nearest_to_case(doc_id, tuning.SIMILAR_CANDIDATES)
        fused = _fuse(vector, dict(found), lexical) if vector is not None else None
    else:
        fused = None
    if fused is None:
        return semantic.fuse(lexical, {}, 0.0), False, source
    return fused, True, source


class _MarkFormatter(highlight.Formatter):
    """Matched words in <mark>, everything else HTML-escaped."""

    between = " … "

    def _text(self, text):
        return escape(text)

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace))}</mark>"


def ids_for_cli(text: str, mode: str = "search", limit: int = 10,
                use_semantic: bool = True) -> list[dict]:
    """[{"id", "title", "score"}] for `flask search query|similar|evaluate`, ranked as
    the search box and the panel rank (without the panel's threshold), visibility-checked."""
    try:
        with open_searcher() as searcher:
            if searcher is None:
                return []
            synonyms = synonym_map()
            if mode == "similar":
                hits = queries.similar(searcher, text, synonyms=synonyms,
                                       limit=max(limit * 2, tuning.SIMILAR_CANDIDATES))
            else:
                hits = queries.search(searcher, text, synonyms=synonyms,
                                      limit=max(limit * 2, tuning.SEARCH_RERANK_DEPTH))
            titles = {hit["doc_id"]: hit.get("title", "") for hit in hits}
            lexical = [(hit["doc_id"], hit.score) for hit in hits]
    except IndexUnavailable:
        return []
    if mode == "similar":
        fused = None
        if use_semantic and semantic.available():
            fused = _fuse_similar_text(semantic.encode_draft(text), lexical)
    else:
        fused = _rerank_search(text, lexical) if use_semantic else None
    if fused is None:
        fused = semantic.fuse(lexical, {}, 0.0)
    visible = visible_records(None, [hit.doc_id for hit in fused])
    return [{"id": hit.doc_id, "title": titles.get(hit.doc_id) or visible[hit.doc_id].title,
             "score": round(hit.score, 4)} for hit in fused if hit.doc_id in visible][:limit]


def _fuse_similar_text(vector: np.ndarray | None, lexical: list[tuple[str, float]],
                       exclude: str | None = None) -> list[semantic.Fused] | None:
    """The panel's ranking for an encoded text; None without its vector."""
    if vector is None:
        return None
    return _fuse(vector, dict(semantic.nearest(vector, tuning.SIMILAR_CANDIDATES,
                                               exclude=exclude)), lexical)


def _fuse(vector, near: dict[str, float], lexical: list[tuple[str, float]]):
    """Nearest cases and lexical candidates (with their cosines too), fused."""
    near.update(semantic.cosines(vector, [d for d, _ in lexical if d not in near]))
    return semantic.fuse(lexical, near, tuning.SIMILAR_WEIGHT)


def _rerank_search(text: str, lexical: list[tuple[str, float]],
                   budget: encoding_budget.Budget | None = None):
    """Search box: the best lexical matches reordered by the semantic signal, for input
    of several words; None when it does not apply."""
    if len(text.split()) < tuning.SEARCH_MIN_WORDS or not lexical:
        return None
    if not semantic.available():
        return None
    vector = semantic.encode_draft(text, query=True, budget=budget)
    if vector is None:
        return None
    head = lexical[:tuning.SEARCH_RERANK_DEPTH]
    fused = semantic.fuse(head, semantic.cosines(vector, [d for d, _ in head]),
                          tuning.SEARCH_WEIGHT, add_semantic=False)
    tail = semantic.fuse(lexical, {}, 0.0)[len(head):]
    return fused + tail


def warm_up() -> None:
    """Load what a process's first search would otherwise wait for: the noun lexicon
    (about 0.5 s), the synonym sets and the index's segment files. gunicorn calls it in
    each new worker before that worker takes requests (gunicorn.conf.py)."""
    lexicon()
    ids_for_cli("Datensicherung im Rathaus", mode="similar", limit=1)
    db.session.remove()


__all__ = ["SearchFilters", "SearchResults", "ids_for_cli", "search_cases", "similar_cases",
           "warm_up"]
