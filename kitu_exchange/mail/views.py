"""Mail pages: a person's mail choices, the one-click unsubscribe (signed out too) and
the administrators' outbox."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..account.settings_page import preferences_form, settings_page
from ..errors import Invalid
from ..extensions import csrf
from ..forms import ConfirmForm
from ..records import require
from . import preferences as choices
from . import services

bp = Blueprint("mail", __name__)


@bp.route("/konto/e-mail", methods=["POST"])
def preferences():
    form = preferences_form(request.form)
    if form.validate_on_submit():
        try:
            choices.save_preferences(current_user, form.immediate.data, form.digest.data)
        except Invalid as error:
            form.digest.errors = [*form.digest.errors, error.message]
        else:
            flash(_("Ihre E-Mail-Einstellungen sind gespeichert."), "success")
            return redirect(url_for("account.settings"))
    return settings_page(400, mail_form=form)


@bp.route("/abbestellen/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """GET shows what the link switches off and a button; POST (the button, or a mail
    program's RFC 8058 one-click request) switches it off. The signed token is the
    protection, so this one form needs no CSRF token and no sign-in."""
    if request.method == "POST":
        user, kind = choices.unsubscribe(token)
        return render_template("mail/unsubscribed.html", user=user, kind=kind)
    user, kind = choices.read_unsubscribe_token(token)
    return render_template("mail/unsubscribe.html", user=user, kind=kind)


@bp.route("/verwaltung/e-mail-ausgang")
def outbox():
    require(current_user, "user.manage")
    return render_template("mail/outbox.html", mails=services.pending_and_failed(),
                           form=ConfirmForm(), limit=services.OVERVIEW_LIMIT)


@bp.route("/verwaltung/e-mail-ausgang/<int:mail_id>/erneut", methods=["POST"])
def retry(mail_id: int):
    ConfirmForm().validate_on_submit()  # CSRFProtect has already refused a bad token
    services.retry_mail(current_user, mail_id)
    flash(_("Die E-Mail wird beim nächsten Versand erneut zugestellt."), "success")
    return redirect(url_for("mail.outbox"))


@bp.route("/verwaltung/e-mail-ausgang/<int:mail_id>/verwerfen", methods=["POST"])
def discard(mail_id: int):
    ConfirmForm().validate_on_submit()
    services.discard_mail(current_user, mail_id)
    flash(_("Die E-Mail ist verworfen."), "success")
    return redirect(url_for("mail.outbox"))
