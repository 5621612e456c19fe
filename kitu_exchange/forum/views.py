from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from ..authorities.services import all_authorities
from ..confirmation import confirm_page
from ..errors import Conflict, Invalid, NotAllowed, NotFound
from ..filters import active_filters, reset_url
from ..extensions import db
from ..forms import TITLE_MAX, ConfirmForm, markdown_previews
from ..models.unit_of_work import reads_only
from ..moderation.forms import DuplicateForm, HideForm, MoveForm, ReasonForm
from ..moderation.services import RESTORE_DAYS, duplicate_candidates, voted_ids
from ..permissions import can
from ..records import require
from ..search.service import similar_cases
from ..text import clean_text
from ..topics.services import all_topics
from . import services
from .services import solution_from_question
from .forms import EditQuestionForm, EditReplyForm, QuestionForm, ReplyForm

bp = Blueprint("forum", __name__, url_prefix="/fragen")
SHOW_NAMES = {"newest": _l("Neueste"), "unanswered": _l("Unbeantwortet"),
              "solved": _l("Gelöst")}


def question_url(question) -> str:
    return url_for("forum.question", question_id=question.id, slug=question.slug)


@bp.app_template_global()
def url_for_question(question) -> str:
    return question_url(question)


def _question_form(obj=None) -> QuestionForm:
    if obj is None:
        form = QuestionForm()
    else:  # topics and tags as the form shows them, not as related objects
        form = EditQuestionForm(data={
            "title": obj.title, "body": obj.body, "topics": [t.slug for t in obj.topics],
            "tags": ", ".join(tag.shown for tag in obj.tags)})
    form.topics.choices = [(topic.slug, topic.name) for topic in all_topics()]
    return form


def _show_invalid(form, error: Invalid) -> None:
    field = getattr(form, error.field or "", None)
    (field.errors if field is not None else form.form_errors).append(error.message)


def draft_key() -> str:
    """Where the ask page keeps a draft in the browser: one per person, so that someone
    else signing in on the same browser does not get it."""
    return f"kitu-frage-entwurf-{current_user.id}"


@bp.app_context_processor
def _draft_key():
    return {"draft_key": draft_key() if current_user.is_authenticated else ""}


@bp.route("")
def questions():
    filters = services.QuestionFilter(
        show=request.args.get("anzeigen", "newest"),
        topic=request.args.get("thema") or None,
        tag=request.args.get("schlagwort", "").strip().lower() or None,
        authority=request.args.get("kommune") or None,
    )
    page = db.paginate(services.question_query(filters), per_page=20, error_out=False)
    topics = all_topics()
    active = active_filters("forum.questions", [
        ("anzeigen", _("Anzeigen"), SHOW_NAMES),
        ("thema", _("Themenfeld"), {topic.slug: topic.name for topic in topics}),
        ("schlagwort", _("Schlagwort"), {}),
        ("kommune", _("Kommune"), {a.slug: a.name for a in all_authorities()}),
    ], defaults={"anzeigen": "newest"})
    return render_template("forum/questions.html", page=page, filters=filters,
                           topics=topics, active=active, show_names=SHOW_NAMES,
                           reset=reset_url("forum.questions"))


def _draft_similar(title: str, body: str):
    return similar_cases(current_user, text=f"{title}\n{body}",
                         authority_slug=current_user.authority.slug)


@bp.route("/aehnliche", methods=["POST"])
@reads_only
def similar():
    """The similar-cases panel for a draft (fetched while typing). The draft comes in
    the body of a POST, never in the address, which ends up in access logs."""
    title = clean_text(request.form.get("titel", ""))[:TITLE_MAX]
    body = clean_text(request.form.get("text", ""))[:5000]
    return render_template("search/similar_panel.html", similar=_draft_similar(title, body))


@bp.route("/neu", methods=["GET", "POST"])
def ask():
    form = _question_form()
    if request.form.get("pruefen"):
        # Without JavaScript: show similar cases and keep everything typed.
        similar = _draft_similar(form.title.data or "", form.body.data or "")
        return render_template("forum/ask.html", form=form, similar=similar)
    if (previews := markdown_previews(form)) is not None:
        return render_template("forum/ask.html", form=form, similar=None, previews=previews)
    if form.validate_on_submit():
        try:
            question = services.ask_question(current_user, form.title.data, form.body.data,
                                             form.topics.data, form.tags.data,
                                             form.submission_key.data)
        except Invalid as error:
            _show_invalid(form, error)
        else:
            flash(_("Ihre Frage ist veröffentlicht."), "success")
            session["clear_question_draft"] = True  # the draft in the browser is done
            return redirect(question_url(question))
    status = 400 if form.is_submitted() else 200
    return render_template("forum/ask.html", form=form, similar=None), status


@bp.route("/<int:question_id>")
@bp.route("/<int:question_id>-<slug>")
def question(question_id: int, slug: str | None = None):
    question = services.question_with_replies(question_id, current_user)
    if slug != question.slug:
        return redirect(question_url(question), 301)
    return _question_page(question, ReplyForm())


