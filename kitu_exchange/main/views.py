from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..forms import BODY_MAX
from ..rendering import render_markdown
from ..text import clean_text
from ..forum.services import QuestionFilter, question_query
from ..models import Authority, Question, Solution, SolutionStatus
from ..models.unit_of_work import reads_only
from . import legal
from ..visibility import public_questions, public_solutions

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    questions = db.session.scalars(question_query(QuestionFilter()).limit(8))
    best = db.session.scalars(
        select(Solution).filter_by(status=SolutionStatus.BEST_PRACTICE)
        .where(public_solutions())
        .options(selectinload(Solution.authority), selectinload(Solution.topics))
        .order_by(Solution.created_at.desc()).limit(6))
    stats = {
        "authorities": db.session.scalar(
            select(func.count(Authority.id)).where(Authority.is_member.is_(True))),
        "questions": db.session.scalar(
            select(func.count(Question.id)).where(public_questions())),
        "solutions": db.session.scalar(select(func.count(Solution.id)).where(
            public_solutions())),
    }
    return render_template("main/index.html", questions=list(questions), best=list(best),
                           stats=stats, user=current_user)


@bp.route("/best-practice")
def best_practices():
    solutions = db.session.scalars(
        select(Solution).filter_by(status=SolutionStatus.BEST_PRACTICE)
        .where(public_solutions())
        .options(selectinload(Solution.authority), selectinload(Solution.topics))
        .order_by(Solution.helpful_count.desc(), Solution.created_at.desc()))
    return render_template("main/best_practices.html", solutions=list(solutions))


def _legal(slug: str):
    return render_template("legal/page.html", title=legal.LEGAL_TITLES[slug],
                           body_html=legal.page_html(slug), slug=slug)


@bp.route("/impressum")
def imprint():
    return _legal("impressum")


@bp.route("/datenschutz")
def privacy():
    return _legal("datenschutz")


@bp.route("/barrierefreiheit")
def accessibility():
    return _legal("barrierefreiheit")


@bp.route("/vorschau", methods=["POST"])
@reads_only
def preview():
    """Rendered Markdown of a text being written (the live "Vorschau"): the same
    renderer and sanitizer as saving. The text comes in a POST body with the form's
    CSRF token, never in the address."""
    text = clean_text(request.form.get("text", ""))
    if len(text) > BODY_MAX:
        abort(413)
    return render_template("_preview.html", preview=render_markdown(text))
