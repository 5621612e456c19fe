"""Import a content folder into the database: idempotent, file by file."""
from dataclasses import dataclass, field
from datetime import datetime, time, timezone
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..forms import BODY_MAX
from ..models import (PUBLIC_STATUSES, Authority, AuthorityKind, Question, Reply, Reuse,
                      ReuseStatus, Solution, SolutionStatus, SynonymSet, Topic, utcnow)
from ..records import insert_missing
from ..rendering import render_markdown
from ..models.unit_of_work import commit
from ..models.statistics import refresh_planner_statistics
from ..search.changes import record_change
from ..topics.services import resolve_tags
from .format import (SLUG, FormatError, ReplyData, hidden_state, optional_text, read_document,
                     read_list, require_text, split_solution_body, string_list, to_date)

SOLUTION_STATUSES = {status.value for status in SolutionStatus}
TITLE_MAX = 200


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)

    def count(self, changed: bool | None) -> None:
        if changed is None:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1


def _at_midnight(day) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=timezone.utc) if day else None


def _assign(record, values: dict) -> bool:
    """Set attributes that differ; whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed


def _find(model, slug: str):
    return db.session.scalar(select(model).filter_by(slug=slug))


def _insert_or_update(model, slug: str, values: dict) -> bool | None:
    """Create a shared reference row (another import may create it at the same moment)
    or bring it to `values`; the report's created/changed value."""
    if _find(model, slug) is None and insert_missing(model, "slug", [{"slug": slug, **values}]):
        return None
    return _assign(_find(model, slug), values)


def _show_or_hide(record, hidden: bool | None, reason: str) -> bool:
    """Apply the file's hidden state; a file that does not say leaves the post as it is
    (a post hidden in the app stays hidden). Whether anything changed."""
    if hidden is None:
        return False
    return _assign(record, {"hidden_at": (record.hidden_at or utcnow()) if hidden else None,
                            "hidden_reason": reason})


def _authority(slug: str) -> Authority:
    authority = _find(Authority, slug)
    if authority is None:
        raise FormatError(f"unknown authority '{slug}'")
    return authority


def _topics(slugs: list[str]) -> list[Topic]:
    topics = []
    for slug in slugs:
        topic = _find(Topic, slug)
        if topic is None:
            raise FormatError(f"unknown topic '{slug}'")
        topics.append(topic)
    return sorted(topics, key=lambda topic: topic.name)


def _import_authority(entry) -> bool | None:
    if not isinstance(entry, dict):
        raise FormatError("entry is not a mapping")
    slug = require_text(entry, "slug", 80)
    if not SLUG.match(slug):
        raise FormatError(f"slug '{slug}' is not lower-case letters, digits and hyphens")
    kind = require_text(entry, "kind", 40)
    if kind not in set(AuthorityKind):
        raise FormatError(f"unknown kind '{kind}'")

    def number(key, cast):
        value = entry.get(key)
        if value is None:
            return None
        try:
            return cast(value)
        except (TypeError, ValueError):
            raise FormatError(f"'{key}' is not a number") from None

    values = {
        "name": require_text(entry, "name", 200), "kind": kind,
        "state": optional_text(entry, "state", 80) or "Sachsen-Anhalt",
        "population": number("population", int), "staff": number("staff", int),
        "area_km2": number("area_km2", float),
        "member_since": to_date(entry.get("member_since"), "member_since"),
    }
    return _insert_or_update(Authority, slug, values)


def _import_topic(entry) -> bool | None:
    if not isinstance(entry, dict):
        raise FormatError("entry is not a mapping")
    slug = require_text(entry, "slug", 80)
    if not SLUG.match(slug):
        raise FormatError(f"slug '{slug}' is not lower-case letters, digits and hyphens")
    values = {"name": require_text(entry, "name", 120),
              "description": optional_text(entry, "description", 1000)}
    return _insert_or_update(Topic, slug, values)


def _import_synonyms(entry) -> bool | None:
    if not isinstance(entry, list) or not all(isinstance(t, str) for t in entry):
        raise FormatError("entry is not a list of terms")
    terms = ", ".join(t.strip() for t in entry if t.strip() and "," not in t)
    if len(entry) < 2 or not terms:
        raise FormatError("a synonym set needs at least two terms without commas")
    existing = db.session.scalar(select(SynonymSet).filter_by(terms=terms))
    if existing is None:
        db.session.add(SynonymSet(terms=terms))
        return None
    return False


