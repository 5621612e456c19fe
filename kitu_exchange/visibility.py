"""Who may see which post: the one rule that every page, list, count and search uses.

Lists and counts show public posts only (`public_questions()`, `public_replies()`,
`public_solutions()` are select() conditions). A single post's page also shows hidden
posts to their authors and moderators, and unpublished solutions to their authors and
curators (`visible()`); everybody else gets a 404.
"""
from sqlalchemy import ColumnElement, and_

from .models import PUBLIC_STATUSES, Question, Reply, Solution, User
from .permissions import can


def public_questions() -> ColumnElement[bool]:
    return and_(Question.deleted_at.is_(None), Question.hidden_at.is_(None))


def public_replies() -> ColumnElement[bool]:
    return Reply.hidden_at.is_(None)


def public_solutions() -> ColumnElement[bool]:
    return and_(Solution.status.in_(PUBLIC_STATUSES), Solution.hidden_at.is_(None))


def is_public(post: Question | Reply | Solution | None) -> bool:
    """Whether every member may see this post (the Python twin of the conditions)."""
    match post:
        case Question():
            return not post.deleted and not post.hidden
        case Reply():
            return not post.hidden and is_public(post.question)
        case Solution():
            return post.status in PUBLIC_STATUSES and not post.hidden
    return False


def visible(user: User | None, post: Question | Reply | Solution | None) -> bool:
    """Whether `user` may see this post on its own page."""
    match post:
        case Question():
            return not post.deleted and (not post.hidden or can(user, "post.view_hidden", post))
        case Reply():
            return visible(user, post.question) and (
                not post.hidden or can(user, "post.view_hidden", post))
        case Solution():
            if post.hidden and not can(user, "post.view_hidden", post):
                return False
            return post.status in PUBLIC_STATUSES or can(user, "solution.view_draft", post)
    return False
