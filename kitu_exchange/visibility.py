"""Who may see which post: the one rule that every page, list, count and search uses.

Lists and counts show public posts only (`public_questions()`, `public_replies()`,
`public_solutions()` are select() conditions). A single post's page also shows hidden
posts to their authors and moderators, and unpublished solutions to their authors and
curators (`visible()`); everybody else gets a 404.
"""
from sqlalchemy import ColumnElement, and_, or_, true

from .models import PUBLIC_STATUSES, Question, Reply, Role, Solution, User
from .permissions import PERMISSIONS, ROLE_COLUMN, Scope, can


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


# -- what one person may open, as select() conditions ----------------------------------
# The SQL twins of `visible()`, for lists of things that point at posts (notifications):
# a post may be hidden after the pointer was made, so the check is made when reading.

def _sees_all(user: User, action: str) -> bool:
    """Whether the user's role may `action` on every post, not only their own."""
    return can(user, action) and PERMISSIONS[action][ROLE_COLUMN[Role(user.role)]] is Scope.ANY


def questions_visible_to(user: User) -> ColumnElement[bool]:
    if _sees_all(user, "post.view_hidden"):
        return Question.deleted_at.is_(None)
    return and_(Question.deleted_at.is_(None),
                or_(Question.hidden_at.is_(None), Question.author_id == user.id))


def replies_visible_to(user: User) -> ColumnElement[bool]:
    on_page = Reply.question.has(questions_visible_to(user))
    if _sees_all(user, "post.view_hidden"):
        return on_page
    return and_(or_(Reply.hidden_at.is_(None), Reply.author_id == user.id), on_page)


def solutions_visible_to(user: User) -> ColumnElement[bool]:
    conditions = []
    if not _sees_all(user, "post.view_hidden"):
        conditions.append(or_(Solution.hidden_at.is_(None), Solution.author_id == user.id))
    if not _sees_all(user, "solution.view_draft"):
        conditions.append(or_(Solution.status.in_(PUBLIC_STATUSES),
                              Solution.author_id == user.id))
    return and_(true(), *conditions)
