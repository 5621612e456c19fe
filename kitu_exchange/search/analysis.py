"""German text analysis for the search index.

One word goes through: lower-casing and umlaut/ß folding (``ä`` -> ``ae``, ``ß`` ->
``ss``, other accents stripped), hyphen handling (``E-Rechnung`` -> ``erechnung`` +
``rechnung``), stop-word removal, compound splitting (noun lexicon from
``german-nouns``, splits only at ``pyphen`` de_DE hyphenation points, Fugen-s/-n/-en
handled) and, for the stemmed fields, the Snowball German stemmer (PyStemmer). The
Snowball German stemmer treats ``ue`` like ``ü`` and finally drops umlauts, so
``Gebühren``, ``Gebuehren`` and ``Gebuhren`` all meet in the stem ``gebuhr``.

Everything derived from one surface word (the whole word, its hyphen segments and its
compound parts) is emitted at the word's position and character span, so phrase
queries and highlighting keep working. Derived tokens carry a lower ``boost`` (stored
as term weight) so that a document that *says* "Drucker" outranks one that only
contains it inside a compound.

The per-word work is cached (``functools.lru_cache``, sized for the frequent part of a
50k-document vocabulary: roughly 100 MB per process when full); the lexicon, the hyphenation
dictionary and the stemmer are module-level singletons loaded lazily, so the Whoosh
filter objects (which Whoosh pickles into the index's table of contents) stay tiny.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from whoosh.analysis import Filter, RegexTokenizer, Token
from whoosh.lang.stopwords import stoplists

__all__ = [
    "WORD_PATTERN",
    "WordAnalysis",
    "analyze_word",
    "decompound",
    "exact_analyzer",
    "fold",
    "german_analyzer",
    "stem",
    "strip_umlauts",
    "tokenize_words",
]

# A word is a run of word characters, optionally joined by hyphens ("E-Rechnung",
# "IT-Sicherheitsbeauftragter", "3-2-1"). Slashes and dots separate words.
WORD_PATTERN = r"\w+(?:[-\u2010\u2011]\w+)*"
_WORD_RE = re.compile(WORD_PATTERN)
_HYPHEN_RE = re.compile(r"[-\u2010\u2011]")

# Weights (stored as term frequency weight) of the tokens derived from one word.
WHOLE_BOOST = 1.0
SEGMENT_BOOST = 0.8  # "rechnung" from "E-Rechnung"
HEAD_BOOST = 0.6  # "landschaft" from "Druckerlandschaft"
PART_BOOST = 0.4  # "drucker" from "Druckerlandschaft" ("druck" from "Drucksache")
VERB_BOOST = 0.5  # "pruefen" from "Pruefung"

# Compounds shorter than this are not split (keeps "Rathaus"-size words whole).
MIN_COMPOUND_LEN = 7
MIN_PART_LEN = 3
# Short words the lexicon knows are kept whole ("Telefon" is not "Tele|fon",
# "Netzwerk" stays one word); longer known compounds are still split.
MIN_LEXICALIZED_SPLIT_LEN = 10

_FOLD_TABLE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_STRIP_TABLE = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "ẞ": "ss"})

# Stop words: Snowball's German list plus common abbreviations. Folded like the text.
_EXTRA_STOPWORDS = {
    "bzw", "ca", "usw", "etc", "evtl", "ggf", "inkl", "zb", "dh", "ua", "sowie",
    "beim", "ueber", "dass", "daß", "wurde", "wurden", "worden", "sei", "seit",
    "bereits", "schon", "gibt", "gab", "ja", "nein", "mal", "eben", "halt",
    "unsere", "unserer", "unseren", "unserem", "unseres", "eure", "euren", "eurer",
}
_STOPWORDS = frozenset(
    w.lower().translate(_FOLD_TABLE) for w in (set(stoplists["de"]) | _EXTRA_STOPWORDS)
)

# Words that the lexicon knows as nouns but that are almost always prefixes,
# particles or suffix homographs inside compounds ("Aus|bildung", "Pro|gramm",
# "Land|schaft"). They are never accepted as compound parts.
_BAD_PARTS = frozenset(
    """
    ab an auf aus bei be ein ent er ge miss pro ur un ver vor zer zu
    gramm schaft schaften tum tums nis ling heit keit ung tion ment rer ter ner
    ei eis ion ionen ier iere ieren ade aden ante anten ent ente enten ett ette
    le les ler lern erin ern ers chen lein sal ismus ist isten
    """.split()
)
# Linking elements (Fugen) that may end a compound modifier: "Ordnung|s|amt",
# "Kasse|n|automat", "Frau|en|beauftragte"; "Schul|buch" drops an "e" instead. A bare
# "e" Fuge is left out: it made "Mitarbeite|rinnen" out of "Mitarbeiterinnen".
_FUGEN = ("s", "es", "n", "en", "er", "ns")


def fold(text: str) -> str:
    """Lower-case and fold German umlauts/ß to ``ae/oe/ue/ss``; strip other accents."""
    text = text.lower()
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text).translate(_FOLD_TABLE)
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    return text


def strip_umlauts(text: str) -> str:
    """Lower-case and drop umlaut dots (``ä`` -> ``a``) as people do when they omit them."""
    text = unicodedata.normalize("NFC", text.lower()).translate(_STRIP_TABLE)
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    return text


# --------------------------------------------------------------------------- resources
_lock = threading.Lock()
_lexicon: frozenset[str] | None = None
_hyphenator = None
_stemmer = None


def _load_lexicon() -> frozenset[str]:
    """Noun forms from german-nouns, folded and with umlauts stripped (both variants)."""
    import german_nouns  # namespace package: no __file__

    words: set[str] = set()
    for base in german_nouns.__path__:
        path = Path(base) / "index.txt"
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                word = line.split("\t", 1)[0]
                if len(word) < MIN_PART_LEN or word.startswith("-") or " " in word:
                    continue
                words.add(fold(word))
                # "Gebuhren" (umlaut dropped) must split like "Gebühren".
                if not word.isascii():
                    words.add(strip_umlauts(word))
    return frozenset(words)


def lexicon() -> frozenset[str]:
    """The compound-part lexicon, loaded on first use (about 0.5 s, once per process)."""
    global _lexicon
    if _lexicon is None:
        with _lock:
            if _lexicon is None:
                _lexicon = _load_lexicon()
    return _lexicon


def _hyphenation_points(word: str) -> list[int]:
    global _hyphenator
    if _hyphenator is None:
        import pyphen

        _hyphenator = pyphen.Pyphen(lang="de_DE")
    return _hyphenator.positions(word)


@lru_cache(maxsize=100_000)
def stem(folded: str) -> str:
    """Snowball German stem of a folded word (cached)."""
    global _stemmer
    if _stemmer is None:
        import Stemmer

        _stemmer = Stemmer.Stemmer("german")
    # Loanword plurals with -s that Snowball keeps ("Handys", "Kitas", "Laptops").
    if len(folded) >= 5 and folded[-1] == "s" and folded[-2] in "aoyp":
        folded = folded[:-1]
    return _stemmer.stemWord(folded)


# ------------------------------------------------------------------------ compounds
def _modifier_form(piece: str, lex: frozenset[str]) -> str | None:
    """Lexicon form of a compound modifier, removing a Fuge if needed."""
    if piece in lex and piece not in _BAD_PARTS and piece not in _STOPWORDS:
        return piece
    for fuge in _FUGEN:
        if piece.endswith(fuge):
            base = piece[: -len(fuge)]
            if len(base) >= MIN_PART_LEN and base in lex and base not in _BAD_PARTS:
                return base
    # "Schul|buch" = "Schule" + "Buch": the modifier lost its final e.
    if piece + "e" in lex and piece not in _BAD_PARTS:
        return piece + "e"
    return None


def _head_ok(piece: str, lex: frozenset[str]) -> bool:
    return piece in lex and piece not in _BAD_PARTS and piece not in _STOPWORDS


@lru_cache(maxsize=50_000)
def _split(word: str) -> tuple[tuple[int, int, str], ...]:
    """Fewest-parts split of a folded word into (start, end, lexicon form) parts.

    Only hyphenation points are considered as boundaries. Returns () if the word
    cannot be covered by at least two lexicon parts.
    """
    if len(word) < MIN_COMPOUND_LEN or not word.isalpha():
        return ()
    lex = lexicon()
    if len(word) < MIN_LEXICALIZED_SPLIT_LEN and word in lex:
        return ()
    # Cheap pre-check before hyphenating (the expensive step): some prefix must be
    # a lexicon word, possibly with a Fuge, and some suffix a lexicon word.
    if not any(_modifier_form(word[:p], lex) for p in range(MIN_PART_LEN, len(word) - MIN_PART_LEN + 1)):
        return ()
    if not any(word[p:] in lex for p in range(MIN_PART_LEN, len(word) - MIN_PART_LEN + 1)):
        return ()
    points = [p for p in _hyphenation_points(word) if MIN_PART_LEN <= p <= len(word) - MIN_PART_LEN]
    if not points:
        return ()
    bounds = [0, *points, len(word)]
    n = len(bounds)
    # best[i] = (parts count, -sum of squared part lengths, parts): the best cover of
    # word[bounds[i]:]. Fewest parts first, then the split with the longest parts.
    best: list[tuple[int, int, tuple] | None] = [None] * n
    best[n - 1] = (0, 0, ())
    for i in range(n - 2, -1, -1):
        start = bounds[i]
        for j in range(i + 1, n):
            if i == 0 and j == n - 1:
                continue  # the whole word is not a split of itself
            end = bounds[j]
            piece = word[start:end]
            if j == n - 1:
                form = piece if _head_ok(piece, lex) else None
            else:
                form = _modifier_form(piece, lex)
            if form is None or best[j] is None:
                continue
            cnt, sq, parts = best[j]  # type: ignore[misc]
            cand = (cnt + 1, sq - len(piece) ** 2, ((start, end, form), *parts))
            cur = best[i]
            if cur is None or (cand[0], cand[1]) < (cur[0], cur[1]):
                best[i] = cand
    top = best[0]
    if top is None or top[0] < 2:
        return ()
    return top[2]


@lru_cache(maxsize=50_000)
def decompound(word: str) -> tuple[tuple[str, bool], ...]:
    """All compound parts of a folded word (not the word itself) as (form, is_head).

    ``informationssicherheitsmanagementsystem`` -> ``information, sicherheit,
    managementsystem (head), informationssicherheit, ...``. Parts are given in their
    lexicon form (Fuge removed). The head is the part a compound ends with; it names
    what the thing is (a "Druckerlandschaft" is a "Landschaft" of "Drucker").
    """
    parts = _split(word)
    if not parts:
        return ()
    out: dict[str, bool] = {}
    last = len(parts) - 1

    def add(form: str, head: bool) -> None:
        if form != word:
            out[form] = out.get(form, False) or head

    for i, (_, _, form) in enumerate(parts):
        add(form, i == last)
    # Sub-compounds of adjacent parts ("informationssicherheit" out of a flat
    # three-part split): surface text up to the last part's lexicon form.
    if len(parts) >= 3:
        for i in range(len(parts)):
            for j in range(i + 1, len(parts)):
                if not (i == 0 and j == last):
                    add(word[parts[i][0] : parts[j][0]] + parts[j][2], j == last)
    # Parts that are compounds themselves; the head's own head is a head too.
    for i, (_, _, form) in enumerate(parts):
        for sub, sub_head in decompound(form):
            add(sub, i == last and sub_head)
    return tuple(out.items())[:12]


_UNG_RE = re.compile(r"(?:ung|ungen)$")


@lru_cache(maxsize=50_000)
def _verb_of_noun(folded: str) -> str | None:
    """The verb behind an -ung noun ("pruefung" -> "pruefen", "auslagerung" -> "auslagern").

    Snowball leaves "Prüfung"/"prüfen" and "Auslagerung"/"auslagern" apart. Nouns
    whose base is itself a noun ("Zeitung" / "Zeit") are left alone.
    """
    if len(folded) < 8 or not _UNG_RE.search(folded):
        return None
    base = folded[: -3] if folded.endswith("ung") else folded[: -5]
    if len(base) < 4 or base in lexicon():
        return None
    # "auslager|n", "sammel|n", but "digitalisier|en"
    verb = base + ("n" if base.endswith(("er", "el")) and not base.endswith("ier") else "en")
    # "Schulung" -> "schulen" is also the plural of "Schule": skip such collisions.
    return None if verb in lexicon() else verb


# --------------------------------------------------------------------- word analysis
class WordAnalysis(NamedTuple):
    """Analysis of one surface word.

    ``folded`` is the whole word (hyphens removed), ``stem`` its stem; ``derived``
    holds (folded, stem, boost) of hyphen segments and compound parts.
    """

    folded: str
    stem: str
    derived: tuple[tuple[str, str, float], ...]


@lru_cache(maxsize=150_000)
def analyze_word(word: str) -> WordAnalysis | None:
    """Analyse one surface word (as matched by WORD_PATTERN). None for stop words/noise."""
    f = fold(word)
    segments = [s for s in _HYPHEN_RE.split(f) if s]
    if not segments:
        return None
    whole = "".join(segments)
    if len(segments) == 1 and (whole in _STOPWORDS or len(whole) < 2):
        return None
    if len(whole) > 60:  # garbage; keep a bounded prefix so it cannot blow up caches
        whole = whole[:60]
        segments = [whole]
    derived: dict[str, float] = {}
    if len(segments) > 1:
        for seg in segments:
            if len(seg) >= 2 and seg not in _STOPWORDS and seg != whole:
                derived.setdefault(seg, SEGMENT_BOOST)
    for seg in (segments if len(segments) > 1 else [whole]):
        for part, head in decompound(seg):
            derived.setdefault(part, HEAD_BOOST if head else PART_BOOST)
    verb = _verb_of_noun(segments[-1])
    if verb:
        derived.setdefault(verb, VERB_BOOST)
    derived.pop(whole, None)
    whole_stem = stem(whole)
    return WordAnalysis(
        whole,
        whole_stem,
        tuple((d, stem(d), b) for d, b in derived.items()),
    )


def tokenize_words(text: str) -> Iterator[re.Match[str]]:
    """Iterate over the surface words of a text."""
    return _WORD_RE.finditer(text)


# --------------------------------------------------------------------- whoosh filter
class GermanFilter(Filter):
    """Whoosh filter applying :func:`analyze_word` to every token.

    ``stemmed=False`` emits folded words instead of stems (the "exact" field).
    Positions are renumbered so stop words leave no gaps; derived tokens share the
    position and character span of their word.
    """

    is_morph = True

    def __init__(self, stemmed: bool = True, derived: bool = True):
        self.stemmed = stemmed
        self.derived = derived

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        pos = -1
        stemmed = self.stemmed
        with_derived = self.derived
        for t in tokens:
            wa = analyze_word(t.text)
            if wa is None:
                continue
            pos += 1
            if t.positions:
                t.pos = pos
            base_boost = t.boost
            seen = set()
            main = wa.stem if stemmed else wa.folded
            t.text = main
            t.boost = base_boost * WHOLE_BOOST
            seen.add(main)
            yield t
            if not with_derived:
                continue
            for folded, st, boost in wa.derived:
                text = st if stemmed else folded
                if text in seen:
                    continue
                seen.add(text)
                t.text = text
                t.boost = base_boost * boost
                yield t


def german_analyzer():
    """Analyzer for the stemmed title/body fields."""
    return RegexTokenizer(WORD_PATTERN) | GermanFilter(stemmed=True)


def exact_analyzer():
    """Analyzer for the folded but unstemmed "exact" field (precision and spelling)."""
    # Whole words only: the field rewards the very word typed and lists the
    # vocabulary for spelling; parts would only add postings (indexing time).
    return RegexTokenizer(WORD_PATTERN) | GermanFilter(stemmed=False, derived=False)
