"""Term expansion: every typed word becomes a small, controlled group of weighted terms.

* the whole word's stem in ``title`` (boosted), ``body`` and ``tag_text``, plus its
  folded surface form in ``exact`` (ranks "Drucker" above stemming collisions such as
  "Druck");
* its hyphen segments and compound parts at a lower weight (higher when the whole word
  is unknown to the index, because then the parts carry the meaning);
* close spellings from the index vocabulary when the word is unknown or rare
  (``spelling.corrections``, chosen by the caller);
* moderator synonyms, a bit below the original.
"""
from __future__ import annotations

import math
from typing import Sequence

from whoosh import query as Q

from .analysis import PART_BOOST, SEGMENT_BOOST, VERB_BOOST, WordAnalysis
from .synonyms import SynonymTerm
from .terms import UnionOr, doc_frequency
from .tuning import (
    DERIVED_MAX_DF_RATIO,
    DERIVED_WEIGHT,
    DERIVED_WEIGHT_UNKNOWN,
    EXACT_BOOST,
    FUZZY_WEIGHT,
    MAX_SYNONYM_ALTERNATIVES,
    PHRASE_SLOP,
    SYNONYM_WEIGHT,
    TAG_BOOST,
    TITLE_BOOST,
)

__all__ = ["alternatives_query", "phrase_query", "word_query"]


def _fields_terms(stem: str, folded: str | None, weight: float) -> list[Q.Query]:
    terms = [
        Q.Term("title", stem, boost=TITLE_BOOST * weight),
        Q.Term("body", stem, boost=weight),
        Q.Term("tag_text", stem, boost=TAG_BOOST * weight),
    ]
    if folded is not None:
        terms.append(Q.Term("exact", folded, boost=EXACT_BOOST * weight))
    return terms


def word_query(
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
        return UnionOr(clauses, boost=weight)
    clauses = _fields_terms(wa.stem, wa.folded, 1.0)
    seen = {wa.stem}
    known = True
    if reader is not None:
        known = (doc_frequency(reader, "body", wa.stem)
                 + doc_frequency(reader, "title", wa.stem)) > 0
    derived_weight = DERIVED_WEIGHT if known else DERIVED_WEIGHT_UNKNOWN
    n_docs = max(reader.doc_count(), 1) if reader is not None else 0
    for folded, stem, boost in wa.derived:
        if stem in seen:
            continue
        seen.add(stem)
        if known and reader is not None and (
                doc_frequency(reader, "body", stem) > DERIVED_MAX_DF_RATIO * n_docs):
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
            clauses.append(word_query(reader, cwa, FUZZY_WEIGHT))
    return UnionOr(clauses, boost=weight)


def phrase_query(words: Sequence[WordAnalysis], weight: float = 1.0) -> Q.Query:
    stems = [w.stem for w in words]
    return UnionOr(
        [
            Q.Phrase("title", stems, slop=PHRASE_SLOP, boost=TITLE_BOOST),
            Q.Phrase("body", stems, slop=PHRASE_SLOP),
        ],
        boost=weight,
    )


def _synonym_query(reader, term: SynonymTerm, weight: float) -> Q.Query:
    if len(term.words) == 1:
        return word_query(reader, term.words[0], weight, expansion=True)
    return phrase_query(term.words, weight)


def alternatives_query(reader, original: Q.Query, alts: Sequence[SynonymTerm]) -> Q.Query:
    """The typed word(s) or any of their synonyms.

    The alternatives share one weight, so that a document using three synonyms of one
    concept does not outrank one that uses the typed word and the rest of the query.
    (Whoosh 2.7.4's DisjunctionMax mis-scores nested queries, so this is a scaled Or
    instead of a true max.)
    """
    alts = alts[:MAX_SYNONYM_ALTERNATIVES]
    share = SYNONYM_WEIGHT / math.sqrt(len(alts))
    return UnionOr([original, *(_synonym_query(reader, a, share) for a in alts)])
