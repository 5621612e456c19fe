"""`flask mail send`: headers, the log when no server is set, retries with backoff,
a server that goes away mid-queue, and two senders at once."""
import logging
import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.mail.digest import DigestItem
from kitu_exchange.mail.messages import mail_user
from kitu_exchange.mail.outbox import enqueue
from kitu_exchange.mail import sender
from kitu_exchange.mail.sender import send_due
from kitu_exchange.models import MailState, OutgoingMail, User, utcnow
from tests.conftest import ADMIN, REPO, A, B
from tests.mail.conftest import SmtpServer, html_of, send_mail, text_of


def queue_plain(app, count: int, prefix: str = "Nachricht") -> None:
    """Mails without links (their text may go to the log)."""
    with app.app_context():
        for number in range(count):
            enqueue(recipient=f"person{number}@musterstadt.example",
                    subject=f"{prefix} {number}", text_body=f"Text {prefix} {number}",
                    html_body=f"<p>Text {prefix} {number}</p>", category="test",
                    dedup_key=f"test:{prefix}:{number}")
        db.session.commit()


def queue_digest(app, email: str, key: str = "1") -> None:
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email=email))
        mail_user(user, category="digest", template="digest",
                  subject="Ihre tägliche Zusammenfassung von KITU Exchange",
                  dedup_key=f"digest:test:{key}", since=utcnow() - timedelta(days=1),
                  period="daily", items=[DigestItem("Neue Frage von Bernd: „Toner sparen“.",
                                                    "http://kitu.test/fragen/1")])
        db.session.commit()


def rows(app) -> list[OutgoingMail]:
    with app.app_context():
        found = list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))
        db.session.expunge_all()
        return found


def test_mail_has_text_html_and_headers(app, people, smtp, runner):
    queue_digest(app, A)
    assert "SMTP-Server 127.0.0.1" in send_mail(runner)
    [message] = smtp.messages
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "Ihre tägliche Zusammenfassung von KITU Exchange"
    assert message["To"] == A
    assert message["From"] == "KITU Exchange <keine-antwort@kitu.test>"
    assert message["Message-ID"].endswith("@kitu.test>") and message["Date"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<http://kitu.test/abbestellen/")
    assert "Toner sparen" in text_of(message) and "Guten Tag Anna Autorin" in text_of(message)
    assert '<a href="http://kitu.test/fragen/1"' in html_of(message)
    assert message["List-Unsubscribe"][1:-1] in text_of(message)
    [row] = rows(app)
    assert row.state == MailState.SENT and row.sent_at is not None and row.attempts == 1
    assert send_mail(runner).endswith("Sent 0, retrying later 0, given up 0.\n")


def test_without_a_server_mails_go_to_the_log(app, runner, caplog):
    queue_plain(app, 1, "Protokoll")
    with caplog.at_level(logging.INFO, logger="kitu_exchange.mail"):
        output = send_mail(runner)
    assert "kein KITU_MAIL_SERVER gesetzt" in output
    [record] = [r for r in caplog.records if r.name == "kitu_exchange.mail.sender"]
    assert "Subject: Protokoll 0" in record.getMessage()
    assert "Text Protokoll 0" in record.getMessage()
    [row] = rows(app)
    assert row.state == MailState.SENT


def test_retries_back_off_and_give_up_after_a_day(app, runner, clock, caplog):
    down = SmtpServer()  # a free port nobody listens on
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=down.port)
    queue_plain(app, 1)
    waits = []
    for attempt in range(1, 5):
        output = send_mail(runner)
        assert "retrying later 1" in output
        [row] = rows(app)
        assert row.attempts == attempt and "Connection refused" in row.last_error
        waits.append(row.next_attempt_at - clock.now())
        assert "retrying later 0" in send_mail(runner)  # not due yet: no attempt
        assert rows(app)[0].attempts == attempt
        clock.advance(seconds=waits[-1].total_seconds() + 1)
    assert [round(wait.total_seconds() / 60) for wait in waits] == [1, 2, 4, 8]
    assert "will retry" in caplog.text
    clock.advance(hours=24)
    assert "given up 1" in send_mail(runner)
    [row] = rows(app)
    assert row.state == MailState.FAILED and row.sent_at is None


