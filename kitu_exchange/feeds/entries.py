"""What each feed lists: the newest public questions, solutions and replies of a kind.

Every feed is built from the visibility rule's public conditions (`public_questions()`,
`public_solutions()`, `public_replies()`), and each entry is checked once more with
`visible()` for the token's owner, on every request: a post hidden, deleted, sent back
or archived after a reader fetched it is gone from the next fetch. Drafts and solutions
in review are not public, so no feed lists them, not even their author's.
"""
from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (Authority, Follow, FollowKind, Question, Reply, Solution,
                      SolutionStatus, Tag, Topic, User)
from ..rendering import excerpt, html_to_text
from ..visibility import public_questions, public_replies, public_solutions, visible

SUMMARY_LENGTH = 400
# A summary needs the start of a text only: parsing the first few kB of its HTML instead
# of up to 20,000 characters keeps a feed of 50 long posts quick.
SUMMARY_SOURCE = 4 * SUMMARY_LENGTH


def _summary(fragment: str) -> str:
    return excerpt(html_to_text(fragment[:SUMMARY_SOURCE]), SUMMARY_LENGTH)


@dataclass
class Entry:
    key: str                 # stable part of the entry's id, e.g. "frage/12"
    title: str
    link: str
    author: str
    author_uri: str
    published: datetime
    updated: datetime
    summary: str
    categories: list[tuple[str, str]] = field(default_factory=list)  # (slug, name)


@dataclass
class Feed:
    key: str                 # stable part of the feed's id, e.g. "themen/drucker"
    title: str
    page: str                # the page this feed follows (its alternate link)
    entries: list[Entry]


def _authority_uri(authority: Authority) -> str:
    return url_for("authorities.profile", slug=authority.slug, _external=True)


def _person(user: User | None, authority: Authority) -> str:
    """Credited as the question page credits: the person's name and authority."""
    name = user.display_name if user is not None else _("Mitglied")
    return f"{name}, {authority.name}"


def _latest(*moments: datetime | None) -> datetime:
    return max(moment for moment in moments if moment is not None)


def _question_entry(question: Question) -> Entry:
    return Entry(
        key=f"frage/{question.id}", title=question.title,
        link=url_for("forum.question", question_id=question.id, slug=question.slug,
                     _external=True),
        author=_person(question.author, question.authority),
        author_uri=_authority_uri(question.authority),
        published=question.created_at,
        updated=_latest(question.created_at, question.updated_at),
        summary=_summary(question.body_html),
        categories=[(topic.slug, topic.name) for topic in question.topics])


def _solution_entry(solution: Solution) -> Entry:
    label = _("Best Practice") if solution.best_practice else _("Lösung")
    return Entry(
        key=f"loesung/{solution.id}", title=f"{label}: {solution.title}",
        link=url_for("library.solution", slug=solution.slug, _external=True),
        # The library credits solutions to their authority, not to a person.
        author=solution.authority.name, author_uri=_authority_uri(solution.authority),
        published=_published(solution),
        updated=_latest(solution.created_at, solution.updated_at, solution.last_reviewed_at),
        summary=_summary(solution.situation_html or solution.approach_html),
        categories=[(topic.slug, topic.name) for topic in solution.topics])


def _reply_entry(reply: Reply) -> Entry:
    question = reply.question
    return Entry(
        key=f"antwort/{reply.id}",
        title=_("Antwort auf: %(title)s", title=question.title),
        link=url_for("forum.question", question_id=question.id, slug=question.slug,
                     _anchor=f"antwort-{reply.id}", _external=True),
        author=_person(reply.author, reply.authority),
        author_uri=_authority_uri(reply.authority),
        published=reply.created_at, updated=_latest(reply.created_at, reply.updated_at),
        summary=_summary(reply.body_html))


def _published(solution: Solution):
    # A solution is new to readers when a moderator published it, not when its author
    # began the draft; last_reviewed_at is that moment (or a later review).
    return solution.last_reviewed_at or solution.created_at


_SOLUTION_MOMENT = func.coalesce(Solution.last_reviewed_at, Solution.created_at)


def questions_where(*conditions, limit: int) -> list[Question]:
    return list(db.session.scalars(
        select(Question).where(public_questions(), *conditions)
        .options(selectinload(Question.authority), selectinload(Question.author),
                 selectinload(Question.topics))
        .order_by(Question.created_at.desc(), Question.id.desc()).limit(limit)))


def solutions_where(*conditions, limit: int) -> list[Solution]:
    return list(db.session.scalars(
        select(Solution).where(public_solutions(), *conditions)
        .options(selectinload(Solution.authority), selectinload(Solution.topics))
        .order_by(_SOLUTION_MOMENT.desc(), Solution.id.desc()).limit(limit)))


