"""Account settings for feed tokens: create one with a label, revoke one."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import Length

from ..errors import Conflict
from ..feeds import tokens
from ..feeds.links import general_feeds
from ..forms import ConfirmForm, CreateForm
from ..submissions import AlreadySaved
from .settings_page import settings_page
from .views import bp


class FeedTokenForm(CreateForm):
    label = StringField(_l("Bezeichnung"), validators=[Length(
        max=tokens.LABEL_MAX, message=_l("Bitte höchstens %(max)d Zeichen."))])


@bp.app_template_global()
def feed_settings(form: FeedTokenForm | None = None) -> dict:
    """What the settings' feed section shows: the person's tokens with their general
    feed addresses, and the form for a new token."""
    return {"form": form or FeedTokenForm(formdata=None),
            "tokens": [(record, general_feeds(record))
                       for record in tokens.feed_tokens_of(current_user)]}


@bp.route("/feeds", methods=["POST"])
def create_feed_token():
    form = FeedTokenForm()
    if form.validate_on_submit():
        try:
            tokens.create_feed_token(current_user, form.label.data or "",
                                     form.submission_key.data)
        except Conflict as error:
            form.label.errors.append(error.message)
        except AlreadySaved:  # sent twice: the first send made the token
            return redirect(url_for("account.settings", _anchor="feeds"))
        else:
            flash(_("Der Feed-Schlüssel ist erstellt. Die Adressen Ihrer Feeds stehen "
                    "unten bei „Feeds“."), "success")
            return redirect(url_for("account.settings", _anchor="feeds"))
    return settings_page(400, feed_form=form)


@bp.route("/feeds/<int:token_id>/widerrufen", methods=["POST"])
def revoke_feed_token(token_id: int):
    ConfirmForm().validate_on_submit()  # CSRFProtect has already refused a bad token
    tokens.revoke_feed_token(current_user, token_id)
    flash(_("Der Feed-Schlüssel ist widerrufen: seine Feed-Adressen funktionieren nicht "
            "mehr."), "success")
    return redirect(url_for("account.settings", _anchor="feeds"))
