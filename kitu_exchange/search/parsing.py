"""The search box's syntax: ``"quoted phrase"`` and ``-word`` exclusion.

Anything else is plain words; nothing raises on odd input, and the boolean operators
people type out of habit (AND, ODER ...) are ignored rather than searched for.
"""
from __future__ import annotations

import re

from .analysis import WordAnalysis, analyze_word, tokenize_words
from .tuning import MAX_QUERY_CHARS, MAX_QUERY_WORDS

__all__ = ["Unit", "parse_input"]

_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
_OPERATORS = frozenset({"AND", "OR", "NOT", "UND", "ODER"})

# ("word", [one word]) or ("phrase", [two or more words])
Unit = tuple[str, list[WordAnalysis]]


def parse_input(text: str) -> tuple[list[Unit], list[WordAnalysis]]:
    """Parse search-box input into units (words and phrases) and excluded words."""
    text = (text or "")[:MAX_QUERY_CHARS]
    units: list[Unit] = []
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
