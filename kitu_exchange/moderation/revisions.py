"""Revision history of questions, replies and solutions."""
import difflib
import json
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..models import Question, Reply, Revision, Solution, TargetType, User, utcnow
from ..rendering import render_markdown

Post = Question | Reply | Solution
MODELS = {TargetType.QUESTION: Question, TargetType.REPLY: Reply,
          TargetType.SOLUTION: Solution}
TEXT_FIELDS = {
    TargetType.QUESTION: ("title", "body"),
    TargetType.REPLY: ("body",),
    TargetType.SOLUTION: ("title", "situation", "approach", "result", "costs", "effort",
                          "contact"),
}
MARKDOWN_FIELDS = ("body", "situation", "approach", "result")
REDACTED = "[entfernt durch die Moderation]"


def target_type_of(post: Post) -> str:
    return {Question: TargetType.QUESTION, Reply: TargetType.REPLY,
            Solution: TargetType.SOLUTION}[type(post)]


def get_post(target_type: str, target_id: int) -> Post:
    model = MODELS.get(target_type)
    post = db.session.get(model, target_id) if model else None
    if post is None:
        raise NotFound(_("Der Beitrag wurde nicht gefunden."))
    return post


def snapshot(post: Post) -> dict:
    """The editable fields of a post as they are now."""
    fields = {name: getattr(post, name) or "" for name in TEXT_FIELDS[target_type_of(post)]}
    if not isinstance(post, Reply):
        fields["topics"] = [topic.slug for topic in post.topics]
        fields["tags"] = [tag.name for tag in post.tags]
    return fields


def record_revision(editor: User, post: Post, reason: str = "") -> None:
    """Keep the post's current state before an edit; part of the caller's unit of work."""
    db.session.add(Revision(target_type=target_type_of(post), target_id=post.id,
                            content=json.dumps(snapshot(post), ensure_ascii=False),
                            editor=editor, reason=(reason or "")[:300]))


@dataclass
class Version:
    """One entry of a history page: a revision, or the current state (revision None)."""

    number: int
    fields: dict
    editor: User | None
    at: object
    reason: str
    revision: Revision | None


def history(post: Post) -> list[Version]:
    """All versions, newest first; version numbers count from 1 (the original)."""
    revisions = list(db.session.scalars(
        select(Revision).filter_by(target_type=target_type_of(post), target_id=post.id)
        .order_by(Revision.id)))
    versions = [Version(number, json.loads(rev.content), None, None, "", rev)
                for number, rev in enumerate(revisions, start=1)]
    # A revision records who changed the version before it into the next one.
    for version, rev in zip(versions[1:], revisions):
        version.editor, version.at, version.reason = rev.editor, rev.created_at, rev.reason
    current = Version(len(revisions) + 1, snapshot(post), None, None, "", None)
    if revisions:
        last = revisions[-1]
        current.editor, current.at, current.reason = last.editor, last.created_at, last.reason
    if versions:
        versions[0].editor = getattr(post, "author", None)
        versions[0].at = post.created_at
    else:
        current.editor, current.at = getattr(post, "author", None), post.created_at
    return [current, *reversed(versions)]


@dataclass
class DiffLine:
    """One line of a diff: mark ' ' (same), '-' (removed) or '+' (added), and its text
    as segments (changed, text); `changed` marks the words that differ within a line
    that was edited rather than removed or added as a whole."""

    mark: str
    segments: list[tuple[bool, str]]

    @property
    def text(self) -> str:
        return "".join(text for _changed, text in self.segments)


_WORDS = re.compile(r"\s+|[^\s]+")


def _merged(segments: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
    """Join neighbours of the same kind; a space between two changes counts as changed,
    so that "alte Worte" reads as one change rather than two."""
    for index in range(1, len(segments) - 1):
        changed, text = segments[index]
        if not changed and not text.strip() and segments[index - 1][0] and segments[index + 1][0]:
            segments[index] = (True, text)
    merged: list[tuple[bool, str]] = []
    for changed, text in segments:
        if merged and merged[-1][0] == changed:
            merged[-1] = (changed, merged[-1][1] + text)
        else:
            merged.append((changed, text))
    return merged


def _word_diff(before: str, after: str) -> tuple[DiffLine, DiffLine] | None:
    """An edited line as its old and new form with the differing words marked; None
    when the two lines have too little in common to call it an edit."""
    old_words, new_words = _WORDS.findall(before), _WORDS.findall(after)
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    if matcher.ratio() < 0.5:
        return None
    old, new = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if i2 > i1:
            old.append((tag != "equal", "".join(old_words[i1:i2])))
        if j2 > j1:
            new.append((tag != "equal", "".join(new_words[j1:j2])))
    return DiffLine("-", _merged(old)), DiffLine("+", _merged(new))


def diff_lines(before: str, after: str) -> list[DiffLine]:
    """Line diff of two texts; edited lines paired up and compared word by word."""
    old_lines, new_lines = before.splitlines(), after.splitlines()
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [DiffLine(" ", [(False, line)]) for line in old_lines[i1:i2]]
            continue
        removed, added = old_lines[i1:i2], new_lines[j1:j2]
        paired = []
        if tag == "replace":
            for a, b in zip(removed, added):
                if (pair := _word_diff(a, b)) is None:
                    break
                paired.append(pair)
        pairs = len(paired)
        lines += [old for old, _new in paired]
        lines += [DiffLine("-", [(False, line)]) for line in removed[pairs:]]
        lines += [new for _old, new in paired]
        lines += [DiffLine("+", [(False, line)]) for line in added[pairs:]]
    return lines


def diff(old: dict, new: dict) -> list[tuple[str, list[DiffLine]]]:
    """Per changed field, its lines (see DiffLine)."""
    changes = []
    for name in new:
        before, after = old.get(name, ""), new.get(name, "")
        if isinstance(before, list):
            before, after = ", ".join(before), ", ".join(after)
        if before == after:
            continue
        changes.append((name, diff_lines(str(before), str(after))))
    return changes


def redact(revision: Revision) -> None:
    """Replace the text of an old version for good; topics and tags stay."""
    fields = json.loads(revision.content)
    for name in TEXT_FIELDS[revision.target_type]:
        if fields.get(name):
            fields[name] = REDACTED
    revision.content = json.dumps(fields, ensure_ascii=False)
    revision.redacted_at = utcnow()


def restore(moderator: User, post: Post, revision: Revision, apply_topics) -> None:
    """Put an older version back; the state it replaces becomes a revision itself.

    `apply_topics(post, topics, tags)` sets topics and tags (shared with the edit services).
    """
    fields = json.loads(revision.content)
    record_revision(moderator, post, _("Version vom %(date)s wiederhergestellt",
                                       date=revision.created_at.date().isoformat()))
    for name in TEXT_FIELDS[target_type_of(post)]:
        setattr(post, name, fields.get(name, ""))
        if name in MARKDOWN_FIELDS:
            setattr(post, f"{name}_html", render_markdown(fields.get(name, "")))
    if "topics" in fields:
        apply_topics(post, fields["topics"], fields["tags"])
    post.updated_at = utcnow()
