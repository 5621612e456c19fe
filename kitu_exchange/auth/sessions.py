"""Server-side sessions: one row per signed-in browser, so that every worker and host can
end a session at once (sign-out, password change, deactivation, an admin, the person).

Flask-Login keeps `User.get_id()` in the signed session cookie and in the remember
cookie; here that is a random token whose SHA-256 is the row's key. A cookie copied
before the row ended no longer finds an active row.
"""
import hashlib
import logging
import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from ..errors import NotFound
from ..extensions import db
from ..models import LoginAttempt, User, UserSession, utcnow
from ..models.unit_of_work import commit

log = logging.getLogger(__name__)

# last_seen_at is written at most this often: not a database write on every request.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)
USER_AGENT_MAX = 200
ENDED_SESSIONS_KEPT = timedelta(days=30)

_BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chromium/", "Chromium"), ("Chrome/", "Chrome"), ("Safari/", "Safari")]
_SYSTEMS = [("Android", "Android"), (re.compile(r"iPhone|iPad|iPod"), "iOS"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux")]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=current_app.config[name])


def start_session(user: User, user_agent: str, ip: str, remember: bool = False) -> str:
    """Record a new session for a completed sign-in and make it the user's current one.

    Returns the token for the cookies; a new one at every sign-in, so a session
    identifier planted before the sign-in is worth nothing afterwards.
    """
    token = secrets.token_urlsafe(32)
    prune_old_records()
    record = UserSession(token_hash=_hash(token), user=user,
                         user_agent=(user_agent or "")[:USER_AGENT_MAX],
                         ip=(ip or "")[:64], remember=remember)
    db.session.add(record)
    commit()
    user.session_token, user.current_session = token, record
    return token


def prune_old_records() -> None:
    """Keep sign-in data only as long as it serves (ASVS 8.3.8): ended sessions for 30
    days (so a person still sees a recent sign-out), sign-in attempts as long as they
    can make an address "known" to throttling. Part of the caller's unit of work."""
    now = utcnow()
    db.session.execute(delete(UserSession).where(
        UserSession.ended_at < now - ENDED_SESSIONS_KEPT))
    db.session.execute(delete(LoginAttempt).where(
        LoginAttempt.at < now - _seconds("LOGIN_KNOWN_ADDRESS_SECONDS")))


def user_for_token(token: str) -> User | None:
    """The active user of the session with this token (Flask-Login's user loader).

    Ends the session when it has been idle or alive longer than the settings allow.
    """
    now = utcnow()
    # The user comes in the same query: this runs on every request.
    record = db.session.scalar(select(UserSession)
                               .filter_by(token_hash=_hash(token), ended_at=None)
                               .options(joinedload(UserSession.user)))
    if record is None or not record.user.active:
        return None
    if (now - record.last_seen_at > _seconds("SESSION_IDLE_TIMEOUT_SECONDS")
            or now - record.created_at > _seconds("SESSION_ABSOLUTE_LIFETIME_SECONDS")):
        record.ended_at = now
        _commit_touch()
        return None
    if now - record.last_seen_at >= LAST_SEEN_RESOLUTION:
        record.last_seen_at = now
        _commit_touch()
    user = record.user
    user.session_token, user.current_session = token, record
    return user


def _commit_touch() -> None:
    """Commit a bookkeeping write made while reading (last activity, an expired end).

    On SQLite a GET request reads in a deferred transaction; if another writer committed
    meanwhile, the write fails at once. The write is only bookkeeping: the next request
    does it again, so the page must not fail for it.
    """
    try:
        db.session.commit()  # no hooks: nothing another area follows changed
    except OperationalError:
        db.session.rollback()
        log.info("Session bookkeeping skipped: the database was busy")


def end_session(record: UserSession | None) -> None:
    """End one session (sign-out)."""
    if record is not None and record.ended_at is None:
        record.ended_at = utcnow()
        commit()


def end_sessions(user: User, keep: UserSession | None = None) -> None:
    """End all of a user's sessions but `keep`; part of the caller's unit of work."""
    query = update(UserSession).where(UserSession.user_id == user.id,
                                      UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    db.session.execute(query.values(ended_at=utcnow()))


def active_sessions(user: User) -> list[UserSession]:
    """The user's running sessions, latest activity first."""
    return list(db.session.scalars(
        select(UserSession).filter_by(user_id=user.id, ended_at=None)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def end_device(user: User, session_id: int) -> UserSession:
    """End one of the user's own sessions from the devices page. Raises NotFound for a
    session that is not the user's or has already ended."""
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != user.id or record.ended_at is not None:
        raise NotFound(_("Diese Sitzung gibt es nicht (mehr)."))
    end_session(record)
    return record


def describe_user_agent(user_agent: str) -> str:
    """"Firefox auf Linux": enough for a person to recognise a device."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    system = next((name for marker, name in _SYSTEMS
                   if (marker.search(user_agent) if isinstance(marker, re.Pattern)
                       else marker in user_agent)), None)
    if browser is None:
        return _("Unbekannter Browser")
    return _("%(browser)s auf %(system)s", browser=browser, system=system) if system \
        else browser
