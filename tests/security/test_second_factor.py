"""Second factor: TOTP with real codes, one-time recovery codes, the mandatory set-up for
moderators and admins, throttling of codes, and the audited admin reset."""
import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from kitu_exchange.extensions import db
from kitu_exchange.models import AuditEntry, RecoveryCode, User, UserSession
from tests.conftest import PASSWORD, Auth, csrf_token

MEMBER = "mitglied@musterstadt.example"
SETUP = "/konto/zwei-faktor"
STEP = "/anmelden/bestaetigen"


def user_value(app, email, column):
    with app.app_context():
        return db.session.scalar(select(getattr(User, column)).filter_by(email=email))


def password_step(client, email=MEMBER):
    return client.post("/anmelden", data={"csrf_token": csrf_token(client), "email": email,
                                          "password": PASSWORD})


def code_step(client, code):
    return client.post(STEP, data={"csrf_token": csrf_token(client, STEP), "code": code})


def set_up(app, client, email=MEMBER) -> tuple[str, list[str]]:
    """Set up the second factor through the page, as a person with an app would."""
    page = client.get(SETUP).get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    secret = user_value(app, email, "totp_secret")
    assert secret in page.replace(" ", "")  # also shown for typing in
    response = Auth(client).post(SETUP, {"code": pyotp.TOTP(secret).now()}, token_from=SETUP)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Wiederherstellungscodes" in html
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", html)
    assert len(codes) == 10
    return secret, codes


def signed_in(client) -> bool:
    return client.get("/fragen").status_code == 200


def test_member_sets_up_and_signs_in_with_a_real_code(app, client, auth, make_user, caplog):
    make_user()
    auth.login(MEMBER)
    response = Auth(client).post(SETUP, {"code": "123456"}, token_from=SETUP)
    assert "Der Code ist nicht richtig" in response.get_data(as_text=True)
    secret, codes = set_up(app, client)
    with app.app_context():
        stored = list(db.session.scalars(select(RecoveryCode.code_hash)))
    assert len(stored) == 10 and not set(codes) & set(stored)
    auth.logout()
    response = password_step(client)
    assert response.headers["Location"] == STEP
    assert not signed_in(client)  # the password alone signs no one in
    with app.app_context():
        assert db.session.scalar(select(func.count(UserSession.id)).where(
            UserSession.ended_at.is_(None))) == 0
    page = client.get(STEP).get_data(as_text=True)
    assert "Bestätigungscode" in page
    response = code_step(client, "000000")
    assert response.status_code == 401
    assert "Der Bestätigungscode ist nicht richtig." in response.get_data(as_text=True)
    code = pyotp.TOTP(secret).at(time.time() + 30)  # the set-up used the current step
    assert code_step(client, code).status_code == 302
    assert signed_in(client)
    # The same code does not work a second time.
    auth.logout()
    password_step(client)
    assert code_step(client, code).status_code == 401
    # ... and the replay is logged (ASVS 2.8.5), without the code itself.
    replays = [r.getMessage() for r in caplog.records if "used code" in r.getMessage()]
    assert len(replays) == 1 and code not in replays[0]


def test_recovery_codes_work_once_and_can_be_renewed(app, client, auth, make_user):
    make_user()
    auth.login(MEMBER)
    _, codes = set_up(app, client)
    auth.logout()
    password_step(client)
    assert code_step(client, codes[0].upper().replace("-", " ")).status_code == 302
    auth.logout()
    password_step(client)
    assert code_step(client, codes[0]).status_code == 401
    assert code_step(client, codes[1]).status_code == 302
    response = Auth(client).post(f"{SETUP}/wiederherstellungscodes", token_from=SETUP)
    new = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", response.get_data(as_text=True))
    assert len(new) == 10
    auth.logout()
    password_step(client)
    assert code_step(client, codes[2]).status_code == 401  # the old ones are gone
    assert code_step(client, new[0]).status_code == 302


def test_codes_are_rate_limited_like_passwords(app, client, make_user):
    make_user("mod@kitu.example", role="moderator", authority="kitu")
    password_step(client, "mod@kitu.example")
    for _ in range(5):
        assert code_step(client, "000000").status_code == 401
    secret = user_value(app, "mod@kitu.example", "totp_secret")
    response = code_step(client, pyotp.TOTP(secret).now())
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.get_data(as_text=True)


