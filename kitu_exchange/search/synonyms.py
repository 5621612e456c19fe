"""Moderator-maintained synonym sets, matched on analysed words at query time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .analysis import WordAnalysis, analyze_word, tokenize_words

# Longest synonym phrase (in analysed words) that is looked for in a query.
MAX_PHRASE_WORDS = 5


def analyze_phrase(text: str) -> tuple[WordAnalysis, ...]:
    """Analyse a term or phrase into its non-stop words."""
    words = (analyze_word(m.group(0)) for m in tokenize_words(text))
    return tuple(w for w in words if w is not None)


@dataclass(frozen=True)
class SynonymTerm:
    """One member of a synonym set: its text and its analysed words."""

    text: str
    words: tuple[WordAnalysis, ...]

    @property
    def key(self) -> tuple[str, ...]:
        """The stems of the whole words: what a query must contain to match."""
        return tuple(w.stem for w in self.words)


@dataclass(frozen=True)
class SynonymMatch:
    """A run ``[start, end)`` of query words that matched a synonym set."""

    start: int
    end: int
    alternatives: tuple[SynonymTerm, ...]


class SynonymMap:
    """Sets of equivalent terms, e.g. ``[["XRechnung", "E-Rechnung", "elektronische Rechnung"]]``.

    Every term is analysed like indexed text, so inflected or differently spelled
    query words ("E-Rechnungen", "Buergerkonto") still find their set. A term that is
    in several sets collects the alternatives of all of them.
    """

    def __init__(self, groups: Iterable[Sequence[str]] = ()):
        self._by_key: dict[tuple[str, ...], list[SynonymTerm]] = {}
        self._groups: list[tuple[SynonymTerm, ...]] = []
        for group in groups:
            terms = []
            seen: set[tuple[str, ...]] = set()
            for text in group:
                term = SynonymTerm(str(text), analyze_phrase(str(text)))
                if term.words and term.key not in seen:
                    seen.add(term.key)
                    terms.append(term)
            if len(terms) < 2:
                continue
            self._groups.append(tuple(terms))
            for term in terms:
                bucket = self._by_key.setdefault(term.key, [])
                for other in terms:
                    if other.key != term.key and all(o.key != other.key for o in bucket):
                        bucket.append(other)

    @classmethod
    def from_yaml(cls, path: str | Path) -> "SynonymMap":
        """Load a YAML list of lists of terms (see ``content/synonyms.yaml``)."""
        import yaml

        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or []
        return cls([g for g in data if isinstance(g, list)])

    def __len__(self) -> int:
        return len(self._groups)

    def __bool__(self) -> bool:
        return bool(self._groups)

    def alternatives(self, key: tuple[str, ...]) -> tuple[SynonymTerm, ...]:
        """The other members of every set that contains the analysed term ``key``."""
        return tuple(self._by_key.get(key, ()))

    def find(self, stems: Sequence[str]) -> list[SynonymMatch]:
        """Greedy longest, non-overlapping matches of synonym terms in a stem sequence."""
        matches: list[SynonymMatch] = []
        i = 0
        while i < len(stems):
            for n in range(min(MAX_PHRASE_WORDS, len(stems) - i), 0, -1):
                alts = self._by_key.get(tuple(stems[i : i + n]))
                if alts:
                    matches.append(SynonymMatch(i, i + n, tuple(alts)))
                    i += n
                    break
            else:
                i += 1
        return matches
