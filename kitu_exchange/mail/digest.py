"""`flask mail digest --period daily|weekly`: one mail per person who chose that period,
with what is new in what they follow since their last digest.

Exactly once per period and person: the mail's dedup key names the person and the
period ("digest:12:daily:2026-11-29", "digest:12:weekly:2026-W48"), and the outbox
ignores a second insert of the same key, also when two hosts run the command at the
same moment (PostgreSQL makes the second insert wait for the first and then skip it).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import selectinload

from .. import clock
from ..extensions import db
from ..models import (DigestPeriod, MailPreference, Notification, OutgoingMail, Reply,
                      Solution, User)
from ..notifications.kinds import FOLLOWED_KINDS, describe, target_url
from ..visibility import public_questions, public_replies, public_solutions
from .links import site_context
from .messages import mail_user

PERIODS = {DigestPeriod.DAILY: timedelta(days=1), DigestPeriod.WEEKLY: timedelta(days=7)}
# People per transaction: the outbox rows of a batch become visible together.
BATCH = 100
# Entries per digest; the rest is in the app's notification list.
DIGEST_MAX = 30


@dataclass(frozen=True)
class DigestItem:
    """One entry of a digest: what happened, as a sentence, and the page it leads to."""

    text: str
    url: str


def _public() -> ColumnElement[bool]:
    """Conditions: the notification is about posts every member may open now (a post
    hidden or unpublished since the notification was written is left out)."""
    return and_(
        or_(Notification.question_id.is_(None), Notification.question.has(public_questions())),
        or_(Notification.reply_id.is_(None), Notification.reply.has(and_(
            public_replies(), Reply.question.has(public_questions())))),
        or_(Notification.solution_id.is_(None), Notification.solution.has(public_solutions())))


def digest_items_for(since: dict[int, datetime]) -> dict[int, list[DigestItem]]:
    """What is new for each person (id -> since) in what they follow: their unread
    notifications of the followed kinds (new questions and solutions in followed topics,
    tags and authorities, replies on followed questions, re-use of followed solutions),
    newest first, at most DIGEST_MAX each, only about public posts.

    One windowed query for all the people given, and one load of what the sentences
    need: a digest run costs a few queries per hundred people, not per person."""
    if not since:
        return {}
    newest = func.row_number().over(partition_by=Notification.recipient_id,
                                    order_by=(Notification.created_at.desc(),
                                              Notification.id.desc())).label("rank")
    ranked = (select(Notification.id, Notification.recipient_id, Notification.created_at,
                     newest)
              .where(Notification.recipient_id.in_(list(since)),
                     Notification.kind.in_([str(kind) for kind in FOLLOWED_KINDS]),
                     Notification.read_at.is_(None),
                     Notification.created_at > min(since.values()), _public())
              .subquery())
    chosen = [row.id for row in db.session.execute(
        select(ranked.c.id, ranked.c.recipient_id, ranked.c.created_at)
        .where(ranked.c.rank <= DIGEST_MAX))
        if row.created_at > since[row.recipient_id]]
    rows = db.session.scalars(
        select(Notification).where(Notification.id.in_(chosen))
        .options(selectinload(Notification.actor).selectinload(User.authority),
                 selectinload(Notification.question),
                 selectinload(Notification.reply).selectinload(Reply.question),
                 selectinload(Notification.solution).selectinload(Solution.authority),
                 selectinload(Notification.authority))
        .order_by(Notification.created_at.desc(), Notification.id.desc())).all()
    items: dict[int, list[DigestItem]] = {user_id: [] for user_id in since}
    with site_context():
        for row in rows:
            items[row.recipient_id].append(
                DigestItem(describe(row), target_url(row, external=True)))
    return items


def digest_items(user: User, since: datetime) -> list[DigestItem]:
    """What is new for `user` since `since` in what they follow (see digest_items_for)."""
    return digest_items_for({user.id: since})[user.id]


def period_key(period: str, now: datetime) -> str:
    if period == DigestPeriod.DAILY:
        return f"daily:{now.date().isoformat()}"
    year, week, _day = now.isocalendar()
    return f"weekly:{year}-W{week:02d}"


def recipients(period: str):
    """Active people whose digest choice is `period` (weekly when they chose nothing)."""
    choice = func.coalesce(MailPreference.digest, DigestPeriod.WEEKLY)
    return (select(User).outerjoin(MailPreference, MailPreference.user_id == User.id)
            .where(User.active.is_(True), User.deleted_at.is_(None),
                   User.password_hash.is_not(None), choice == period)
            .order_by(User.id))


def last_digests() -> dict[int, datetime]:
    """When each person's last digest was written."""
    return dict(db.session.execute(
        select(OutgoingMail.user_id, func.max(OutgoingMail.created_at))
        .where(OutgoingMail.category == "digest", OutgoingMail.user_id.is_not(None))
        .group_by(OutgoingMail.user_id)).all())


def build_digests(period: str) -> int:
    """Put one digest mail per person of this period into the outbox; the number added
    (people with nothing new get none; a second run of the same period adds none)."""
    period = DigestPeriod(period)
    length = PERIODS[period]
    now = clock.now()
    key = period_key(period, now)
    last = last_digests()
    user_ids = list(db.session.scalars(recipients(period).with_only_columns(User.id)))
    subject = (_("Ihre tägliche Zusammenfassung von KITU Exchange")
               if period == DigestPeriod.DAILY
               else _("Ihre wöchentliche Zusammenfassung von KITU Exchange"))
    added = 0
    for start in range(0, len(user_ids), BATCH):
        people = list(db.session.scalars(select(User).where(
            User.id.in_(user_ids[start:start + BATCH])).order_by(User.id)))
        # Since the last digest, but never more than two periods back (a person who
        # switched from weekly to daily gets a week once, not a year).
        since = {user.id: max(last.get(user.id) or now - length, now - 2 * length)
                 for user in people}
        # The next digest starts where this one's query began.
        at = clock.now()
        news = digest_items_for(since)
        for user in people:
            if not news[user.id]:
                continue
            added += mail_user(user, category="digest", template="digest", subject=subject,
                               dedup_key=f"digest:{user.id}:{key}", items=news[user.id],
                               since=since[user.id], period=period, at=at)
        # Only outbox rows: nothing another area follows changed.
        db.session.commit()
    return added
