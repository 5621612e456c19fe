"""Curation and moderation: review, votes, flags, hiding, duplicates, audit log."""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from .. import submissions
from ..errors import Conflict, Invalid
from ..extensions import db
from ..models import (AuditEntry, Flag, FlagReason, FlagStatus, Question, Reply, Solution,
                      SolutionStatus, SynonymSet, User, Vote, utcnow)
from ..forum.services import refresh_reply_count
from ..records import audit, label_of, require, unique_slug  # noqa: F401 (re-exported)
from ..models.unit_of_work import commit
from ..search.changes import record_change
from ..topics.services import resolve_tags, resolve_topics
from ..visibility import is_public
from ..library.services import mentions_of
from ..notifications import services as notifications
from .revisions import MODELS, Post, get_post, target_type_of

STALE_AFTER = timedelta(days=365)
# How long a deleted question can be restored before `flask moderation purge` removes it.
RESTORE_DAYS = 30
REVIEW_DECISIONS = {"publish": SolutionStatus.PUBLISHED,
                    "best_practice": SolutionStatus.BEST_PRACTICE,
                    "send_back": SolutionStatus.DRAFT,
                    "archive": SolutionStatus.ARCHIVED}


def _index(post: Post) -> None:
    if isinstance(post, Reply):
        refresh_reply_count(post.question)
    record_change(post.question if isinstance(post, Reply) else post)


# -- review workflow -------------------------------------------------------------------

def submit_solution(user: User, solution: Solution) -> None:
    """Hand a draft to the moderators for review. Raises NotAllowed, Conflict."""
    require(user, "solution.submit", solution)
    if solution.status != SolutionStatus.DRAFT:
        raise Conflict(_("Nur Entwürfe können zur Prüfung eingereicht werden."))
    solution.status = SolutionStatus.SUBMITTED
    commit()


def review_solution(moderator: User, solution: Solution, decision: str, comment: str) -> None:
    """Approve (publish or best practice), send back with a comment, or archive.

    Raises NotAllowed, Invalid (unknown decision, or sending back without a comment).
    """
    require(moderator, "solution.review", solution)
    if decision not in REVIEW_DECISIONS:
        raise Invalid(_("Bitte wählen Sie eine Entscheidung."), "decision")
    comment = (comment or "").strip()
    if decision == "send_back" and not comment:
        raise Invalid(_("Bitte begründen Sie, was geändert werden soll."), "comment")
    solution.status = REVIEW_DECISIONS[decision]
    solution.review_comment = comment if decision == "send_back" else ""
    if decision in ("publish", "best_practice"):
        solution.last_reviewed_at = utcnow()
    audit(moderator, f"solution.{decision}", solution, comment)
    record_change(solution)
    notifications.notify_review(moderator, solution, decision, comment)
    if decision in ("publish", "best_practice"):
        notifications.notify_edited(solution, solution.author or moderator,
                                    mentions_of(solution))
    commit()


def review_queue() -> list[Solution]:
    return list(db.session.scalars(
        select(Solution).filter_by(status=SolutionStatus.SUBMITTED)
        .options(selectinload(Solution.authority)).order_by(Solution.updated_at,
                                                            Solution.created_at)))


def stale_solutions() -> list[Solution]:
    """Published solutions not reviewed for 12 months. Publishing is a review; a solution
    without one (e.g. imported) counts from its creation."""
    horizon = utcnow() - STALE_AFTER
    return list(db.session.scalars(
        select(Solution)
        .where(Solution.status.in_([SolutionStatus.PUBLISHED, SolutionStatus.BEST_PRACTICE]),
               func.coalesce(Solution.last_reviewed_at, Solution.created_at) < horizon)
        .options(selectinload(Solution.authority))
        .order_by(func.coalesce(Solution.last_reviewed_at, Solution.created_at))))


def question_to_solution(user: User, question: Question) -> Solution:
    """Turn a solved question and its accepted reply into a linked solution draft."""
    require(user, "question.to_solution", question)
    if not question.solved:
        raise Conflict(_("Nur gelöste Fragen können in eine Lösung überführt werden."))
    if not is_public(question) or not is_public(question.accepted_reply):
        raise Conflict(_("Ausgeblendete Beiträge können nicht in eine Lösung überführt "
                         "werden."))
    existing = db.session.scalar(select(Solution).filter_by(source_question_id=question.id))
    if existing is not None:
        raise Conflict(_("Aus dieser Frage wurde bereits eine Lösung erstellt."))
    reply = question.accepted_reply
    solution = Solution(
        slug=unique_slug(Solution, question.title), title=question.title,
        situation=question.body, situation_html=question.body_html,
        approach=reply.body, approach_html=reply.body_html,
        authority_id=reply.authority_id, author=user, status=SolutionStatus.DRAFT,
        topics=list(question.topics), tags=list(question.tags), source_question=question,
        contact=reply.authority.name)
    db.session.add(solution)
    audit(user, "question.to_solution", question)
    commit()
    return solution


