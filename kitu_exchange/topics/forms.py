from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import Form, slug_field


class TopicForm(Form):
    slug = slug_field("e-rechnung")
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Bitte geben Sie einen Namen ein.")),
        Length(max=120, message=_l("Bitte höchstens %(max)d Zeichen."))])
    description = TextAreaField(_l("Beschreibung"), validators=[
        Length(max=1000, message=_l("Bitte höchstens %(max)d Zeichen."))])
