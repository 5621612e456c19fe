from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from ..forms import Form


class TopicForm(Form):
    slug = StringField(_l("Kurzbezeichnung (für die Adresse)"), validators=[
        DataRequired(_l("Bitte geben Sie eine Kurzbezeichnung ein.")),
        Length(max=80, message=_l("Bitte höchstens %(max)d Zeichen.")),
        Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l(
            "Nur Kleinbuchstaben, Ziffern und Bindestriche, z. B. e-rechnung."))])
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Bitte geben Sie einen Namen ein.")),
        Length(max=120, message=_l("Bitte höchstens %(max)d Zeichen."))])
    description = TextAreaField(_l("Beschreibung"), validators=[
        Length(max=1000, message=_l("Bitte höchstens %(max)d Zeichen."))])
