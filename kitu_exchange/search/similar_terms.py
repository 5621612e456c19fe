"""The lexical side of "similar cases": pick a draft's most telling terms and build a
weighted Or of them (like Lucene's MoreLikeThis, with German noun weighting)."""
from __future__ import annotations

import functools
import math
from collections import defaultdict
from heapq import nlargest

from whoosh import query as Q
from whoosh.searching import Searcher

from .analysis import WordAnalysis, analyze_word, lexicon, tokenize_words
from .synonyms import SynonymMap
from .terms import UnionOr, doc_frequency
from .tuning import (
    SIMILAR_FIRST_SENTENCE_WEIGHT,
    SIMILAR_LOWERCASE_WEIGHT,
    SIMILAR_MAX_CHARS,
    SIMILAR_MAX_DF_RATIO,
    SIMILAR_MIN_DF,
    SIMILAR_NUM_TERMS,
    SIMILAR_PART_WEIGHT,
    SIMILAR_SYNONYM_MAX_DF,
    SIMILAR_TITLE_BOOST,
    SIMILAR_TITLE_TERMS,
    SYNONYM_WEIGHT,
)

__all__ = ["build_similar_query", "similar_noise"]

# Forum boilerplate that says nothing about the subject of a draft question.
_NOISE_WORDS = (
    "hallo liebe kolleginnen kollegin kollegen kollege gruesse gruss danke dank vielen herzlichen "
    "frage fragen erfahrung erfahrungen tipp tipps jemand gerne bitte "
    "moechten wuerden koennen sollen gibt haben sagen meint ueberlegen"
)


@functools.cache
def similar_noise() -> frozenset[str]:
    """Stems of _NOISE_WORDS; computed at first use, because analysing a word loads the
    noun lexicon (importing a search module must not: web workers load it in their
    warm-up, service.warm_up)."""
    return frozenset(w.stem for w in map(analyze_word, _NOISE_WORDS.split()) if w is not None)


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


def key_terms(reader, text: str, synonyms: SynonymMap | None, numterms: int) -> list[tuple[str, float]]:
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
            if (m.end - m.start == 1 and doc_frequency(reader, "body", words[m.start][0].stem)
                    > SIMILAR_SYNONYM_MAX_DF):
                continue
            src = max(weight for _, weight in words[m.start : m.end])
            for alt in m.alternatives:
                for aw in alt.words:
                    tf[aw.stem] += SYNONYM_WEIGHT * src / len(alt.words)
    n_docs = max(reader.doc_count(), 1)
    noise = similar_noise()
    scored = []
    for stem, f in tf.items():
        if stem in noise or len(stem) < 2 or stem.isdigit():
            continue
        df = doc_frequency(reader, "body", stem)
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
    terms = key_terms(searcher.reader(), text or "", synonyms, numterms or SIMILAR_NUM_TERMS)
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
    return UnionOr(clauses)
