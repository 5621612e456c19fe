"""Account settings for personal data: download it, delete the account."""
import json

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from ..errors import Conflict, Invalid
from ..forms import Form
from ..models import utcnow
from . import personal_data
from .views import bp


class DeleteOwnAccountForm(Form):
    password = PasswordField(_l("Ihr Passwort"), validators=[
        DataRequired(_l("Bitte geben Sie zur Bestätigung Ihr Passwort ein.")),
        Length(max=200)])


@bp.route("/daten.json")
def export_data():
    """The person's own data as a JSON download. A GET is safe here: it changes nothing
    and another site cannot read the answer; no-store keeps it out of caches."""
    data = personal_data.export_personal_data(current_user)
    filename = f"kitu-daten-{utcnow().date().isoformat()}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                 "Cache-Control": "no-store"})


@bp.route("/loeschen", methods=["GET", "POST"])
def delete_account():
    form = DeleteOwnAccountForm()
    if form.validate_on_submit():
        try:
            personal_data.delete_account(current_user, current_user, form.password.data)
        except Invalid as error:
            form.password.errors.append(error.message)
        except Conflict as error:
            form.form_errors.append(error.message)
        else:
            logout_user()
            flash(_("Ihr Konto ist gelöscht. Ihre Beiträge erscheinen jetzt als Beiträge "
                    "eines ehemaligen Mitglieds Ihrer Kommune."), "success")
            return redirect(url_for("auth.login"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("account/delete.html", form=form), status
