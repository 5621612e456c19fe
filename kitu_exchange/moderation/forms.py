from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..forms import CreateForm, Form, MultiCheckboxField, choices

NOTE_LENGTH = Length(max=500, message=_l("Bitte höchstens %(max)d Zeichen."))


class ReviewForm(Form):
    decision = RadioField(_l("Entscheidung"), validate_choice=False, choices=choices([
        ("publish", _l("Veröffentlichen")), ("best_practice", _l("Als Best Practice veröffentlichen")),
        ("send_back", _l("Zur Überarbeitung zurückgeben")), ("archive", _l("Archivieren"))]))
    comment = TextAreaField(_l("Kommentar an die Autorin oder den Autor"),
                            validators=[Length(max=2000, message=_l(
                                "Bitte höchstens %(max)d Zeichen."))])


class ChangeReviewForm(Form):
    decision = RadioField(_l("Entscheidung"), validate_choice=False, choices=choices([
        ("approve", _l("Änderung veröffentlichen")),
        ("send_back", _l("Zur Überarbeitung zurückgeben"))]))
    comment = TextAreaField(_l("Kommentar an die Autorin oder den Autor"),
                            validators=[Length(max=2000, message=_l(
                                "Bitte höchstens %(max)d Zeichen."))])


class FlagForm(CreateForm):
    reason = RadioField(_l("Grund der Meldung"), validate_choice=False, choices=choices([
        ("spam", _l("Spam oder Werbung")), ("off_topic", _l("Gehört nicht hierher")),
        ("personal_data", _l("Enthält personenbezogene Daten")),
        ("outdated", _l("Veraltet")), ("other", _l("Anderer Grund"))]))
    text = TextAreaField(_l("Erläuterung"), validators=[Length(max=2000, message=_l(
        "Bitte höchstens %(max)d Zeichen."))])


class ResolveFlagForm(Form):
    # No option is chosen in advance: a moderator decides on purpose.
    action = RadioField(_l("Entscheidung"), validate_choice=False, choices=choices([
        ("hide", _l("Beitrag ausblenden")), ("edited", _l("Beitrag wurde bearbeitet")),
        ("dismiss", _l("Meldung verwerfen"))]))
    note = StringField(_l("Begründung"), validators=[NOTE_LENGTH])


class ReasonForm(Form):
    note = StringField(_l("Begründung"), validators=[NOTE_LENGTH])


class HideForm(Form):
    note = StringField(_l("Grund (für die Autorin oder den Autor sichtbar)"), validators=[
        DataRequired(_l("Bitte geben Sie einen Grund an.")), NOTE_LENGTH])


class RedactForm(Form):
    reason = StringField(_l("Grund (erscheint im Protokoll)"), validators=[
        DataRequired(_l("Bitte geben Sie einen Grund an.")), NOTE_LENGTH])


class DuplicateForm(Form):
    # Choices are the candidate questions the page shows (similar cases, search hits).
    original = RadioField(_l("Originalfrage"), coerce=int, validate_choice=False,
                          validators=[InputRequired(_l("Bitte wählen Sie die Originalfrage."))])
    note = StringField(_l("Begründung"), validators=[Optional(), NOTE_LENGTH])


class MoveForm(Form):
    topics = MultiCheckboxField(_l("Themenfelder"))


class SynonymForm(Form):
    terms = TextAreaField(_l("Gleichbedeutende Begriffe"), validators=[
        DataRequired(_l("Bitte geben Sie die Begriffe ein.")),
        Length(max=1000, message=_l("Bitte höchstens %(max)d Zeichen."))])
