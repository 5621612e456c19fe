"""A person's own data (DSGVO): the export of everything held about them (Art. 15 and
20) and the deletion of their account (Art. 17)."""
import json
from datetime import datetime
from typing import Callable

from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, or_, select
from werkzeug.security import check_password_hash

from ..errors import Conflict, Invalid
from ..extensions import db
from ..feeds.tokens import erase_feed_tokens
from ..models import (AuditEntry, FeedToken, Flag, LoginAttempt, MailPreference, OutgoingMail,
                      Question, RecoveryCode, Reply, Reuse, Revision, Role, Solution, User,
                      UserSession, Vote, utcnow)
from ..models.unit_of_work import commit
from ..moderation.services import audit, label_of
from ..notifications import services as notifications
from ..records import require


def _row(record, *fields: str) -> dict:
    """The named attributes of a record, with datetimes as ISO 8601 text."""
    values = {name: getattr(record, name) for name in fields}
    return {name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in values.items()}


def _rows(query, *fields: str) -> list[dict]:
    return [_row(record, *fields) for record in db.session.scalars(query)]


def _account(user: User) -> dict:
    return {
        **_row(user, "id", "email", "name", "handle", "role", "active", "created_at",
               "follow_on_ask", "follow_on_reply", "follow_on_reuse"),
        "authority": {"slug": user.authority.slug, "name": user.authority.name},
        "password": ("Ein Passwort ist gesetzt. Gespeichert ist nur sein Hash (scrypt); "
                     "er wird nicht exportiert." if user.password_hash
                     else "Es ist kein Passwort gesetzt."),
    }


def _login_attempts(user: User) -> list[dict]:
    return _rows(select(LoginAttempt).filter_by(email=user.email).order_by(LoginAttempt.at),
                 "at", "ip", "succeeded")


def _sessions(user: User) -> list[dict]:
    # The token itself is never stored (only its hash) and never exported.
    return _rows(select(UserSession).filter_by(user_id=user.id).order_by(UserSession.id),
                 "created_at", "last_seen_at", "ended_at", "user_agent", "ip", "remember")


def _feed_tokens(user: User) -> list[dict]:
    # Neither the token nor what it is derived from leaves the exchange.
    return _rows(select(FeedToken).filter_by(user_id=user.id).order_by(FeedToken.id),
                 "label", "created_at", "last_used_at")


POST_FIELDS = ("id", "authority_id", "created_at", "updated_at", "hidden_at", "hidden_reason")


def _questions(user: User) -> list[dict]:
    return _rows(select(Question).filter_by(author_id=user.id).order_by(Question.id),
                 *POST_FIELDS, "slug", "title", "body", "deleted_at", "locked_at")


def _replies(user: User) -> list[dict]:
    return _rows(select(Reply).filter_by(author_id=user.id).order_by(Reply.id),
                 *POST_FIELDS, "question_id", "body", "helpful_count")


def _solutions(user: User) -> list[dict]:
    return _rows(select(Solution).filter_by(author_id=user.id).order_by(Solution.id),
                 *POST_FIELDS, "slug", "title", "status", "situation", "approach", "result",
                 "costs", "effort", "contact", "review_comment")


def _own_post_ids(user: User) -> dict[str, set[int]]:
    return {kind: set(db.session.scalars(select(model.id).filter_by(author_id=user.id)))
            for kind, model in (("question", Question), ("reply", Reply),
                                ("solution", Solution))}


def _revisions(user: User) -> list[dict]:
    """Edits the person made. A revision holds the text before the edit; of someone
    else's post that text is the other author's, so only the facts of the edit go out."""
    own = _own_post_ids(user)
    entries = []
    for revision in db.session.scalars(
            select(Revision).filter_by(editor_id=user.id).order_by(Revision.id)):
        entry = _row(revision, "id", "target_type", "target_id", "reason", "created_at")
        if revision.target_id in own.get(revision.target_type, ()):
            entry["content"] = json.loads(revision.content)
        entries.append(entry)
    return entries


def _votes(user: User) -> list[dict]:
    return _rows(select(Vote).filter_by(user_id=user.id).order_by(Vote.id),
                 "target_type", "target_id", "created_at")


def _flags(user: User) -> list[dict]:
    return _rows(select(Flag).filter_by(reporter_id=user.id).order_by(Flag.id),
                 "id", "target_type", "target_id", "reason", "text", "status", "created_at",
                 "resolved_at", "resolution_note")


def _reuses(user: User) -> list[dict]:
    return _rows(select(Reuse).filter_by(recorded_by_id=user.id).order_by(Reuse.id),
                 "id", "solution_id", "authority_id", "status", "note", "created_at")


