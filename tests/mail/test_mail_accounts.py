"""Password reset and invitations by mail, through a real SMTP server."""
import statistics
import time

from sqlalchemy import func, select

from kitu_exchange.extensions import db
from kitu_exchange.models import OutgoingMail
from tests.conftest import ADMIN, A, PASSWORD, Auth, csrf_token
from tests.mail.conftest import html_of, link_in, send_mail, text_of

NEW_PASSWORD = "Ein-ganz-neues-Kennwort-2026"
FORGOT = "/passwort-vergessen"


def ask_reset(client, email: str):
    return client.post(FORGOT, data={"csrf_token": csrf_token(client, FORGOT),
                                     "email": email})


def set_new_password(client, link: str, password: str = NEW_PASSWORD, token_from=None):
    return client.post(link, data={"csrf_token": csrf_token(client, token_from or link),
                                   "password": password, "confirm": password})


def outbox_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(OutgoingMail.id)))


def test_sign_in_page_links_to_the_reset(client):
    assert 'href="/passwort-vergessen"' in client.get("/anmelden").get_data(as_text=True)


def test_reset_flow_end_to_end(app, client, people, smtp, runner):
    elsewhere = Auth(app.test_client())
    assert elsewhere.login(A).status_code == 302  # a session that must end
    response = ask_reset(client, A)
    assert response.status_code == 302 and response.headers["Location"] == "/anmelden"
    assert smtp.messages == []  # nothing is sent inside the request
    send_mail(runner)
    [message] = smtp.to(A)
    assert message["Subject"] == "Passwort zurücksetzen für KITU Exchange"
    assert "gilt eine Stunde" in text_of(message)
    link = link_in(message, "/passwort-neu/")
    assert f'href="http://kitu.test{link}"' in html_of(message)

    page = client.get(link)
    assert page.status_code == 200 and A in page.get_data(as_text=True)
    response = set_new_password(client, link)
    assert response.status_code == 302 and response.headers["Location"] == "/anmelden"
    assert elsewhere.client.get("/fragen").status_code == 302  # other session ended
    assert Auth(app.test_client()).login(A, NEW_PASSWORD).status_code == 302
    assert Auth(app.test_client()).login(A, PASSWORD).status_code == 401

    again = client.get(link)  # single use
    assert again.status_code == 404
    assert "bereits benutzt" in again.get_data(as_text=True)
    assert set_new_password(client, link, "Noch-ein-anderes-Kennwort-99",
                            token_from=FORGOT).status_code == 404


def test_reset_link_expires_after_an_hour(client, people, smtp, runner, clock):
    ask_reset(client, A)
    send_mail(runner)
    link = link_in(smtp.to(A)[0], "/passwort-neu/")
    clock.advance(minutes=59)
    assert client.get(link).status_code == 200
    clock.advance(minutes=2)
    assert client.get(link).status_code == 404
    assert set_new_password(client, link, token_from=FORGOT).status_code == 404


def test_reset_applies_the_password_policy(client, people, smtp, runner):
    ask_reset(client, A)
    send_mail(runner)
    link = link_in(smtp.to(A)[0], "/passwort-neu/")
    response = set_new_password(client, link, "passwortpasswort")
    assert response.status_code == 400
    assert "zu verbreitet" in response.get_data(as_text=True)
    assert set_new_password(client, link).status_code == 302  # the link still works


def test_unknown_address_gets_the_same_answer(app, client, people, smtp, runner):
    app.config.update(PASSWORD_RESET_PER_ADDRESS=100, PASSWORD_RESET_PER_EMAIL=100)
    known, unknown = ask_reset(client, A), ask_reset(client, "niemand@musterstadt.example")
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code, unknown.headers["Location"])
    first = client.get("/anmelden").get_data(as_text=True)
    ask_reset(client, "niemand@musterstadt.example")
    second = client.get("/anmelden").get_data(as_text=True)
    assert "Wenn es zu dieser Adresse ein Konto gibt" in first
    assert first.split("csrf_token")[0] == second.split("csrf_token")[0]
    send_mail(runner)
    assert [m["To"] for m in smtp.messages] == [A]

    # Both answers cost about the same: the mail is rendered for unknown addresses too.
    timings = {A: [], "niemand@musterstadt.example": []}
    for _round in range(7):
        for email in timings:
            token = csrf_token(client, FORGOT)
            started = time.perf_counter()
            client.post(FORGOT, data={"csrf_token": token, "email": email})
            timings[email].append(time.perf_counter() - started)
    known_ms, unknown_ms = (statistics.median(t) * 1000 for t in timings.values())
    assert known_ms < 2 * unknown_ms + 15 and unknown_ms < 2 * known_ms + 15, (
        known_ms, unknown_ms)


def test_reset_requests_are_rate_limited(app, client, people, clock):
    for _attempt in range(4):
        assert ask_reset(client, A).status_code == 302
        clock.advance(seconds=5)
    assert outbox_count(app) == 3  # per e-mail address: three an hour, then silence
    for _attempt in range(6):
        assert ask_reset(client, "niemand@musterstadt.example").status_code == 302
    response = ask_reset(client, A)  # the 11th from this address within the hour
    assert response.status_code == 429
    assert "Zu viele Anfragen" in response.get_data(as_text=True)
    clock.advance(minutes=61)
    assert ask_reset(client, A).status_code == 302
    assert outbox_count(app) == 4


def test_invitation_is_mailed(app, client, auth, people, smtp, runner):
    auth.login(ADMIN)
    response = auth.post("/verwaltung", {
        "email": "neu@musterstadt.example", "name": "Nora Neu",
        "authority": "musterstadt", "role": "member"}, token_from="/verwaltung")
    assert response.status_code == 200
    assert "per E-Mail" in response.get_data(as_text=True)
    send_mail(runner)
    [message] = smtp.to("neu@musterstadt.example")
    assert message["Subject"] == "Einladung zu KITU Exchange"
    assert "Adam Admin hat für Sie ein Konto" in text_of(message)
    assert "List-Unsubscribe" not in message  # transactional: no unsubscribe
    link = link_in(message, "/einladung/")
    fresh = app.test_client()
    assert "Nora Neu" in fresh.get(link).get_data(as_text=True)
    response = fresh.post(link, data={"csrf_token": csrf_token(fresh, link),
                                      "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    assert Auth(app.test_client()).login("neu@musterstadt.example").status_code == 302
