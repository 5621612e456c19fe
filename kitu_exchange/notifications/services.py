"""Follows, notifications and their fan-out.

The acting services (forum, library, moderation) call the `notify_*` functions before
their commit, so a notification is written in the same transaction as its event and is
never told about an event that rolled back. Fan-out is one INSERT ... SELECT per step,
whatever the number of followers. Nobody is told of their own action, nobody who is
inactive or deleted, and nobody about a post they could not open: followers are only
told about public posts, direct recipients are checked with `visibility.visible`, and the
list checks again when it is read (a post may be hidden later).

Other areas react to new notifications through the blinker signal
`notification_created`, sent once per batch (one INSERT, one kind) within the
transaction, before the commit:

    notification_created.send(app, notifications=batch, kind=kind)

`batch` is a sequence of flushed Notification objects with ids (`Batch`: `batch.ids`
and `batch.kind` without loading; the objects are loaded on first access).
"""
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from blinker import Namespace
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import (Integer, Select, String, Text, and_, bindparam, delete,
                        false, func, insert, or_, select, update)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from ..errors import NotFound
from ..extensions import db
from ..models import (Authority, Follow, FollowKind, Notification, Question, Reply, Reuse,
                      Solution, Tag, Topic, User, utcnow)
from ..models.unit_of_work import commit
from ..visibility import (is_public, questions_visible_to, replies_visible_to,
                          solutions_visible_to, visible)
from .kinds import Kind

notification_created = Namespace().signal("notification-created")

Post = Question | Reply | Solution
REVIEW_KINDS = {"publish": Kind.SOLUTION_PUBLISHED, "best_practice": Kind.SOLUTION_BEST_PRACTICE,
                "send_back": Kind.SOLUTION_SENT_BACK, "archive": Kind.SOLUTION_ARCHIVED}
MENTION_KINDS = (Kind.MENTION, Kind.AUTHORITY_MENTION)
FOLLOW_MODELS = {FollowKind.QUESTION: Question, FollowKind.SOLUTION: Solution,
                 FollowKind.TOPIC: Topic, FollowKind.TAG: Tag,
                 FollowKind.AUTHORITY: Authority}


# -- follows ---------------------------------------------------------------------------

def _follow_target(user: User, kind: str, target_id: int):
    model = FOLLOW_MODELS.get(kind)
    target = db.session.get(model, target_id) if model else None
    if target is None or (isinstance(target, (Question, Solution)) and not visible(user, target)):
        raise NotFound(_("Dem, was Sie folgen möchten, gibt es nicht (mehr)."))
    return target


def _add_follow(user: User, kind: str, target_id: int) -> None:
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[db.session.get_bind().dialect.name]
    db.session.execute(dialect.insert(Follow.__table__).values(
        user_id=user.id, target_kind=str(kind), target_id=target_id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "target_kind", "target_id"]))


def follow(user: User, kind: str, target_id: int) -> None:
    """Follow a question, solution, topic, tag or authority (again: no change).

    Raises NotFound for an unknown kind or target, or a post the user cannot open.
    """
    _follow_target(user, kind, target_id)
    _add_follow(user, kind, target_id)
    commit()


def unfollow(user: User, kind: str, target_id: int) -> None:
    """Stop following; following nothing of the kind is no error."""
    db.session.execute(delete(Follow).filter_by(user_id=user.id, target_kind=str(kind),
                                                target_id=target_id))
    commit()


def is_following(user: User, kind: str, target_id: int) -> bool:
    return db.session.scalar(select(Follow.id).filter_by(
        user_id=user.id, target_kind=str(kind), target_id=target_id)) is not None


# Automatic follows, each switchable in the settings; part of the caller's unit of work.

def follow_asked(user: User, question: Question) -> None:
    if user.follow_on_ask:
        _add_follow(user, FollowKind.QUESTION, question.id)


def follow_replied(user: User, question: Question) -> None:
    if user.follow_on_reply:
        _add_follow(user, FollowKind.QUESTION, question.id)


def follow_reused(user: User, solution: Solution) -> None:
    if user.follow_on_reuse:
        _add_follow(user, FollowKind.SOLUTION, solution.id)


def followed(user: User) -> list[tuple[str, object]]:
    """What the user follows, as (kind, target) pairs, by kind and name; posts the user
    can no longer open are left out."""
    rows = db.session.execute(select(Follow.target_kind, Follow.target_id)
                              .filter_by(user_id=user.id).order_by(Follow.created_at)).all()
    result = []
    for kind in FollowKind:
        ids = [target_id for target_kind, target_id in rows if target_kind == kind]
        if not ids:
            continue
        model = FOLLOW_MODELS[kind]
        targets = db.session.scalars(select(model).where(model.id.in_(ids))).all()
        targets = [t for t in targets
                   if not isinstance(t, (Question, Solution)) or visible(user, t)]
        targets.sort(key=lambda t: (getattr(t, "title", None) or t.name).lower())
        result.extend((kind, target) for target in targets)
    return result


