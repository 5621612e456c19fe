"""One-time submission keys: a form that creates is saved once, however often it is sent.

Every form that creates carries a random key (forms.CreateForm). The service calls
`check` before it creates and `record` just before its commit, so the key is stored in
the same transaction as the new record. A key this user already sent raises
`AlreadySaved` naming the record the first send created; the views answer it by showing
that record. Two sends at the same moment both pass `check`; the unique constraint on
(user, key) stops the second one in `record`, which rolls it back and raises
`AlreadySaved` as well. Forms sent without a key create as before.
"""
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .models import FeedToken, Flag, Question, Reply, Reuse, Solution, Submission, User, utcnow

# Keys are only needed while someone may send the same page again.
KEEP = timedelta(days=7)
KINDS = {"question": Question, "reply": Reply, "solution": Solution, "reuse": Reuse,
         "flag": Flag, "feed_token": FeedToken}


class AlreadySaved(Exception):
    """This user's form with this key was saved before: `record` is what it created."""

    def __init__(self, submission: Submission) -> None:
        super().__init__(submission.kind, submission.target_id)
        self.record = db.session.get(KINDS[submission.kind], submission.target_id)


def _earlier(user_id: int, key: str) -> Submission | None:
    return db.session.scalar(select(Submission).filter_by(user_id=user_id, key=key))


def check(user: User, key: str | None) -> None:
    """Raise AlreadySaved when this user already created something with this key."""
    if key and (earlier := _earlier(user.id, key)) is not None:
        raise AlreadySaved(earlier)


def record(user: User, key: str | None, kind: str, target) -> None:
    """Store the key with the new `target` in the current transaction (call before the
    commit). Raises AlreadySaved, after rolling back, when a send with the same key
    committed in the meantime."""
    if not key:
        return
    user_id = user.id
    db.session.flush()  # the target's id
    try:
        with db.session.begin_nested():
            db.session.add(Submission(user_id=user_id, key=key, kind=kind,
                                      target_id=target.id))
    except IntegrityError:
        db.session.rollback()  # nothing of this send may stay
        earlier = _earlier(user_id, key)
        if earlier is None:
            raise
        raise AlreadySaved(earlier) from None
    db.session.execute(delete(Submission).where(
        Submission.user_id == user_id, Submission.created_at < utcnow() - KEEP))
