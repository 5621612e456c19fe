"""Personal feed tokens: created and revoked in the account settings, checked on every
feed request.

A feed reader cannot sign in, so each feed address carries a token of 256 bits. The
database never holds it: a row keeps a random seed and the token's SHA-256, and the
token is HMAC-SHA256(SECRET_KEY, seed). Why derived, and not shown once at creation:
the settings list the person's feed addresses and pages link their feeds (rel=alternate),
which needs the token again later. Deriving it costs no safety that the exchange has:
a copy of the database alone yields no token (the key is not in it), and whoever has
both the database and SECRET_KEY can already forge invitation links for every account
(auth/services.py), which reads far more than a feed. Changing SECRET_KEY ends every
feed token, because a request's token must match the seed under the current key too.
"""
import hashlib
import hmac
import logging
import re
import secrets
from base64 import urlsafe_b64encode
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError

from .. import submissions
from ..errors import Conflict, NotFound
from ..extensions import db
from ..models import FeedToken, User, utcnow
from ..models.unit_of_work import commit

log = logging.getLogger(__name__)

# base64url of 32 bytes without padding; anything else is not a token and never reaches
# the database (NUL bytes, over-long or odd characters).
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
LABEL_MAX = 80
TOKENS_PER_PERSON = 20
# last_used_at is written at most this often: a feed reader polling must not write on
# every request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_of(record: FeedToken) -> str:
    """The token in the record's feed addresses, derived from its seed."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, b"kitu-feed-token\x00" + record.seed.encode(), "sha256").digest()
    return urlsafe_b64encode(digest).rstrip(b"=").decode()


def feed_tokens_of(user: User) -> list[FeedToken]:
    """The person's feed tokens, newest first."""
    return list(db.session.scalars(select(FeedToken).filter_by(user_id=user.id)
                                   .order_by(FeedToken.created_at.desc(),
                                             FeedToken.id.desc())))


def create_feed_token(user: User, label: str,
                      submission_key: str | None = None) -> FeedToken:
    """A new feed token for `user`. Raises Conflict once the person has
    TOKENS_PER_PERSON tokens, AlreadySaved for a submission key sent before."""
    submissions.check(user, submission_key)
    count = db.session.scalar(select(func.count(FeedToken.id)).filter_by(user_id=user.id))
    if count >= TOKENS_PER_PERSON:
        raise Conflict(_("Sie haben bereits %(count)d Feed-Schlüssel. Bitte widerrufen Sie "
                         "zuerst einen, den Sie nicht mehr brauchen.", count=count))
    record = FeedToken(user_id=user.id, label=label.strip()[:LABEL_MAX] or _("Feedreader"),
                       seed=secrets.token_hex(32))
    record.token_hash = _hash(token_of(record))
    db.session.add(record)
    submissions.record(user, submission_key, "feed_token", record)
    commit()
    return record


def revoke_feed_token(user: User, token_id: int) -> FeedToken:
    """Delete one of the person's feed tokens: its feeds answer 404 from now on. Raises
    NotFound for a token that is not the person's or is gone already."""
    record = db.session.get(FeedToken, token_id)
    if record is None or record.user_id != user.id:
        raise NotFound(_("Diesen Feed-Schlüssel gibt es nicht (mehr)."))
    db.session.delete(record)
    commit()
    return record


def erase_feed_tokens(user: User) -> None:
    """Part of deleting an account (account/personal_data.py): the caller commits."""
    db.session.execute(delete(FeedToken).filter_by(user_id=user.id))


def record_for_token(token: str) -> FeedToken | None:
    """The feed token record of an active account, or None for anything else: a
    malformed, unknown or revoked token, a token made under another SECRET_KEY, a
    deactivated or deleted account."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    record = db.session.scalar(select(FeedToken).filter_by(token_hash=_hash(token)))
    if record is None or not hmac.compare_digest(token_of(record), token):
        return None
    user = record.user
    if not user.active or user.deleted:
        return None
    return record


def note_use(record: FeedToken) -> None:
    """Record when the token was last used (at most every few minutes). Only
    bookkeeping: a GET reads in a deferred transaction on SQLite, and if another writer
    is busy the note waits for the next request instead of failing the feed."""
    now = utcnow()
    if record.last_used_at is not None and now - record.last_used_at < LAST_USED_RESOLUTION:
        return
    record.last_used_at = now
    try:
        db.session.commit()  # no hooks: nothing another area follows changed
    except OperationalError:
        db.session.rollback()
        log.info("Feed token bookkeeping skipped: the database was busy")
