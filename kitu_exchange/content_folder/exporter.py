"""Export the database as a content folder, deterministically."""
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Authority, Question, Reply, Solution, SynonymSet, Topic
from .format import dump_yaml, join_solution_body, write_document


def _authority_entry(authority: Authority) -> dict:
    entry = {"slug": authority.slug, "name": authority.name, "kind": authority.kind,
             "state": authority.state, "population": authority.population,
             "staff": authority.staff, "area_km2": authority.area_km2,
             "member_since": authority.member_since}
    if authority.area_km2 is not None and authority.area_km2.is_integer():
        entry["area_km2"] = int(authority.area_km2)
    return {key: value for key, value in entry.items() if value is not None}


def _hidden(post) -> dict:
    """The hidden state for the front matter (only for hidden posts)."""
    return {"hidden": True, "hidden_reason": post.hidden_reason} if post.hidden else {}


def _solution_file(solution: Solution) -> str:
    meta = {
        "title": solution.title, "authority": solution.authority.slug,
        "topics": [t.slug for t in sorted(solution.topics, key=lambda t: t.slug)],
        "tags": [tag.shown for tag in solution.tags], "status": solution.status,
        "created": solution.created_at.date(),
        "costs": solution.costs, "effort": solution.effort, "contact": solution.contact,
        "adopted_by": sorted(reuse.authority.slug for reuse in solution.reuses),
        **_hidden(solution),
    }
    meta = {key: value for key, value in meta.items() if value not in ("", [], None)}
    body = join_solution_body(solution.situation, solution.approach, solution.result)
    return write_document(meta, body)


def _question_file(question: Question) -> str:
    replies = [{"authority": reply.authority.slug, "created": reply.created_at.date(),
                "accepted": question.accepted_reply_id == reply.id, **_hidden(reply),
                "body": reply.body.strip()}
               for reply in question.replies]
    meta = {
        "title": question.title, "authority": question.authority.slug,
        "topics": [t.slug for t in sorted(question.topics, key=lambda t: t.slug)],
        "tags": [tag.shown for tag in question.tags],
        "created": question.created_at.date(), **_hidden(question), "replies": replies,
    }
    meta = {key: value for key, value in meta.items() if value not in ("", [], None)}
    return write_document(meta, question.body)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def export_folder(folder: str | Path) -> int:
    """Write all authorities, topics, synonyms, solutions and (not deleted) questions.

    Returns the number of files written. Files of records that no longer exist are
    not removed: export into an empty folder for an exact copy.
    """
    folder = Path(folder)
    authorities = db.session.scalars(select(Authority).order_by(Authority.slug))
    _write(folder / "authorities.yaml", dump_yaml([_authority_entry(a) for a in authorities]))
    topics = db.session.scalars(select(Topic).order_by(Topic.slug))
    _write(folder / "topics.yaml", dump_yaml(
        [{"slug": t.slug, "name": t.name, "description": t.description} for t in topics]))
    synonyms = sorted(s.term_list for s in db.session.scalars(select(SynonymSet)))
    _write(folder / "synonyms.yaml", dump_yaml(synonyms))
    written = 3
    solutions = db.session.scalars(select(Solution).order_by(Solution.slug).options(
        selectinload(Solution.authority), selectinload(Solution.topics),
        selectinload(Solution.tags), selectinload(Solution.reuses)))
    for solution in solutions:
        _write(folder / "solutions" / f"{solution.slug}.md", _solution_file(solution))
        written += 1
    questions = db.session.scalars(
        select(Question).where(Question.deleted_at.is_(None)).order_by(Question.slug).options(
            selectinload(Question.authority), selectinload(Question.topics),
            selectinload(Question.tags),
            selectinload(Question.replies).selectinload(Reply.authority)))
    for question in questions:
        _write(folder / "questions" / f"{question.slug}.md", _question_file(question))
        written += 1
    return written
