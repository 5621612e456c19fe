from flask_babel import lazy_gettext as _l

from ..forms import Form, MultiCheckboxField, body_field, reason_field, tags_field, title_field


class QuestionForm(Form):
    title = title_field()
    body = body_field(_l("Beschreibung"))
    topics = MultiCheckboxField(_l("Themenfelder"))
    tags = tags_field()


class ReplyForm(Form):
    body = body_field(_l("Ihre Antwort"))


class EditQuestionForm(QuestionForm):
    reason = reason_field()


class EditReplyForm(ReplyForm):
    reason = reason_field()
