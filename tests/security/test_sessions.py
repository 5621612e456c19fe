"""Server-side sessions: sign-out, password change, deactivation and an admin end every
copy of a session at once; idle timeout and absolute lifetime; the devices page."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from kitu_exchange.extensions import db
from kitu_exchange.models import AuditEntry, LoginAttempt, User, UserSession, utcnow
from tests.conftest import PASSWORD, Auth, csrf_token

MEMBER = "mitglied@musterstadt.example"
COOKIES = ("session", "remember_token")


def copy_cookies(source, target, names=COOKIES) -> None:
    """What an attacker who saved the browser's cookie jar would send later."""
    for name in names:
        cookie = source.get_cookie(name, domain="kitu.test")
        if cookie is not None:
            target.set_cookie(name, cookie.value, domain="kitu.test")


def signed_in(client) -> bool:
    return client.get("/fragen").status_code == 200


def sign_in(client, email=MEMBER, remember=False):
    data = {"csrf_token": csrf_token(client), "email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/anmelden", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def session_data(app, client) -> dict:
    cookie = client.get_cookie("session", domain="kitu.test")
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def test_cookie_saved_before_sign_out_no_longer_signs_in(app, client, auth, make_user):
    make_user()
    sign_in(client)
    thief = app.test_client()
    copy_cookies(client, thief)
    assert signed_in(thief)
    auth.logout()
    assert not signed_in(client)
    assert not signed_in(thief)


def test_remember_cookie_saved_before_sign_out_no_longer_signs_in(app, client, auth,
                                                                   make_user):
    make_user()
    sign_in(client, remember=True)
    # The browser was closed: only the remember cookie is left, and it still signs in.
    restarted = app.test_client()
    copy_cookies(client, restarted, names=["remember_token"])
    assert signed_in(restarted)
    thief = app.test_client()
    copy_cookies(client, thief, names=["remember_token"])
    auth.logout()
    assert not signed_in(thief)


def test_without_remember_me_a_closed_browser_is_signed_out(app, client, make_user):
    make_user()
    sign_in(client)
    assert client.get_cookie("remember_token", domain="kitu.test") is None
    assert "Angemeldet bleiben" in app.test_client().get("/anmelden").get_data(as_text=True)


def test_password_change_ends_other_sessions_and_keeps_this_one(app, client, make_user):
    make_user()
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop)
    sign_in(phone, remember=True)
    saved = app.test_client()
    copy_cookies(phone, saved)
    new = "ein-ganz-neues-passwort"
    response = Auth(laptop).post("/passwort", {"current": PASSWORD, "password": new,
                                               "confirm": new}, token_from="/passwort")
    assert response.status_code == 302
    assert signed_in(laptop)
    assert not signed_in(phone)
    assert not signed_in(saved)


def test_deactivation_ends_sessions_for_good(app, client, auth, make_user):
    make_user()
    make_user("admin@kitu.example", role="admin", authority="kitu")
    member = app.test_client()
    sign_in(member)
    saved = app.test_client()
    copy_cookies(member, saved)
    with app.app_context():
        user_id = db.session.scalar(select(User.id).filter_by(email=MEMBER))
    auth.login("admin@kitu.example")
    form = {"role": "member", "authority": "musterstadt", "reason": ""}
    url = f"/verwaltung/konten/{user_id}"
    assert auth.post(url, form, token_from=url).status_code == 302  # active unchecked
    assert auth.post(url, {**form, "active": "y"}, token_from=url).status_code == 302
    assert not signed_in(member)
    assert not signed_in(saved)
    assert signed_in(client)  # the admin's own session is untouched


def test_admin_ends_all_sessions_of_an_account(app, client, auth, make_user):
    make_user()
    make_user("admin@kitu.example", role="admin", authority="kitu")
    first, second = app.test_client(), app.test_client()
    sign_in(first)
    sign_in(second, remember=True)
    with app.app_context():
        user_id = db.session.scalar(select(User.id).filter_by(email=MEMBER))
    auth.login("admin@kitu.example")
    url = f"/verwaltung/konten/{user_id}"
    page = client.get(url).get_data(as_text=True)
    assert "Alle Sitzungen beenden" in page and "2 aktive Sitzungen" in page
    response = auth.post(f"{url}/sitzungen-beenden", token_from=url)
    assert response.status_code == 302
    assert not signed_in(first) and not signed_in(second)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).filter_by(action="user.end_sessions"))
        assert entry.target_id == user_id
    assert "Alle Sitzungen beendet" in client.get("/moderation/protokoll").get_data(
        as_text=True)