# -- helpful votes ---------------------------------------------------------------------

def toggle_vote(user: User, post: Reply | Solution) -> bool:
    """Mark a post helpful, or withdraw the mark; returns whether it is now marked.

    Raises NotAllowed on one's own post.
    """
    require(user, "post.vote", post)
    target_type = target_type_of(post)
    vote = db.session.scalar(select(Vote).filter_by(user_id=user.id, target_type=target_type,
                                                    target_id=post.id))
    if vote is None:
        db.session.add(Vote(user_id=user.id, target_type=target_type, target_id=post.id))
    else:
        db.session.delete(vote)
    db.session.flush()
    post.helpful_count = db.session.scalar(select(func.count(Vote.id)).filter_by(
        target_type=target_type, target_id=post.id))
    commit()
    return vote is None


def voted_ids(user: User, target_type: str, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.session.scalars(select(Vote.target_id).where(
        Vote.user_id == user.id, Vote.target_type == target_type, Vote.target_id.in_(ids))))


# -- flags and hiding ------------------------------------------------------------------

def flag_post(user: User, post: Post, reason: str, text: str,
              submission_key: str | None = None) -> Flag:
    """Report a post to the moderators. Raises Invalid for a missing reason or text,
    AlreadySaved for a submission key the user sent before."""
    submissions.check(user, submission_key)
    require(user, "post.flag", post)
    if reason not in set(FlagReason):
        raise Invalid(_("Bitte wählen Sie einen Grund."), "reason")
    text = (text or "").strip()
    if reason == FlagReason.OTHER and not text:
        raise Invalid(_("Bitte beschreiben Sie kurz, was nicht stimmt."), "text")
    flag = Flag(target_type=target_type_of(post), target_id=post.id, reason=reason,
                text=text, reporter=user)
    db.session.add(flag)
    submissions.record(user, submission_key, "flag", flag)
    commit()
    return flag


def flagged_post(flag: Flag) -> Post | None:
    model = MODELS.get(flag.target_type)
    return db.session.get(model, flag.target_id) if model else None


def open_flags() -> list[tuple[Flag, Post | None]]:
    """Open flags with their posts; None for a post that no longer exists."""
    flags = list(db.session.scalars(select(Flag).filter_by(status=FlagStatus.OPEN)
                                    .options(selectinload(Flag.reporter))
                                    .order_by(Flag.created_at)))
    return [(flag, flagged_post(flag)) for flag in flags]


def hide_post(moderator: User, post: Post, reason: str) -> None:
    """Hide a post from members (its author sees it with the reason)."""
    _hide(moderator, post, reason)
    commit()


def _hide(moderator: User, post: Post, reason: str) -> None:
    require(moderator, "post.hide", post)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Bitte geben Sie einen Grund an, den die Autorin oder der Autor "
                        "sieht."), "note")
    post.hidden_at, post.hidden_reason = utcnow(), reason
    audit(moderator, "post.hide", post, reason)
    _index(post)
    notifications.notify_hidden(moderator, post, reason)


def unhide_post(moderator: User, post: Post, reason: str = "") -> None:
    require(moderator, "post.hide", post)
    post.hidden_at, post.hidden_reason = None, ""
    audit(moderator, "post.restore", post, reason)
    _index(post)
    commit()


