"""Accounts: creation, invitations, passwords and rate-limited sign-in."""
import functools
import hashlib
import math
import secrets
import time
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import clock
from ..errors import Conflict, DomainError, Invalid, NotFound
from ..extensions import db
from ..mail.messages import invitation_mail, password_reset_mail
from ..models import Authority, LoginAttempt, Role, User, utcnow
from ..models.unit_of_work import commit
from ..notifications.mentions import new_handle
from .passwords import check_password
from ..models import Authority, LoginAttempt, RateEvent, Role, User, UserSession, utcnow
from .sessions import end_sessions


# Failures of an account-and-address pair count until its next success, at most this far back.
PAIR_MEMORY = timedelta(days=1)


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
                password: str | None = None, invited_by: User | None = None) -> User:
    """Create an account. Without a password and with `invited_by`, the invitation link
    is also mailed (outbox, same transaction). Raises Invalid for an unknown authority
    or role or a password against the policy, Conflict for a taken e-mail address."""
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
    if password:
        check_password(password, email, name)
    user = User(email=email, name=name.strip(), authority=authority, role=role,
                handle=new_handle(name),
                password_hash=hash_password(password) if password else None)
    db.session.add(user)
    if invited_by is not None and not password:
        db.session.flush()
        invitation_mail(user, invitation_token(user), invited_by)
    commit()
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
    """Set a new password and end every session of the account but `keep`. Raises
    Invalid when the password is against the policy (auth/passwords.py)."""
    check_password(password, user.email, user.name)
    user.password_hash = hash_password(password)
    end_sessions(user, keep=keep)
    commit()


def change_password(user: User, current: str, new: str,
                    keep: UserSession | None = None) -> None:
    """Change the password; other sessions end. Raises Invalid when the current password
    is wrong."""
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise Invalid(_("Das aktuelle Passwort ist nicht richtig."), "current")
    set_password(user, new, keep=keep)


def _since(seconds: int):
    return utcnow() - timedelta(seconds=seconds)


def _failures(**criteria):
    return (select(LoginAttempt).filter_by(succeeded=False, **criteria)
            .with_only_columns(func.count(LoginAttempt.id), func.max(LoginAttempt.at)))


def _is_known_address(email: str, ip: str) -> bool:
    """Whether this account signed in successfully from this address recently."""
    since = _since(current_app.config["LOGIN_KNOWN_ADDRESS_SECONDS"])
    return db.session.scalar(
        select(LoginAttempt.id).filter_by(email=email, ip=ip, succeeded=True)
        .where(LoginAttempt.at >= since).limit(1)) is not None


def _pair_wait(email: str, ip: str) -> timedelta | None:
    """How long this account-and-address pair must still wait: after N failures in a
    row, 1 minute, then twice as long after each further failure, up to a cap."""
    config = current_app.config
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.at)).filter_by(email=email, ip=ip, succeeded=True))
    since = max(filter(None, [last_success, utcnow() - PAIR_MEMORY]))
    count, latest = db.session.execute(
        _failures(email=email, ip=ip).where(LoginAttempt.at > since)).one()
    excess = count - config["LOGIN_MAX_FAILURES_PER_PAIR"]
    if excess < 0:
        return None
    delay = min(config["LOGIN_DELAY_SECONDS"] * 2 ** min(excess, 30),
                config["LOGIN_MAX_DELAY_SECONDS"])
    remaining = latest + timedelta(seconds=delay) - utcnow()
    return remaining if remaining > timedelta(0) else None


def check_throttle(email: str, ip: str) -> None:
    """Raise TooManyAttempts when this attempt has to wait (ASVS 2.2.1).

    An address the account recently signed in from is only held up by its own pair
    counter, so an attacker elsewhere cannot lock the owner out. Other addresses also
    meet a looser limit per account and one on how many accounts an address tries.
    """
    config = current_app.config
    wait = _pair_wait(email, ip)
    if wait is not None:
        minutes = math.ceil(wait.total_seconds() / 60)
        raise TooManyAttempts(ngettext(
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie %(num)d Minute "
            "und versuchen Sie es dann erneut.",
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie %(num)d Minuten "
            "und versuchen Sie es dann erneut.", minutes))
    if _is_known_address(email, ip):
        return
    since = _since(config["LOGIN_WINDOW_SECONDS"])
    account_failures = db.session.execute(
        _failures(email=email).where(LoginAttempt.at >= since)).one()[0]
    accounts_tried = db.session.scalar(
        select(func.count(func.distinct(LoginAttempt.email)))
        .filter_by(ip=ip, succeeded=False).where(LoginAttempt.at >= since))
    if (account_failures >= config["LOGIN_MAX_FAILURES_PER_EMAIL"]
            or accounts_tried >= config["LOGIN_MAX_ACCOUNTS_PER_IP"]):
        raise TooManyAttempts(_(
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in einer "
            "Stunde erneut oder melden Sie sich von einem Gerät an, mit dem Sie sich "
            "schon einmal angemeldet haben."))


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def authenticate(email: str, password: str, ip: str) -> User:
    """The active account with these credentials.

    Raises TooManyAttempts while this account or address has to wait, and
    BadCredentials otherwise. Every checked attempt is recorded; with a second factor,
    only its step records the success. Unknown, inactive and password-less accounts
    cost the same hash check as a wrong password, so the time taken does not tell which
    e-mail addresses have an account.
    """
    email, ip = normalise_email(email)[:254], ip[:64]
    check_throttle(email, ip)
    user = db.session.scalar(select(User).filter_by(email=email))
    stored = user.password_hash if user is not None and user.active else None
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    valid = check_password_hash(stored or _dummy_hash(method), password) and bool(stored)
    if not (valid and user.has_second_factor):
        record_attempt(email, ip, valid)
    if not valid:
        raise BadCredentials(_("E-Mail-Adresse oder Passwort sind nicht richtig."))
    return user


