import json
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..confirmation import confirm_page
from ..errors import Conflict, DomainError, Invalid, NotFound, render_error
from ..extensions import db
from ..forms import ConfirmForm
from ..forum.services import get_question
from ..library.services import get_solution, pending_changes
from ..models import Flag, Question, Reply, Reuse, Revision, SynonymSet, User
from ..records import get_or_raise, require
from ..search.service import similar_cases
from ..submissions import AlreadySaved
from ..visibility import visible
from . import revisions, services
from .forms import (DuplicateForm, FlagForm, HideForm, MoveForm, ReasonForm, RedactForm,
                    ResolveFlagForm, ReviewForm, SynonymForm)

bp = Blueprint("moderation", __name__)

SYNONYMS_PER_PAGE = 25
ACTIONS = ["solution", "post", "flag", "question", "revision", "user", "authority", "topic",
           "synonym", "reuse"]


def post_url(post) -> str:
    if isinstance(post, Reply):
        return url_for("forum.question", question_id=post.question_id,
                       slug=post.question.slug) + f"#antwort-{post.id}"
    if isinstance(post, Question):
        return url_for("forum.question", question_id=post.id, slug=post.slug)
    return url_for("library.solution", slug=post.slug)


@bp.app_template_global()
def url_for_post(post) -> str:
    return post_url(post)


@bp.app_errorhandler(AlreadySaved)
def already_saved(error: AlreadySaved):
    """A form sent again (e.g. after the answer to the first send was lost): show what
    the first send created instead of creating it twice."""
    record = error.record
    try:
        if isinstance(record, Reuse):
            url = post_url(record.solution) + "#nachnutzung"
        elif isinstance(record, Flag):
            url = post_url(revisions.get_post(record.target_type, record.target_id))
        elif record is None:
            raise NotFound(_("Dieser Beitrag wurde bereits gespeichert und inzwischen "
                             "gelöscht."))
        else:
            url = post_url(record)
    except NotFound as gone:
        return render_error(404, gone.message)
    flash(_("Dieser Beitrag wurde bereits gespeichert."), "message")
    return redirect(url)


def _back(post, message: str | None = None):
    if message:
        flash(message, "success")
    return redirect(post_url(post))


def _visible_post(target_type: str, target_id: int):
    post = revisions.get_post(target_type, target_id)
    if not visible(current_user, post):
        raise NotFound(_("Der Beitrag wurde nicht gefunden."))
    return post


def _form_error(form, error: DomainError, default: str):
    field = getattr(form, getattr(error, "field", None) or default, None)
    (field.errors if field is not None else form.form_errors).append(error.message)


# -- overview, review queue, stale entries ---------------------------------------------

@bp.route("/moderation")
def index():
    require(current_user, "moderation.view")
    return _overview()


def _overview(status: int = 200):
    return render_template("moderation/index.html", queue=services.review_queue(),
                           changes=pending_changes(), flags=services.open_flags(),
                           stale=services.stale_solutions()), status


@bp.route("/loesungen/<slug>/pruefen", methods=["POST"])
def review(slug: str):
    solution = get_solution(current_user, slug)
    require(current_user, "solution.review", solution)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            services.review_solution(current_user, solution, form.decision.data or "",
                                     form.comment.data)
        except Invalid as error:
            _form_error(form, error, "decision")
        else:
            return _back(solution, _("Die Prüfung ist gespeichert."))
    from ..library.views import solution_page
    return solution_page(solution, review_form=form, status=400)


@bp.route("/loesungen/<slug>/einreichen", methods=["POST"])
def submit(slug: str):
    solution = get_solution(current_user, slug)
    if ConfirmForm().validate_on_submit():
        services.submit_solution(current_user, solution)
        flash(_("Die Lösung ist zur Prüfung eingereicht."), "success")
    return redirect(post_url(solution))


@bp.route("/fragen/<int:question_id>/in-loesung", methods=["POST"])
def to_solution(question_id: int):
    question = get_question(question_id, current_user)
    if not ConfirmForm().validate_on_submit():
        return redirect(post_url(question))
    solution = services.question_to_solution(current_user, question)
    flash(_("Ein Lösungsentwurf wurde angelegt. Bitte ergänzen Sie Ergebnis, Kosten und "
            "Aufwand und reichen Sie ihn zur Prüfung ein."), "success")
    return redirect(url_for("library.edit", slug=solution.slug))


