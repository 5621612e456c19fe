"""A person's own settings: password, signed-in devices, second factor, personal data."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import sessions
from ..auth.views import sign_out
from ..forms import ConfirmForm

bp = Blueprint("account", __name__, url_prefix="/konto")


@bp.route("/")
def settings():
    """The overview of a person's own settings; each section links to its page."""
    return render_template("account/settings.html")


@bp.route("/geraete")
def devices():
    """The person's running sessions: browser, sign-in, last activity, address."""
    records = sessions.active_sessions(current_user)
    return render_template("account/devices.html", records=records,
                           describe=sessions.describe_user_agent,
                           current=current_user.current_session)


@bp.route("/geraete/<int:session_id>/beenden", methods=["POST"])
def end_device(session_id: int):
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("account.devices"))
    record = sessions.end_device(current_user, session_id)
    if record is current_user.current_session:
        sign_out()
        flash(_("Sie sind abgemeldet."), "success")
        return redirect(url_for("auth.login"))
    flash(_("Die Sitzung ist beendet."), "success")
    return redirect(url_for("account.devices"))
