"""Query building and ranking: the search box and the "similar cases" panel.

Queries are built directly from the German analysis (``analysis.analyze_word``)
instead of through Whoosh's query parser, so that every typed word becomes a small,
controlled group of weighted terms:

* the whole word's stem in ``title`` (boosted) and ``body``, plus its folded surface
  form in ``exact`` (ranks "Drucker" above stemming collisions such as "Druck");
* its hyphen segments and compound parts at a lower weight (higher when the whole word
  is unknown to the index, because then the parts carry the meaning);
* close spellings from the index vocabulary when the word is unknown or rare;
* moderator synonyms, a bit below the original.

Search-box syntax: ``"quoted phrase"`` and ``-word`` exclusion. Anything else is
treated as plain words; nothing raises on odd input.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from heapq import nlargest
from typing import Any, Callable, Sequence

from whoosh import query as Q
from whoosh import scoring
from whoosh.fields import Schema
from whoosh.searching import Results, ResultsPage, Searcher
from whoosh.support.levenshtein import distance

from .analysis import (
    PART_BOOST,
    SEGMENT_BOOST,
    VERB_BOOST,
    WordAnalysis,
    analyze_word,
    lexicon,
    tokenize_words,
)
from .flatscore import FlatScoreQuery, segment_key
from .synonyms import SynonymMap, SynonymTerm

__all__ = [
    "WEIGHTING",
    "build_search_query",
    "build_similar_query",
    "run_query",
    "scoring_searcher",
    "search",
    "search_page",
    "similar",
    "similar_to_document",
    "suggest",
]

# BM25F with a smaller length normalisation for the short title field.
WEIGHTING = scoring.BM25F(B=0.75, K1=1.2, title_B=0.4)

TITLE_BOOST = 2.5  # a title hit counts this much more than a body hit
TAG_BOOST = 1.0  # an author-assigned tag counts like a body hit
EXACT_BOOST = 0.6  # bonus for the unstemmed surface form (precision over collisions)
DERIVED_WEIGHT = 0.35  # compound parts / hyphen segments of a word the index knows
DERIVED_WEIGHT_UNKNOWN = 0.8  # ... of a word the index does not know as a whole
DERIVED_MAX_DF_RATIO = 0.2  # parts of a known word in more cases than this are left out
SYNONYM_WEIGHT = 0.7
MAX_SYNONYM_ALTERNATIVES = 5  # per matched term; bounds the query size (latency)
FUZZY_WEIGHT = 0.75
ALL_WORDS_BONUS = 0.3  # extra score share for documents that match every typed concept
PHRASE_SLOP = 1

MAX_QUERY_CHARS = 400  # longer input is cut: nobody types more into a search box
MAX_QUERY_WORDS = 10
FUZZY_MIN_LEN = 5
RARE_DF = 1  # words in at most this many documents also get close spellings
FUZZY_MAX_CANDIDATES = 3
FUZZY_SCAN_LIMIT = 20_000  # bound the vocabulary scan per word (latency)

SIMILAR_NUM_TERMS = 15
SIMILAR_TITLE_TERMS = 3
SIMILAR_MAX_CHARS = 20_000
SIMILAR_MAX_DF_RATIO = 0.4  # terms in more documents than this say nothing
# Like Lucene's MoreLikeThis minDocFreq: a word found in a single document is more
# often an idiosyncrasy ("Zeitung", "Flur") than the subject.
SIMILAR_MIN_DF = 2
SIMILAR_SYNONYM_MAX_DF = 2
SIMILAR_PART_WEIGHT = 0.5
SIMILAR_TITLE_BOOST = 1.0
SIMILAR_LOWERCASE_WEIGHT = 0.35  # verbs/adjectives (lower case in German) count less
SIMILAR_FIRST_SENTENCE_WEIGHT = 1.0  # >1 would favour the title when the caller passes "title. body"

_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_OPERATORS = frozenset({"AND", "OR", "NOT", "UND", "ODER"})

# Forum boilerplate that says nothing about the subject of a draft question.
_SIMILAR_NOISE = frozenset(
    w.stem
    for w in (
        analyze_word(t)
        for t in (
            "hallo liebe kolleginnen kollegin kollegen kollege gruesse gruss danke dank vielen herzlichen "
            "frage fragen erfahrung erfahrungen tipp tipps jemand gerne bitte "
            "moechten wuerden koennen sollen gibt haben sagen meint ueberlegen"
        ).split()
    )
    if w is not None
)


# ------------------------------------------------------------------------- helpers
class _Or(Q.Or):
    """Or that always uses Whoosh's union-tree matcher.

    Whoosh picks a "preloaded array" matcher for indexes under 5,000 documents, which
    allocates a 2,048-slot array per Or; with the nested Ors built here that made small
    indexes slower (40 ms) than large ones. The union tree also allows top-N pruning.
    """

    matcher_type = Q.Or.DEFAULT_MATCHER


def _reader(searcher_or_schema: Any):
    return searcher_or_schema.reader() if isinstance(searcher_or_schema, Searcher) else None


def _df(reader, fieldname: str, text: str) -> int:
    try:
        return reader.doc_frequency(fieldname, text)
    except Exception:  # noqa: BLE001 - unknown field or text: treat as absent
        return 0


_FUZZY_CACHE: dict[tuple, list[str]] = {}
_FUZZY_CACHE_MAX = 4096


def _reader_key(reader) -> tuple | None:
    """Identifies an index state (its segments and live documents) across requests."""
    keys = []
    for leaf, _ in reader.leaf_readers():
        key = segment_key(leaf)
        if key is None:
            return None
        keys.append(key)
    return (*keys, reader.doc_count())


def _fuzzy_candidates(reader, folded: str) -> list[str]:
    """Index words within 1 (short) or 2 (long) edits, most frequent first.

    The vocabulary scan costs milliseconds on a large index and the search page runs
    it twice (query and "Meinten Sie"), so results are cached per index state.
    """
    if len(folded) < FUZZY_MIN_LEN or not folded.isalpha():
        return []
    try:
        key = _reader_key(reader)
    except Exception:  # noqa: BLE001 - unusual reader: no caching
        key = None
    if key is not None:
        hit = _FUZZY_CACHE.get((key, folded))
        if hit is not None:
            return hit
    found = _scan_fuzzy(reader, folded)
    if key is not None:
        if len(_FUZZY_CACHE) >= _FUZZY_CACHE_MAX:
            _FUZZY_CACHE.clear()
        _FUZZY_CACHE[(key, folded)] = found
    return found


def _scan_fuzzy(reader, folded: str) -> list[str]:
    maxdist = 1 if len(folded) < 8 else 2
    found: list[tuple[int, int, str]] = []
    try:
        # Typos rarely hit the first two letters; the prefix keeps the scan short.
        terms = reader.expand_prefix("exact", folded[:2])
        for n, btext in enumerate(terms):
            if n >= FUZZY_SCAN_LIMIT:
                break
            if abs(len(btext) - len(folded)) > maxdist:
                continue
            word = btext.decode("utf-8")
            if word == folded:
                continue
            dist = distance(word, folded, limit=maxdist)
            if dist <= maxdist:
                found.append((dist, -_df(reader, "exact", word), word))
    except Exception:  # noqa: BLE001 - an empty index has no "exact" terms
        return []
    found.sort()
    return [w for _, _, w in found[:FUZZY_MAX_CANDIDATES]]


def _fields_terms(stem: str, folded: str | None, weight: float) -> list[Q.Query]:
    terms = [
        Q.Term("title", stem, boost=TITLE_BOOST * weight),
        Q.Term("body", stem, boost=weight),
        Q.Term("tag_text", stem, boost=TAG_BOOST * weight),
    ]
    if folded is not None:
        terms.append(Q.Term("exact", folded, boost=EXACT_BOOST * weight))
    return terms


def _corrections(reader, wa: WordAnalysis) -> list[WordAnalysis]:
    """Close spellings of a word the index does not know (or barely knows)."""
    if reader is None:
        return []
    df = _df(reader, "body", wa.stem) + _df(reader, "title", wa.stem)
    if df > RARE_DF:
        return []
    out = []
    for cand in _fuzzy_candidates(reader, wa.folded):
        cwa = analyze_word(cand)
        if cwa is None or cwa.stem == wa.stem:
            continue
        if df and _df(reader, "exact", cand) < 3 * df:
            continue  # a rare word is only "corrected" towards a much more common one
        out.append(cwa)
    return out


def _word_query(
    reader,
    wa: WordAnalysis,
    weight: float = 1.0,
    corrections: Sequence[WordAnalysis] = (),
    expansion: bool = False,
) -> Q.Query:
    """All weighted terms for one typed word.

    ``expansion`` (synonyms) keeps only the stems of the whole word and its
    hyphen segments: every extra term costs latency, and the parts of an expansion
    ("Fremd|vergabe") drift further from what was typed than the parts of a typed word.
    """
    if expansion:
        clauses = _fields_terms(wa.stem, None, 1.0)
        for _, stem, boost in wa.derived:
            if boost >= SEGMENT_BOOST and stem != wa.stem:
                clauses.extend(_fields_terms(stem, None, DERIVED_WEIGHT))
        return _Or(clauses, boost=weight)
    clauses = _fields_terms(wa.stem, wa.folded, 1.0)
    seen = {wa.stem}
    known = True
    if reader is not None:
        known = (_df(reader, "body", wa.stem) + _df(reader, "title", wa.stem)) > 0
    derived_weight = DERIVED_WEIGHT if known else DERIVED_WEIGHT_UNKNOWN
    n_docs = max(reader.doc_count(), 1) if reader is not None else 0
    for folded, stem, boost in wa.derived:
        if stem in seen:
            continue
        seen.add(stem)
        if known and reader is not None and (
                _df(reader, "body", stem) > DERIVED_MAX_DF_RATIO * n_docs):
            # A part found in a large share of all cases ("sich" out of "Sicherheit",
            # "dat" out of "Datensicherung") barely changes the ranking but makes
            # the query read and score most of the index.
            continue
        # Relative to a plain compound part (0.4): segments and heads count more.
        # The verb of an -ung noun is a looser match: never the "unknown" weight.
        w = min((DERIVED_WEIGHT if boost == VERB_BOOST else derived_weight) * boost / PART_BOOST, 1.0)
        # The exact field holds whole words: exact:"drucker" for "Druckerflotte"
        # prefers documents that say "Drucker" over those saying "Druck"/"Drucksache".
        clauses.extend(_fields_terms(stem, folded, w))
    for cwa in corrections:
        if cwa.stem not in seen:
            seen.add(cwa.stem)
            # A correction stands for the typed word, parts included.
            clauses.append(_word_query(reader, cwa, FUZZY_WEIGHT))
    return _Or(clauses, boost=weight)


def _phrase_query(words: Sequence[WordAnalysis], weight: float = 1.0) -> Q.Query:
    stems = [w.stem for w in words]
    return _Or(
        [
            Q.Phrase("title", stems, slop=PHRASE_SLOP, boost=TITLE_BOOST),
            Q.Phrase("body", stems, slop=PHRASE_SLOP),
        ],
        boost=weight,
    )


def _synonym_query(reader, term: SynonymTerm, weight: float) -> Q.Query:
    if len(term.words) == 1:
        return _word_query(reader, term.words[0], weight, expansion=True)
    return _phrase_query(term.words, weight)


def _split_input(text: str) -> tuple[list[tuple[str, list[WordAnalysis]]], list[WordAnalysis]]:
    """Parse the search box: units ("word"/"phrase", words) and excluded words."""
    text = (text or "")[:MAX_QUERY_CHARS]
    units: list[tuple[str, list[WordAnalysis]]] = []
    excluded: list[WordAnalysis] = []
    count = 0
    for m in _TOKEN_RE.finditer(text):
        if m.group(2) is not None or m.group(0).startswith(('"', '-"')):
            negative, raw, is_phrase = m.group(1) == "-", m.group(2) or "", True
        else:
            negative, raw, is_phrase = m.group(3) == "-", m.group(4) or "", False
        if not is_phrase and raw in _OPERATORS:
            continue
        words = [w for w in (analyze_word(x.group(0)) for x in tokenize_words(raw)) if w]
        if not words:
            continue
        words = words[: max(0, MAX_QUERY_WORDS - count)]
        count += len(words)
        if negative:
            excluded.extend(words)
        elif is_phrase and len(words) > 1:
            units.append(("phrase", words))
        else:
            units.extend(("word", [w]) for w in words)
        if count >= MAX_QUERY_WORDS:
            break
    return units, excluded


def build_search_query(
    searcher_or_schema: Searcher | Schema, text: str, synonyms: SynonymMap | None = None
) -> Q.Query:
    """Build the query for search-box input (never raises; empty input -> NullQuery).

    With a searcher, document frequencies decide the weight of compound parts and
    which words get close-spelling alternatives; with only a schema both are skipped.
    """
    reader = _reader(searcher_or_schema)
    units, excluded = _split_input(text)
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
            clauses.append(_phrase_query(words))
            i += 1
            continue
        span, alts = matches.get(i, (1, ()))
        span_words = [units[k][1][0] for k in range(i, i + span)]
        fixes = [_corrections(reader, w) for w in span_words]
        parts = [_word_query(reader, w, corrections=c) for w, c in zip(span_words, fixes)]
        if synonyms and not alts and span == 1:
            # "Awareness-Schulung": look up the hyphen segments, and the corrected
            # spelling of a mistyped word ("Mobilgeräteverwaltnug").
            keys = [(stem,) for _, stem, boost in span_words[0].derived if boost >= SEGMENT_BOOST]
            keys += [(c.stem,) for c in fixes[0]]
            for key in keys:
                alts += synonyms.alternatives(key)
        original = parts[0] if len(parts) == 1 else _Or(parts)
        if alts:
            # The alternatives share one weight, so that a document using three
            # synonyms of one concept does not outrank one that uses the typed word
            # and the rest of the query. (Whoosh 2.7.4's DisjunctionMax mis-scores
            # nested queries, so this is a scaled Or instead of a true max.)
            alts = alts[:MAX_SYNONYM_ALTERNATIVES]
            share = SYNONYM_WEIGHT / math.sqrt(len(alts))
            alt_queries = [_synonym_query(reader, a, share) for a in alts]
            clauses.append(_Or([original, *alt_queries]))
        else:
            clauses.append(original)
        i += span
    if not clauses:
        return Q.NullQuery
    if len(clauses) == 1:
        q: Q.Query = clauses[0]
    elif ALL_WORDS_BONUS <= 0:
        q = _Or(clauses)  # (a zero boost would divide by zero in Whoosh's pruning)
    else:
        # Or for recall, plus a bonus for documents that contain every concept.
        q = _Or([_Or(clauses), Q.And(clauses, boost=ALL_WORDS_BONUS)])
    if excluded:
        q = Q.AndNot(q, _Or([t for w in excluded for t in (Q.Term("title", w.stem), Q.Term("body", w.stem))]))
    return q


def scoring_searcher(searcher: Searcher) -> Searcher:
    """A searcher over the same reader that scores with WEIGHTING (not closing it)."""
    return _with_weighting(searcher)


def _with_weighting(searcher: Searcher) -> Searcher:
    """A searcher over the same reader that scores with WEIGHTING (not closing it)."""
    if searcher.weighting is WEIGHTING:
        return searcher
    return Searcher(searcher.reader(), weighting=WEIGHTING, closereader=False, fromindex=searcher._ix)


_NO_PRUNING = ("sortedby", "groupedby", "collapse", "terms", "optimize", "scored")


def run_query(searcher: Searcher, q: Q.Query, limit: int | None = 10, **search_kwargs: Any) -> Results:
    """Run a built query with WEIGHTING through the term-at-a-time scorer.

    Scores and order are Whoosh's (see ``flatscore``). When only the ``limit`` best
    hits are wanted (no sorting, grouping, collapsing or matched-term recording), the
    scorer hands the collector only those, and a query-object ``filter``/``mask`` is
    applied before that cut; ``len(results)`` still counts every match.
    ``terms=True`` needs Whoosh's own matchers and runs the query unchanged.
    """
    s = _with_weighting(searcher)
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


def search_page(
    searcher: Searcher,
    text: str,
    pagenum: int,
    pagelen: int = 10,
    *,
    synonyms: SynonymMap | None = None,
    **kwargs: Any,
) -> ResultsPage:
    """One page (1-based) of search results; pages past the end give the last page."""
    q = build_search_query(searcher, text, synonyms)
    pagenum = max(1, int(pagenum))
    results = run_query(searcher, q, limit=pagenum * pagelen, **kwargs)
    return ResultsPage(results, pagenum, pagelen)


# ------------------------------------------------------------------------ similar
def _draft_words(text: str) -> list[tuple[WordAnalysis, float]]:
    """The analysed words of a draft with a weight that favours nouns and the title.

    German capitalises nouns, and nouns carry the subject of a question; verbs and
    adjectives ("schickt", "gelesen") are often rare but say little. A capitalised
    word at the start of a sentence counts as a noun only if the lexicon knows it.
    The first sentence is usually the question's title and counts more.
    """
    lex = lexicon()
    out = []
    prev_end = 0
    sentence_start = True
    sentence_no = 0
    for m in tokenize_words(text[:SIMILAR_MAX_CHARS]):
        gap = text[prev_end : m.start()]
        if prev_end and any(c in gap for c in ".?!:\n"):
            sentence_start = True
            sentence_no += 1
        prev_end = m.end()
        raw = m.group(0)
        starts_sentence, sentence_start = sentence_start, False
        wa = analyze_word(raw)
        if wa is None:
            continue
        if raw.isupper() or any(c.isdigit() for c in raw):
            weight = 1.0  # abbreviations and product names: "MFP", "M365"
        elif raw[:1].isupper() and (not starts_sentence or wa.folded in lex):
            weight = 1.0
        else:
            weight = SIMILAR_LOWERCASE_WEIGHT
        if sentence_no == 0:
            weight *= SIMILAR_FIRST_SENTENCE_WEIGHT
        out.append((wa, weight))
    return out


def _key_terms(reader, text: str, synonyms: SynonymMap | None, numterms: int) -> list[tuple[str, float]]:
    """Pick the most telling stems of a draft: noun-weighted sublinear tf x BM25 idf."""
    words = _draft_words(text)
    tf: dict[str, float] = defaultdict(float)
    for w, weight in words:
        tf[w.stem] += weight
        for _, stem, _ in w.derived:
            tf[stem] += SIMILAR_PART_WEIGHT * weight
    if synonyms:
        for m in synonyms.find([w.stem for w, _ in words]):
            # In a long draft, expanding every everyday word drifts off topic; expand
            # only terms the index barely knows ("M365" when cases say "Microsoft 365").
            if m.end - m.start == 1 and _df(reader, "body", words[m.start][0].stem) > SIMILAR_SYNONYM_MAX_DF:
                continue
            src = max(weight for _, weight in words[m.start : m.end])
            for alt in m.alternatives:
                for aw in alt.words:
                    tf[aw.stem] += SYNONYM_WEIGHT * src / len(alt.words)
    n_docs = max(reader.doc_count(), 1)
    scored = []
    for stem, f in tf.items():
        if stem in _SIMILAR_NOISE or len(stem) < 2 or stem.isdigit():
            continue
        df = _df(reader, "body", stem)
        if df < SIMILAR_MIN_DF or df > SIMILAR_MAX_DF_RATIO * n_docs:
            continue
        idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        tfw = 1 + math.log(f) if f >= 1 else f
        scored.append((stem, tfw * idf, tfw))
    # Selection by tf x idf; the query weight is the tf part only, because BM25
    # applies the idf again when scoring (idf squared overrates rare words).
    return [(stem, tfw) for stem, _, tfw in nlargest(numterms, scored, key=lambda x: x[1])]


def build_similar_query(
    searcher: Searcher, text: str, synonyms: SynonymMap | None = None, numterms: int | None = None
) -> Q.Query:
    """An Or of the draft's key terms (default SIMILAR_NUM_TERMS), weighted by tf share."""
    terms = _key_terms(searcher.reader(), text or "", synonyms, numterms or SIMILAR_NUM_TERMS)
    if not terms:
        return Q.NullQuery
    top = max(t[1] for t in terms)
    clauses: list[Q.Query] = []
    for rank, (stem, score) in enumerate(terms):
        w = score / top
        clauses.append(Q.Term("body", stem, boost=w))
        # Title terms only for the strongest key terms: each term costs latency.
        if rank < SIMILAR_TITLE_TERMS:
            clauses.append(Q.Term("title", stem, boost=w * SIMILAR_TITLE_BOOST))
    return _Or(clauses)


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
    **search_kwargs: Any,
) -> Results:
    """Cases similar to a stored document; the document itself is always masked out."""
    stored = searcher.document(doc_id=doc_id) or {}
    text = f"{stored.get('title', '')}\n{stored.get('body', '')}"
    own = Q.Term("doc_id", doc_id)
    mask = search_kwargs.pop("mask", None)
    mask = own if mask is None else _Or([mask, own])
    q = build_similar_query(searcher, text, synonyms)
    return run_query(searcher, q, limit=limit, mask=mask, **search_kwargs)


