"""The mails themselves: German texts from templates/mail/ (plain text and an HTML
alternative), unsubscribe headers, and the one call that puts a mail to a person into
the outbox."""
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from ..models import User
from .links import mail_url
from .outbox import enqueue
from .preferences import unsubscribe_token

# Mails a person gets because of something they did or asked for: no unsubscribe.
TRANSACTIONAL = frozenset({"password_reset", "invitation"})
# Which choice an unsubscribe link of a category switches off.
UNSUBSCRIBE_KIND = {"notification": "immediate", "digest": "digest"}


def compose(template: str, **context) -> tuple[str, str]:
    """The plain text and the HTML of mail/<template>.txt and .html.

    Rendered by the Jinja environment itself, without the app's context processors:
    a mail is the same in a request, a command and a worker, and knows nothing of the
    signed-in person of the request that caused it."""
    env = current_app.jinja_env
    return (env.get_template(f"mail/{template}.txt").render(**context),
            env.get_template(f"mail/{template}.html").render(**context))


def mail_user(user: User, *, category: str, template: str, subject: str, dedup_key: str,
              at: datetime | None = None, **context) -> bool:
    """Put a mail to `user` into the outbox (caller's transaction); False if one with
    this dedup_key is there already. Non-transactional mails carry a one-click
    unsubscribe link (RFC 8058) in the headers and in the text."""
    headers = {"Auto-Submitted": "auto-generated"}
    if kind := UNSUBSCRIBE_KIND.get(category):
        link = mail_url("mail.unsubscribe", token=unsubscribe_token(user, kind))
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        context.update(unsubscribe_url=link, unsubscribe_kind=kind)
    text, html = compose(template, user=user, subject=subject, **context)
    return enqueue(recipient=user.email, user_id=user.id, category=category,
                   subject=subject, text_body=text, html_body=html, dedup_key=dedup_key,
                   headers=headers, at=at)


def password_reset_mail(user: User, token: str, *, enqueue_it: bool = True) -> bool:
    """The reset link for `user`. With enqueue_it=False the mail is only rendered: the
    answer for an unknown address costs the same work as for a known one."""
    subject = _("Passwort zurücksetzen für KITU Exchange")
    link = mail_url("auth.reset_password", token=token)
    if not enqueue_it:
        compose("password_reset", user=user, subject=subject, link=link)
        return False
    return mail_user(user, category="password_reset", template="password_reset",
                     subject=subject, dedup_key=f"reset:{user.id}:{token[-24:]}", link=link)


def invitation_mail(user: User, token: str, inviter: User | None) -> bool:
    return mail_user(user, category="invitation", template="invitation",
                     subject=_("Einladung zu KITU Exchange"),
                     dedup_key=f"invitation:{user.id}:{token[-24:]}",
                     link=mail_url("auth.invitation", token=token), inviter=inviter)
