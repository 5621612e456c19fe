"""Feed addresses: /feeds/<token>/… answers an Atom document to a feed reader.

A feed request is not a session: it is exempt from signing in (web.PUBLIC_BLUEPRINTS),
never reads or writes the session, sets no cookie, and is cached only privately. Every
answer other than a feed is empty, so an unknown, revoked or malformed token, or one of
a deactivated account, learns nothing (not even whether a topic exists).
"""
import hashlib
import threading
import time
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, request
from sqlalchemy import select

from ..extensions import db
from ..models import Authority, Tag, Topic
from . import entries as feeds
from .atom import atom_document
from .tokens import note_use, record_for_token

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

SITE_NAME = "KITU Exchange"
ATOM = "application/atom+xml; charset=utf-8"


class _RateLimit:
    """At most `FEED_REQUESTS_PER_MINUTE` feed requests per token and minute, counted
    in this process (a fixed window). Readers poll a few feeds every quarter hour or
    so; the limit stops a runaway script or a leaked address from keeping a worker
    busy. Per process means N workers allow up to N times the limit: the aim is to cap
    the load, not to count exactly."""

    def __init__(self):
        self.lock = threading.Lock()
        self.windows: dict[str, tuple[int, int]] = {}

    def allow(self, key: str, per_minute: int) -> int:
        """0 if the request may go on, else the seconds until the next window."""
        now = time.monotonic()
        window = int(now // 60)
        with self.lock:
            if len(self.windows) > 10_000:  # forget old windows instead of growing
                self.windows = {k: v for k, v in self.windows.items() if v[0] == window}
            start, count = self.windows.get(key, (window, 0))
            if start != window:
                start, count = window, 0
            if count >= per_minute:
                return int(60 - now % 60) + 1
            self.windows[key] = (start, count + 1)
            return 0


_limit = _RateLimit()


def _empty(status: int, **headers) -> Response:
    return Response(b"", status=status, headers={"Cache-Control": "no-store", **headers})


def _serve(token: str, build):
    """Check the token, then answer `build(owner, limit)` as Atom (or 304, 404, 429)."""
    record = record_for_token(token)
    if record is None:
        return _empty(404)
    wait = _limit.allow(record.token_hash, current_app.config["FEED_REQUESTS_PER_MINUTE"])
    if wait:
        return _empty(429, **{"Retry-After": str(wait)})
    feed = build(record.user, current_app.config["FEED_ENTRIES"])
    if feed is None:
        return _empty(404)
    body = atom_document(feed, request.base_url, _id_prefix(), SITE_NAME)
    note_use(record)
    response = Response(body, content_type=ATOM)
    # Private: only the reader's own cache; no-cache: it asks again each time, so a post
    # hidden since is gone at once, and the ETag makes an unchanged feed a 304.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


def _id_prefix() -> str:
    """Entry ids are tag URIs (RFC 4151) of the site's public host name, so that they
    stay the same whichever address a reader uses."""
    host = (urlsplit(current_app.config.get("BASE_URL") or "").hostname
            or request.host.split(":")[0] or "localhost")
    return f"tag:{host},2026:kitu-exchange/"


def _by(model, column, value):
    return db.session.scalar(select(model).where(column == value))


@bp.route("/<token>/loesungen.atom")
def solutions(token: str):
    return _serve(token, feeds.solutions_feed)


@bp.route("/<token>/best-practice.atom")
def best_practice(token: str):
    return _serve(token, feeds.best_practice_feed)


@bp.route("/<token>/fragen.atom")
def questions(token: str):
    return _serve(token, feeds.questions_feed)


@bp.route("/<token>/gefolgt.atom")
def following(token: str):
    return _serve(token, feeds.following_feed)


@bp.route("/<token>/themen/<slug>.atom")
def topic(token: str, slug: str):
    def build(owner, limit):
        found = _by(Topic, Topic.slug, slug[:80])
        return found and feeds.topic_feed(owner, found, limit)
    return _serve(token, build)


@bp.route("/<token>/schlagwoerter/<name>.atom")
def tag(token: str, name: str):
    def build(owner, limit):
        found = _by(Tag, Tag.name, name[:60])
        return found and feeds.tag_feed(owner, found, limit)
    return _serve(token, build)


@bp.route("/<token>/kommunen/<slug>.atom")
def authority(token: str, slug: str):
    def build(owner, limit):
        found = _by(Authority, Authority.slug, slug[:80])
        return found and feeds.authority_feed(owner, found, limit)
    return _serve(token, build)

from . import links  # noqa: E402,F401  (registers the template helpers on bp)
