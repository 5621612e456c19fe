from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..account import personal_data
from ..auth import second_factor
from ..auth import services as accounts
from ..auth.sessions import active_sessions
from ..authorities.services import all_authorities
from ..confirmation import confirm_page
from ..errors import Conflict, Invalid
from ..extensions import db
from ..main import legal
from ..forms import ConfirmForm
from ..models import User
from ..records import get_or_raise, require
from ..web import ROLE_NAMES
from . import services
from .forms import AccountForm, DeleteAccountForm, EditAccountForm, LegalPageForm

bp = Blueprint("admin", __name__, url_prefix="/verwaltung")


@bp.route("", methods=["GET", "POST"])
def index():
    require(current_user, "user.manage")
    form = AccountForm()
    form.authority.choices = [(a.slug, a.name) for a in all_authorities()]
    form.role.choices = list(ROLE_NAMES.items())
    invitation = None
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.name.data, form.authority.data,
                                        form.role.data, invited_by=current_user)
        except (Invalid, Conflict) as error:
            getattr(form, getattr(error, "field", None) or "email").errors.append(error.message)
        else:
            invitation = url_for("auth.invitation", token=accounts.invitation_token(user),
                                 _external=True)
            flash(_("Das Konto für %(email)s ist angelegt; die Einladung geht auch per "
                    "E-Mail an diese Adresse.", email=user.email), "success")
            form = AccountForm(formdata=None)
            form.authority.choices = [(a.slug, a.name) for a in all_authorities()]
            form.role.choices = list(ROLE_NAMES.items())
    users = db.session.scalars(select(User).options(selectinload(User.authority))
                               .order_by(User.name))
    status = 400 if form.errors else 200
    return render_template("admin/index.html", form=form, users=list(users),
                           invitation=invitation, legal_titles=legal.LEGAL_TITLES), status


@bp.route("/konten/<int:user_id>", methods=["GET", "POST"])
def account(user_id: int):
    user = get_or_raise(User, user_id)
    require(current_user, "user.manage", user)
    form = EditAccountForm(obj=user)
    form.role.choices = list(ROLE_NAMES.items())
    form.authority.choices = [(a.slug, a.name) for a in all_authorities()]
    if not form.is_submitted():
        form.authority.data = user.authority.slug
    if form.validate_on_submit():
        try:
            services.update_account(current_user, user, form.role.data, form.authority.data,
                                    form.active.data, form.reason.data or "")
        except (Invalid, Conflict) as error:
            getattr(form, getattr(error, "field", None) or "role").errors.append(error.message)
        else:
            flash(_("Das Konto von %(name)s ist gespeichert.", name=user.display_name),
                  "success")
            return redirect(url_for("admin.index"))
    status = 400 if form.errors else 200
    return render_template("admin/account.html", form=form, user=user,
                           session_count=len(active_sessions(user))), status


@bp.route("/konten/<int:user_id>/loeschen", methods=["GET", "POST"])
def delete_account(user_id: int):
    user = get_or_raise(User, user_id)
    require(current_user, "user.manage", user)
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            personal_data.delete_account(current_user, user, reason=form.reason.data or "")
        except Conflict as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Das Konto ist gelöscht."), "success")
            return redirect(url_for("admin.index"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("admin/delete_account.html", form=form, user=user), status


@bp.route("/rechtstexte/<slug>", methods=["GET", "POST"])
def legal_page(slug: str):
    require(current_user, "legal.edit")
    form = LegalPageForm()
    if not form.is_submitted():
        form.body.data = legal.current_text(slug)
    if form.validate_on_submit():
        legal.save_legal_page(current_user, slug, form.body.data)
        flash(_("Der Text ist gespeichert."), "success")
        return redirect(url_for(LEGAL_ENDPOINTS[slug]))
    status = 400 if form.errors else 200
    return render_template("admin/legal_page.html", form=form, slug=slug,
                           title=legal.LEGAL_TITLES[slug], saved=legal.saved_page(slug)), status


LEGAL_ENDPOINTS = {"impressum": "main.imprint", "datenschutz": "main.privacy",
                   "barrierefreiheit": "main.accessibility"}


@bp.route("/konten/<int:user_id>/sitzungen-beenden", methods=["POST"])
def end_sessions(user_id: int):
    user = get_or_raise(User, user_id)
    require(current_user, "user.manage", user)
    if ConfirmForm().validate_on_submit():
        services.end_all_sessions(current_user, user)
        flash(_("Alle Sitzungen von %(name)s sind beendet.", name=user.name), "success")
    return redirect(url_for("admin.account", user_id=user.id))


@bp.route("/konten/<int:user_id>/zweiter-faktor-zuruecksetzen", methods=["GET", "POST"])
def reset_second_factor(user_id: int):
    user = get_or_raise(User, user_id)
    require(current_user, "user.manage", user)
    form = ConfirmForm()
    if form.validate_on_submit():
        second_factor.reset(current_user, user)
        flash(_("Der zweite Faktor von %(name)s ist zurückgesetzt.", name=user.name), "success")
        return redirect(url_for("admin.account", user_id=user.id))
    return confirm_page(
        _("Zweiten Faktor zurücksetzen?"), _("Zweiten Faktor zurücksetzen"),
        url_for("admin.account", user_id=user.id), target_kind=_("Konto"),
        target_label=user.display_name, target_meta=user.email,
        consequences=[
            _("Die Authenticator-App und die Wiederherstellungscodes der Person gelten "
              "nicht mehr."),
            _("Moderation und Administration müssen bei der nächsten Anmeldung einen neuen "
              "zweiten Faktor einrichten.")],
        form=form, status=400 if form.is_submitted() else 200)
