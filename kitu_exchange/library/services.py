"""Solution records and their re-use (Nachnutzung) by other authorities."""
import json
from dataclasses import asdict, dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from .. import submissions
from ..errors import Conflict, Invalid, NotAllowed, NotFound
from ..extensions import db
from ..models import (PUBLIC_STATUSES, Authority, Reuse, ReuseStatus, Solution, SolutionStatus,
                      Topic, User, utcnow)
from ..permissions import can
from ..moderation.revisions import diff, record_revision, snapshot
from ..notifications import services as notifications
from ..notifications.mentions import Mentions
from ..records import audit, audit_edit_of_others, require, unique_slug
from ..rendering import render_markdown
from ..models.unit_of_work import commit
from ..search.changes import record_change
from ..text import split_tags
from ..topics.services import resolve_tags, resolve_topics
from ..visibility import public_solutions, visible

CURATED_STATUSES = (SolutionStatus.BEST_PRACTICE, SolutionStatus.ARCHIVED)
TEXT_FIELDS = ("situation", "approach", "result")


@dataclass
class SolutionFields:
    """What an author fills in; the Markdown fields are rendered when saved."""

    title: str
    approach: str
    situation: str = ""
    result: str = ""
    costs: str = ""
    effort: str = ""
    contact: str = ""
    topics: list[str] = field(default_factory=list)
    tags: str | list[str] = ""
    status: str = SolutionStatus.SUBMITTED
    reason: str = ""


@dataclass
class SolutionFilter:
    topic: str | None = None
    status: str | None = None          # one public status, or None for published + best
    authority_kind: str | None = None
    sort: str = "newest"               # newest | reuse


def allowed_statuses(user: User, solution: Solution | None = None) -> list[str]:
    """The statuses this user may give a solution: members write drafts and submit
    them for review; moderators publish."""
    if can(user, "solution.curate", solution):
        return [SolutionStatus.DRAFT, SolutionStatus.SUBMITTED, SolutionStatus.PUBLISHED,
                *CURATED_STATUSES]
    statuses = [SolutionStatus.DRAFT, SolutionStatus.SUBMITTED]
    if solution is not None and solution.status not in statuses:
        statuses.append(solution.status)  # an author's edit keeps the reviewed status
    return statuses


def get_solution(user: User, slug: str) -> Solution:
    """A solution the user may see, with what its page shows; NotFound otherwise."""
    solution = db.session.scalar(
        select(Solution).filter_by(slug=slug).options(
            selectinload(Solution.authority), selectinload(Solution.author),
            selectinload(Solution.topics), selectinload(Solution.tags),
            selectinload(Solution.reuses).selectinload(Reuse.authority),
            selectinload(Solution.reuses).selectinload(Reuse.recorded_by)))
    if not visible(user, solution):
        raise NotFound(_("Diese Lösung gibt es nicht (mehr)."))
    return solution


def _apply(user: User, solution: Solution, fields: SolutionFields) -> Mentions:
    """Put the fields into the record; the mentions its texts make."""
    if fields.status not in allowed_statuses(user, solution):
        raise NotAllowed(_("Diesen Status können Sie nicht vergeben."))
    solution.topics = resolve_topics(fields.topics)
    solution.tags = resolve_tags(fields.tags)
    solution.title = fields.title
    mentions = Mentions()
    for name in TEXT_FIELDS:
        text = getattr(fields, name)
        setattr(solution, name, text)
        setattr(solution, f"{name}_html", render_markdown(text, mentions) if text else "")
    solution.costs, solution.effort, solution.contact = fields.costs, fields.effort, fields.contact
    if fields.status in PUBLIC_STATUSES and solution.status != fields.status:
        solution.last_reviewed_at = utcnow()  # a curator publishing is a review
    solution.status = fields.status
    return mentions


def mentions_of(solution: Solution) -> Mentions:
    """Whom a solution's texts mention (told when it is published)."""
    mentions = Mentions()
    for name in TEXT_FIELDS:
        if text := getattr(solution, name):
            render_markdown(text, mentions)
    return mentions