def test_the_second_step_expires(app, client, make_user):
    make_user("mod@kitu.example", role="moderator", authority="kitu")
    app.config["SECOND_STEP_SECONDS"] = 0
    password_step(client, "mod@kitu.example")
    secret = user_value(app, "mod@kitu.example", "totp_secret")
    response = client.post(STEP, data={"csrf_token": csrf_token(client),
                                       "code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/anmelden"
    assert not signed_in(client)


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_moderators_and_admins_must_set_up_a_second_factor(app, client, make_user, role):
    make_user("neu@kitu.example", role=role, authority="kitu", second_factor=False)
    assert password_step(client, "neu@kitu.example").status_code == 302
    for url in ("/", "/fragen", "/moderation", "/konto/geraete"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == SETUP, url
    response = client.post("/fragen/neu", data={"csrf_token": csrf_token(client, SETUP),
                                                "title": "Eine Frage", "body": "Text"})
    assert response.headers["Location"] == SETUP
    page = client.get(SETUP).get_data(as_text=True)
    assert "Für Ihre Rolle ist die Zwei-Faktor-Anmeldung vorgeschrieben" in page
    set_up(app, client, "neu@kitu.example")
    assert signed_in(client)
    # Moderators and admins cannot switch it off again.
    response = Auth(client).post(f"{SETUP}/abschalten", {"password": PASSWORD},
                                 token_from=SETUP)
    assert response.status_code == 403
    assert user_value(app, "neu@kitu.example", "totp_enabled_at") is not None


def test_member_switches_the_second_factor_off_with_the_password(app, client, auth,
                                                                  make_user):
    make_user()
    auth.login(MEMBER)
    set_up(app, client)
    response = Auth(client).post(f"{SETUP}/abschalten", {"password": "falsch-falsch"},
                                 token_from=SETUP)
    assert "Das Passwort ist nicht richtig." in response.get_data(as_text=True)
    response = Auth(client).post(f"{SETUP}/abschalten", {"password": PASSWORD},
                                 token_from=SETUP)
    assert response.status_code == 302
    assert user_value(app, MEMBER, "totp_secret") is None
    auth.logout()
    assert password_step(client).headers["Location"] == "/"


def test_admin_reset_is_audited_and_ends_sessions(app, client, auth, make_user):
    make_user("mod@kitu.example", role="moderator", authority="kitu")
    make_user("admin@kitu.example", role="admin", authority="kitu")
    moderator = app.test_client()
    Auth(moderator).login("mod@kitu.example")
    assert signed_in(moderator)
    user_id = user_value(app, "mod@kitu.example", "id")
    auth.login("admin@kitu.example")
    url = f"/verwaltung/konten/{user_id}"
    assert "Zweiten Faktor zurücksetzen" in client.get(url).get_data(as_text=True)
    response = auth.post(f"{url}/zweiter-faktor-zuruecksetzen", token_from=url)
    assert response.status_code == 302
    assert user_value(app, "mod@kitu.example", "totp_secret") is None
    assert not signed_in(moderator)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).filter_by(
            action="user.reset_second_factor"))
        assert entry.target_id == user_id
        assert db.session.scalar(select(func.count(RecoveryCode.id)).join(User).filter_by(
            email="mod@kitu.example")) == 0
    assert "Zweiten Faktor zurückgesetzt" in client.get("/moderation/protokoll").get_data(
        as_text=True)
    # Signing in again leads straight to a new set-up.
    password_step(moderator, "mod@kitu.example")
    assert moderator.get("/fragen").headers["Location"] == SETUP


def test_only_admins_reset_a_second_factor(app, auth, make_user):
    make_user("mod@kitu.example", role="moderator", authority="kitu")
    make_user()
    auth.login("mod@kitu.example")
    user_id = user_value(app, MEMBER, "id")
    response = auth.post(f"/verwaltung/konten/{user_id}/zweiter-faktor-zuruecksetzen")
    assert response.status_code == 403


def test_settings_page_links_the_second_factor(client, auth, make_user):
    make_user()
    auth.login(MEMBER)
    html = client.get("/konto/").get_data(as_text=True)
    assert f'href="{SETUP}"' in html