# -- votes and flags -------------------------------------------------------------------

@bp.route("/hilfreich/<target_type>/<int:target_id>", methods=["POST"])
def vote(target_type: str, target_id: int):
    if target_type not in ("reply", "solution"):
        raise NotFound(_("Der Beitrag wurde nicht gefunden."))
    post = _visible_post(target_type, target_id)
    if ConfirmForm().validate_on_submit():
        marked = services.toggle_vote(current_user, post)
        flash(_("Als hilfreich markiert.") if marked else _("Markierung zurückgenommen."),
              "success")
    return redirect(post_url(post))


@bp.route("/melden/<target_type>/<int:target_id>", methods=["GET", "POST"])
def flag(target_type: str, target_id: int):
    post = _visible_post(target_type, target_id)
    require(current_user, "post.flag", post)
    form = FlagForm()
    if form.validate_on_submit():
        try:
            services.flag_post(current_user, post, form.reason.data or "", form.text.data,
                               form.submission_key.data)
        except Invalid as error:
            _form_error(form, error, "reason")
        else:
            return _back(post, _("Danke. Die Moderation prüft Ihre Meldung."))
    status = 400 if form.is_submitted() else 200
    return render_template("moderation/flag.html", form=form, post=post), status


@bp.route("/moderation/meldungen/<int:flag_id>", methods=["GET", "POST"])
def resolve(flag_id: int):
    """One flag: the flagged text beside the decision, which starts with none chosen."""
    require(current_user, "flag.resolve")
    flag = get_or_raise(Flag, flag_id)
    form = ResolveFlagForm()
    if form.validate_on_submit():
        try:
            services.resolve_flag(current_user, flag, form.action.data or "", form.note.data)
        except Invalid as error:
            _form_error(form, error, "action")
        else:
            flash(_("Die Meldung ist erledigt."), "success")
            return redirect(url_for("moderation.index") + "#meldungen")
    return render_template("moderation/resolve.html", flag=flag, form=form,
                           post=services.flagged_post(flag)), 400 if form.is_submitted() else 200


@bp.route("/moderation/ausblenden/<target_type>/<int:target_id>", methods=["POST"])
def hide(target_type: str, target_id: int):
    post = revisions.get_post(target_type, target_id)
    require(current_user, "post.hide", post)
    form = HideForm()
    if form.validate_on_submit():
        services.hide_post(current_user, post, form.note.data)
        return _back(post, _("Der Beitrag ist ausgeblendet."))
    return _refuse(post, " ".join(form.note.errors) or _("Bitte geben Sie einen Grund an."))


@bp.route("/moderation/einblenden/<target_type>/<int:target_id>", methods=["POST"])
def unhide(target_type: str, target_id: int):
    post = revisions.get_post(target_type, target_id)
    require(current_user, "post.hide", post)
    form = ReasonForm()
    if form.validate_on_submit():
        services.unhide_post(current_user, post, form.note.data)
        flash(_("Der Beitrag ist wieder sichtbar."), "success")
    return redirect(post_url(post))


# -- deleted questions ------------------------------------------------------------------

@bp.route("/moderation/geloescht")
def deleted():
    require(current_user, "question.restore")
    return render_template("moderation/deleted.html", questions=services.deleted_questions(),
                           restore_days=services.RESTORE_DAYS,
                           purge_after=timedelta(days=services.RESTORE_DAYS))


@bp.route("/moderation/geloescht/<int:question_id>", methods=["GET", "POST"])
def undelete(question_id: int):
    require(current_user, "question.restore")
    question = get_or_raise(Question, question_id)
    if not question.deleted:
        return redirect(post_url(question))
    form = ReasonForm()
    if form.validate_on_submit():
        services.restore_deleted_question(current_user, question, form.note.data)
        return _back(question, _("Die Frage ist wiederhergestellt und für alle sichtbar."))
    deleted_by = question.deleted_by.display_name if question.deleted_by else "–"
    return confirm_page(
        _("Gelöschte Frage wiederherstellen?"), _("Frage wiederherstellen"),
        url_for("moderation.deleted"), target_kind=_("Frage Nr. %(id)d", id=question.id),
        target_label=question.title,
        target_meta=_("%(authority)s · gelöscht von %(person)s am %(date)s",
                      authority=question.authority.name, person=deleted_by,
                      date=format_datetime(question.deleted_at, "dd.MM.yyyy, HH:mm")),
        preview_html=question.body_html,
        consequences=[_("Die Frage und ihre Antworten sind danach wieder für alle Mitglieder "
                        "sichtbar und in der Suche zu finden.")],
        form=form, fields=["note"], status=400 if form.is_submitted() else 200)