def _tell(actor: User, solution: Solution, was_public: bool, mentions: Mentions) -> None:
    """Mentions once the solution is public, and its followers when it just became so."""
    author = solution.author or actor
    notifications.notify_edited(solution, author, mentions)
    if not was_public:
        notifications.notify_solution_public(actor, solution)


def create_solution(author: User, fields: SolutionFields,
                    submission_key: str | None = None) -> Solution:
    """Write a solution record for the author's authority. Raises NotAllowed, Invalid,
    and AlreadySaved for a submission key the author sent before."""
    submissions.check(author, submission_key)
    require(author, "solution.create")
    solution = Solution(slug=unique_slug(Solution, fields.title), author=author,
                        authority_id=author.authority_id)
    mentions = _apply(author, solution, fields)
    db.session.add(solution)
    db.session.flush()
    record_change(solution)
    _tell(author, solution, False, mentions)
    submissions.record(author, submission_key, "solution", solution)
    commit()
    return solution


def edit_solution(user: User, solution: Solution, fields: SolutionFields) -> bool:
    """Change a solution record; returns False when the change waits for review.

    An author's edit of a published solution is held as a pending change: the
    published text stays until a moderator approves it. Raises NotAllowed, Invalid.
    """
    require(user, "solution.edit", solution)
    if solution.status in PUBLIC_STATUSES and not can(user, "solution.curate", solution):
        _hold(user, solution, fields)
        commit()
        return False
    record_revision(user, solution, fields.reason)
    audit_edit_of_others(user, solution, fields.reason)
    was_public = solution.status in PUBLIC_STATUSES
    mentions = _apply(user, solution, fields)
    solution.updated_at = utcnow()
    record_change(solution)
    _tell(user, solution, was_public, mentions)
    commit()
    return True


def _hold(user: User, solution: Solution, fields: SolutionFields) -> None:
    if fields.status not in allowed_statuses(user, solution):
        raise NotAllowed(_("Diesen Status können Sie nicht vergeben."))
    resolve_topics(fields.topics)  # an unknown topic is refused now, not at review
    solution.pending_content = json.dumps(asdict(fields), ensure_ascii=False)
    solution.pending_status, solution.pending_editor = "submitted", user
    solution.pending_at = utcnow()


def pending_fields(solution: Solution) -> SolutionFields | None:
    """The change that waits for review (or was sent back), if any."""
    if solution.pending_content is None:
        return None
    return SolutionFields(**json.loads(solution.pending_content))


def pending_diff(solution: Solution) -> list:
    """Per changed field, the lines of the pending change against the published text."""
    fields = pending_fields(solution)
    proposed = {name: getattr(fields, name) for name in snapshot(solution) if name != "tags"}
    proposed["tags"] = split_tags(fields.tags if isinstance(fields.tags, str)
                                  else ",".join(fields.tags))
    return diff(snapshot(solution), proposed)


def review_change(moderator: User, solution: Solution, decision: str, comment: str) -> None:
    """Approve a pending change (it replaces the published text) or send it back.

    Raises NotAllowed, NotFound without a pending change, Invalid for an unknown
    decision or sending back without a comment.
    """
    require(moderator, "solution.review", solution)
    fields = pending_fields(solution)
    if fields is None or solution.pending_status != "submitted":
        raise NotFound(_("Für diese Lösung wartet keine Änderung auf Prüfung."))
    comment = (comment or "").strip()
    if decision == "send_back":
        if not comment:
            raise Invalid(_("Bitte begründen Sie, was geändert werden soll."), "comment")
        solution.pending_status, solution.review_comment = "returned", comment
        audit(moderator, "solution.return_change", solution, comment)
        notifications.notify_change_review(moderator, solution, solution.pending_editor,
                                           approved=False, comment=comment)
    elif decision == "approve":
        editor = solution.pending_editor
        record_revision(editor, solution, fields.reason)
        was_public = solution.status in PUBLIC_STATUSES
        mentions = _apply(moderator, solution, fields)
        notifications.notify_change_review(moderator, solution, editor, approved=True)
        _tell(moderator, solution, was_public, mentions)
        solution.pending_content = solution.pending_status = None
        solution.pending_editor, solution.pending_at = None, None
        solution.review_comment, solution.updated_at = "", utcnow()
        solution.last_reviewed_at = solution.updated_at
        audit(moderator, "solution.approve_change", solution, comment)
        record_change(solution)
    else:
        raise Invalid(_("Bitte wählen Sie eine Entscheidung."), "decision")
    commit()


