"""Mail data in the personal export and its deletion; mails need the site's address."""
import json

from sqlalchemy import func, select

from kitu_exchange.extensions import db
from kitu_exchange.models import MailPreference, OutgoingMail
from tests.conftest import A, B, csrf_token
from tests.mail.test_mail_sender import queue_digest


def test_export_holds_mail_choices_and_subjects_and_deletion_erases_them(
        app, client, auth, people):
    queue_digest(app, A, "a")
    queue_digest(app, B, "b")
    auth.login(A)
    auth.post("/konto/e-mail", {"digest": "daily", "immediate": "y"}, token_from="/konto/")
    data = json.loads(client.get("/konto/daten.json").get_data(as_text=True))
    assert data["mail"]["preferences"]["digest"] == "daily"
    [mail] = data["mail"]["mails"]
    assert mail["subject"] == "Ihre tägliche Zusammenfassung von KITU Exchange"
    assert "abbestellen" not in json.dumps(data["mail"])  # no bodies, no link tokens
    response = auth.post("/konto/loeschen", {"password": "ein-sicheres-passwort"},
                         token_from="/konto/loeschen")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(OutgoingMail.id))) == 1  # B's
        assert db.session.scalar(select(func.count()).select_from(MailPreference)) == 0


def test_without_a_public_address_a_reset_answers_with_a_clear_page(app, client, people):
    app.config.update(SERVER_NAME=None, BASE_URL=None, TESTING=False, DEBUG=False)
    response = client.post("/passwort-vergessen", data={
        "csrf_token": csrf_token(client, "/passwort-vergessen"), "email": A})
    assert response.status_code == 500
    assert "KITU_BASE_URL" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(OutgoingMail.id))) == 0
    app.config.update(BASE_URL="https://exchange.kitu.example")
    client.post("/passwort-vergessen", data={
        "csrf_token": csrf_token(client, "/passwort-vergessen"), "email": A})
    with app.app_context():
        mail = db.session.scalar(select(OutgoingMail))
        assert "https://exchange.kitu.example/passwort-neu/" in mail.text_body
        assert mail.headers["Message-ID"].endswith("@exchange.kitu.example>")