def replies_where(*conditions, limit: int) -> list[Reply]:
    return list(db.session.scalars(
        select(Reply).join(Reply.question).where(public_replies(), public_questions(),
                                                 *conditions)
        .options(selectinload(Reply.authority), selectinload(Reply.author),
                 selectinload(Reply.question))
        .order_by(Reply.created_at.desc(), Reply.id.desc()).limit(limit)))


_MAKERS = {Question: _question_entry, Solution: _solution_entry, Reply: _reply_entry}
_MOMENTS = {Question: lambda post: post.created_at, Solution: _published,
            Reply: lambda post: post.created_at}


def entries_for(owner: User, posts, limit: int) -> list[Entry]:
    """Entries of the posts the owner may open, newest first, at most `limit`. Only
    the posts that make it into the feed are turned into entries (their summaries cost
    the most)."""
    shown = sorted((post for post in posts if visible(owner, post)),
                   key=lambda post: (_MOMENTS[type(post)](post), type(post).__name__, post.id),
                   reverse=True)[:limit]
    return [_MAKERS[type(post)](post) for post in shown]


def solutions_feed(owner: User, limit: int) -> Feed:
    return Feed("loesungen", _("Neue Lösungen"), url_for("library.solutions", _external=True),
                entries_for(owner, solutions_where(limit=limit), limit))


def best_practice_feed(owner: User, limit: int) -> Feed:
    posts = solutions_where(Solution.status == SolutionStatus.BEST_PRACTICE, limit=limit)
    return Feed("best-practice", _("Neue Best Practices"),
                url_for("library.solutions", status=SolutionStatus.BEST_PRACTICE,
                        _external=True),
                entries_for(owner, posts, limit))


def questions_feed(owner: User, limit: int) -> Feed:
    return Feed("fragen", _("Neue Fragen"), url_for("forum.questions", _external=True),
                entries_for(owner, questions_where(limit=limit), limit))


def topic_feed(owner: User, topic: Topic, limit: int) -> Feed:
    posts = (questions_where(Question.topics.any(Topic.id == topic.id), limit=limit)
             + solutions_where(Solution.topics.any(Topic.id == topic.id), limit=limit))
    return Feed(f"themen/{topic.id}", _("Themenfeld %(name)s", name=topic.name),
                url_for("topics.topic", slug=topic.slug, _external=True),
                entries_for(owner, posts, limit))


def tag_feed(owner: User, tag: Tag, limit: int) -> Feed:
    posts = (questions_where(Question.tags.any(Tag.id == tag.id), limit=limit)
             + solutions_where(Solution.tags.any(Tag.id == tag.id), limit=limit))
    return Feed(f"schlagwoerter/{tag.id}", _("Schlagwort #%(name)s", name=tag.name),
                url_for("forum.questions", schlagwort=tag.name, _external=True),
                entries_for(owner, posts, limit))


def authority_feed(owner: User, authority: Authority, limit: int) -> Feed:
    posts = (questions_where(Question.authority_id == authority.id, limit=limit)
             + solutions_where(Solution.authority_id == authority.id, limit=limit))
    return Feed(f"kommunen/{authority.id}", authority.name,
                url_for("authorities.profile", slug=authority.slug, _external=True),
                entries_for(owner, posts, limit))


def _followed(owner: User, kind: FollowKind):
    return (select(Follow.target_id)
            .where(Follow.user_id == owner.id, Follow.target_kind == str(kind))
            .scalar_subquery())


def following_feed(owner: User, limit: int) -> Feed:
    """What the owner follows: questions and solutions new in followed topics, tags and
    authorities, and new replies on followed questions; the owner's own posts left out
    (nobody needs to be told of their own)."""
    topics, tags = _followed(owner, FollowKind.TOPIC), _followed(owner, FollowKind.TAG)
    authorities = _followed(owner, FollowKind.AUTHORITY)
    questions = questions_where(
        or_(Question.topics.any(Topic.id.in_(topics)), Question.tags.any(Tag.id.in_(tags)),
            Question.authority_id.in_(authorities)),
        Question.author_id.is_distinct_from(owner.id), limit=limit)
    solutions = solutions_where(
        or_(Solution.topics.any(Topic.id.in_(topics)), Solution.tags.any(Tag.id.in_(tags)),
            Solution.authority_id.in_(authorities)),
        Solution.author_id.is_distinct_from(owner.id), limit=limit)
    replies = replies_where(Reply.question_id.in_(_followed(owner, FollowKind.QUESTION)),
                            Reply.author_id.is_distinct_from(owner.id), limit=limit)
    return Feed(f"gefolgt/{owner.id}", _("Was ich folge"),
                url_for("notifications.following", _external=True),
                entries_for(owner, questions + solutions + replies, limit))
