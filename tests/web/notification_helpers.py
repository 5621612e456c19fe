"""Reading notifications and follows back from the database, for the tests of issue 9."""
import re

from kitu_exchange.extensions import db
from kitu_exchange.models import Follow, Notification, Tag, Topic, User
from kitu_exchange.notifications.kinds import describe

BELL = re.compile(r'<a class="kern-link kern-link--small bell" href="/benachrichtigungen"[^>]*>'
                  r'.*?<span class="visually-hidden">Benachrichtigungen(?:, (\d+) ungelesen)?'
                  r'</span>.*?</a>', re.S)


def kinds_of(app, email: str) -> list[str]:
    """The kinds of all notifications stored for this person, oldest first."""
    with app.app_context():
        user = db.session.query(User).filter_by(email=email).one()
        return list(db.session.scalars(db.select(Notification.kind)
                                       .filter_by(recipient_id=user.id)
                                       .order_by(Notification.id)))


def sentences_of(app, email: str) -> list[str]:
    with app.test_request_context():
        user = db.session.query(User).filter_by(email=email).one()
        return [describe(n) for n in db.session.scalars(
            db.select(Notification).filter_by(recipient_id=user.id).order_by(Notification.id))]


def all_notifications(app) -> list[tuple[str, str]]:
    """(recipient e-mail, kind) of every notification."""
    with app.app_context():
        return [(email, kind) for email, kind in db.session.execute(
            db.select(User.email, Notification.kind)
            .join(User, User.id == Notification.recipient_id).order_by(Notification.id))]


def unread_in_header(html: str) -> int:
    """The unread count the header's bell link shows (0 without a count)."""
    match = BELL.search(html)
    assert match, "no notifications link in the header"
    return int(match.group(1) or 0)


def id_of(app, model, **by) -> int:
    with app.app_context():
        return db.session.scalars(db.select(model.id).filter_by(**by)).one()


def topic_id(app, slug="drucker-kopierer") -> int:
    return id_of(app, Topic, slug=slug)


def tag_id(app, name: str) -> int:
    return id_of(app, Tag, name=name)


def follows_of(app, email: str) -> set[tuple[str, int]]:
    with app.app_context():
        user = db.session.query(User).filter_by(email=email).one()
        return {(f.target_kind, f.target_id)
                for f in db.session.scalars(db.select(Follow).filter_by(user_id=user.id))}


def follow(auth, kind: str, target_id: int, token_from: str = "/"):
    return auth.post("/folgen", {"kind": kind, "target_id": str(target_id)},
                     token_from=token_from)


def follow_as(app, email: str, kind: str, target_id: int) -> None:
    """Set up a follow through the real service (the web path has tests of its own)."""
    from kitu_exchange.notifications import services

    with app.app_context():
        services.follow(db.session.query(User).filter_by(email=email).one(), kind, target_id)
