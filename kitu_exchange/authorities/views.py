from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..confirmation import confirm_page
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..forms import ConfirmForm
from ..models import POPULATION_BANDS, Authority, AuthorityContact, AuthoritySoftware
from ..permissions import can
from ..records import by_slug_or_raise, require
from ..web import AUTHORITY_KINDS, SOFTWARE_FIELD_NAMES
from . import services
from .forms import AuthorityForm, ContactForm, SoftwareForm

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
    args = request.args
    filters = services.DirectoryFilter(
        kind=args.get("art") if args.get("art") in AUTHORITY_KINDS else None,
        size=args.get("groesse") if args.get("groesse") in POPULATION_BANDS else None,
        software=(args.get("software") or "").strip()[:120] or None,
        field=args.get("bereich") if args.get("bereich") in SOFTWARE_FIELD_NAMES else None)
    return render_template("authorities/directory.html",
                           authorities=services.directory(filters), filters=filters,
                           software_names=services.software_names())


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


# -- contacts and software in use ------------------------------------------------------

def _maintained(slug: str) -> Authority:
    authority = by_slug_or_raise(Authority, slug, _("Diese Kommune gibt es nicht."))
    require(current_user, "authority.edit", authority)
    return authority


def _entry(authority: Authority, model, entry_id: int):
    entry = db.session.get(model, entry_id)
    if entry is None or entry.authority_id != authority.id:
        raise NotFound(_("Der Eintrag wurde nicht gefunden."))
    return entry


def _software_form(entry=None) -> SoftwareForm:
    form = SoftwareForm(obj=entry)
    form.field.choices = [("", _("Bitte wählen"))] + list(SOFTWARE_FIELD_NAMES.items())
    return form


def _save_contact(authority, contact, form) -> bool:
    try:
        services.save_contact(current_user, authority, contact, services.ContactFields(
            role=form.role.data, email=form.email.data or "", phone=form.phone.data or "",
            note=form.note.data or ""))
    except Invalid as error:
        getattr(form, error.field or "role").errors.append(error.message)
        return False
    flash(_("Die Ansprechperson ist gespeichert."), "success")
    return True


def _save_software(authority, entry, form) -> bool:
    try:
        services.save_software(current_user, authority, entry, form.field.data or "",
                               form.product.data, form.provider.data or "")
    except Invalid as error:
        getattr(form, error.field or "product").errors.append(error.message)
        return False
    flash(_("Die Angabe zur Software ist gespeichert."), "success")
    return True


def _list_and_form(authority, page: str, form, editing, save):
    """A maintained list with its form (new entry or `editing`): saved → back to the
    list; otherwise the page again, with the errors at their fields."""
    if form.validate_on_submit() and save(authority, editing, form):
        return redirect(url_for(f"authorities.{page}", slug=authority.slug))
    return render_template(f"authorities/{page}.html", authority=authority, form=form,
                           editing=editing), 400 if form.is_submitted() else 200


@bp.route("/<slug>/ansprechpersonen", methods=["GET", "POST"])
def contacts(slug: str):
    return _list_and_form(_maintained(slug), "contacts", ContactForm(), None, _save_contact)


@bp.route("/<slug>/ansprechpersonen/<int:contact_id>", methods=["GET", "POST"])
def edit_contact(slug: str, contact_id: int):
    authority = _maintained(slug)
    contact = _entry(authority, AuthorityContact, contact_id)
    return _list_and_form(authority, "contacts", ContactForm(obj=contact), contact,
                          _save_contact)


@bp.route("/<slug>/ansprechpersonen/<int:contact_id>/entfernen", methods=["GET", "POST"])
def remove_contact(slug: str, contact_id: int):
    authority = _maintained(slug)
    contact = _entry(authority, AuthorityContact, contact_id)
    form = ConfirmForm()
    back = url_for("authorities.contacts", slug=slug)
    if form.validate_on_submit():
        services.remove_contact(current_user, authority, contact)
        flash(_("Die Ansprechperson ist entfernt."), "success")
        return redirect(back)
    return confirm_page(
        _("Ansprechperson entfernen?"), _("Ansprechperson entfernen"), back,
        target_kind=authority.name, target_label=contact.role,
        target_meta=" · ".join(value for value in (contact.email, contact.phone) if value),
        consequences=[_("Kolleginnen und Kollegen anderer Kommunen finden diesen Kontakt "
                        "danach nicht mehr im Profil.")],
        form=form, status=400 if form.is_submitted() else 200)


@bp.route("/<slug>/software", methods=["GET", "POST"])
def software(slug: str):
    return _list_and_form(_maintained(slug), "software", _software_form(), None,
                          _save_software)


@bp.route("/<slug>/software/<int:entry_id>", methods=["GET", "POST"])
def edit_software(slug: str, entry_id: int):
    authority = _maintained(slug)
    entry = _entry(authority, AuthoritySoftware, entry_id)
    return _list_and_form(authority, "software", _software_form(entry), entry,
                          _save_software)


@bp.route("/<slug>/software/<int:entry_id>/entfernen", methods=["GET", "POST"])
def remove_software(slug: str, entry_id: int):
    authority = _maintained(slug)
    entry = _entry(authority, AuthoritySoftware, entry_id)
    form = ConfirmForm()
    back = url_for("authorities.software", slug=slug)
    if form.validate_on_submit():
        services.remove_software(current_user, authority, entry)
        flash(_("Die Angabe zur Software ist entfernt."), "success")
        return redirect(back)
    return confirm_page(
        _("Software-Angabe entfernen?"), _("Angabe entfernen"), back,
        target_kind=f"{authority.name} · {SOFTWARE_FIELD_NAMES.get(entry.field, entry.field)}",
        target_label=entry.product, target_meta=entry.provider,
        consequences=[_("Die Kommune erscheint dann nicht mehr bei „Wer nutzt auch …?“ für "
                        "diese Software.")],
        form=form, status=400 if form.is_submitted() else 200)
