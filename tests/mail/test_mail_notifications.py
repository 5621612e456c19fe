"""Immediate mails for direct notifications, and digests built from follows."""
import os
import subprocess
import sys
from collections import Counter

from sqlalchemy import func, select

from kitu_exchange.extensions import db
from kitu_exchange.models import MailPreference, OutgoingMail, Question, User
from kitu_exchange.moderation import services as moderation
from tests.conftest import MOD, REPO, A, B
from tests.mail.conftest import html_of, send_mail, text_of
from tests.web.notification_helpers import follow_as, topic_id


def prefer(app, email: str, **choices) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email=email))
        db.session.add(MailPreference(user_id=user.id, **choices))
        db.session.commit()


def outbox(app) -> list[tuple[str, str]]:
    with app.app_context():
        return list(db.session.execute(select(OutgoingMail.recipient, OutgoingMail.category)
                                       .order_by(OutgoingMail.id)).tuples())


def reply_as(auth, question: int, body: str = "Mit einem Archivsystem."):
    response = auth.post(f"/fragen/{question}/antworten", {"body": body}, token_from="/")
    assert response.status_code == 302


def test_a_reply_to_my_question_mails_me_at_once(app, auth, people, make_question, smtp,
                                                 runner):
    question = make_question(A, title="Wie archiviert ihr E-Mails revisionssicher?")
    auth.login(B)
    reply_as(auth, question)
    assert outbox(app) == [(A, "notification")]  # written with the reply
    assert smtp.messages == []  # not sent inside the request
    send_mail(runner)
    [message] = smtp.messages
    assert message["To"] == A
    # (folding a long encoded header may leave a doubled space: compare the words)
    assert message["Subject"].split() == ("KITU Exchange: Bernd Beispiel (Stadt Nachbarort) hat auf "
                                  "Ihre Frage „Wie archiviert ihr E-Mails revisionssicher?“ "
                                  "geantwortet.").split()
    assert f"http://kitu.test/fragen/{question}-" in text_of(message)
    assert "#antwort-" in html_of(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Sofort-Benachrichtigungen abbestellen" in text_of(message)


def test_no_immediate_mail_when_switched_off_or_unsubscribed(
        app, client, auth, people, make_question, smtp, runner):
    prefer(app, A, immediate=False)
    question = make_question(A)
    other = make_question(B, title="Wer hat Erfahrung mit Telefonanlagen?")
    auth.login(B)
    reply_as(auth, question)
    auth.logout()
    assert outbox(app) == []
    auth.login(A)
    reply_as(auth, other)  # B wants immediate mail (the default)
    send_mail(runner)
    [message] = smtp.to(B)
    link = message["List-Unsubscribe"][len("<http://kitu.test"):-1]
    anonymous = app.test_client()
    assert anonymous.post(link, data="List-Unsubscribe=One-Click",
                          content_type="application/x-www-form-urlencoded").status_code == 200
    reply_as(auth, other, "Noch ein Hinweis.")
    assert outbox(app) == [(B, "notification")]  # no second mail


def test_followed_topic_news_go_into_the_digest_once_and_only_what_may_be_seen(
        app, people, make_question, smtp, runner, clock):
    prefer(app, A, digest="daily")
    follow_as(app, A, "topic", topic_id(app))
    make_question(B, title="Toner sparen im Rathaus")
    hidden = make_question(B, title="Geheime Beschaffung von Druckern")
    with app.app_context():
        moderation.hide_post(db.session.scalar(select(User).filter_by(email=MOD)),
                             db.session.get(Question, hidden), "Doppelt gestellt")
    assert outbox(app) == []  # news in a followed topic: no immediate mail
    first = runner.invoke(args=["mail", "digest", "--period", "daily"])
    second = runner.invoke(args=["mail", "digest", "--period", "daily"])
    assert "Queued 1 daily" in first.output and "Queued 0 daily" in second.output
    [digest] = smtp.messages
    assert digest["To"] == A and "tägliche Zusammenfassung" in digest["Subject"]
    assert "Toner sparen im Rathaus" in text_of(digest)
    assert "Geheime Beschaffung" not in text_of(digest) + html_of(digest)
    assert "Zusammenfassungen abbestellen" in text_of(digest)

    clock.advance(days=1)
    make_question(B, title="Neue Frage am nächsten Tag zu Kopierern")
    runner.invoke(args=["mail", "digest", "--period", "daily"])
    assert len(smtp.messages) == 2
    assert "Neue Frage am nächsten Tag" in text_of(smtp.messages[1])
    assert "Toner sparen" not in text_of(smtp.messages[1])  # only since the last digest


def test_two_hosts_building_the_digest_at_once_make_one_mail_each(
        app, app_config, people, make_question, smtp):
    for email in (A, MOD):
        prefer(app, email, digest="weekly")
        follow_as(app, email, "topic", topic_id(app))
    make_question(B, title="Toner sparen im Rathaus")
    env = {**os.environ, "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
           "KITU_INDEX_DIR": app_config["INDEX_DIR"], "KITU_SECRET_KEY": "test-secret",
           "KITU_TESTING": "true", "KITU_MAIL_SERVER": "127.0.0.1",
           "KITU_MAIL_PORT": str(smtp.port), "KITU_SERVER_NAME": "kitu.test"}
    hosts = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "mail",
                               "digest", "--period", "weekly"], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(2)]
    outputs = [host.communicate(timeout=120)[0] for host in hosts]
    assert all(host.returncode == 0 for host in hosts), outputs
    assert Counter(message["To"] for message in smtp.messages) == {A: 1, MOD: 1}, outputs
    with app.app_context():
        assert db.session.scalar(select(func.count(OutgoingMail.id))) == 2