# -- duplicates, locking, moving -------------------------------------------------------

def _moderated_question(question_id: int, action: str) -> Question:
    question = get_question(question_id, current_user)
    require(current_user, action, question)
    return question


def _refuse(post, message: str):
    """Back to the post with the reason: these forms live on the post's page."""
    flash(message, "error")
    return redirect(post_url(post)), 303


@bp.route("/fragen/<int:question_id>/duplikat", methods=["GET", "POST"])
def close_duplicate(question_id: int):
    """Choose the original among the similar cases or search for it, then close."""
    question = _moderated_question(question_id, "question.close")
    form = DuplicateForm()
    query = request.args.get("suche", "").strip()[:200]
    if form.validate_on_submit():
        try:
            services.close_as_duplicate(current_user, question, form.original.data,
                                        form.note.data)
        except Invalid as error:
            form.original.errors.append(error.message)
        else:
            return _back(question, _("Die Frage ist als Duplikat geschlossen."))
    similar = similar_cases(current_user, case=question, authority_slug=question.authority.slug)
    candidates = services.duplicate_candidates(current_user, question, similar, query)
    return render_template("moderation/duplicate.html", question=question, form=form,
                           candidates=candidates, query=query
                           ), 400 if form.is_submitted() else 200


@bp.route("/fragen/<int:question_id>/zusammenfuehren", methods=["GET", "POST"])
def merge(question_id: int):
    question = _moderated_question(question_id, "question.close")
    if question.duplicate_of is None:
        raise Conflict(_("Schließen Sie die Frage zuerst als Duplikat."))
    form = ConfirmForm()
    if form.validate_on_submit():
        moved = services.merge_replies(current_user, question)
        return _back(question.duplicate_of, _("%(n)d Antworten wurden übertragen.", n=moved))
    return confirm_page(
        _("Antworten in die Originalfrage übertragen?"), _("Antworten übertragen"),
        post_url(question), target_kind=_("Duplikat Nr. %(id)d", id=question.id),
        target_label=question.title,
        target_meta=ngettext("%(num)d Antwort", "%(num)d Antworten", len(question.replies)),
        consequences=[
            _("Alle Antworten wandern zur Originalfrage „%(title)s“.",
              title=question.duplicate_of.title),
            _("Eine akzeptierte Antwort verliert diese Markierung. Das lässt sich nicht "
              "automatisch rückgängig machen.")],
        form=form, status=400 if form.is_submitted() else 200)


@bp.route("/fragen/<int:question_id>/sperren", methods=["POST"])
def lock(question_id: int):
    question = _moderated_question(question_id, "question.lock")
    form = ReasonForm()
    if form.validate_on_submit():
        locked = not question.locked
        services.set_locked(current_user, question, locked, form.note.data)
        return _back(question, _("Die Frage ist gesperrt.") if locked
                     else _("Die Frage ist wieder offen für Antworten."))
    return redirect(post_url(question))


@bp.route("/fragen/<int:question_id>/verschieben", methods=["POST"])
def move(question_id: int):
    question = _moderated_question(question_id, "question.move")
    form = MoveForm()
    if form.validate_on_submit():
        try:
            services.move_question(current_user, question, form.topics.data)
        except Invalid as error:
            return _refuse(question, error.message)
        return _back(question, _("Die Frage wurde verschoben."))
    return redirect(post_url(question))


# -- history ---------------------------------------------------------------------------

@bp.route("/verlauf/<target_type>/<int:target_id>")
def history(target_type: str, target_id: int):
    post = _visible_post(target_type, target_id)
    require(current_user, "revision.view", post)
    versions = revisions.history(post)
    numbers = [version.number for version in versions]
    newest = numbers[0]
    new = request.args.get("b", newest, type=int)
    old = request.args.get("a", max(1, new - 1), type=int)
    by_number = {version.number: version for version in versions}
    if old not in by_number or new not in by_number:
        old, new = max(1, newest - 1), newest
    changes = revisions.diff(by_number[old].fields, by_number[new].fields)
    return render_template("moderation/history.html", post=post, versions=versions,
                           old=old, new=new, changes=changes, target_type=target_type,
                           confirm_form=ConfirmForm())


