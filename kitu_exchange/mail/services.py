"""The administrators' view of the outbox: what waits, what failed, retry or discard."""
from sqlalchemy import select

from .. import clock
from ..errors import Conflict
from ..extensions import db
from ..models import MailState, OutgoingMail, User
from ..models.unit_of_work import commit
from ..records import audit, get_or_raise, require
from flask_babel import gettext as _

OVERVIEW_LIMIT = 200


def pending_and_failed() -> list[OutgoingMail]:
    """Queued and failed mails, failed first, newest first (at most OVERVIEW_LIMIT)."""
    return list(db.session.scalars(
        select(OutgoingMail).where(OutgoingMail.state.in_([MailState.QUEUED,
                                                           MailState.FAILED]))
        .order_by(OutgoingMail.state, OutgoingMail.id.desc()).limit(OVERVIEW_LIMIT)))


def _waiting(mail_id: int) -> OutgoingMail:
    mail = get_or_raise(OutgoingMail, mail_id)
    if mail.state == MailState.SENT:
        raise Conflict(_("Diese E-Mail ist bereits versendet."))
    return mail


def retry_mail(admin: User, mail_id: int) -> OutgoingMail:
    """Queue a failed or waiting mail for the next `flask mail send`, with a fresh day
    of retries. Raises NotAllowed, NotFound, Conflict for a mail already sent."""
    require(admin, "user.manage")
    mail = _waiting(mail_id)
    now = clock.now()
    mail.state, mail.next_attempt_at, mail.created_at = MailState.QUEUED, now, now
    audit(admin, "mail.retry", mail)
    commit()
    return mail


def discard_mail(admin: User, mail_id: int) -> OutgoingMail:
    """Give a waiting mail up (state failed). Raises NotAllowed, NotFound, Conflict."""
    require(admin, "user.manage")
    mail = _waiting(mail_id)
    mail.state = MailState.FAILED
    mail.last_error = _("Von der Administration verworfen.")
    audit(admin, "mail.discard", mail)
    commit()
    return mail
