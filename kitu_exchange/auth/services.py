"""Accounts: creation, invitations, passwords and rate-limited sign-in."""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Conflict, DomainError, Invalid, NotFound
from ..extensions import db
from ..models import Authority, LoginAttempt, Role, User, UserSession, utcnow
from .sessions import end_sessions


class TooManyAttempts(DomainError):
    status = 429


class BadCredentials(DomainError):
    status = 401


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config.get(
        "PASSWORD_HASH_METHOD", "scrypt"))


def create_user(email: str, name: str, authority_slug: str, role: str = Role.MEMBER,
                password: str | None = None) -> User:
    """Create an account. Raises Invalid for an unknown authority or role, Conflict for a
    taken e-mail address."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise Invalid(_("Bitte geben Sie eine gültige E-Mail-Adresse ein."), "email")
    if role not in set(Role):
        raise Invalid(_("Unbekannte Rolle: %(role)s", role=role), "role")
    authority = db.session.scalar(select(Authority).filter_by(slug=authority_slug))
    if authority is None:
        raise Invalid(_("Unbekannte Kommune: %(slug)s", slug=authority_slug), "authority")
    if db.session.scalar(select(User.id).filter_by(email=email)) is not None:
        raise Conflict(_("Für diese E-Mail-Adresse gibt es bereits ein Konto."))
    user = User(email=email, name=name.strip(), authority=authority, role=role,
                password_hash=hash_password(password) if password else None)
    db.session.add(user)
    db.session.commit()
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invitation")


def invitation_token(user: User) -> str:
    """A link token to set the password; it stops working once a password is set."""
    return _serializer().dumps({"id": user.id, "pw": (user.password_hash or "")[-12:]})


def user_for_invitation(token: str) -> User:
    """The account a still-valid invitation token belongs to; raises NotFound otherwise."""
    try:
        data = _serializer().loads(
            token, max_age=current_app.config["INVITATION_MAX_AGE_SECONDS"])
    except (BadSignature, SignatureExpired):
        raise NotFound(_("Dieser Einladungslink ist ungültig oder abgelaufen.")) from None
    user = db.session.get(User, data.get("id"))
    if user is None or not user.active or (user.password_hash or "")[-12:] != data.get("pw"):
        raise NotFound(_("Dieser Einladungslink ist ungültig oder wurde bereits benutzt."))
    return user


def set_password(user: User, password: str, keep: UserSession | None = None) -> None:
    """Set a new password and end every session of the account but `keep`."""
    user.password_hash = hash_password(password)
    end_sessions(user, keep=keep)
    db.session.commit()


def change_password(user: User, current: str, new: str,
                    keep: UserSession | None = None) -> None:
    """Change the password; other sessions end. Raises Invalid when the current password
    is wrong."""
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise Invalid(_("Das aktuelle Passwort ist nicht richtig."), "current")
    set_password(user, new, keep=keep)


def _recent_failures(**criteria) -> int:
    since = utcnow() - timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    return db.session.scalar(
        select(func.count(LoginAttempt.id))
        .filter_by(succeeded=False, **criteria)
        .where(LoginAttempt.at >= since)
    )


def authenticate(email: str, password: str, ip: str) -> User:
    """The active account with these credentials.

    Raises TooManyAttempts once too many sign-ins failed recently for this address or
    from this client, and BadCredentials otherwise. Every attempt is recorded.
    """
    email = normalise_email(email)
    config = current_app.config
    if (_recent_failures(email=email) >= config["LOGIN_MAX_FAILURES_PER_EMAIL"]
            or _recent_failures(ip=ip) >= config["LOGIN_MAX_FAILURES_PER_IP"]):
        raise TooManyAttempts(_("Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie "
                                "15 Minuten und versuchen Sie es dann erneut."))
    user = db.session.scalar(select(User).filter_by(email=email))
    valid = (user is not None and user.active and user.password_hash is not None
             and check_password_hash(user.password_hash, password))
    db.session.add(LoginAttempt(email=email[:254], ip=ip[:64], succeeded=valid))
    db.session.commit()
    if not valid:
        raise BadCredentials(_("E-Mail-Adresse oder Passwort sind nicht richtig."))
    return user
