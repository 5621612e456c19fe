from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..confirmation import confirm_page
from ..errors import DomainError, Invalid, NotFound
from ..extensions import db
from ..filters import active_filters, reset_url
from ..forms import ConfirmForm, markdown_previews
from ..models import PUBLIC_STATUSES, Reuse
from ..records import get_or_raise, require
from ..moderation.forms import ChangeReviewForm, HideForm, ReviewForm
from ..moderation.services import voted_ids
from ..search.service import similar_cases
from ..topics.services import all_topics
from ..web import AUTHORITY_KINDS, REUSE_STATUS_NAMES, SOLUTION_STATUS_NAMES
from . import services
from .forms import NewSolutionForm, ReuseForm, SolutionForm

bp = Blueprint("library", __name__, url_prefix="/loesungen")


def _solution_form(solution=None) -> SolutionForm:
    if solution is None:
        form = NewSolutionForm(status="submitted")
    elif (pending := services.pending_fields(solution)) is not None:
        # The author goes on from the change that waits for review.
        form = SolutionForm(data={**vars(pending), "reason": ""})
    else:  # topics and tags as the form shows them, not as related objects
        form = SolutionForm(data={
            **{name: getattr(solution, name) for name in (
                "title", "situation", "approach", "result", "costs", "effort", "contact",
                "status")},
            "topics": [topic.slug for topic in solution.topics],
            "tags": ", ".join(tag.shown for tag in solution.tags)})
    form.topics.choices = [(topic.slug, topic.name) for topic in all_topics()]
    form.status.choices = [(status, SOLUTION_STATUS_NAMES[status])
                           for status in services.allowed_statuses(current_user, solution)]
    return form


def _fields(form: SolutionForm) -> services.SolutionFields:
    return services.SolutionFields(
        title=form.title.data, situation=form.situation.data, approach=form.approach.data,
        result=form.result.data, costs=form.costs.data, effort=form.effort.data,
        contact=form.contact.data, topics=form.topics.data, tags=form.tags.data,
        status=form.status.data, reason=form.reason.data or "")


def _reuse_form(reuse=None) -> ReuseForm:
    form = ReuseForm(obj=reuse)
    form.status.choices = list(REUSE_STATUS_NAMES.items())
    return form


@bp.route("")
def solutions():
    filters = services.SolutionFilter(
        topic=request.args.get("thema") or None,
        status=request.args.get("status") or None,
        authority_kind=request.args.get("art") or None,
        sort=request.args.get("sortierung", "newest"),
    )
    page = db.paginate(services.solution_query(current_user, filters), per_page=20,
                       error_out=False)
    topics = all_topics()
    active = active_filters("library.solutions", [
        ("thema", _("Themenfeld"), {topic.slug: topic.name for topic in topics}),
        ("status", _("Status"), SOLUTION_STATUS_NAMES),
        ("art", _("Art der Kommune"), AUTHORITY_KINDS),
    ])
    return render_template("library/solutions.html", page=page, filters=filters,
                           topics=topics, kinds=AUTHORITY_KINDS, active=active,
                           reset=reset_url("library.solutions", keep=("sortierung",)),
                           statuses=PUBLIC_STATUSES,
                           own=services.own_unpublished(current_user))


@bp.route("/neu", methods=["GET", "POST"])
def create():
    form = _solution_form()
    previews = markdown_previews(form)
    if previews is None and form.validate_on_submit():
        try:
            solution = services.create_solution(current_user, _fields(form),
                                                form.submission_key.data)
        except Invalid as error:
            getattr(form, error.field or "title").errors.append(error.message)
        else:
            flash(_("Die Lösung ist gespeichert."), "success")
            return redirect(url_for("library.solution", slug=solution.slug))
    status = 400 if form.is_submitted() and previews is None else 200
    return render_template("library/edit.html", form=form, solution=None,
                           previews=previews), status


@bp.route("/<slug>")
def solution(slug: str):
    return solution_page(services.get_solution(current_user, slug))


