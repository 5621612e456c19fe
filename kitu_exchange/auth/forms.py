from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from ..forms import Form
from .passwords import PASSWORD_MIN


def new_password_fields():
    password = PasswordField(_l("Neues Passwort"), validators=[
        DataRequired(_l("Bitte geben Sie ein Passwort ein.")),
        Length(min=PASSWORD_MIN, max=200,
               message=_l("Das Passwort muss mindestens %(min)d Zeichen lang sein.")),
    ])
    confirm = PasswordField(_l("Neues Passwort wiederholen"), validators=[
        DataRequired(_l("Bitte wiederholen Sie das Passwort.")),
        EqualTo("password", _l("Die beiden Passwörter stimmen nicht überein.")),
    ])
    return password, confirm


class LoginForm(Form):
    email = EmailField(_l("E-Mail"), validators=[
        DataRequired(_l("Bitte geben Sie Ihre E-Mail-Adresse ein.")), Length(max=254)])
    password = PasswordField(_l("Passwort"), validators=[
        DataRequired(_l("Bitte geben Sie Ihr Passwort ein.")), Length(max=200)])
    remember = BooleanField(_l("Angemeldet bleiben"))
    submit = SubmitField(_l("Anmelden"))


class SetPasswordForm(Form):
    password, confirm = new_password_fields()
    submit = SubmitField(_l("Passwort festlegen"))


class ChangePasswordForm(Form):
    current = PasswordField(_l("Aktuelles Passwort"), validators=[
        DataRequired(_l("Bitte geben Sie Ihr aktuelles Passwort ein."))])
    password, confirm = new_password_fields()
    submit = SubmitField(_l("Passwort ändern"))


class LogoutForm(Form):
    submit = SubmitField(_l("Abmelden"))


class CodeForm(Form):
    code = StringField(_l("Bestätigungscode"), validators=[
        DataRequired(_l("Bitte geben Sie den Code ein.")),
        Length(max=40, message=_l("Bitte höchstens %(max)d Zeichen."))])


class SwitchOffForm(Form):
    password = PasswordField(_l("Passwort"), validators=[
        DataRequired(_l("Bitte geben Sie Ihr Passwort ein.")), Length(max=200)])


class ForgotPasswordForm(Form):
    email = EmailField(_l("E-Mail"), validators=[
        DataRequired(_l("Bitte geben Sie Ihre E-Mail-Adresse ein.")), Length(max=254)])
    submit = SubmitField(_l("Link anfordern"))
