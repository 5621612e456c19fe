from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField

from ..forms import Form, choices


class MailPreferencesForm(Form):
    immediate = BooleanField(_l("Sofort eine E-Mail bei Antworten auf meine Fragen, "
                                "angenommenen Antworten, Prüfentscheidungen und "
                                "Erwähnungen"))
    digest = RadioField(_l("Zusammenfassung dessen, was in meinen gefolgten Themen und "
                           "Schlagwörtern neu ist"), validate_choice=False, choices=choices([
                               ("none", _l("keine")), ("daily", _l("täglich")),
                               ("weekly", _l("wöchentlich"))]))
