"""The settings page, rendered alike by every view that shows it: a section whose form
was sent with errors shows that form, every other section a fresh one."""
from flask import render_template
from flask_login import current_user

from ..mail import preferences as mail_choices
from ..mail.forms import MailPreferencesForm


def preferences_form(formdata=None) -> MailPreferencesForm:
    """The mail section's form, filled with the person's current choices."""
    stored = mail_choices.preferences(current_user)
    return MailPreferencesForm(formdata=formdata, immediate=stored.immediate,
                               digest=stored.digest)


def settings_page(status: int = 200, **forms):
    forms.setdefault("mail_form", preferences_form())
    return render_template("account/settings.html", **forms), status