def _upsert_post(model, slug: str, values: dict, meta: dict):
    """Find or create a question/solution by slug and bring it to `values` and the
    topics and tags of `meta`. Returns (record, created, changed)."""
    topics = _topics(string_list(meta, "topics"))
    tags = sorted(resolve_tags(string_list(meta, "tags")), key=lambda tag: tag.name)
    record = _find(model, slug)
    created = record is None
    if created:
        record = model(slug=slug)
        db.session.add(record)
    if values["created_at"] is None:
        values.pop("created_at")
    changed = _assign(record, values)
    changed = _show_or_hide(record, *hidden_state(meta)) or changed
    if record.topics != topics or record.tags != tags:
        record.topics, record.tags = topics, tags
        changed = True
    return record, created, changed


def _indexed(record, created: bool, changed: bool) -> bool | None:
    """Queue the record for the index if it changed; the report's created/changed value."""
    if created or changed:
        db.session.flush()
        record_change(record)
    return None if created else changed


def _import_solution(path: Path) -> bool | None:
    doc = read_document(path)
    meta = doc.meta
    status = optional_text(meta, "status", 20)
    if status and status not in SOLUTION_STATUSES:
        raise FormatError(f"unknown status '{status}'")
    sections = split_solution_body(doc.body)
    if not sections.approach and not sections.situation:
        raise FormatError("the body is empty")
    authority = _authority(require_text(meta, "authority", 80))
    adopters = [_authority(slug) for slug in string_list(meta, "adopted_by")]
    if authority in adopters:
        raise FormatError("an authority cannot re-use its own solution")
    values = {
        "title": require_text(meta, "title", TITLE_MAX), "authority": authority,
        "costs": optional_text(meta, "costs"),
        "effort": optional_text(meta, "effort"), "contact": optional_text(meta, "contact"),
        "created_at": _at_midnight(to_date(meta.get("created"), "created")),
    }
    for name in ("situation", "approach", "result"):
        text = _limited(getattr(sections, name), name)
        values[name] = text
        values[f"{name}_html"] = render_markdown(text) if text else ""
    if status or _find(Solution, doc.slug) is None:
        # Without a status in the file a new solution is published, and an existing
        # one keeps the status its review gave it.
        values["status"] = status or SolutionStatus.PUBLISHED
    solution, created, changed = _upsert_post(Solution, doc.slug, values, meta)
    if solution.status in PUBLIC_STATUSES and solution.last_reviewed_at is None:
        # Published by the association before it came here: that counts as a review.
        solution.last_reviewed_at = solution.created_at
    # Re-use recorded in the app stays even when the folder does not list it.
    recorded = {reuse.authority_id for reuse in solution.reuses}
    for adopter in adopters:
        if adopter.id not in recorded:
            solution.reuses.append(Reuse(authority=adopter, status=ReuseStatus.IN_USE))
            changed = True
    if solution.reuse_count != len(solution.reuses):
        solution.reuse_count = len(solution.reuses)
        changed = True
    return _indexed(solution, created, changed)


def _limited(text: str, name: str) -> str:
    """Markdown texts have the forms' limit, so that they render in bounded time and can
    be edited in the app afterwards."""
    if len(text) > BODY_MAX:
        raise FormatError(f"{name} is longer than {BODY_MAX} characters")
    return text


def _reply_data(raw, index: int) -> ReplyData:
    if not isinstance(raw, dict):
        raise FormatError(f"reply {index} is not a mapping")
    body = raw.get("body")
    if not isinstance(body, str) or not body.strip():
        raise FormatError(f"reply {index} has no body")
    hidden, hidden_reason = hidden_state(raw)
    return ReplyData(authority=require_text(raw, "authority", 80),
                     created=to_date(raw.get("created"), f"replies[{index}].created"),
                     accepted=raw.get("accepted") is True,
                     body=_limited(body.strip(), f"reply {index}"),
                     hidden=hidden, hidden_reason=hidden_reason)


