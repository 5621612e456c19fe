"""Form base class and fields shared by the areas' forms."""
import re
import secrets

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (HiddenField, PasswordField, SelectMultipleField, StringField,
                     TextAreaField, widgets)
from wtforms.fields.core import UnboundField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from .rendering import render_markdown
from .text import clean_text

# A post body may be long, but not megabytes: the limit keeps pages and the index sane.
BODY_MAX = 20_000
TITLE_MAX = 200
SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")


def choices(pairs) -> list[SelectChoice]:
    """Options for a choice field from (value, label) pairs."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]


def _strip_nul(value):
    return clean_text(value) if isinstance(value, str) else value


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class Form(FlaskForm):
    """FlaskForm that removes NUL bytes from every text input before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [_strip_nul, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, filters=filters, **options)


class SubmissionKeyField(HiddenField):
    """A random one-time key, made when the form is first shown and sent back with it."""

    def __init__(self, **kwargs) -> None:
        super().__init__(default=lambda: secrets.token_urlsafe(16), **kwargs)

    def process_formdata(self, valuelist) -> None:
        # Sent without a (well-formed) key, e.g. by an older page: none, create as before.
        value = valuelist[0] if valuelist else ""
        self.data = value if SUBMISSION_KEY.fullmatch(value) else None


class CreateForm(Form):
    """A form that creates a record: sent twice, it creates once (see submissions.py)."""

    submission_key = SubmissionKeyField()


def title_field(label=None) -> StringField:
    return StringField(
        label or _l("Titel"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Bitte geben Sie einen Titel ein.")),
            Length(min=5, max=TITLE_MAX,
                   message=_l("Der Titel muss zwischen %(min)d und %(max)d Zeichen lang sein.")),
        ],
    )


def body_field(label, required: bool = True, max_length: int = BODY_MAX) -> TextAreaField:
    validators = [Length(max=max_length, message=_l(
        "Der Text ist zu lang: höchstens %(max)d Zeichen sind erlaubt."))]
    if required:
        validators.insert(0, DataRequired(_l("Bitte geben Sie einen Text ein.")))
    return TextAreaField(label, filters=[_strip], validators=validators)


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes for a multiple choice; the service checks the values, in German."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)


def topics_field() -> MultiCheckboxField:
    """The topics of a post: at least one, checked with the other fields so that an empty
    form reports everything at once (the service still checks that they exist)."""
    return MultiCheckboxField(_l("Themenfelder"), validators=[
        DataRequired(_l("Bitte wählen Sie mindestens ein Themenfeld."))])


def tags_field() -> StringField:
    return StringField(_l("Schlagwörter"), filters=[_strip], validators=[
        Length(max=500, message=_l("Bitte höchstens %(max)d Zeichen."))])


def slug_field(example: str) -> StringField:
    """The short name in a record's address, e.g. /kommunen/<slug>."""
    return StringField(_l("Kurzbezeichnung (für die Adresse)"), validators=[
        DataRequired(_l("Bitte geben Sie eine Kurzbezeichnung ein.")),
        Length(max=80, message=_l("Bitte höchstens %(max)d Zeichen.")),
        Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l(
            "Nur Kleinbuchstaben, Ziffern und Bindestriche, z. B. %(example)s.",
            example=example))])


def reason_field(label=None) -> StringField:
    return StringField(label or _l("Grund der Änderung"), filters=[_strip], validators=[
        Length(max=300, message=_l("Bitte höchstens %(max)d Zeichen."))])


class ConfirmForm(Form):
    """A button-only form: CSRF protection for actions like accept or delete."""


def _fields_of(form_class) -> dict[str, type]:
    return {name: value.field_class for name in dir(form_class)
            if isinstance(value := getattr(form_class, name, None), UnboundField)}


def _all_forms(form_class=Form):
    for subclass in form_class.__subclasses__():
        yield subclass
        yield from _all_forms(subclass)


def typed_text(submitted) -> list[tuple[str, str]]:
    """What a person typed into the text fields of the submitted form, to show again
    after the form expired.

    The form is the one of the app's forms whose fields best match the submitted
    names; only its text fields are kept, so that neither a password nor a field that
    the form does not have (anything a crafted request adds) is ever shown.
    """
    names = set(submitted.keys())
    fields = max((_fields_of(form) for form in _all_forms()),
                 key=lambda found: (len(names & found.keys()), -len(found)), default={})
    text = {name for name, field_class in fields.items()
            if issubclass(field_class, (StringField, TextAreaField))
            and not issubclass(field_class, (PasswordField, HiddenField))}
    return [(name, value) for name, value in submitted.items(multi=True)
            if name in text and value.strip()]


PREVIEW_BUTTON = "vorschau"


def markdown_previews(form) -> dict[str, str] | None:
    """The "Vorschau" button without JavaScript: when it sent the form, the rendered
    Markdown of the text area it belongs to (by field name), else None.

    The preview goes through the same renderer and sanitizer as saving; nothing is
    stored, and the view shows the form again with everything typed kept.
    """
    name = request.form.get(PREVIEW_BUTTON) if request.method == "POST" else None
    if not name:
        return None
    field = form._fields.get(name)
    if field is None or not isinstance(field, TextAreaField):
        return {}
    return {name: render_markdown(field.data or "")}
