"""Mail choices in the settings, one-click unsubscribe (signed out, RFC 8058), digests."""
import re

import pytest
from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.models import DigestPeriod, MailPreference, User
from tests.conftest import A, B
from tests.mail.conftest import send_mail
from tests.mail.test_mail_sender import queue_digest


def choice_of(app, email: str) -> tuple[bool, str]:
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email=email))
        stored = db.session.get(MailPreference, user.id)
        return (stored.immediate, stored.digest) if stored else (True, "weekly")


def checked(page: str, field_id: str) -> bool:
    return re.search(rf'<input checked [^>]*id="{field_id}"', page) is not None


def unsubscribe_path(message) -> str:
    return re.fullmatch(r"<http://kitu\.test(/abbestellen/[^>]+)>",
                        message["List-Unsubscribe"]).group(1)


def test_settings_page_has_the_mail_choices(app, auth, people):
    auth.login(A)
    page = auth.client.get("/konto/").get_data(as_text=True)
    assert "E-Mail-Benachrichtigungen" in page
    assert checked(page, "immediate")
    assert checked(page, "digest-2")
    response = auth.post("/konto/e-mail", {"digest": "daily"}, token_from="/konto/")
    assert response.status_code == 302
    assert choice_of(app, A) == (False, "daily")
    assert checked(auth.client.get("/konto/").get_data(as_text=True), "digest-1")
    response = auth.post("/konto/e-mail", {"digest": "hourly", "immediate": "y"},
                         token_from="/konto/")
    assert response.status_code == 400
    assert "wie oft Sie eine Zusammenfassung" in response.get_data(as_text=True)
    assert choice_of(app, A) == (False, "daily")


def test_unsubscribe_by_link_and_confirmation_signed_out(app, client, people, smtp, runner):
    queue_digest(app, A)
    send_mail(runner)
    path = unsubscribe_path(smtp.to(A)[0])
    page = client.get(path)  # signed out; a GET changes nothing
    assert page.status_code == 200
    assert "keine Zusammenfassungen mehr erhalten" in page.get_data(as_text=True)
    assert choice_of(app, A) == (True, "weekly")
    done = client.post(path)  # the confirmation button: no sign-in, no CSRF token
    assert done.status_code == 200
    assert "Sie erhalten keine Zusammenfassungen mehr" in done.get_data(as_text=True)
    assert choice_of(app, A) == (True, DigestPeriod.NONE)
    assert choice_of(app, B) == (True, "weekly")


def test_one_click_unsubscribe_rfc_8058(app, client, people, smtp, runner):
    queue_digest(app, B)
    send_mail(runner)
    path = unsubscribe_path(smtp.to(B)[0])
    # What a mail program sends (RFC 8058 section 3.2): a POST with this one field.
    response = client.post(path, data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert choice_of(app, B) == (True, DigestPeriod.NONE)


@pytest.mark.parametrize("method", ["get", "post"])
def test_bad_unsubscribe_tokens_are_refused(client, people, method, app, smtp, runner):
    queue_digest(app, A)
    send_mail(runner)
    path = unsubscribe_path(smtp.to(A)[0])
    response = getattr(client, method)(path[:-3] + "xyz")
    assert response.status_code == 404
    assert "Abmeldelink ist ungültig" in response.get_data(as_text=True)
    assert choice_of(app, A) == (True, "weekly")
