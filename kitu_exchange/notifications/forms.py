"""Forms of the notifications area."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField

from ..forms import Form


class FollowForm(Form):
    """Follow or unfollow one thing; the button is the whole form."""

    kind = HiddenField()
    target_id = HiddenField()
    next = HiddenField()


class AutoFollowForm(Form):
    follow_on_ask = BooleanField(_l("Fragen folgen, die ich stelle"))
    follow_on_reply = BooleanField(_l("Fragen folgen, auf die ich antworte"))
    follow_on_reuse = BooleanField(_l("Lösungen folgen, die meine Kommune nachnutzt"))
