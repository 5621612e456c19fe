"""Search documents from database rows: what the index holds for each record."""
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Question, Solution
from ..text import plain_text
from ..visibility import public_questions, public_solutions

BATCH = 500


def question_document(question: Question) -> dict:
    replies = sorted((r for r in question.replies if not r.hidden),
                     key=lambda r: r.id != question.accepted_reply_id)
    body = "\n\n".join(plain_text(text) for text in [question.body,
                                                      *(reply.body for reply in replies)])
    authority = question.authority
    accepted = next((r for r in replies if r.id == question.accepted_reply_id), None)
    return {
        "doc_id": f"question/{question.slug}", "kind": "question", "pk": question.id,
        "title": question.title, "body": body, "text": question.body,
        "accepted_reply": accepted.body if accepted is not None else "", "authority": authority.slug,
        "authority_kind": authority.kind, "population_band": authority.population_band,
        "topics": [t.slug for t in question.topics],
        "topic_names": [t.name for t in question.topics], "tags": [t.name for t in question.tags],
        "solved": question.solved, "status": "solved" if question.solved else "open",
        "best_practice": False, "created": question.created_at, "reuse_count": 0,
    }


def solution_document(solution: Solution) -> dict:
    body = "\n\n".join(plain_text(part) for part in (
        solution.situation, solution.approach, solution.result, solution.costs,
        solution.effort) if part)
    authority = solution.authority
    return {
        "doc_id": f"solution/{solution.slug}", "kind": "solution", "pk": solution.id,
        "title": solution.title, "body": body, "text": body, "authority": authority.slug,
        "authority_kind": authority.kind, "population_band": authority.population_band,
        "topics": [t.slug for t in solution.topics],
        "topic_names": [t.name for t in solution.topics], "tags": [t.name for t in solution.tags],
        "solved": False, "status": solution.status, "best_practice": solution.best_practice,
        "created": solution.created_at, "reuse_count": solution.reuse_count,
    }


QUESTION_OPTIONS = (selectinload(Question.authority), selectinload(Question.topics),
                    selectinload(Question.tags), selectinload(Question.replies))
SOLUTION_OPTIONS = (selectinload(Solution.authority), selectinload(Solution.topics),
                    selectinload(Solution.tags))


def indexable_questions():
    return select(Question).where(public_questions())


def indexable_solutions():
    return select(Solution).where(public_solutions())


def load_document(doc_id: str) -> dict | None:
    """The current document for this id, or None when it must leave the index."""
    kind, _, slug = doc_id.partition("/")
    if kind == "question":
        row = db.session.scalar(indexable_questions().filter_by(slug=slug)
                                .options(*QUESTION_OPTIONS))
        return question_document(row) if row else None
    if kind == "solution":
        row = db.session.scalar(indexable_solutions().filter_by(slug=slug)
                                .options(*SOLUTION_OPTIONS))
        return solution_document(row) if row else None
    return None


def all_documents() -> Iterator[dict]:
    """Every indexable record, in batches so that memory stays flat."""
    for statement, options, build in (
            (indexable_solutions(), SOLUTION_OPTIONS, solution_document),
            (indexable_questions(), QUESTION_OPTIONS, question_document)):
        model = statement.column_descriptions[0]["entity"]
        last_id = 0
        while True:
            rows = list(db.session.scalars(
                statement.where(model.id > last_id).order_by(model.id).limit(BATCH)
                .options(*options)))
            if not rows:
                break
            for row in rows:
                yield build(row)
            last_id = rows[-1].id
            db.session.expunge_all()