def _audit_entries(user: User) -> list[dict]:
    """Entries by the person, about the person's account and about their posts. The label
    of another account (name and e-mail) is someone else's data: it is left out."""
    own = _own_post_ids(user)
    about_posts = [and_(AuditEntry.target_type == kind, AuditEntry.target_id.in_(ids))
                   for kind, ids in own.items() if ids]
    about_user = and_(AuditEntry.target_type == "user", AuditEntry.target_id == user.id)
    query = (select(AuditEntry)
             .where(or_(AuditEntry.actor_id == user.id, about_user, *about_posts))
             .order_by(AuditEntry.id))
    entries = []
    for entry in db.session.scalars(query):
        row = _row(entry, "at", "action", "target_type", "target_id", "target_label", "reason")
        row["by_me"] = entry.actor_id == user.id
        if entry.target_type == "user" and entry.target_id != user.id:
            row["target_label"] = ""
        entries.append(row)
    return entries


def _mail(user: User) -> dict:
    choice = db.session.get(MailPreference, user.id)
    return {
        "preferences": _row(choice, "immediate", "digest", "updated_at") if choice else None,
        # Subjects only: the bodies hold sign-in links, which an export must not carry.
        "mails": _rows(select(OutgoingMail).filter_by(user_id=user.id)
                       .order_by(OutgoingMail.id),
                       "created_at", "category", "subject", "state", "sent_at"),
    }


# One line per kind of data; a new table about a person adds its section here.
SECTIONS: dict[str, Callable[[User], object]] = {
    "account": _account,
    "sessions": _sessions,
    "login_attempts": _login_attempts,
    "feed_tokens": _feed_tokens,
    "questions": _questions,
    "replies": _replies,
    "solutions": _solutions,
    "revisions": _revisions,
    "votes": _votes,
    "flags": _flags,
    "reuses": _reuses,
    "audit_entries": _audit_entries,
    "follows": notifications.follows_export,
    "notifications": notifications.notifications_export,
    "mail": _mail,
}


def export_personal_data(user: User) -> dict:
    """Everything the exchange holds about `user`, as JSON-ready data."""
    return {
        "description": ("Alle personenbezogenen Daten, die KITU Exchange über Ihr Konto "
                        "speichert (Art. 15 und 20 DSGVO)."),
        "exported_at": utcnow().isoformat(),
        **{name: collect(user) for name, collect in SECTIONS.items()},
    }


# -- deletion ----------------------------------------------------------------------------

def _login_attempts_of(user: User) -> None:
    db.session.execute(delete(LoginAttempt).filter_by(email=user.email))


def _sessions_of(user: User) -> None:
    db.session.execute(delete(UserSession).filter_by(user_id=user.id))


def _second_factor_of(user: User) -> None:
    db.session.execute(delete(RecoveryCode).filter_by(user_id=user.id))
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None


def _mail_of(user: User) -> None:
    db.session.execute(delete(OutgoingMail).filter_by(user_id=user.id))
    db.session.execute(delete(MailPreference).filter_by(user_id=user.id))


# Data erased outright when an account is deleted; a new table about a person adds a line.
ERASE: list[Callable[[User], None]] = [_login_attempts_of, _sessions_of, _second_factor_of,
                                       notifications.erase_of, erase_feed_tokens, _mail_of]


def placeholder_email(user: User) -> str:
    """Unique and non-identifying; `.invalid` can never receive mail (RFC 2606)."""
    return f"geloescht-{user.id}@konto.invalid"


def delete_account(actor: User, user: User, password: str | None = None,
                   reason: str = "") -> None:
    """Delete `user`'s personal data, by the person (who re-enters the password) or by an
    admin.

    Name, e-mail and password go, and so do the sign-in records of the e-mail. The row
    stays, anonymised, so that posts, replies, solutions, re-uses, flags and votes keep
    their place (votes stay: they carry no name, and the helpful counts stay right). The
    audit log keeps its entries about the account with the placeholder instead of the
    name. Raises NotAllowed, Invalid for a wrong password, Conflict for an account that
    is gone already or for the last active administrator.
    """
    if actor.id == user.id:
        if not user.password_hash or not check_password_hash(user.password_hash,
                                                              password or ""):
            raise Invalid(_("Das Passwort ist nicht richtig."), "password")
    else:
        require(actor, "user.manage", user)
    if user.deleted:
        raise Conflict(_("Dieses Konto ist bereits gelöscht."))
    if user.role == Role.ADMIN and user.active and db.session.scalar(
            select(func.count(User.id)).filter_by(role=Role.ADMIN, active=True)) <= 1:
        raise Conflict(_("Es muss mindestens eine aktive Administration geben. Bitte "
                         "ernennen Sie zuerst eine andere Person zur Administration."))
    old_name, old_email = user.name, user.email
    for erase in ERASE:
        erase(user)
    user.name, user.email, user.password_hash = "", placeholder_email(user), None
    user.active, user.role, user.deleted_at = False, Role.MEMBER, utcnow()
    label = label_of(user)
    for entry in db.session.scalars(select(AuditEntry).filter_by(target_type="user",
                                                                 target_id=user.id)):
        entry.target_label = label
        for personal in filter(None, (old_name, old_email)):
            entry.reason = entry.reason.replace(personal, label)[:500]
    audit(actor, "user.delete", user, reason)
    commit()