def test_members_cannot_end_other_peoples_sessions(app, auth, make_user):
    make_user()
    make_user("andere@musterstadt.example")
    auth.login("andere@musterstadt.example")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).filter_by(email=MEMBER))
    url = f"/verwaltung/konten/{user_id}/sitzungen-beenden"
    assert auth.post(url).status_code == 403


def test_devices_page_lists_sessions_and_ends_one(app, client, auth, make_user):
    make_user()
    make_user("andere@musterstadt.example")
    other = app.test_client()
    sign_in(other, "andere@musterstadt.example")
    phone = app.test_client()
    phone.environ_base.update(REMOTE_ADDR="192.0.2.44", HTTP_USER_AGENT=(
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"))
    sign_in(phone)
    assert signed_in(phone)
    sign_in(client)
    assert 'href="/konto/geraete"' in client.get("/konto/").get_data(as_text=True)
    page = client.get("/konto/geraete")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Angemeldete Geräte" in html
    assert "Chrome auf Android" in html and "192.0.2.44" in html
    assert "Dieses Gerät" in html
    with app.app_context():
        ids = dict(db.session.execute(
            select(UserSession.ip, UserSession.id).join(User).filter_by(email=MEMBER)).all())
        foreign = db.session.scalar(select(UserSession.id).join(User).filter_by(
            email="andere@musterstadt.example"))
    assert f"/konto/geraete/{foreign}/" not in html
    auth_ = Auth(client)
    # Someone else's session is not found, and without a CSRF token nothing happens.
    assert auth_.post(f"/konto/geraete/{foreign}/beenden").status_code == 404
    assert client.post(f"/konto/geraete/{ids['192.0.2.44']}/beenden").status_code == 400
    assert signed_in(phone) and signed_in(other)
    response = auth_.post(f"/konto/geraete/{ids['192.0.2.44']}/beenden",
                          token_from="/konto/geraete")
    assert response.status_code == 302
    assert not signed_in(phone)
    assert signed_in(client) and signed_in(other)
    assert "192.0.2.44" not in client.get("/konto/geraete").get_data(as_text=True)
    # Ending this device is signing out.
    auth_.post(f"/konto/geraete/{ids['127.0.0.1']}/beenden", token_from="/konto/geraete")
    assert not signed_in(client)


def _age_sessions(app, **column_offsets) -> None:
    with app.app_context():
        now = utcnow()
        db.session.execute(update(UserSession).values(
            {column: now - offset for column, offset in column_offsets.items()}))
        db.session.commit()


def test_idle_timeout(app, client, make_user):
    app.config["SESSION_IDLE_TIMEOUT_SECONDS"] = 120
    make_user()
    sign_in(client, remember=True)
    _age_sessions(app, last_seen_at=timedelta(seconds=100))
    assert signed_in(client)  # active again: the clock starts over
    _age_sessions(app, last_seen_at=timedelta(seconds=121))
    assert not signed_in(client)
    with app.app_context():
        assert db.session.scalar(select(UserSession.ended_at)) is not None


def test_absolute_lifetime(app, client, make_user):
    app.config["SESSION_ABSOLUTE_LIFETIME_SECONDS"] = 600
    make_user()
    sign_in(client, remember=True)
    _age_sessions(app, created_at=timedelta(seconds=590))
    assert signed_in(client)
    _age_sessions(app, created_at=timedelta(seconds=601))
    assert not signed_in(client)  # however active the session is


def test_last_activity_is_written_at_most_once_a_minute(app, client, make_user):
    make_user()
    sign_in(client)
    _age_sessions(app, last_seen_at=timedelta(seconds=30))
    with app.app_context():
        before = db.session.scalar(select(UserSession.last_seen_at))
    assert signed_in(client)
    with app.app_context():
        assert db.session.scalar(select(UserSession.last_seen_at)) == before
    _age_sessions(app, last_seen_at=timedelta(seconds=61))
    assert signed_in(client)
    with app.app_context():
        assert utcnow() - db.session.scalar(select(UserSession.last_seen_at)) < timedelta(
            seconds=5)


def test_sign_in_issues_a_new_opaque_session_identifier(app, client, auth, make_user):
    make_user()
    csrf_token(client)
    before = client.get_cookie("session", domain="kitu.test").value
    sign_in(client)
    first = session_data(app, client)["_user_id"]
    assert client.get_cookie("session", domain="kitu.test").value != before
    with app.app_context():
        user_id = db.session.scalar(select(User.id))
        hashes = set(db.session.scalars(select(UserSession.token_hash)))
    assert first != str(user_id) and len(first) >= 32
    assert first not in hashes  # only the hash is stored
    auth.logout()
    sign_in(client)
    assert session_data(app, client)["_user_id"] != first


def test_session_record_keeps_browser_and_address(app, client, make_user):
    make_user()
    client.post("/anmelden", data={"csrf_token": csrf_token(client), "email": MEMBER,
                                   "password": PASSWORD},
                headers={"User-Agent": "X" * 500})
    with app.app_context():
        record = db.session.scalar(select(UserSession))
        assert record.user_agent == "X" * 200 and record.ip == "127.0.0.1"
        assert record.ended_at is None and not record.remember


@pytest.mark.parametrize("agent, expected", [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge auf Windows"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
     "Firefox auf Linux"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari auf iOS"),
    ("", "Unbekannter Browser"),
])
def test_device_names(agent, expected):
    from kitu_exchange.auth.sessions import describe_user_agent
    assert describe_user_agent(agent) == expected


def test_settings_page_links_the_devices(client, auth, make_user):
    make_user()
    auth.login(MEMBER)
    html = client.get("/konto/").get_data(as_text=True)
    assert re.search(r'href="/konto/geraete"[^>]*>Angemeldete Geräte<', html)


def test_sign_out_clears_cache_and_storage_of_the_browser(client, auth, make_user):
    auth.login(make_user())
    response = auth.logout()
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_sign_in_prunes_old_sign_in_data(app, client, auth, make_user):
    """Ended sessions older than 30 days and sign-in attempts older than the known-address
    period are removed (ASVS 8.3.8); recent ones stay."""
    auth.login(make_user())
    auth.logout()
    with app.app_context():
        long_ago = utcnow() - timedelta(days=400)
        db.session.add(UserSession(token_hash="0" * 64, user_id=1, created_at=long_ago,
                                   last_seen_at=long_ago, ended_at=long_ago))
        db.session.add(LoginAttempt(email=MEMBER, ip="192.0.2.9", succeeded=True,
                                    at=long_ago))
        db.session.commit()
    auth.login(MEMBER)
    with app.app_context():
        assert db.session.scalar(select(UserSession).filter_by(token_hash="0" * 64)) is None
        assert db.session.scalar(select(LoginAttempt).filter_by(ip="192.0.2.9")) is None
        assert len(db.session.scalars(select(UserSession)).all()) == 2  # recent ones stay


def test_text_typed_while_the_session_ran_out_is_shown_again(app, client, auth, make_user,
                                                           make_topic):
    """The idle timeout ends a session while someone writes: the POST finds no session,
    and the typed text comes back to copy instead of being lost in a redirect."""
    make_topic()
    auth.login(make_user())
    token = csrf_token(client, "/fragen/neu")
    with app.app_context():
        db.session.execute(update(UserSession).values(
            last_seen_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
    response = client.post("/fragen/neu", data={
        "csrf_token": token, "title": "Drucker vereinheitlichen im Rathaus",
        "body": "Ein langer Text, an dem ich eine Stunde geschrieben habe.",
        "topics": "drucker-kopierer", "password": "nie-zeigen-123"})
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Anmeldung abgelaufen" in page
    assert "Ein langer Text, an dem ich eine Stunde geschrieben habe." in page
    assert "nie-zeigen-123" not in page
