"""Immediate mails for notifications that concern a person directly (a reply to my
question, my reply accepted, a review decision, a mention).

Subscribed to `notification_created` (notifications/services.py), which the acting
service sends inside its transaction: the mail goes into the outbox in that same
transaction, so it exists exactly when the notification does.
"""
import logging
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import MailPreference, Notification
from ..notifications.kinds import DIRECT_KINDS, describe, target_url
from ..notifications.services import notification_created
from .links import NoBaseUrl, site_context
from .messages import mail_user

log = logging.getLogger(__name__)
SUBJECT_MAX = 150


def _subject(text: str) -> str:
    subject = _("KITU Exchange: %(text)s", text=" ".join(text.split()))
    return subject if len(subject) <= SUBJECT_MAX else subject[:SUBJECT_MAX - 1] + "…"


def mail_direct_notifications(sender, notifications: Sequence[Notification] = (),
                              kind: str | None = None, **_extra) -> None:
    """Queue one mail per direct notification for people who want immediate mail.
    A batch of another kind is not even loaded (a fan-out to many followers)."""
    if kind not in DIRECT_KINDS:
        return
    direct = list(notifications)
    switched_off = set(db.session.scalars(select(MailPreference.user_id).where(
        MailPreference.user_id.in_({n.recipient_id for n in direct}),
        MailPreference.immediate.is_(False))))
    for notification in direct:
        recipient = notification.recipient
        if (notification.recipient_id in switched_off or not recipient.active
                or recipient.deleted or not recipient.has_password):
            continue
        text = describe(notification)
        try:
            with site_context():
                url = target_url(notification, external=True)
            mail_user(recipient, category="notification", template="notification",
                      subject=_subject(text), dedup_key=f"notification:{notification.id}",
                      text=text, url=url)
        except NoBaseUrl:
            # The event itself must not fail for the mail: the notification is in the
            # app; only its mail is missing until KITU_BASE_URL is set.
            log.warning("Notification %d not mailed: KITU_BASE_URL is not set",
                        notification.id)
            return


notification_created.connect(mail_direct_notifications)
