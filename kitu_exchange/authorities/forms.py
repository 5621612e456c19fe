from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.widgets import TextInput
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..forms import Form, slug_field

NUMBER_MESSAGE = _l("Bitte geben Sie eine Zahl ein.")


class AuthorityForm(Form):
    slug = slug_field("stadt-musterhausen")
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Bitte geben Sie einen Namen ein.")),
        Length(max=200, message=_l("Bitte höchstens %(max)d Zeichen."))])
    kind = SelectField(_l("Art"), validate_choice=False)
    state = StringField(_l("Bundesland"), default="Sachsen-Anhalt", validators=[
        DataRequired(_l("Bitte geben Sie das Bundesland an.")), Length(max=80)])
    population = IntegerField(_l("Einwohnerzahl"), validators=[
        Optional(), NumberRange(min=0, max=100_000_000, message=_l(
            "Bitte eine Zahl zwischen %(min)s und %(max)s."))])
    staff = IntegerField(_l("Beschäftigte"), validators=[
        Optional(), NumberRange(min=0, max=1_000_000, message=_l(
            "Bitte eine Zahl zwischen %(min)s und %(max)s."))])
    area_km2 = DecimalField(_l("Fläche in km²"), places=None, validators=[
        Optional(), NumberRange(min=0, max=100_000, message=_l(
            "Bitte eine Zahl zwischen %(min)s und %(max)s."))])
    # A text field in German order (TT.MM.JJJJ); ISO dates are accepted too.
    member_since = DateField(_l("Mitglied seit"), format=["%d.%m.%Y", "%Y-%m-%d"],
                             widget=TextInput(), validators=[Optional()])


def _optional_text(label, max_length: int, validators=()) -> StringField:
    return StringField(label, filters=[lambda v: v.strip() if isinstance(v, str) else v],
                       validators=[Optional(), Length(max=max_length, message=_l(
                           "Bitte höchstens %(max)d Zeichen.")), *validators])


class ContactForm(Form):
    """A functional contact: a role with a mailbox or phone that outlasts staff changes."""

    role = StringField(_l("Funktion"), filters=[lambda v: v.strip() if isinstance(v, str) else v],
                       validators=[DataRequired(_l("Bitte geben Sie die Funktion an.")),
                                   Length(max=120, message=_l("Bitte höchstens %(max)d Zeichen."))])
    email = _optional_text(_l("Funktionspostfach (E-Mail)"), 254, [Regexp(
        r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        message=_l("Bitte geben Sie eine E-Mail-Adresse ein, z. B. it@musterstadt.de."))])
    phone = _optional_text(_l("Telefon"), 40, [Regexp(
        r"^\+?[0-9 ()/-]{5,}$",
        message=_l("Bitte nur Ziffern, Leerzeichen und + ( ) / -, z. B. 03946 905-0."))])
    note = _optional_text(_l("Hinweis"), 300)


class SoftwareForm(Form):
    field = SelectField(_l("Bereich"), validate_choice=False)
    product = StringField(_l("Software oder Verfahren"),
                          filters=[lambda v: v.strip() if isinstance(v, str) else v],
                          validators=[DataRequired(_l("Bitte geben Sie die Software an.")),
                                      Length(max=120, message=_l(
                                          "Bitte höchstens %(max)d Zeichen."))])
    provider = _optional_text(_l("Hersteller oder Dienstleister"), 120)