def test_server_gone_mid_queue_every_mail_arrives_exactly_once(app, smtp, clock):
    queue_plain(app, 6)
    with app.app_context():
        report = send_due(on_sent=lambda mail_id: len(smtp.messages) == 2 and smtp.stop())
    assert (report.sent, report.retrying) == (2, 4)
    with app.app_context():
        assert send_due().sent == 0  # still waiting for the retry time
    smtp.start()
    clock.advance(minutes=1, seconds=1)
    with app.app_context():
        assert send_due().sent == 4
    subjects = Counter(message["Subject"] for message in smtp.messages)
    assert subjects == Counter(f"Nachricht {n}" for n in range(6))
    assert len({message["Message-ID"] for message in smtp.messages}) == 6
    assert {row.state for row in rows(app)} == {MailState.SENT}


def test_a_retry_keeps_the_message_id(app, smtp, clock):
    queue_plain(app, 1)
    smtp.stop()
    with app.app_context():
        assert send_due().retrying == 1
    smtp.start()
    clock.advance(minutes=2)
    with app.app_context():
        assert send_due().sent == 1
    [message] = smtp.messages
    assert message["Message-ID"] == rows(app)[0].headers["Message-ID"]


def test_two_senders_at_once_send_each_mail_once(app, app_config, smtp):
    queue_plain(app, 60, "Parallel")
    env = {**os.environ, "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
           "KITU_INDEX_DIR": app_config["INDEX_DIR"], "KITU_SECRET_KEY": "test-secret",
           "KITU_TESTING": "true", "KITU_MAIL_SERVER": "127.0.0.1",
           "KITU_MAIL_PORT": str(smtp.port), "KITU_SERVER_NAME": "kitu.test"}
    senders = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "mail",
                                 "send"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [sender.communicate(timeout=120)[0] for sender in senders]
    assert all(sender.returncode == 0 for sender in senders), outputs
    sent = [int(output.split("Sent ")[1].split(",")[0]) for output in outputs]
    assert sum(sent) == 60, outputs
    subjects = Counter(message["Subject"] for message in smtp.messages)
    assert len(smtp.messages) == 60 and set(subjects.values()) == {1}
    assert {row.state for row in rows(app)} == {MailState.SENT}


def test_admins_see_waiting_and_failed_mails(app, auth, people, runner, clock):
    down = SmtpServer()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=down.port)
    queue_plain(app, 2, "Wartend")
    send_mail(runner)
    clock.advance(days=2)
    send_mail(runner)
    auth.login(B)
    assert auth.client.get("/verwaltung/e-mail-ausgang").status_code == 403
    auth.logout()
    auth.login(ADMIN)
    page = auth.client.get("/verwaltung/e-mail-ausgang").get_data(as_text=True)
    assert "Wartend 0" in page and "Wartend 1" in page
    assert "fehlgeschlagen" in page and "Connection refused" in page
    first, second = rows(app)
    response = auth.post(f"/verwaltung/e-mail-ausgang/{first.id}/erneut",
                         token_from="/verwaltung/e-mail-ausgang")
    assert response.status_code == 302
    assert rows(app)[0].state == MailState.QUEUED
    auth.post(f"/verwaltung/e-mail-ausgang/{first.id}/verwerfen",
              token_from="/verwaltung/e-mail-ausgang")
    assert rows(app)[0].state == MailState.FAILED
    assert "verworfen" in rows(app)[0].last_error
    audit = auth.client.get("/moderation/protokoll").get_data(as_text=True)
    assert "E-Mail erneut eingereiht" in audit and "E-Mail verworfen" in audit


def test_a_mail_refused_for_good_fails_at_once_the_others_go(app, smtp):
    queue_plain(app, 3)
    smtp.collector.unknown.add("person1@musterstadt.example")
    with app.app_context():
        report = send_due()
    assert (report.sent, report.retrying, report.failed) == (2, 0, 1)
    states = {row.recipient: (row.state, row.last_error) for row in rows(app)}
    assert states["person1@musterstadt.example"][0] == MailState.FAILED
    assert "No such user" in states["person1@musterstadt.example"][1]
    assert sorted(m["To"] for m in smtp.messages) == ["person0@musterstadt.example",
                                                      "person2@musterstadt.example"]


def test_a_sender_that_dies_after_claiming_loses_nothing(app, smtp, clock):
    queue_plain(app, 2)
    with app.app_context():
        assert len(sender._claim(10)) == 2  # ... and then the process is gone
        assert send_due().sent == 0  # the claim holds: nobody sends it twice meanwhile
    clock.advance(minutes=10, seconds=1)  # the lease is over
    with app.app_context():
        assert send_due().sent == 2
    assert len(smtp.messages) == 2
