"""Import a content folder into the database: idempotent, file by file."""
from dataclasses import dataclass, field
from datetime import datetime, time, timezone
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..forms import BODY_MAX
from ..models import (Authority, AuthorityKind, Question, Reply, Reuse, ReuseStatus, Solution,
                      SolutionStatus, SynonymSet, Topic)
from ..rendering import render_markdown
from ..search.changes import commit, record_change
from ..topics.services import resolve_tags
from .format import (SLUG, FormatError, ReplyData, optional_text, read_document, read_list,
                     require_text, split_solution_body, string_list, to_date)

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
    authority = _find(Authority, slug)
    if authority is None:
        db.session.add(Authority(slug=slug, **values))
        return None
    return _assign(authority, values)


def _import_topic(entry) -> bool | None:
    if not isinstance(entry, dict):
        raise FormatError("entry is not a mapping")
    slug = require_text(entry, "slug", 80)
    if not SLUG.match(slug):
        raise FormatError(f"slug '{slug}' is not lower-case letters, digits and hyphens")
    values = {"name": require_text(entry, "name", 120),
              "description": optional_text(entry, "description", 1000)}
    topic = _find(Topic, slug)
    if topic is None:
        db.session.add(Topic(slug=slug, **values))
        return None
    return _assign(topic, values)


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
    status = optional_text(meta, "status", 20) or SolutionStatus.PUBLISHED
    if status not in SOLUTION_STATUSES:
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
        "status": status, "costs": optional_text(meta, "costs"),
        "effort": optional_text(meta, "effort"), "contact": optional_text(meta, "contact"),
        "created_at": _at_midnight(to_date(meta.get("created"), "created")),
    }
    for name in ("situation", "approach", "result"):
        text = _limited(getattr(sections, name), name)
        values[name] = text
        values[f"{name}_html"] = render_markdown(text) if text else ""
    solution, created, changed = _upsert_post(Solution, doc.slug, values, meta)
    adopter_ids = sorted(a.id for a in adopters)
    if sorted(r.authority_id for r in solution.reuses) != adopter_ids:
        kept = {r.authority_id: r for r in solution.reuses}
        solution.reuses = [kept.get(a.id) or Reuse(authority=a, status=ReuseStatus.IN_USE)
                           for a in adopters]
        solution.reuse_count = len(adopters)
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
    return ReplyData(authority=require_text(raw, "authority", 80),
                     created=to_date(raw.get("created"), f"replies[{index}].created"),
                     accepted=raw.get("accepted") is True,
                     body=_limited(body.strip(), f"reply {index}"))


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
    wanted = [(a.id, r.created, r.body, r.accepted) for a, r in zip(reply_authorities, replies)]
    current = [(r.authority_id, r.created_at.date() if r.created_at else None, r.body,
                question.accepted_reply_id == r.id and r.id is not None)
               for r in question.replies]
    if wanted != current:
        question.accepted_reply = None
        db.session.flush()
        question.replies = []
        db.session.flush()
        for authority_row, data in zip(reply_authorities, replies):
            reply = Reply(authority=authority_row, body=data.body,
                          body_html=render_markdown(data.body),
                          created_at=_at_midnight(data.created) or question.created_at)
            question.replies.append(reply)
            if data.accepted:
                db.session.flush()
                question.accepted_reply = reply
        question.reply_count = len(replies)
        changed = True
    return _indexed(question, created, changed)


def import_folder(folder: str | Path) -> ImportReport:
    """Import every file of a content folder; bad files are reported and skipped."""
    folder = Path(folder)
    report = ImportReport()
    if not folder.is_dir():
        report.errors.append((str(folder), "not a folder"))
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

    for name, importer in (("authorities.yaml", _import_authority),
                           ("topics.yaml", _import_topic),
                           ("synonyms.yaml", _import_synonyms)):
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
    for sub, importer in (("solutions", _import_solution), ("questions", _import_question)):
        for path in sorted((folder / sub).glob("*.md")) if (folder / sub).is_dir() else []:
            attempt(str(path), lambda path=path, f=importer: f(path))
    commit()
    return report
