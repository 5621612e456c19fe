"""Why a similar case matched, and what it answered: for the similar-cases panel."""
from __future__ import annotations

from ..models import Question, Solution
from ..text import plain_text
from .analysis import analyze_word, tokenize_words
from .similar_terms import similar_noise

# Words named as the reason of a match; more would read like a word list.
REASON_TERMS = 3
# How much of the other case is searched for shared words (title first).
REASON_SCAN_CHARS = 1500
# Shared words shorter than this are rarely the subject ("Amt", "Tag").
REASON_MIN_CHARS = 4
# The start of an accepted reply shown under a solved question.
ANSWER_CHARS = 160


def case_source(case: Question | Solution) -> str:
    """Title and text of a case, as a draft would read."""
    if isinstance(case, Question):
        return f"{case.title}\n{case.body}"
    parts = (case.situation, case.approach, case.result)
    return "\n".join([case.title, *(part for part in parts if part)])


def _stems(text: str) -> set[str]:
    stems = set()
    for match in tokenize_words(text):
        analysis = analyze_word(match.group(0))
        if analysis is not None:
            stems.add(analysis.stem)
    return stems


def source_stems(source: str) -> set[str]:
    """The stems a panel's source text offers for reasons: analysed once per panel,
    not once per case shown."""
    return _stems(source) - similar_noise()


def shared_terms(wanted: set[str], record: Question | Solution) -> list[str]:
    """Up to REASON_TERMS words of `record` (as it writes them, title first) whose stems
    are `wanted` (see source_stems); nouns and abbreviations only. Empty: the match is by
    meaning ("ähnlich beschrieben")."""
    text = f"{record.title}\n{plain_text(_record_text(record))[:REASON_SCAN_CHARS]}"
    found: dict[str, None] = {}
    for match in tokenize_words(text):
        word = match.group(0)
        if len(word) < REASON_MIN_CHARS or not (word[:1].isupper() or word.isupper()):
            continue
        analysis = analyze_word(word)
        if analysis is None or analysis.stem not in wanted:
            continue
        if word.lower() not in (w.lower() for w in found):
            found[word] = None
        if len(found) >= REASON_TERMS:
            break
    return list(found)


def _record_text(record: Question | Solution) -> str:
    if isinstance(record, Question):
        return record.body
    return "\n".join(part for part in (record.situation, record.approach) if part)


def answer_start(record: Question | Solution) -> str:
    """The start of a solved question's accepted reply, as plain text."""
    if not isinstance(record, Question) or record.accepted_reply is None:
        return ""
    if record.accepted_reply.hidden:
        return ""
    text = " ".join(plain_text(record.accepted_reply.body).split())
    if len(text) <= ANSWER_CHARS:
        return text
    return text[:ANSWER_CHARS].rsplit(" ", 1)[0] + " …"