def _revision(target_type: str, target_id: int, revision_id: int, action: str):
    """The post and one of its old versions, for a moderator allowed to `action`."""
    post = revisions.get_post(target_type, target_id)
    require(current_user, action, post)
    revision = get_or_raise(Revision, revision_id)
    if (revision.target_type, revision.target_id) != (target_type, target_id):
        raise NotFound(_("Diese Version gehört nicht zu diesem Beitrag."))
    return post, revision


@bp.route("/verlauf/<target_type>/<int:target_id>/wiederherstellen/<int:revision_id>",
          methods=["POST"])
def restore(target_type: str, target_id: int, revision_id: int):
    post, revision = _revision(target_type, target_id, revision_id, "revision.restore")
    if ConfirmForm().validate_on_submit():
        services.restore_revision(current_user, post, revision)
        flash(_("Die ältere Version ist wiederhergestellt."), "success")
    return redirect(url_for("moderation.history", target_type=target_type,
                            target_id=target_id))


@bp.route("/verlauf/<target_type>/<int:target_id>/schwaerzen/<int:revision_id>",
          methods=["GET", "POST"])
def redact(target_type: str, target_id: int, revision_id: int):
    post, revision = _revision(target_type, target_id, revision_id, "revision.redact")
    form = RedactForm()
    if form.validate_on_submit():
        try:
            services.redact_revision(current_user, post, revision, form.reason.data)
        except Invalid as error:
            _form_error(form, error, "reason")
        else:
            flash(_("Der Text der Version ist entfernt."), "success")
            return redirect(url_for("moderation.history", target_type=target_type,
                                    target_id=target_id))
    status = 400 if form.is_submitted() else 200
    return render_template("moderation/redact.html", form=form, post=post, revision=revision,
                           fields=json.loads(revision.content)), status


# -- audit log -------------------------------------------------------------------------

@bp.route("/moderation/protokoll")
def audit():
    require(current_user, "audit.view")
    action = request.args.get("aktion") or None
    actor = request.args.get("person", type=int)
    page = db.paginate(services.audit_log(action, actor), per_page=50, error_out=False)
    actors = db.session.scalars(select(User).where(User.role != "member").order_by(User.name))
    return render_template("moderation/audit.html", page=page, action=action, actor=actor,
                           actions=ACTIONS, actors=list(actors))




# -- synonyms --------------------------------------------------------------------------

@bp.route("/moderation/synonyme", methods=["GET", "POST"])
@bp.route("/moderation/synonyme/<int:set_id>", methods=["GET", "POST"])
def synonyms(set_id: int | None = None):
    require(current_user, "synonym.manage")
    current = get_or_raise(SynonymSet, set_id) if set_id else None
    form = SynonymForm(obj=current)
    if form.validate_on_submit():
        try:
            services.save_synonym_set(current_user, current, form.terms.data)
        except Invalid as error:
            form.terms.errors.append(error.message)
        else:
            flash(_("Die Synonyme sind gespeichert und gelten ab sofort in der Suche."),
                  "success")
            return redirect(url_for("moderation.synonyms"))
    query = request.args.get("filter", "").strip()[:80]
    page = db.paginate(services.synonym_sets(query), per_page=SYNONYMS_PER_PAGE,
                       error_out=False)
    status = 400 if form.errors else 200
    return render_template("moderation/synonyms.html", form=form, current=current,
                           page=page, query=query), status


@bp.route("/moderation/synonyme/<int:set_id>/loeschen", methods=["GET", "POST"])
def delete_synonyms(set_id: int):
    require(current_user, "synonym.manage")
    synonym_set = get_or_raise(SynonymSet, set_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_synonym_set(current_user, synonym_set)
        flash(_("Die Synonymgruppe ist gelöscht."), "success")
        return redirect(url_for("moderation.synonyms"))
    return confirm_page(
        _("Synonymgruppe löschen?"), _("Synonymgruppe löschen"),
        url_for("moderation.synonyms"), target_kind=_("Synonymgruppe"),
        target_label=synonym_set.terms,
        consequences=[_("Die Suche findet diese Begriffe danach nicht mehr gegenseitig.")],
        form=form, status=400 if form.is_submitted() else 200)
