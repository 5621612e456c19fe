"""A person's mail choices and the signed one-click unsubscribe tokens."""
from itsdangerous import BadSignature
from flask_babel import gettext as _

from .. import clock
from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import DigestPeriod, MailPreference, User
from ..models.unit_of_work import commit

UNSUBSCRIBE_SALT = "mail-unsubscribe"
KINDS = ("immediate", "digest")


def preferences(user: User) -> MailPreference:
    """The person's choices; the defaults (an unsaved row) when none are stored."""
    stored = db.session.get(MailPreference, user.id)
    if stored is not None:
        return stored
    return MailPreference(user_id=user.id, immediate=True, digest=DigestPeriod.WEEKLY)


def _stored(user: User) -> MailPreference:
    choice = db.session.get(MailPreference, user.id)
    if choice is None:
        choice = preferences(user)
        db.session.add(choice)
    return choice


def save_preferences(user: User, immediate: bool, digest: str) -> MailPreference:
    """Store the person's choices. Raises Invalid for an unknown digest period."""
    if digest not in set(DigestPeriod):
        raise Invalid(_("Bitte wählen Sie, wie oft Sie eine Zusammenfassung erhalten."),
                      "digest")
    choice = _stored(user)
    choice.immediate, choice.digest, choice.updated_at = immediate, digest, clock.now()
    commit()
    return choice


def unsubscribe_token(user: User, kind: str) -> str:
    """A link token that switches off one kind of mail for `user`; valid without
    sign-in and without expiry (old mails keep working links)."""
    return clock.timed_serializer(UNSUBSCRIBE_SALT).dumps({"u": user.id, "k": kind})


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """The person and kind of a valid token; raises NotFound otherwise."""
    try:
        data = clock.timed_serializer(UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        raise NotFound(_("Dieser Abmeldelink ist ungültig.")) from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or user.deleted or data.get("k") not in KINDS:
        raise NotFound(_("Dieser Abmeldelink ist ungültig."))
    return user, data["k"]


def unsubscribe(token: str) -> tuple[User, str]:
    """Switch off the kind of mail the token names. Raises NotFound for a bad token."""
    user, kind = read_unsubscribe_token(token)
    choice = _stored(user)
    if kind == "immediate":
        choice.immediate = False
    else:
        choice.digest = DigestPeriod.NONE
    choice.updated_at = clock.now()
    commit()
    return user, kind