def resolve_flag(moderator: User, flag: Flag, action: str, note: str) -> None:
    """Resolve a flag by hiding the post, noting an edit, or dismissing it."""
    require(moderator, "flag.resolve")
    if flag.status != FlagStatus.OPEN:
        raise Conflict(_("Diese Meldung ist bereits erledigt."))
    if action not in ("hide", "dismiss", "edited"):
        raise Invalid(_("Bitte wählen Sie eine Entscheidung."), "action")
    post = flagged_post(flag)
    if post is None and action != "dismiss":
        raise Conflict(_("Der Beitrag ist nicht mehr vorhanden: die Meldung kann nur "
                         "verworfen werden."))
    if action == "hide":
        _hide(moderator, post, note)
    elif action not in ("dismiss", "edited"):
        raise Invalid(_("Bitte wählen Sie eine Entscheidung."), "action")
    flag.status = {"hide": FlagStatus.HIDDEN, "dismiss": FlagStatus.DISMISSED,
                   "edited": FlagStatus.EDITED}[action]
    flag.resolved_by, flag.resolved_at, flag.resolution_note = moderator, utcnow(), note or ""
    if action != "hide":
        notifications.notify_flag_resolved(
            moderator, post, "edited" if action == "edited" else "dismissed")
    audit(moderator, f"flag.{action}", post or flag, note)
    commit()


# -- deleted questions ------------------------------------------------------------------

def deleted_questions() -> list[Question]:
    """Deleted questions a moderator can still restore, most recently deleted first."""
    return list(db.session.scalars(
        select(Question).where(Question.deleted_at.is_not(None))
        .options(selectinload(Question.authority), selectinload(Question.deleted_by))
        .order_by(Question.deleted_at.desc(), Question.id.desc())))


def restore_deleted_question(moderator: User, question: Question, reason: str = "") -> None:
    """Bring a deleted question back for everyone (audited).

    Raises NotAllowed, Conflict when it is not deleted.
    """
    require(moderator, "question.restore", question)
    if not question.deleted:
        raise Conflict(_("Diese Frage ist nicht gelöscht."))
    question.deleted_at, question.deleted_by = None, None
    audit(moderator, "question.undelete", question, reason)
    record_change(question)
    commit()


def purge_deleted(older_than_days: int = RESTORE_DAYS) -> int:
    """Remove questions deleted more than `older_than_days` ago for good, with their
    replies, votes, flags and versions; returns how many. The audit log keeps its
    entries (they name the title)."""
    horizon = utcnow() - timedelta(days=older_than_days)
    doomed = list(db.session.scalars(select(Question).where(
        Question.deleted_at.is_not(None), Question.deleted_at < horizon)))
    if not doomed:
        return 0
    ids = [question.id for question in doomed]
    # What points at a purged question from outside it lets go first.
    for other in db.session.scalars(select(Question).where(
            Question.duplicate_of_id.in_(ids), Question.id.not_in(ids))):
        other.duplicate_of_id = None
    for question in doomed:
        record_change(question)  # the index drops what the database no longer has
        audit(None, "question.purge", question)
        question.accepted_reply = None
    db.session.flush()
    for question in doomed:
        db.session.delete(question)
    commit()
    return len(doomed)


# -- duplicates, locking, moving -------------------------------------------------------

def close_as_duplicate(moderator: User, question: Question, original_id: int,
                       reason: str = "") -> None:
    """Close a question as duplicate of the question `original_id`.

    Raises NotAllowed, Invalid when the original is missing, the question itself, or
    closed too.
    """
    require(moderator, "question.close", question)
    original = db.session.get(Question, original_id)
    if original is None:
        raise Invalid(_("Eine Frage mit dieser Nummer gibt es nicht."), "original")
    if original.id == question.id or original.deleted or original.duplicate_of_id:
        raise Invalid(_("Bitte wählen Sie eine andere, offene Frage als Original."),
                      "original")
    question.duplicate_of = original
    audit(moderator, "question.close_duplicate", question,
          reason or _("Duplikat von „%(title)s“", title=original.title))
    record_change(question)
    commit()


def duplicate_candidates(user: User, question: Question, similar: list, query: str = ""
                         ) -> list[Question]:
    """Open questions that `question` may duplicate: the similar cases shown on its page,
    then the hits of a moderator's search; the question itself and closed ones left out."""
    from ..search.service import SearchFilters, search_cases

    hits = list(similar)
    if query.strip():
        hits += search_cases(user, query, SearchFilters(kind="question"), per_page=10).hits
    candidates: dict[int, Question] = {}
    for hit in hits:
        record = getattr(hit, "record", hit)
        if (isinstance(record, Question) and record.id != question.id
                and not record.duplicate_of_id and record.id not in candidates):
            candidates[record.id] = record
    return list(candidates.values())