# ------------------------------------------------------------------------ spelling
def suggest(searcher: Searcher, text: str,
            allowed: Callable[[str], bool] = lambda term: True) -> str | None:
    """A "Meinten Sie ...?" correction of the whole input, or None if it looks fine.

    A word is replaced when the index does not know it (or barely) and a close
    spelling occurs in clearly more documents, among them one the person may open
    (`allowed`: the index also holds drafts and hidden posts, whose words must not
    surface as suggestions).
    """
    reader = searcher.reader()
    text = (text or "")[:MAX_QUERY_CHARS]
    out: list[str] = []
    last = 0
    changed = False
    for m in tokenize_words(text):
        wa = analyze_word(m.group(0))
        if wa is None or not wa.folded.isalpha():
            continue
        df = _df(reader, "exact", wa.folded)
        if df > RARE_DF:
            continue
        best = None
        for cand in _fuzzy_candidates(reader, wa.folded):
            if _df(reader, "exact", cand) > max(3 * df, df + 1) and allowed(cand):
                best = cand
                break
        if best is None:
            continue
        out.append(text[last : m.start()])
        out.append(_match_case(m.group(0), best))
        last = m.end()
        changed = True
    if not changed:
        return None
    out.append(text[last:])
    return "".join(out)


def _match_case(original: str, folded: str) -> str:
    """Give a folded suggestion the capitalisation of what was typed."""
    if original[:1].isupper():
        return folded[:1].upper() + folded[1:]
    return folded
