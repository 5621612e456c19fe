"""The outbox: `enqueue()` adds a mail in the caller's transaction and never sends.

The mail is sent by `flask mail send` (mail/sender.py) after the transaction committed;
if it rolls back, the mail is gone with it. A mail whose `dedup_key` is in the outbox
already is not added again (INSERT … ON CONFLICT DO NOTHING), so a digest built twice,
or by two hosts at once, is one mail.
"""
from datetime import datetime
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from .. import clock
from ..extensions import db
from ..models import MailState, OutgoingMail


def sender_address() -> str:
    if configured := current_app.config.get("MAIL_FROM"):
        return configured
    return f"KITU Exchange <keine-antwort@{mail_domain()}>"


def mail_domain() -> str:
    base_url = current_app.config.get("BASE_URL") or ""
    return (urlsplit(base_url).hostname or current_app.config.get("SERVER_NAME")
            or "localhost").split(":")[0]


def enqueue(*, recipient: str, subject: str, text_body: str, html_body: str,
            category: str, dedup_key: str, user_id: int | None = None,
            headers: dict[str, str] | None = None, at: datetime | None = None) -> bool:
    """Add one mail to the outbox as part of the caller's unit of work.

    Returns False when a mail with this `dedup_key` exists already (nothing added). The
    Message-ID is fixed here, so a retried delivery is recognisably the same mail. `at`
    is the moment the mail describes (a digest: the end of its period), default now.
    """
    now = at or clock.now()
    values = dict(
        recipient=recipient, user_id=user_id, category=category, subject=subject[:300],
        text_body=text_body, html_body=html_body, dedup_key=dedup_key[:200],
        headers={"Message-ID": make_msgid(domain=mail_domain()),
                 "Date": format_datetime(now), **(headers or {})},
        state=MailState.QUEUED, attempts=0, next_attempt_at=now, created_at=now)
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[db.session.get_bind().dialect.name]
    # RETURNING tells whether the row went in (rowcount is -1 on psycopg here).
    statement = (dialect.insert(OutgoingMail.__table__).values(**values)
                 .on_conflict_do_nothing(index_elements=["dedup_key"])
                 .returning(OutgoingMail.id))
    return db.session.execute(statement).scalar() is not None
