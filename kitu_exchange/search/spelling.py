"""Close spellings: the alternatives a mistyped word gets in a query, and the
"Meinten Sie ...?" suggestion of the search page.

The vocabulary scan costs milliseconds on a large index and the search page runs it
twice (query and suggestion), so candidates are cached per index state.
"""
from __future__ import annotations

import logging
from typing import Callable

from whoosh.searching import Searcher
from whoosh.support.levenshtein import distance

from .analysis import WordAnalysis, analyze_word, tokenize_words
from .terms import doc_frequency, reader_key
from .tuning import (
    FUZZY_MAX_CANDIDATES,
    FUZZY_MIN_LEN,
    FUZZY_SCAN_LIMIT,
    MAX_QUERY_CHARS,
    MIN_HEAD_CHARS,
    RARE_DF,
    SUGGEST_COMPOUND_MIN_LEN,
)

__all__ = ["corrections", "fuzzy_candidates", "suggest"]

log = logging.getLogger(__name__)

_FUZZY_CACHE: dict[tuple, list[str]] = {}
_FUZZY_CACHE_MAX = 4096


def fuzzy_candidates(reader, folded: str) -> list[str]:
    """Index words within 1 (short) or 2 (long) edits, most frequent first (cached per
    index state)."""
    if len(folded) < FUZZY_MIN_LEN or not folded.isalpha():
        return []
    try:
        key = reader_key(reader)
    except Exception:  # noqa: BLE001 - unusual reader: no caching, same candidates
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
                found.append((dist, -doc_frequency(reader, "exact", word), word))
    except Exception:  # noqa: BLE001 - an empty index has no "exact" terms
        if reader.doc_count():  # anything else is a fault to see, not an empty answer
            log.warning("Close spellings of %r could not be read", folded, exc_info=True)
        return []
    found.sort()
    return [w for _, _, w in found[:FUZZY_MAX_CANDIDATES]]


def corrections(reader, wa: WordAnalysis) -> list[WordAnalysis]:
    """Close spellings of a word the index does not know (or barely knows)."""
    if reader is None:
        return []
    df = doc_frequency(reader, "body", wa.stem) + doc_frequency(reader, "title", wa.stem)
    if df > RARE_DF:
        return []
    out = []
    for cand in fuzzy_candidates(reader, wa.folded):
        cwa = analyze_word(cand)
        if cwa is None or cwa.stem == wa.stem:
            continue
        if df and doc_frequency(reader, "exact", cand) < 3 * df:
            continue  # a rare word is only "corrected" towards a much more common one
        out.append(cwa)
    return out


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
        df = doc_frequency(reader, "exact", wa.folded)
        if df > RARE_DF:
            continue
        best = None
        # A long word the index does not know at all is misspelt, not rare: a compound
        # such as "Rechnungseingnag" is corrected towards a word found even once.
        floor = 0 if df == 0 and len(wa.folded) >= SUGGEST_COMPOUND_MIN_LEN else max(3 * df, df)
        for cand in fuzzy_candidates(reader, wa.folded):
            if (doc_frequency(reader, "exact", cand) > max(floor, df + 1 if floor else 0)
                    and allowed(cand)):
                best = cand
                break
        if best is None and df == 0:
            best = _compound_correction(reader, wa.folded, allowed)
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


def _compound_correction(reader, folded: str, allowed: Callable[[str], bool]) -> str | None:
    """A misspelt compound whose whole form the index lacks: keep the longest head the
    index knows (with or without a linking "s") and correct the rest as a word of its
    own ("Druckerlandschfat" -> "Drucker" + "landschaft")."""
    if len(folded) < SUGGEST_COMPOUND_MIN_LEN or not folded.isalpha():
        return None
    for cut in range(len(folded) - FUZZY_MIN_LEN, MIN_HEAD_CHARS - 1, -1):
        head, tail = folded[:cut], folded[cut:]
        base = head[:-1] if head.endswith("s") else head
        if not ((doc_frequency(reader, "exact", head) and allowed(head))
                or (doc_frequency(reader, "exact", base) and allowed(base))):
            continue
        for cand in fuzzy_candidates(reader, tail):
            if doc_frequency(reader, "exact", cand) > 0 and allowed(cand):
                return head + cand
    return None


def _match_case(original: str, folded: str) -> str:
    """Give a folded suggestion the capitalisation of what was typed."""
    if original[:1].isupper():
        return folded[:1].upper() + folded[1:]
    return folded