def _merge_replies(question: Question, wanted: list[tuple[Authority, ReplyData]]) -> bool:
    """Bring the folder's replies into the question without touching any other reply.

    A folder reply is the existing reply with the same authority, day and text; failing
    that, an imported reply (no author account) of the same authority and day, whose
    text it updates; failing that, a new reply. Replies the folder does not mention
    (written in the app, or dropped from the folder) stay, with their votes, flags and
    versions. Returns whether anything changed.
    """
    def day(reply: Reply):
        return reply.created_at.date() if reply.created_at else None

    unmatched = list(question.replies)
    matches = []
    for authority, data in wanted:
        created = data.created or day(question)
        match = next((r for r in unmatched if (r.authority_id, day(r), r.body)
                      == (authority.id, created, data.body)), None) or next(
            (r for r in unmatched if r.author_id is None
             and (r.authority_id, day(r)) == (authority.id, created)), None)
        if match is not None:
            unmatched.remove(match)
        matches.append((match, authority, data))
    changed = False
    for reply, authority, data in matches:
        if reply is None:
            reply = Reply(authority=authority, body=data.body,
                          body_html=render_markdown(data.body),
                          created_at=_at_midnight(data.created) or question.created_at)
            question.replies.append(reply)
            changed = True
        elif reply.body != data.body:
            reply.body, reply.body_html = data.body, render_markdown(data.body)
            changed = True
        changed = _show_or_hide(reply, data.hidden, data.hidden_reason) or changed
        if data.accepted and question.accepted_reply is not reply:
            db.session.flush()
            question.accepted_reply = reply
            changed = True
    if question.reply_count != len(question.replies):
        question.reply_count = len(question.replies)
        changed = True
    return changed


def _import_question(path: Path) -> bool | None:
    doc = read_document(path)
    meta = doc.meta
    if not doc.body.strip():
        raise FormatError("the body is empty")
    _limited(doc.body, "body")
    raw_replies = meta.get("replies") or []
    if not isinstance(raw_replies, list):
        raise FormatError("'replies' is not a list")
    replies = [_reply_data(raw, i + 1) for i, raw in enumerate(raw_replies)]
    if sum(reply.accepted for reply in replies) > 1:
        raise FormatError("more than one reply is accepted")
    authority = _authority(require_text(meta, "authority", 80))
    reply_authorities = [_authority(reply.authority) for reply in replies]
    values = {
        "title": require_text(meta, "title", TITLE_MAX), "authority": authority,
        "body": doc.body, "body_html": render_markdown(doc.body),
        "created_at": _at_midnight(to_date(meta.get("created"), "created")),
    }
    question, created, changed = _upsert_post(Question, doc.slug, values, meta)
    if created:
        db.session.flush()
    changed = _merge_replies(question, list(zip(reply_authorities, replies))) or changed
    return _indexed(question, created, changed)


FILES, FOLDERS = ("authorities.yaml", "topics.yaml", "synonyms.yaml"), ("solutions", "questions")


def _unsafe_paths(folder: Path) -> list[tuple[str, str]]:
    """Files the import would read that are symbolic links or lie outside the folder.

    Any of them refuses the whole import, before anything is written: a link could
    publish files of the server (/etc/passwd) as posts.
    """
    root = folder.resolve()
    paths = [folder / name for name in (*FILES, *FOLDERS)]
    for sub in FOLDERS:
        if (folder / sub).is_dir() and not (folder / sub).is_symlink():
            paths += sorted((folder / sub).iterdir())
    problems = []
    for path in paths:
        if path.is_symlink():
            problems.append((str(path), "is a symbolic link; nothing was imported"))
        elif path.exists() and not path.resolve().is_relative_to(root):
            problems.append((str(path), "lies outside the folder; nothing was imported"))
    return problems


def import_folder(folder: str | Path) -> ImportReport:
    """Import every file of a content folder; bad files are reported and skipped."""
    folder = Path(folder)
    report = ImportReport()
    if not folder.is_dir():
        report.errors.append((str(folder), "not a folder"))
        return report
    report.errors.extend(_unsafe_paths(folder))
    if report.errors:
        return report

    def attempt(label: str, action) -> None:
        savepoint = db.session.begin_nested()
        try:
            changed = action()
            savepoint.commit()
        except FormatError as error:
            savepoint.rollback()
            report.errors.append((label, str(error)))
        else:
            report.count(changed)

    for name, importer in zip(FILES, (_import_authority, _import_topic, _import_synonyms)):
        path = folder / name
        if not path.exists():
            continue
        try:
            entries = read_list(path)
        except FormatError as error:
            report.errors.append((str(path), str(error)))
            continue
        for index, entry in enumerate(entries, start=1):
            attempt(f"{path}: entry {index}", lambda entry=entry, f=importer: f(entry))
    for sub, importer in zip(FOLDERS, (_import_solution, _import_question)):
        for path in sorted((folder / sub).glob("*.md")) if (folder / sub).is_dir() else []:
            attempt(str(path), lambda path=path, f=importer: f(path))
    commit()
    refresh_planner_statistics()  # an import can change the tables' sizes a lot
    return report