def _question_page(question, reply_form, status=200, previews=None):
    similar = similar_cases(current_user, case=question,
                            authority_slug=question.authority.slug)
    move_form = MoveForm()
    move_form.topics.choices = [(topic.slug, topic.name) for topic in all_topics()]
    move_form.topics.data = [topic.slug for topic in question.topics]
    replies = [reply for reply in question.replies
               if not reply.hidden or can(current_user, "post.view_hidden", reply)]
    replies.sort(key=lambda r: (not r.accepted, -r.helpful_count, r.created_at))
    candidates = (duplicate_candidates(current_user, question, similar)
                  if can(current_user, "question.close", question) else [])
    return render_template(
        "forum/question.html", question=question, replies=replies, reply_form=reply_form,
        confirm_form=ConfirmForm(), similar=similar, hide_form=HideForm(),
        duplicate_form=DuplicateForm(), duplicate_candidates=candidates, move_form=move_form,
        lock_form=ReasonForm(),
        voted=voted_ids(current_user, "reply", [reply.id for reply in replies]),
        library_solution=solution_from_question(question), previews=previews,
        clear_draft=_posted_just_now()), status


def _posted_just_now() -> bool:
    """Whether this page follows the posting of a question (once), so that the page
    clears the draft kept in the browser. The session is only touched when it holds
    the mark, so other question pages send no new cookie."""
    return "clear_question_draft" in session and session.pop("clear_question_draft")


@bp.route("/<int:question_id>/antworten", methods=["POST"])
def reply(question_id: int):
    form = ReplyForm()
    if (previews := markdown_previews(form)) is not None:
        return _question_page(services.question_with_replies(question_id, current_user), form,
                              previews=previews)
    if form.validate_on_submit():
        try:
            services.add_reply(current_user, question_id, form.body.data,
                               form.submission_key.data)
        except (NotFound, Conflict, NotAllowed) as error:
            # The question went away or was locked while the reply was written: keep it.
            return render_template("forum/reply_lost.html", form=form,
                                   message=error.message), error.status
        flash(_("Ihre Antwort ist veröffentlicht."), "success")
        return redirect(question_url(services.get_question(question_id, current_user))
                        + "#antworten")
    return _question_page(services.question_with_replies(question_id, current_user), form, 400)


@bp.route("/<int:question_id>/bearbeiten", methods=["GET", "POST"])
def edit(question_id: int):
    question = services.get_question(question_id, current_user)
    require(current_user, "question.edit", question)
    form = _question_form(question)
    previews = markdown_previews(form)
    if previews is None and form.validate_on_submit():
        try:
            services.edit_question(current_user, question, form.title.data, form.body.data,
                                   form.topics.data, form.tags.data, form.reason.data)
        except Invalid as error:
            _show_invalid(form, error)
        else:
            flash(_("Die Frage wurde gespeichert."), "success")
            return redirect(question_url(question))
    status = 400 if form.is_submitted() and previews is None else 200
    return render_template("forum/edit_question.html", form=form, question=question,
                           previews=previews), status


@bp.route("/<int:question_id>/loeschen", methods=["GET", "POST"])
def delete(question_id: int):
    question = services.get_question(question_id, current_user)
    require(current_user, "question.delete", question)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_question(current_user, question)
        flash(_("Die Frage wurde gelöscht. Die Moderation kann sie %(days)d Tage lang "
                "wiederherstellen.", days=RESTORE_DAYS), "success")
        return redirect(url_for("forum.questions"))
    replies = len([reply for reply in question.replies if not reply.hidden])
    return confirm_page(
        _("Frage löschen?"), _("Frage löschen"), question_url(question),
        target_kind=_("Frage Nr. %(id)d", id=question.id), target_label=question.title,
        target_meta=ngettext("%(num)d Antwort", "%(num)d Antworten", replies),
        preview_html=question.body_html,
        consequences=[
            _("Die Frage und ihre Antworten verschwinden für alle Mitglieder: aus Listen, "
              "Suche, ähnlichen Fällen und Zählungen."),
            _("Die Moderation kann die Frage %(days)d Tage lang wiederherstellen; danach "
              "wird sie endgültig entfernt.", days=RESTORE_DAYS)],
        form=form, status=400 if form.is_submitted() else 200)


@bp.route("/antworten/<int:reply_id>/bearbeiten", methods=["GET", "POST"])
def edit_reply(reply_id: int):
    reply = services.get_reply(reply_id, current_user)
    require(current_user, "reply.edit", reply)
    form = EditReplyForm(obj=reply)
    previews = markdown_previews(form)
    if previews is None and form.validate_on_submit():
        services.edit_reply(current_user, reply, form.body.data, form.reason.data)
        flash(_("Die Antwort wurde gespeichert."), "success")
        return redirect(question_url(reply.question) + f"#antwort-{reply.id}")
    status = 400 if form.is_submitted() and previews is None else 200
    return render_template("forum/edit_reply.html", form=form, reply=reply,
                           previews=previews), status


@bp.route("/antworten/<int:reply_id>/akzeptieren", methods=["POST"])
def accept(reply_id: int):
    reply = services.get_reply(reply_id, current_user)
    if ConfirmForm().validate_on_submit():
        services.accept_reply(current_user, reply,
                              request.form.get("statt", type=int))
        flash(_("Die Antwort ist als Lösung markiert."), "success")
    return redirect(question_url(reply.question) + f"#antwort-{reply.id}")


@bp.route("/antworten/<int:reply_id>/akzeptanz-zuruecknehmen", methods=["POST"])
def withdraw_acceptance(reply_id: int):
    reply = services.get_reply(reply_id, current_user)
    if ConfirmForm().validate_on_submit():
        services.withdraw_acceptance(current_user, reply)
        flash(_("Die Antwort ist nicht mehr als Lösung markiert. Die Frage ist wieder "
                "offen."), "success")
    return redirect(question_url(reply.question) + f"#antwort-{reply.id}")
