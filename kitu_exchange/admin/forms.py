from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import Form, body_field


class AccountForm(Form):
    email = EmailField(_l("E-Mail"), validators=[
        DataRequired(_l("Bitte geben Sie eine E-Mail-Adresse ein.")),
        Length(max=254, message=_l("Bitte höchstens %(max)d Zeichen."))])
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Bitte geben Sie einen Namen ein.")),
        Length(max=120, message=_l("Bitte höchstens %(max)d Zeichen."))])
    authority = SelectField(_l("Kommune"), validate_choice=False)
    role = SelectField(_l("Rolle"), validate_choice=False)


class EditAccountForm(Form):
    role = SelectField(_l("Rolle"), validate_choice=False)
    authority = SelectField(_l("Kommune"), validate_choice=False)
    active = BooleanField(_l("Konto ist aktiv"))
    reason = StringField(_l("Begründung"), validators=[
        Length(max=300, message=_l("Bitte höchstens %(max)d Zeichen."))])


class DeleteAccountForm(Form):
    reason = StringField(_l("Begründung"), validators=[
        Length(max=300, message=_l("Bitte höchstens %(max)d Zeichen."))])


class LegalPageForm(Form):
    body = body_field(_l("Text (Markdown)"), max_length=50_000)
