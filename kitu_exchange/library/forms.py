from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from ..forms import (CreateForm, Form, body_field, reason_field,
                     tags_field, title_field, topics_field)


def short_text(label) -> StringField:
    return StringField(label, filters=[lambda v: v.strip() if isinstance(v, str) else v],
                       validators=[Length(max=300, message=_l(
                           "Bitte höchstens %(max)d Zeichen."))])


class SolutionForm(Form):
    title = title_field()
    situation = body_field(_l("Ausgangslage"), required=False)
    approach = body_field(_l("Lösung"))
    result = body_field(_l("Ergebnis"), required=False)
    costs = short_text(_l("Kosten"))
    effort = short_text(_l("Aufwand"))
    contact = short_text(_l("Ansprechperson"))
    topics = topics_field()
    tags = tags_field()
    status = SelectField(_l("Status"), validate_choice=False)
    reason = reason_field()


class NewSolutionForm(CreateForm, SolutionForm):
    pass


class ReuseForm(CreateForm):
    status = SelectField(_l("Stand der Nachnutzung"), validate_choice=False)
    note = TextAreaField(_l("Notiz"), validators=[Length(max=2000, message=_l(
        "Bitte höchstens %(max)d Zeichen."))])
