from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

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
    member_since = DateField(_l("Mitglied seit"), validators=[Optional()])