def pending_changes() -> list[Solution]:
    """Published solutions with an author's change waiting for review, oldest first."""
    return list(db.session.scalars(
        select(Solution).filter_by(pending_status="submitted")
        .options(selectinload(Solution.authority)).order_by(Solution.pending_at)))


def record_reuse(user: User, solution: Solution, status: str, note: str,
                 submission_key: str | None = None) -> Reuse:
    """Record (or update) that the user's authority re-uses a solution.

    Raises Conflict for the authority's own solution, Invalid for an unknown status,
    AlreadySaved for a submission key the user sent before.
    """
    submissions.check(user, submission_key)
    if status not in set(ReuseStatus):
        raise Invalid(_("Bitte wählen Sie einen gültigen Stand."), "status")
    if solution.authority_id == user.authority_id:
        raise Conflict(_("Ihre eigene Kommune kann ihre Lösung nicht nachnutzen."))
    if solution.status not in PUBLIC_STATUSES:
        raise Conflict(_("Nur veröffentlichte Lösungen können nachgenutzt werden."))
    reuse = db.session.scalar(select(Reuse).filter_by(solution_id=solution.id,
                                                      authority_id=user.authority_id))
    if reuse is None:
        reuse = Reuse(solution=solution, authority_id=user.authority_id)
        db.session.add(reuse)
    else:
        reuse.updated_at = utcnow()
    require(user, "reuse.record", reuse)
    reuse.status, reuse.note, reuse.recorded_by_id = status, note, user.id
    db.session.flush()
    solution.reuse_count = len(solution.reuses)
    record_change(solution)
    submissions.record(user, submission_key, "reuse", reuse)
    notifications.follow_reused(user, solution)
    notifications.notify_reuse(user, reuse)
    commit()
    return reuse


def remove_reuse(user: User, reuse: Reuse) -> None:
    require(user, "reuse.remove", reuse)
    solution = reuse.solution
    audit(user, "reuse.remove", solution, reuse.authority.name)
    solution.reuses.remove(reuse)
    solution.reuse_count = len(solution.reuses)
    record_change(solution)
    commit()


def solution_query(user: User, filters: SolutionFilter) -> Select:
    """Solutions for the library page with what the list shows."""
    # A status that is not public (or unknown) finds nothing rather than everything.
    statuses = [filters.status] if filters.status else list(PUBLIC_STATUSES)
    query = (select(Solution).where(Solution.status.in_(statuses), public_solutions())
             .options(selectinload(Solution.authority), selectinload(Solution.topics)))
    if filters.topic:
        query = query.where(Solution.topics.any(Topic.slug == filters.topic))
    if filters.authority_kind:
        query = query.where(Solution.authority.has(Authority.kind == filters.authority_kind))
    if filters.sort == "helpful":
        query = query.order_by(Solution.helpful_count.desc(), Solution.created_at.desc())
    elif filters.sort == "reuse":
        query = query.order_by(Solution.reuse_count.desc(), Solution.created_at.desc())
    else:
        query = query.order_by(Solution.created_at.desc(), Solution.id.desc())
    return query


def own_unpublished(user: User) -> list[Solution]:
    """The user's drafts, submissions and sent-back changes, for the library page."""
    return list(db.session.scalars(
        select(Solution).where(or_(
            and_(Solution.author_id == user.id, Solution.status.not_in(PUBLIC_STATUSES)),
            and_(Solution.pending_editor_id == user.id, Solution.pending_status.is_not(None))))
        .options(selectinload(Solution.authority), selectinload(Solution.topics))
        .order_by(Solution.created_at.desc())))


def visible_solutions_of(user: User, *conditions) -> Select:
    """Public solutions matching `conditions`, plus the user's own unpublished ones."""
    return (select(Solution)
            .where(or_(public_solutions(), Solution.author_id == user.id),
                   Solution.hidden_at.is_(None), *conditions)
            .options(selectinload(Solution.authority), selectinload(Solution.topics))
            .order_by(Solution.created_at.desc()))


