from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..errors import Conflict, Invalid
from ..models import Authority
from ..permissions import can
from ..records import by_slug_or_raise, require
from ..web import AUTHORITY_KINDS
from . import services
from .forms import AuthorityForm

bp = Blueprint("authorities", __name__, url_prefix="/kommunen")


def _form(authority=None) -> AuthorityForm:
    form = AuthorityForm(obj=authority)
    form.kind.choices = list(AUTHORITY_KINDS.items())
    if authority is not None:
        form.slug.render_kw = {"readonly": True}
        if not can(current_user, "authority.rename", authority):
            form.name.render_kw = {"readonly": True}
    return form


def _fields(form: AuthorityForm) -> services.AuthorityFields:
    area = form.area_km2.data
    return services.AuthorityFields(
        slug=form.slug.data, name=form.name.data.strip(), kind=form.kind.data,
        state=form.state.data.strip(), population=form.population.data,
        staff=form.staff.data, area_km2=float(area) if area is not None else None,
        member_since=form.member_since.data)


def _save(form, authority):
    try:
        saved = services.save_authority(current_user, authority, _fields(form))
    except (Invalid, Conflict) as error:
        getattr(form, getattr(error, "field", None) or "slug").errors.append(error.message)
        return None
    flash(_("Die Angaben zur Kommune sind gespeichert."), "success")
    return redirect(url_for("authorities.profile", slug=saved.slug))


@bp.route("")
def directory():
    return render_template("authorities/directory.html", authorities=services.directory())


@bp.route("/neu", methods=["GET", "POST"])
def create():
    require(current_user, "authority.create")
    form = _form()
    if form.validate_on_submit() and (response := _save(form, None)):
        return response
    status = 400 if form.is_submitted() else 200
    return render_template("authorities/edit.html", form=form, authority=None), status


@bp.route("/<slug>")
def profile(slug: str):
    authority = by_slug_or_raise(Authority, slug, _("Diese Kommune gibt es nicht."))
    return render_template("authorities/profile.html", authority=authority,
                           **services.profile(authority, current_user))


@bp.route("/<slug>/bearbeiten", methods=["GET", "POST"])
def edit(slug: str):
    authority = by_slug_or_raise(Authority, slug, _("Diese Kommune gibt es nicht."))
    require(current_user, "authority.edit", authority)
    form = _form(authority)
    if form.validate_on_submit() and (response := _save(form, authority)):
        return response
    status = 400 if form.is_submitted() else 200
    return render_template("authorities/edit.html", form=form, authority=authority), status
