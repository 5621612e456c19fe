"""Mentions: `@handle` names a person, `@slug` an authority.

Every account gets a handle when it is made: its display name in lower case, umlauts
and ß folded (ä → ae), everything else that is not a letter or digit turned into "-"
("Anna Müller" → `anna-mueller`); a handle that is taken gets "-2", "-3", ... The handle
never changes with a later change of name (links in old posts keep working), is shown
on the person's page, and goes with the account's deletion. A handle never equals an
authority's slug when it is given, so `@slug` names the authority; should an authority
be created later with a person's handle as its slug, the person wins.

Mentions are found while a text renders (rendering.py): Markdown does not look into
code spans and code blocks, so `@name` there is text, not a mention.
"""
import re
import unicodedata

from flask import url_for
from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import Authority, User

HANDLE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RESERVED = {"vorschlaege"}
# A text may mention this many different names; further ones stay plain text.
MAX_MENTIONS = 20
SUGGESTIONS = 8


def handle_base(name: str) -> str:
    text = name.lower()
    for umlaut, folded in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, folded)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:32].strip("-")
    return text if len(text) >= 2 else "mitglied"


def new_handle(name: str) -> str:
    """A free handle for a new account with this display name."""
    base = handle_base(name)
    taken = set(db.session.scalars(select(User.handle).where(User.handle.like(f"{base}%"))))
    taken |= set(db.session.scalars(select(Authority.slug).where(
        Authority.slug.like(f"{base}%"))))
    taken |= RESERVED
    handle, number = base, 2
    while handle in taken:
        handle, number = f"{base}-{number}", number + 1
    return handle


class Mentions:
    """Resolves the @names of one text while it renders and remembers whom it names.

    Pass an instance as `render_markdown(text, mentions=...)`; afterwards `users` holds
    the ids of the people and `authorities` the authorities it mentions.
    """

    def __init__(self) -> None:
        self.users: dict[int, User] = {}
        self.authorities: dict[int, Authority] = {}
        self._seen: dict[str, str | None] = {}

    def __call__(self, name: str) -> str | None:
        """The address a mention of `name` links to, or None when it names nobody."""
        name = name.lower()
        if name in self._seen:
            return self._seen[name]
        if len(self._seen) >= MAX_MENTIONS:
            return None
        href = None
        user = db.session.scalar(select(User).where(
            User.handle == name, User.active.is_(True), User.deleted_at.is_(None)))
        if user is not None:
            self.users[user.id] = user
            href = url_for("notifications.person", handle=user.handle)
        else:
            authority = db.session.scalar(select(Authority).filter_by(slug=name))
            if authority is not None:
                self.authorities[authority.id] = authority
                href = url_for("authorities.profile", slug=authority.slug)
        self._seen[name] = href
        return href


def suggestions(query: str) -> list[dict]:
    """Up to eight active people whose handle or name starts with `query` (with or
    without the @), for the suggestions while typing."""
    query = query.strip().lstrip("@").lower()[:40]
    if not query:
        return []
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    name_start = func.lower(User.name).like(f"{escaped}%", escape="\\")
    name_word = func.lower(User.name).like(f"% {escaped}%", escape="\\")
    people = db.session.scalars(
        select(User).where(User.active.is_(True), User.deleted_at.is_(None),
                           User.handle.is_not(None),
                           or_(User.handle.like(f"{escaped}%", escape="\\"),
                               name_start, name_word))
        .order_by(User.handle).limit(SUGGESTIONS)).all()
    return [{"handle": p.handle, "name": p.name, "authority": p.authority.name}
            for p in people]
