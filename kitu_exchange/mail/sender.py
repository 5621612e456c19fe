"""`flask mail send`: deliver the due mails of the outbox, each exactly once.

Claiming: a sender takes a small batch of due rows and moves their `next_attempt_at` a
lease into the future before it talks to the server, in one short transaction. On
PostgreSQL it reads them `FOR UPDATE SKIP LOCKED`, so two senders at once take different
rows instead of waiting for each other; on SQLite every writer holds the database's
write lock from BEGIN IMMEDIATE (kitu_exchange/__init__.py), so claims run one after
another and a second sender sees the first one's lease. A mail is marked sent right
after the server accepted it. A sender that dies in between leaves the row claimed
until the lease ends; then it is sent again with the same Message-ID.

Failures are retried after 1, 2, 4 … minutes (at most MAIL_RETRY_MAX_SECONDS); a mail
still undelivered MAIL_GIVE_UP_SECONDS after it was written, or refused for good by the
server (5xx), is marked failed and shown to administrators (/verwaltung/e-mail-ausgang).
Without MAIL_SERVER the mails are written to the log and count as sent.
"""
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from typing import Callable

from flask import current_app
from sqlalchemy import select, update

from .. import clock
from ..extensions import db
from ..models import MailState, OutgoingMail
from .outbox import sender_address

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
BATCH = 10


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


class ServerUnreachable(Exception):
    """The connection failed or broke: no point trying the rest of this run."""


def build_message(mail: OutgoingMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender_address()
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    for name, value in (mail.headers or {}).items():
        message[name] = value
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    return message


class LogTransport:
    """No MAIL_SERVER: the mail goes to the log (development, first start)."""

    description = "log"

    def send(self, message: EmailMessage) -> None:
        text = message.get_body(("plain",)).get_content()
        log.info("Mail not sent (no KITU_MAIL_SERVER set), written here instead:\n"
                 "To: %s\nSubject: %s\nMessage-ID: %s\n\n%s", message["To"],
                 message["Subject"], message["Message-ID"], text)

    def close(self) -> None:
        pass


class SmtpTransport:
    """One SMTP connection for the whole run, opened at the first mail."""

    def __init__(self, config) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None
        self.description = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}"

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
        timeout = config["MAIL_TIMEOUT_SECONDS"]
        if port == 465:
            connection = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                          context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(host, port, timeout=timeout)
            if config["MAIL_USE_TLS"]:
                connection.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        return connection

    def send(self, message: EmailMessage) -> None:
        try:
            if self.connection is None:
                self.connection = self._connect()
            self.connection.send_message(message)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError,
                smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError) as error:
            self.close()
            raise ServerUnreachable(_describe(error)) from error
        except smtplib.SMTPException:
            raise  # the server refused this one mail (SMTPException is an OSError too)
        except OSError as error:  # refused, reset, timed out
            self.close()
            raise ServerUnreachable(_describe(error)) from error

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.connection = None


def transport():
    config = current_app.config
    return SmtpTransport(config) if config.get("MAIL_SERVER") else LogTransport()


def where_mail_goes() -> str:
    """One line for `flask setup` and the sender: where mails are delivered."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        return (f"E-Mail: SMTP-Server {config['MAIL_SERVER']}:{config['MAIL_PORT']} "
                f"(Absender {sender_address()}); versendet wird mit `flask mail send`.")
    return ("E-Mail: kein KITU_MAIL_SERVER gesetzt – `flask mail send` schreibt Mails in "
            "das Log (Logger kitu_exchange.mail.sender) statt sie zu versenden.")


def _describe(error: Exception) -> str:
    return (f"{type(error).__name__}: {error}")[:500]


def _permanent(error: Exception) -> bool:
    """A refusal the server will repeat: every recipient refused with a 5xx code."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the first, second, third … failed attempt."""
    seconds = 60 * 2 ** min(max(attempts - 1, 0), 20)
    return timedelta(seconds=min(seconds, current_app.config["MAIL_RETRY_MAX_SECONDS"]))


def _claim(limit: int) -> list[tuple[int, int, EmailMessage]]:
    """Take up to `limit` due mails for this sender; (id, attempt, message) each."""
    now = clock.now()
    rows = db.session.scalars(
        select(OutgoingMail)
        .where(OutgoingMail.state == MailState.QUEUED, OutgoingMail.next_attempt_at <= now)
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
        .limit(limit).with_for_update(skip_locked=True)).all()
    claimed = []
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        claimed.append((row.id, row.attempts, build_message(row)))
    # Bookkeeping of the outbox only: nothing another area follows changed, no hooks.
    db.session.commit()
    return claimed


def _mine(mail_id: int, attempt: int):
    """The row, if this sender's claim still holds (no later claim took it over)."""
    return update(OutgoingMail).where(OutgoingMail.id == mail_id,
                                      OutgoingMail.attempts == attempt,
                                      OutgoingMail.state == MailState.QUEUED)


def _mark_sent(mail_id: int, attempt: int) -> None:
    db.session.execute(_mine(mail_id, attempt).values(
        state=MailState.SENT, sent_at=clock.now(), last_error=None))
    db.session.commit()


def _mark_failed(mail_id: int, attempt: int, error: Exception, report: SendReport) -> None:
    now = clock.now()
    row = db.session.get(OutgoingMail, mail_id)
    give_up = now - row.created_at >= timedelta(
        seconds=current_app.config["MAIL_GIVE_UP_SECONDS"]) or _permanent(error)
    values = {"last_error": _describe(error)}
    if give_up:
        values["state"] = MailState.FAILED
        report.failed += 1
    else:
        values["next_attempt_at"] = now + backoff(attempt)
        report.retrying += 1
    db.session.execute(_mine(mail_id, attempt).values(**values))
    db.session.commit()
    log.warning("Mail %d not delivered (attempt %d, %s): %s", mail_id, attempt,
                "given up" if give_up else "will retry", values["last_error"])


def send_due(limit: int | None = None,
             on_sent: Callable[[int], None] | None = None) -> SendReport:
    """Deliver the due mails of the outbox (at most `limit`); never inside a request.

    `on_sent(mail_id)` runs after each delivery (tests use it to stop the server
    mid-queue)."""
    report = SendReport()
    channel = transport()
    try:
        while limit is None or report.sent + report.retrying + report.failed < limit:
            batch = BATCH if limit is None else min(BATCH, limit - report.sent
                                                    - report.retrying - report.failed)
            claimed = _claim(batch)
            if not claimed:
                break
            for position, (mail_id, attempt, message) in enumerate(claimed):
                try:
                    channel.send(message)
                except ServerUnreachable as error:
                    # The rest of the batch would meet the same dead server.
                    for later_id, later_attempt, _message in claimed[position:]:
                        _mark_failed(later_id, later_attempt, error, report)
                    return report
                except smtplib.SMTPException as error:
                    _mark_failed(mail_id, attempt, error, report)
                    continue
                _mark_sent(mail_id, attempt)
                report.sent += 1
                if on_sent is not None:
                    on_sent(mail_id)
    finally:
        channel.close()
    return report
