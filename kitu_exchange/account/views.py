"""A person's own settings: password, signed-in devices, second factor, personal data."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import second_factor as factor
from ..auth import sessions
from ..auth.forms import CodeForm, SwitchOffForm
from ..auth.views import sign_out
from ..errors import Invalid
from ..forms import ConfirmForm
from .settings_page import settings_page

bp = Blueprint("account", __name__, url_prefix="/konto")


@bp.route("/")
def settings():
    """The overview of a person's own settings; each section links to its page, the
    mail choices are a form on it (mail/views.py)."""
    return settings_page()


@bp.route("/geraete")
def devices():
    """The person's running sessions: browser, sign-in, last activity, address."""
    records = sessions.active_sessions(current_user)
    return render_template("account/devices.html", records=records,
                           describe=sessions.describe_user_agent,
                           current=current_user.current_session)


@bp.route("/geraete/<int:session_id>/beenden", methods=["POST"])
def end_device(session_id: int):
    ConfirmForm().validate_on_submit()  # CSRFProtect has already refused a bad token
    record = sessions.end_device(current_user, session_id)
    if record is current_user.current_session:
        sign_out()
        flash(_("Sie sind abgemeldet."), "success")
        return redirect(url_for("auth.login"))
    flash(_("Die Sitzung ist beendet."), "success")
    return redirect(url_for("account.devices"))


@bp.route("/zwei-faktor", methods=["GET", "POST"])
def second_factor():
    """Set up the second factor (QR code and a first code), or manage it once it is on."""
    if current_user.has_second_factor:
        return render_template(
            "account/second_factor.html", switch_off=SwitchOffForm(formdata=None),
            unused=factor.unused_recovery_codes(current_user))
    secret = factor.setup_secret(current_user)
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            codes = factor.confirm_setup(current_user, form.code.data)
        except Invalid as error:
            form.code.errors.append(error.message)
            status = 400
        else:
            flash(_("Die Zwei-Faktor-Anmeldung ist eingeschaltet."), "success")
            return render_template("account/recovery_codes.html", codes=codes)
    elif form.is_submitted():
        status = 400
    return render_template("account/second_factor_setup.html", form=form, secret=secret,
                           qr_code=factor.qr_code(current_user)), status


@bp.route("/zwei-faktor/wiederherstellungscodes", methods=["POST"])
def renew_recovery_codes():
    ConfirmForm().validate_on_submit()  # CSRFProtect has already refused a bad token
    codes = factor.renew_recovery_codes(current_user)
    flash(_("Neue Wiederherstellungscodes sind erzeugt; die alten gelten nicht mehr."),
          "success")
    return render_template("account/recovery_codes.html", codes=codes)


@bp.route("/zwei-faktor/abschalten", methods=["POST"])
def switch_off_second_factor():
    form = SwitchOffForm()
    if form.validate_on_submit():
        try:
            factor.switch_off(current_user, form.password.data)
        except Invalid as error:
            form.password.errors.append(error.message)
        else:
            flash(_("Die Zwei-Faktor-Anmeldung ist ausgeschaltet."), "success")
            return redirect(url_for("account.settings"))
    return render_template("account/second_factor.html", switch_off=form,
                           unused=factor.unused_recovery_codes(current_user)), 400


from . import privacy  # noqa: E402,F401  (registers its routes on bp)
from . import feed_settings  # noqa: E402,F401  (registers its routes on bp)