def save_auto_follow(user: User, on_ask: bool, on_reply: bool, on_reuse: bool) -> None:
    """Switch automatic following on asking, replying and recording re-use."""
    user.follow_on_ask, user.follow_on_reply = bool(on_ask), bool(on_reply)
    user.follow_on_reuse = bool(on_reuse)
    commit()


# -- creating notifications ------------------------------------------------------------

class Batch(Sequence):
    """The notifications that one INSERT made, all of one kind. The rows are loaded as
    Notification objects only when a receiver first reads them, so that a receiver that
    wants other kinds costs nothing for a fan-out to hundreds of followers."""

    def __init__(self, kind: Kind, ids: list[int]) -> None:
        self.kind, self.ids = kind, ids
        self._loaded: list[Notification] | None = None

    def _load(self) -> list[Notification]:
        if self._loaded is None:
            self._loaded = list(db.session.scalars(
                select(Notification).where(Notification.id.in_(self.ids))
                .order_by(Notification.id)))
        return self._loaded

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        return self._load()[index]

    def __repr__(self) -> str:
        return f"<Batch {self.kind} x{len(self.ids)}>"


def _created(kind: Kind, ids: list[int]) -> list[Batch]:
    """Tell the other areas about one batch (the mail outbox subscribes)."""
    if not ids:
        return []
    batch = Batch(kind, ids)
    notification_created.send(current_app._get_current_object(), notifications=batch,
                              kind=kind)
    return [batch]


def _insert(kind: Kind, recipients: Select, actor: User | None, *,
            question: Question | None = None, reply: Reply | None = None,
            solution: Solution | None = None, authority: Authority | None = None,
            note: str = "", once_per: tuple[Kind, ...] | None = None) -> list[Batch]:
    """One INSERT ... SELECT: a notification of `kind` for each active user among
    `recipients` (a select of user ids) but the actor, unless the user already has one
    of the kinds `once_per` about this post."""
    target = {"question_id": question.id if question else None,
              "reply_id": reply.id if reply else None,
              "solution_id": solution.id if solution else None}
    columns = Notification.__table__.c
    values = {
        "kind": bindparam("kind", str(kind), String),
        "actor_id": bindparam("actor_id", actor.id if actor else None, Integer),
        **{name: bindparam(name, value, Integer) for name, value in target.items()},
        "authority_id": bindparam("authority_id", authority.id if authority else None,
                                  Integer),
        "note": bindparam("note", note or "", Text),
        "created_at": bindparam("created_at", utcnow(), columns["created_at"].type),
    }
    # The recipients drive the join (one pass over the follows, then the accounts by
    # key): as `User.id IN (...)` PostgreSQL, without statistics for young tables, ran
    # the follow scan once per account.
    candidates = recipients.distinct().subquery()
    recipient = list(candidates.c)[0]
    chosen = (select(recipient.label("recipient_id"), *(v.label(k) for k, v in values.items()))
              .join_from(candidates, User, User.id == recipient)
              .where(User.active.is_(True), User.deleted_at.is_(None)))
    if once_per:
        # Who already heard of this post: few, found by the post's index. A correlated
        # NOT EXISTS here let PostgreSQL, with statistics of a young table, scan the
        # whole notification table once per candidate.
        told = _already_told(target, once_per)
        if told:
            chosen = chosen.where(User.id.not_in(told))
    if actor is not None:
        chosen = chosen.where(User.id != actor.id)
    statement = (insert(Notification)
                 .from_select(["recipient_id", *values], chosen)
                 .returning(Notification.id))
    return _created(kind, list(db.session.scalars(statement)))


def _already_told(target: dict, kinds: tuple[Kind, ...]) -> list[int]:
    # A notification is about exactly one post: one of the three columns is set.
    name, post_id = next((name, value) for name, value in target.items() if value is not None)
    return list(db.session.scalars(
        select(Notification.recipient_id).distinct()
        .where(Notification.__table__.c[name] == post_id,
               Notification.kind.in_([str(kind) for kind in kinds]))))


def _direct(kind: Kind, recipient: User | None, actor: User | None, post: Post, *,
            note: str = "", authority: Authority | None = None,
            once_per: tuple[Kind, ...] | None = None) -> list[Batch]:
    """Notify one person about a post they can open."""
    if recipient is None or not visible(recipient, post):
        return []
    return _insert(kind, select(bindparam("one", recipient.id, Integer).label("user_id")), actor,
                   note=note, authority=authority, once_per=once_per, **_about(post))


def _about(post: Post) -> dict:
    if isinstance(post, Reply):
        return {"reply": post}
    if isinstance(post, Question):
        return {"question": post}
    return {"solution": post}


