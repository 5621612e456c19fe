from flask_babel import lazy_gettext as _l

from ..forms import (CreateForm, Form, body_field, reason_field,
                     tags_field, title_field, topics_field)


class QuestionFields(Form):
    title = title_field()
    body = body_field(_l("Beschreibung"))
    topics = topics_field()
    tags = tags_field()


class QuestionForm(CreateForm, QuestionFields):
    pass


class EditQuestionForm(QuestionFields):
    reason = reason_field()


class ReplyFields(Form):
    body = body_field(_l("Ihre Antwort"))


class ReplyForm(CreateForm, ReplyFields):
    pass


class EditReplyForm(ReplyFields):
    reason = reason_field()