def pending_user(user_id: int | None, started: float | None) -> User | None:
    """The account between its password and code steps, while that step is fresh."""
    if user_id is None or started is None or (
            time.time() - started > current_app.config["SECOND_STEP_SECONDS"]):
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active and user.has_second_factor else None


def record_attempt(email: str, ip: str, succeeded: bool) -> None:
    """Record a checked sign-in step; failures drive the throttling, successes make an
    address known."""
    db.session.add(LoginAttempt(email=email[:254], ip=ip[:64], succeeded=succeeded))
    commit()


# -- "Passwort vergessen" ------------------------------------------------------------------

RESET_SALT = "password-reset"
RATE_WINDOW = timedelta(hours=1)
RATE_EVENTS_KEPT = timedelta(days=1)


def _password_fingerprint(user: User) -> str:
    """Changes with every new password: a reset token stops working once it was used,
    and when the password was changed in any other way."""
    return hashlib.sha256(f"{user.id}:{user.password_hash or ''}".encode()).hexdigest()[:20]


def password_reset_token(user: User) -> str:
    """A signed link token to set a new password: one hour, once."""
    return clock.timed_serializer(RESET_SALT).dumps(
        {"id": user.id, "pw": _password_fingerprint(user)})


def user_for_reset(token: str) -> User:
    """The account of a valid, unused, unexpired reset token; raises NotFound otherwise."""
    gone = _("Dieser Link zum Zurücksetzen des Passworts ist ungültig, abgelaufen oder "
             "wurde bereits benutzt. Bitte fordern Sie einen neuen an.")
    try:
        data = clock.timed_serializer(RESET_SALT).loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"])
    except (BadSignature, SignatureExpired):
        raise NotFound(gone) from None
    user = db.session.get(User, data.get("id")) if isinstance(data, dict) else None
    if (user is None or not user.active or user.deleted
            or data.get("pw") != _password_fingerprint(user)):
        raise NotFound(gone)
    return user


def _recent_events(kind: str, key: str) -> int:
    return db.session.scalar(select(func.count(RateEvent.id)).where(
        RateEvent.kind == kind, RateEvent.key == key,
        RateEvent.at >= clock.now() - RATE_WINDOW))


def _count_event(kind: str, key: str, limit: int) -> bool:
    """Record one request of `kind` by `key`; whether it is within `limit` per hour."""
    now = clock.now()
    db.session.execute(delete(RateEvent).where(RateEvent.at < now - RATE_EVENTS_KEPT))
    within = _recent_events(kind, key) < limit
    db.session.add(RateEvent(kind=kind, key=key[:254], at=now))
    return within


def _too_many_requests() -> TooManyAttempts:
    return TooManyAttempts(_("Zu viele Anfragen von Ihrem Anschluss. Bitte versuchen Sie es "
                             "in einer Stunde erneut."))


def request_password_reset(email: str, ip: str) -> None:
    """Mail a reset link if an active account has this address.

    Known and unknown addresses get the same answer and cost the same work (the mail
    is rendered either way, only a known address's mail goes into the outbox), so the
    form does not tell who has an account. Raises TooManyAttempts when this client
    address asked too often; a single e-mail address gets at most
    PASSWORD_RESET_PER_EMAIL mails an hour, silently.
    """
    config = current_app.config
    email, ip = normalise_email(email)[:254], ip[:64]
    if not _count_event("reset_ip", ip, config["PASSWORD_RESET_PER_ADDRESS"]):
        commit()
        raise _too_many_requests()
    within = _count_event("reset_email", email, config["PASSWORD_RESET_PER_EMAIL"])
    user = db.session.scalar(select(User).filter_by(email=email))
    known = user is not None and user.active and not user.deleted
    recipient = user if known else User(id=0, email=email, name="", password_hash=None)
    password_reset_mail(recipient, password_reset_token(recipient),
                        enqueue_it=known and within)
    commit()


def reset_password(token: str, password: str, ip: str) -> User:
    """Set a new password with a reset token; every session of the account ends.
    Raises NotFound for a bad token, Invalid against the password policy,
    TooManyAttempts after too many tries from this address."""
    within = _count_event("reset_set_ip", ip[:64],
                          current_app.config["PASSWORD_RESET_PER_ADDRESS"])
    commit()  # a wrong token counts too
    if not within:
        raise _too_many_requests()
    user = user_for_reset(token)
    set_password(user, password)
    return user