def _followers(*conditions) -> Select:
    return select(Follow.user_id).where(or_(false(), *conditions))


def _follows(kind: FollowKind, ids: list[int]):
    return and_(Follow.target_kind == str(kind), Follow.target_id.in_(ids)) if ids else false()


def _in_topics_tags_authority(post: Question | Solution) -> Select:
    return _followers(_follows(FollowKind.TOPIC, [t.id for t in post.topics]),
                      _follows(FollowKind.TAG, [t.id for t in post.tags]),
                      _follows(FollowKind.AUTHORITY, [post.authority_id]))


def notify_new_question(question: Question, mentions=None) -> list[Batch]:
    """A new question: mentioned people, then followers of its topics, tags and
    authority."""
    db.session.flush()
    created = _mentioned(question.author, question, mentions)
    if is_public(question):
        created += _insert(Kind.NEW_QUESTION, _in_topics_tags_authority(question),
                           question.author, question=question,
                           once_per=(Kind.NEW_QUESTION, *MENTION_KINDS))
    return created


def notify_new_reply(reply: Reply, mentions=None) -> list[Batch]:
    """A new reply: the asker, mentioned people, then followers of the question."""
    db.session.flush()
    question, actor = reply.question, reply.author
    created = _direct(Kind.QUESTION_REPLY, question.author, actor, reply)
    created += _mentioned(actor, reply, mentions, also=(Kind.QUESTION_REPLY,))
    if is_public(reply):
        created += _insert(Kind.FOLLOWED_REPLY,
                           _followers(_follows(FollowKind.QUESTION, [question.id])),
                           actor, reply=reply,
                           once_per=(Kind.FOLLOWED_REPLY, Kind.QUESTION_REPLY, *MENTION_KINDS))
    return created


def notify_edited(post: Post, editor: User, mentions=None) -> list[Batch]:
    """An edit may mention people who were not mentioned before."""
    db.session.flush()
    return _mentioned(editor, post, mentions)


def notify_reply_accepted(actor: User, reply: Reply) -> list[Batch]:
    return _direct(Kind.REPLY_ACCEPTED, reply.author, actor, reply,
                            once_per=(Kind.REPLY_ACCEPTED,))


def notify_solution_public(actor: User, solution: Solution) -> list[Batch]:
    """A solution became public: followers of its topics, tags and authority, once per
    solution (a solution archived and published again is not news)."""
    if not is_public(solution):
        return []
    db.session.flush()
    recipients = _in_topics_tags_authority(solution)
    if solution.author_id is not None:
        recipients = recipients.where(Follow.user_id != solution.author_id)
    return _insert(Kind.NEW_SOLUTION, recipients, actor, solution=solution,
                            once_per=(Kind.NEW_SOLUTION,))


def notify_review(moderator: User, solution: Solution, decision: str,
                  comment: str = "") -> list[Batch]:
    """A review decision tells the author; a publication tells the followers."""
    db.session.flush()
    created = _direct(REVIEW_KINDS[decision], solution.author, moderator, solution,
                      note=comment if decision == "send_back" else "")
    if decision in ("publish", "best_practice"):
        created += notify_solution_public(moderator, solution)
    return created


def notify_change_review(moderator: User, solution: Solution, editor: User | None,
                         approved: bool, comment: str = "") -> list[Batch]:
    kind = Kind.CHANGE_APPROVED if approved else Kind.CHANGE_SENT_BACK
    return _direct(kind, editor, moderator, solution,
                            note="" if approved else comment)


def notify_reuse(actor: User, reuse: Reuse) -> list[Batch]:
    """Another authority re-uses a solution: its author and its followers."""
    db.session.flush()
    solution = reuse.solution
    authority = db.session.get(Authority, reuse.authority_id)
    created = _direct(Kind.SOLUTION_REUSED, solution.author, actor, solution,
                      authority=authority, once_per=(Kind.SOLUTION_REUSED,))
    if is_public(solution):
        recipients = _followers(_follows(FollowKind.SOLUTION, [solution.id]))
        if solution.author_id is not None:
            recipients = recipients.where(Follow.user_id != solution.author_id)
        created += _insert(Kind.FOLLOWED_SOLUTION_REUSED, recipients, actor,
                           solution=solution, authority=authority,
                           once_per=(Kind.FOLLOWED_SOLUTION_REUSED,))
    return created


def notify_hidden(moderator: User, post: Post, reason: str) -> list[Batch]:
    """The author of a hidden post learns why (authors still see their hidden posts)."""
    db.session.flush()
    return _direct(Kind.POST_HIDDEN, post.author, moderator, post, note=reason)


