"""Questions and replies: asking, answering, editing, accepting, listing."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import selectinload

from .. import submissions
from ..errors import Conflict, NotAllowed, NotFound
from ..extensions import db
from ..models import Authority, Question, Reply, Solution, Tag, Topic, User, utcnow
from ..moderation.revisions import record_revision
from ..notifications import services as notifications
from ..notifications.mentions import Mentions
from ..permissions import can
from ..records import (add_with_unique_slug, audit, audit_edit_of_others, get_or_raise,
                       require)
from ..rendering import render_markdown
from ..models.unit_of_work import commit
from ..search.changes import record_change
from ..topics.services import resolve_tags, resolve_topics
from ..visibility import public_questions, public_replies, visible


@dataclass
class QuestionFilter:
    show: str = "newest"          # newest | unanswered | solved
    topic: str | None = None      # topic slug
    tag: str | None = None
    authority: str | None = None  # authority slug


def get_question(question_id: int, user: User | None = None) -> Question:
    """The question with this id; NotFound if it does not exist, was deleted, or is
    hidden from this user."""
    question = db.session.get(Question, question_id)
    if not visible(user, question):
        raise NotFound(_("Diese Frage gibt es nicht (mehr)."))
    return question


def ask_question(author: User, title: str, body: str, topic_slugs: list[str],
                 tags: str | list[str], submission_key: str | None = None) -> Question:
    """Post a question for the author's authority. Raises NotAllowed, Invalid, and
    AlreadySaved for a submission key the author sent before."""
    submissions.check(author, submission_key)
    require(author, "question.create")
    mentions = Mentions()
    question = Question(
        title=title, body=body,
        body_html=render_markdown(body, mentions), author=author,
        authority_id=author.authority_id,
        topics=resolve_topics(topic_slugs), tags=resolve_tags(tags),
    )
    add_with_unique_slug(question, title)
    record_change(question)
    submissions.record(author, submission_key, "question", question)
    notifications.follow_asked(author, question)
    notifications.notify_new_question(question, mentions)
    commit()
    return question


def edit_question(user: User, question: Question, title: str, body: str,
                  topic_slugs: list[str], tags: str | list[str], reason: str = "") -> None:
    """Change a question's text, topics and tags, keeping the previous version.

    Raises NotAllowed, Invalid.
    """
    require(user, "question.edit", question)
    record_revision(user, question, reason)
    audit_edit_of_others(user, question, reason)
    question.topics = resolve_topics(topic_slugs)
    question.tags = resolve_tags(tags)
    question.title, question.body = title, body
    mentions = Mentions()
    question.body_html = render_markdown(body, mentions)
    question.updated_at = utcnow()
    record_change(question)
    notifications.notify_edited(question, user, mentions)
    commit()


def delete_question(user: User, question: Question) -> None:
    """Remove a question from the exchange: gone for members at once (lists, search,
    counts), restorable by a moderator until `purge_deleted` removes it for good.

    Raises NotAllowed, Conflict when it is deleted already.
    """
    require(user, "question.delete", question)
    if question.deleted:
        raise Conflict(_("Diese Frage ist bereits gelöscht."))
    question.deleted_at, question.deleted_by = utcnow(), user
    audit(user, "question.delete", question)
    record_change(question)
    commit()


def add_reply(author: User, question_id: int, body: str,
              submission_key: str | None = None) -> Reply:
    """Reply to a question. Raises NotFound if the question is gone, NotAllowed, and
    AlreadySaved for a submission key the author sent before."""
    submissions.check(author, submission_key)
    question = get_question(question_id, author)
    if question.locked and not can(author, "question.bypass_lock"):
        raise NotAllowed(_("Diese Frage ist gesperrt: neue Antworten sind nicht möglich."))
    require(author, "reply.create", question)
    if question.duplicate_of_id:
        raise Conflict(_("Diese Frage ist geschlossen: neue Antworten sind nicht möglich."))
    mentions = Mentions()
    reply = Reply(question=question, body=body, body_html=render_markdown(body, mentions),
                  author=author, authority_id=author.authority_id)
    db.session.add(reply)
    # In the database, not in Python: two replies at the same moment both count (a new
    # reply is always visible; hiding and restoring recount with refresh_reply_count).
    db.session.execute(update(Question).where(Question.id == question.id)
                       .values(reply_count=Question.reply_count + 1))
    record_change(question)
    submissions.record(author, submission_key, "reply", reply)
    notifications.follow_replied(author, question)
    notifications.notify_new_reply(reply, mentions)
    commit()
    return reply


def edit_reply(user: User, reply: Reply, body: str, reason: str = "") -> None:
    """Change a reply, keeping the previous version. Raises NotAllowed, NotFound."""
    if not visible(user, reply):
        raise NotFound(_("Diese Antwort gibt es nicht (mehr)."))
    require(user, "reply.edit", reply)
    record_revision(user, reply, reason)
    audit_edit_of_others(user, reply, reason)
    mentions = Mentions()
    reply.body, reply.body_html = body, render_markdown(body, mentions)
    reply.updated_at = utcnow()
    record_change(reply.question)
    notifications.notify_edited(reply, user, mentions)
    commit()


def accept_reply(user: User, reply: Reply, replacing: int | None = None) -> None:
    """Mark a reply as the accepted one, which marks its question solved. To change the
    accepted reply, `replacing` names the one accepted now (as the page showed it).

    Raises NotAllowed unless the user asked the question (or curates), and Conflict
    when the reply is hidden or when another reply than `replacing` is accepted now
    (someone changed it meanwhile, or no change was asked for).
    """
    question = reply.question
    if not visible(user, reply):
        raise NotFound(_("Diese Antwort gibt es nicht (mehr)."))
    require(user, "question.accept", question)
    if reply.hidden:
        raise Conflict(_("Eine ausgeblendete Antwort kann nicht akzeptiert werden."))
    if question.accepted_reply_id == reply.id:
        return
    if question.accepted_reply_id is not None and question.accepted_reply_id != replacing:
        raise Conflict(_("Für diese Frage wurde bereits eine Antwort akzeptiert."))
    question.accepted_reply = reply
    record_change(question)
    notifications.notify_reply_accepted(user, reply)
    commit()


def withdraw_acceptance(user: User, reply: Reply) -> None:
    """Take back the acceptance of a reply: its question is open again.

    Raises NotAllowed unless the user asked the question (or curates), and Conflict when
    this reply is not the accepted one (any more).
    """
    question = reply.question
    if not visible(user, reply):
        raise NotFound(_("Diese Antwort gibt es nicht (mehr)."))
    require(user, "question.accept", question)
    if question.accepted_reply_id != reply.id:
        raise Conflict(_("Diese Antwort ist nicht (mehr) als Lösung akzeptiert."))
    question.accepted_reply = None
    record_change(question)
    commit()


def question_query(filters: QuestionFilter) -> Select:
    """Visible questions for a list page, newest first, with what the list shows."""
    query = (select(Question).where(public_questions())
             .options(selectinload(Question.authority), selectinload(Question.topics),
                      selectinload(Question.tags))
             .order_by(Question.created_at.desc(), Question.id.desc()))
    if filters.show == "unanswered":
        query = query.where(Question.reply_count == 0)
    elif filters.show == "solved":
        query = query.where(Question.accepted_reply_id.is_not(None))
    if filters.topic:
        query = query.where(Question.topics.any(Topic.slug == filters.topic))
    if filters.tag:
        query = query.where(Question.tags.any(Tag.name == filters.tag))
    if filters.authority:
        query = query.where(Question.authority.has(Authority.slug == filters.authority))
    return query


def question_with_replies(question_id: int, user: User | None = None) -> Question:
    """A question with its replies and their authors loaded in a fixed number of queries.

    Hidden questions are NotFound except for their author and moderators.
    """
    question = db.session.scalar(
        select(Question).where(Question.id == question_id, Question.deleted_at.is_(None))
        .options(selectinload(Question.replies).selectinload(Reply.authority),
                 selectinload(Question.replies).selectinload(Reply.author),
                 selectinload(Question.authority), selectinload(Question.author),
                 selectinload(Question.topics), selectinload(Question.tags)))
    if not visible(user, question):
        raise NotFound(_("Diese Frage gibt es nicht (mehr)."))
    return question


def get_reply(reply_id: int, user: User | None = None) -> Reply:
    """The reply with this id; NotFound if it or its question is hidden from this user."""
    reply = db.session.get(Reply, reply_id)
    if not visible(user, reply):
        raise NotFound(_("Diese Antwort gibt es nicht (mehr)."))
    return reply


def refresh_reply_count(question: Question) -> None:
    """Count the replies every member sees (lists show the number)."""
    db.session.flush()
    question.reply_count = db.session.scalar(
        select(func.count(Reply.id)).where(Reply.question_id == question.id, public_replies()))


def solution_from_question(question: Question) -> Solution | None:
    """The library solution that was made from this question, if any."""
    return db.session.scalar(select(Solution).filter_by(source_question_id=question.id))
