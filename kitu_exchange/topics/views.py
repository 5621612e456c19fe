from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..confirmation import confirm_page
from ..errors import Conflict
from ..extensions import db
from ..forms import ConfirmForm
from ..forum.services import QuestionFilter, question_query
from ..library.services import visible_solutions_of
from ..models import Solution, Topic
from ..records import by_slug_or_raise, require
from . import services
from .forms import TopicForm

bp = Blueprint("topics", __name__, url_prefix="/themen")


@bp.route("")
def index():
    return render_template("topics/index.html", topics=services.topic_counts())


@bp.route("/schlagwoerter.json")
def tag_suggestions():
    """Tags in use that contain the typed text, for the tag field's suggestions (signed
    in only, like every page but the legal ones): [{"name", "label", "uses"}]."""
    text = request.args.get("q", "")[:60]
    return jsonify([{"name": tag.name, "label": tag.shown, "uses": uses}
                    for tag, uses in services.suggest_tags(text)])


@bp.route("/<slug>")
def topic(slug: str):
    topic = by_slug_or_raise(Topic, slug, _("Dieses Themenfeld gibt es nicht."))
    questions = db.session.scalars(question_query(QuestionFilter(topic=slug)).limit(30))
    solutions = db.session.scalars(
        visible_solutions_of(current_user, Solution.topics.any(Topic.id == topic.id)).limit(30))
    return render_template("topics/topic.html", topic=topic, questions=list(questions),
                           solutions=list(solutions))


def _edit(topic: Topic | None):
    require(current_user, "topic.manage")
    form = TopicForm(obj=topic)
    if form.validate_on_submit():
        try:
            saved = services.save_topic(current_user, topic, form.slug.data,
                                        form.name.data.strip(), (form.description.data or "").strip())
        except Conflict as error:
            form.slug.errors.append(error.message)
        else:
            flash(_("Das Themenfeld ist gespeichert."), "success")
            return redirect(url_for("topics.topic", slug=saved.slug))
    status = 400 if form.is_submitted() else 200
    return render_template("topics/edit.html", form=form, topic=topic), status


@bp.route("/<slug>/loeschen", methods=["GET", "POST"])
def delete(slug: str):
    topic = by_slug_or_raise(Topic, slug, _("Dieses Themenfeld gibt es nicht."))
    require(current_user, "topic.manage")
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_topic(current_user, topic)
        flash(_("Das Themenfeld ist gelöscht."), "success")
        return redirect(url_for("topics.index"))
    return confirm_page(
        _("Themenfeld löschen?"), _("Themenfeld löschen"),
        url_for("topics.edit", slug=topic.slug), target_kind=_("Themenfeld"),
        target_label=topic.name, target_meta=topic.description,
        consequences=[_("Fragen und Lösungen verlieren dieses Themenfeld; alles andere "
                        "bleibt. Das Löschen lässt sich nicht rückgängig machen.")],
        form=form, status=400 if form.is_submitted() else 200)


@bp.route("/neu", methods=["GET", "POST"])
def create():
    return _edit(None)


@bp.route("/<slug>/bearbeiten", methods=["GET", "POST"])
def edit(slug: str):
    return _edit(by_slug_or_raise(Topic, slug, _("Dieses Themenfeld gibt es nicht.")))