def notify_flag_resolved(moderator: User, post: Post | None, outcome: str) -> list[Batch]:
    """A flag on someone's post was dismissed or the post edited ("dismissed",
    "edited"); hiding tells the author through notify_hidden instead."""
    if post is None:
        return []
    db.session.flush()
    return _direct(Kind.FLAG_RESOLVED, post.author, moderator, post, note=outcome)


def _mentioned(actor: User, post: Post, mentions,
               also: tuple[Kind, ...] = ()) -> list[Batch]:
    """People mentioned by @handle, and the followers among the members of an authority
    mentioned by @slug; once per person and post."""
    if mentions is None or not is_public(post):
        return []
    created = []
    if mentions.users:
        created += _insert(Kind.MENTION, select(User.id).where(User.id.in_(mentions.users)),
                           actor, once_per=(Kind.MENTION, *also), **_about(post))
    for authority in mentions.authorities.values():
        members = (select(Follow.user_id).join(User, User.id == Follow.user_id)
                   .where(Follow.target_kind == str(FollowKind.AUTHORITY),
                          Follow.target_id == authority.id,
                          User.authority_id == authority.id))
        created += _insert(Kind.AUTHORITY_MENTION, members, actor, authority=authority,
                           once_per=(*MENTION_KINDS, *also), **_about(post))
    return created


# -- reading ---------------------------------------------------------------------------

def shown_to(user: User):
    """Conditions: the user's notifications about what they can open now."""
    return and_(
        Notification.recipient_id == user.id,
        or_(Notification.question_id.is_(None),
            Notification.question.has(questions_visible_to(user))),
        or_(Notification.reply_id.is_(None),
            Notification.reply.has(replies_visible_to(user))),
        or_(Notification.solution_id.is_(None),
            Notification.solution.has(solutions_visible_to(user))),
    )


def notifications_query(user: User) -> Select:
    """The user's notifications, newest first, with what their sentences need."""
    return (select(Notification).where(shown_to(user))
            .options(selectinload(Notification.actor).selectinload(User.authority),
                     selectinload(Notification.question),
                     selectinload(Notification.reply).selectinload(Reply.question),
                     selectinload(Notification.solution).selectinload(Solution.authority),
                     selectinload(Notification.authority))
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


@dataclass(frozen=True)
class _AnyViewer:
    """Stands for a user of a role while a statement is built: the id is a parameter."""
    role: str
    id = bindparam("viewer_id")
    active = True
    is_authenticated = True


@functools.cache
def _unread_statement(role: str) -> Select:
    return (select(func.count(Notification.id))
            .where(shown_to(_AnyViewer(role)), Notification.read_at.is_(None)))


def unread_count(user: User) -> int:
    """The bell's number, on every page. The statement (visibility of each notification's
    post) is built once per role: building it was 4 % of a worker's CPU under load."""
    return db.session.scalar(_unread_statement(user.role), {"viewer_id": user.id})


def get_notification(user: User, notification_id: int) -> Notification:
    """One of the user's notifications; NotFound for another's, or one about a post
    the user can no longer open."""
    notification = db.session.scalar(select(Notification).where(
        Notification.id == notification_id, shown_to(user)))
    if notification is None:
        raise NotFound(_("Diese Benachrichtigung gibt es nicht (mehr)."))
    return notification


def mark_read(notification: Notification) -> None:
    """Mark one notification read; a bookkeeping write that a busy SQLite database may
    skip (the page that opens it must not fail for it)."""
    if notification.read_at is None:
        notification.read_at = utcnow()
        commit()


def mark_all_read(user: User) -> int:
    """Mark all of the user's notifications read; the number marked."""
    marked = db.session.execute(
        update(Notification).where(Notification.recipient_id == user.id,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow())).rowcount
    commit()
    return marked


def erase_of(user: User) -> None:
    """Account deletion: follows, notifications and the mention handle go."""
    db.session.execute(delete(Follow).filter_by(user_id=user.id))
    db.session.execute(delete(Notification).filter_by(recipient_id=user.id))
    user.handle = None


def follows_export(user: User) -> list[dict]:
    """The person's follows, for the data export."""
    return [{"target_kind": kind, "target_id": target_id, "created_at": at.isoformat()}
            for kind, target_id, at in db.session.execute(
                select(Follow.target_kind, Follow.target_id, Follow.created_at)
                .filter_by(user_id=user.id).order_by(Follow.id))]


def notifications_export(user: User) -> list[dict]:
    """The person's notifications, for the data export (the actor's name is another
    person's data and stays out)."""
    columns = ("kind", "question_id", "reply_id", "solution_id", "authority_id", "note",
               "created_at", "read_at")
    return [{name: value.isoformat() if hasattr(value, "isoformat") else value
             for name, value in zip(columns, row)}
            for row in db.session.execute(
                select(*(getattr(Notification, name) for name in columns))
                .filter_by(recipient_id=user.id).order_by(Notification.id))]
