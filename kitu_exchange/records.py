"""Helpers that services of several areas share."""
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from .errors import Conflict, NotAllowed, NotFound
from .extensions import db
from .models import AuditEntry, Reply, SynonymSet, User
from .permissions import can
from .text import slugify


def require(user: User, action: str, target: object = None) -> None:
    """Raise NotAllowed unless the permission table allows `action` on `target`."""
    if not can(user, action, target):
        raise NotAllowed(_("Sie haben keine Berechtigung für diese Aktion."))


def get_or_raise(model, ident, message: str | None = None):
    """The record with this primary key; NotFound (404) otherwise."""
    record = db.session.get(model, ident) if ident is not None else None
    if record is None:
        raise NotFound(message or _("Der Eintrag wurde nicht gefunden."))
    return record


def by_slug_or_raise(model, slug: str, message: str | None = None):
    record = db.session.scalar(select(model).filter_by(slug=slug))
    if record is None:
        raise NotFound(message or _("Der Eintrag wurde nicht gefunden."))
    return record


def label_of(target) -> str:
    """How the audit log names a target (kept even when the target is gone)."""
    if isinstance(target, Reply):
        return _("Antwort auf „%(title)s“", title=target.question.title)[:300]
    if isinstance(target, User):
        return f"{target.display_name} <{target.email}>"[:300]
    if isinstance(target, SynonymSet):
        return target.terms[:300]
    return (getattr(target, "title", None) or getattr(target, "name", ""))[:300]


def audit(actor: User | None, action: str, target, reason: str = "") -> None:
    """Append one entry to the audit log (part of the caller's unit of work)."""
    db.session.flush()  # a new target needs its id
    db.session.add(AuditEntry(actor=actor, action=action,
                              target_type=type(target).__name__.lower(),
                              target_id=target.id, target_label=label_of(target),
                              reason=(reason or "")[:500]))


def audit_edit_of_others(editor: User, post, reason: str = "") -> None:
    """Audit a curator's edit of someone else's post (authors' own edits are not)."""
    if post.author_id != editor.id:
        audit(editor, "post.edit", post, reason)


def unique_slug(model, text: str, max_length: int = 80) -> str:
    """A slug from `text` that no row of `model` uses yet ("titel", "titel-2", ...)."""
    base = slugify(text, max_length)
    taken = set(db.session.scalars(
        select(model.slug).where(model.slug.like(f"{base}%"))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def add_with_unique_slug(record, text: str, attempts: int = 5) -> None:
    """Add a new record with a slug from `text` that no other row uses.

    Another transaction may take the same slug between the check and the insert; the
    insert runs in a savepoint, and on that unique violation the next free slug is tried.
    """
    model = type(record)
    for _attempt in range(attempts):
        record.slug = unique_slug(model, text)
        try:
            with db.session.begin_nested():
                db.session.add(record)
        except IntegrityError as error:
            if "slug" not in str(error.orig):
                raise
            continue
        return
    raise Conflict(_("Bitte versuchen Sie es noch einmal: gerade wurde ein Beitrag mit "
                     "demselben Titel angelegt."))


def insert_missing(model, key: str, rows: list[dict]) -> int:
    """Insert the rows whose `key` no row has yet; the number inserted.

    INSERT ... ON CONFLICT DO NOTHING: when another transaction inserts the same shared
    reference row (topic, authority, tag) at the same moment, this one waits for it and
    then uses it instead of failing on the unique constraint. Rows are inserted in key
    order so that concurrent writers take the row locks in the same order.
    """
    if not rows:
        return 0
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[db.session.get_bind().dialect.name]
    statement = dialect.insert(model.__table__).values(
        sorted(rows, key=lambda row: row[key])).on_conflict_do_nothing(index_elements=[key])
    return db.session.execute(statement).rowcount