def solution_page(solution, reuse_form=None, review_form=None, status=200):
    """The solution page; the forms given carry input and errors to show again."""
    own_reuse = next((r for r in solution.reuses if r.authority_id == current_user.authority_id),
                     None)
    similar = similar_cases(current_user, case=solution,
                            authority_slug=solution.authority.slug)
    return render_template(
        "library/solution.html", solution=solution, own_reuse=own_reuse,
        reuse_form=reuse_form or _reuse_form(own_reuse), review_form=review_form or ReviewForm(),
        confirm_form=ConfirmForm(), hide_form=HideForm(), similar=similar,
        voted=solution.id in voted_ids(current_user, "solution", [solution.id])), status


@bp.route("/<slug>/bearbeiten", methods=["GET", "POST"])
def edit(slug: str):
    solution = services.get_solution(current_user, slug)
    require(current_user, "solution.edit", solution)
    form = _solution_form(solution)
    previews = markdown_previews(form)
    if previews is None and form.validate_on_submit():
        try:
            published = services.edit_solution(current_user, solution, _fields(form))
        except Invalid as error:
            getattr(form, error.field or "title").errors.append(error.message)
        else:
            flash(_("Die Lösung ist gespeichert.") if published else _(
                "Ihre Änderung wartet auf Prüfung. Bis dahin bleibt die veröffentlichte "
                "Fassung sichtbar."), "success")
            return redirect(url_for("library.solution", slug=solution.slug))
    status = 400 if form.is_submitted() and previews is None else 200
    return render_template("library/edit.html", form=form, solution=solution,
                           previews=previews), status


@bp.route("/<slug>/aenderung", methods=["GET", "POST"])
def change(slug: str):
    """A pending change against the published text; moderators approve or send back."""
    solution = services.get_solution(current_user, slug)
    require(current_user, "solution.edit", solution)
    if solution.pending_content is None:
        raise NotFound(_("Für diese Lösung wartet keine Änderung auf Prüfung."))
    form = ChangeReviewForm()
    if request.method == "POST":
        require(current_user, "solution.review", solution)
        if form.validate_on_submit():
            try:
                services.review_change(current_user, solution, form.decision.data or "",
                                       form.comment.data)
            except Invalid as error:
                getattr(form, error.field or "decision").errors.append(error.message)
            else:
                flash(_("Die Prüfung der Änderung ist gespeichert."), "success")
                return redirect(url_for("library.solution", slug=solution.slug))
    status = 400 if form.is_submitted() else 200
    return render_template("library/change.html", solution=solution, form=form,
                           changes=services.pending_diff(solution)), status


@bp.route("/<slug>/nachnutzung", methods=["POST"])
def reuse(slug: str):
    solution = services.get_solution(current_user, slug)
    form = _reuse_form()
    if form.validate_on_submit():
        try:
            services.record_reuse(current_user, solution, form.status.data, form.note.data,
                                  form.submission_key.data)
        except DomainError as error:
            form.status.errors.append(error.message)
        else:
            flash(_("Die Nachnutzung ist eingetragen."), "success")
            return redirect(url_for("library.solution", slug=solution.slug) + "#nachnutzung")
    return solution_page(solution, reuse_form=form, status=400)


@bp.route("/nachnutzung/<int:reuse_id>/entfernen", methods=["GET", "POST"])
def remove_reuse(reuse_id: int):
    reuse = get_or_raise(Reuse, reuse_id)
    solution = services.get_solution(current_user, reuse.solution.slug)
    require(current_user, "reuse.remove", reuse)
    back = url_for("library.solution", slug=solution.slug) + "#nachnutzung"
    form = ConfirmForm()
    if form.validate_on_submit():
        services.remove_reuse(current_user, reuse)
        flash(_("Die Nachnutzung ist entfernt."), "success")
        return redirect(back)
    return confirm_page(
        _("Nachnutzung entfernen?"), _("Eintrag entfernen"), back,
        target_kind=_("Nachnutzung von „%(title)s“", title=solution.title),
        target_label=reuse.authority.name,
        target_meta=REUSE_STATUS_NAMES.get(reuse.status, reuse.status),
        consequences=[_("Der Eintrag und seine Notiz werden gelöscht; die Lösung zählt "
                        "eine Nachnutzung weniger.")],
        form=form, status=400 if form.is_submitted() else 200)