def merge_replies(moderator: User, duplicate: Question) -> int:
    """Move the replies of a closed duplicate to its original; returns how many moved.

    Raises NotAllowed, Conflict when the question is not closed as a duplicate.
    """
    require(moderator, "question.close", duplicate)
    original = duplicate.duplicate_of
    if original is None:
        raise Conflict(_("Schließen Sie die Frage zuerst als Duplikat."))
    moved = list(duplicate.replies)
    if duplicate.accepted_reply_id:
        duplicate.accepted_reply = None
        db.session.flush()
    for reply in moved:
        reply.question = original
    db.session.flush()
    refresh_reply_count(duplicate)
    refresh_reply_count(original)
    audit(moderator, "question.merge", duplicate,
          _("%(n)d Antworten übertragen nach „%(title)s“", n=len(moved), title=original.title))
    record_change(duplicate, original)
    commit()
    return len(moved)


def set_locked(moderator: User, question: Question, locked: bool, reason: str = "") -> None:
    require(moderator, "question.lock", question)
    question.locked_at = utcnow() if locked else None
    audit(moderator, "question.lock" if locked else "question.unlock", question, reason)
    commit()


def move_question(moderator: User, question: Question, topic_slugs: list[str]) -> None:
    require(moderator, "question.move", question)
    question.topics = resolve_topics(topic_slugs)
    audit(moderator, "question.move", question, ", ".join(topic_slugs))
    record_change(question)
    commit()


def restore_revision(moderator: User, post: Post, revision) -> None:
    """Put an older version back. Raises NotAllowed, Conflict for a redacted version."""
    from .revisions import restore

    require(moderator, "revision.restore", post)
    if revision.redacted_at is not None:
        raise Conflict(_("Eine geschwärzte Version kann nicht wiederhergestellt werden."))
    restore(moderator, post, revision, apply_topics)
    audit(moderator, "revision.restore", post, revision.reason)
    _index(post)
    commit()


def redact_revision(moderator: User, post: Post, revision, reason: str) -> None:
    """Replace the text of an old version (e.g. personal data), with an audited reason.

    Raises NotAllowed, Invalid without a reason, Conflict when already redacted.
    """
    from .revisions import redact

    require(moderator, "revision.redact", post)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Bitte geben Sie einen Grund an."), "reason")
    if revision.redacted_at is not None:
        raise Conflict(_("Diese Version ist bereits geschwärzt."))
    redact(revision)
    audit(moderator, "revision.redact", post, reason)
    commit()


def apply_topics(post, topics: list[str], tags: list[str]) -> None:
    post.topics = resolve_topics(topics)
    post.tags = resolve_tags(tags)


# -- audit log -------------------------------------------------------------------------

def audit_log(action: str | None = None, actor_id: int | None = None):
    query = (select(AuditEntry).options(selectinload(AuditEntry.actor))
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    if action:
        query = query.where(or_(AuditEntry.action == action,
                                AuditEntry.action.startswith(f"{action}.")))
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    return query




# -- synonyms --------------------------------------------------------------------------

def save_synonym_set(moderator: User, synonym_set, terms_text: str):
    """Create (synonym_set=None) or change a set of equivalent search terms.

    Search picks the change up with the next query; nothing needs reindexing.
    """
    require(moderator, "synonym.manage")
    terms = list(dict.fromkeys(t.strip() for t in terms_text.replace("\n", ",").split(",")
                               if t.strip()))
    if len(terms) < 2:
        raise Invalid(_("Bitte geben Sie mindestens zwei Begriffe an, durch Kommas getrennt."),
                      "terms")
    if any(len(term) > 80 for term in terms):
        raise Invalid(_("Ein Begriff darf höchstens 80 Zeichen lang sein."), "terms")
    action = "synonym.edit" if synonym_set is not None else "synonym.create"
    if synonym_set is None:
        synonym_set = SynonymSet(terms="")
        db.session.add(synonym_set)
    synonym_set.terms = ", ".join(terms)
    synonym_set.updated_at = utcnow()
    audit(moderator, action, synonym_set)
    commit()
    return synonym_set


def synonym_sets(text: str = ""):
    """Synonym sets in alphabetical order; with `text`, those whose terms contain it
    (ignoring case)."""
    query = select(SynonymSet).order_by(SynonymSet.terms, SynonymSet.id)
    if text:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        query = query.where(func.lower(SynonymSet.terms).like(pattern, escape="\\"))
    return query


def delete_synonym_set(moderator: User, synonym_set) -> None:
    require(moderator, "synonym.manage")
    audit(moderator, "synonym.delete", synonym_set)
    db.session.delete(synonym_set)
    commit()
