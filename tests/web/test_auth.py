"""Sign-in, sign-out, invitations, passwords, rate limit, CSRF, access without sign-in."""
import re

import pytest

from tests.conftest import PASSWORD, csrf_token

PUBLIC = ["/anmelden", "/impressum", "/datenschutz", "/barrierefreiheit"]
PRIVATE = ["/", "/fragen", "/fragen/neu", "/loesungen", "/loesungen/neu", "/kommunen",
           "/themen", "/suche", "/passwort", "/verwaltung"]


@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_need_no_sign_in(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PRIVATE)
def test_every_other_page_needs_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/anmelden")


def test_sign_in_and_out(client, auth, make_user):
    make_user()
    assert auth.login("mitglied@musterstadt.example").status_code == 302
    assert client.get("/fragen").status_code == 200
    auth.logout()
    assert client.get("/fragen").status_code == 302


def test_email_is_case_insensitive(client, auth, make_user):
    make_user()
    assert auth.login("Mitglied@Musterstadt.EXAMPLE").status_code == 302


@pytest.mark.parametrize(("email", "password", "message"), [
    ("mitglied@musterstadt.example", "falsch-falsch-falsch", "nicht richtig"),
    ("unbekannt@musterstadt.example", PASSWORD, "nicht richtig"),
    ("", PASSWORD, "Bitte geben Sie Ihre E-Mail-Adresse ein."),
    ("mitglied@musterstadt.example", "", "Bitte geben Sie Ihr Passwort ein."),
])
def test_bad_sign_in_is_refused_in_german_and_keeps_email(auth, make_user, email, password,
                                                          message):
    make_user()
    response = auth.login(email, password)
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 401)
    assert message in html
    assert f'value="{email}"' in html if email else True
    assert PASSWORD not in html


def test_sign_in_is_rate_limited(client, auth, make_user):
    make_user()
    for _ in range(5):
        assert auth.login("mitglied@musterstadt.example", "falsch-falsch-falsch"
                          ).status_code == 401
    response = auth.login("mitglied@musterstadt.example")  # even the right password
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.get_data(as_text=True)


def test_deactivated_account_cannot_sign_in(app, auth, make_user):
    from kitu_exchange.extensions import db
    from kitu_exchange.models import User
    make_user()
    with app.app_context():
        db.session.query(User).one().active = False
        db.session.commit()
    assert auth.login("mitglied@musterstadt.example").status_code == 401


def test_post_without_csrf_token_is_refused(client, auth, make_user):
    make_user()
    auth.login("mitglied@musterstadt.example")
    response = client.post("/fragen/neu", data={"title": "Ohne Token gesendet",
                                                "body": "Text", "topics": []})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "abgelaufen" in html and "Ohne Token gesendet" in html


def test_login_without_csrf_token_is_refused(client, make_user):
    make_user()
    response = client.post("/anmelden", data={"email": "mitglied@musterstadt.example",
                                              "password": PASSWORD})
    assert response.status_code == 400


def test_next_parameter_only_redirects_within_the_site(client, make_user):
    make_user()
    for target, expected in (("/kommunen", "/kommunen"), ("//evil.example/", "/"),
                             ("https://evil.example/", "/")):
        token = csrf_token(client)
        response = client.post(f"/anmelden?next={target}", data={
            "csrf_token": token, "email": "mitglied@musterstadt.example",
            "password": PASSWORD})
        assert response.headers["Location"] == expected
        client.post("/abmelden", data={"csrf_token": csrf_token(client, "/impressum")})


def test_session_cookie_is_secure_and_httponly(client, auth, make_user):
    make_user()
    response = auth.login("mitglied@musterstadt.example")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_hashed(app, make_user):
    from kitu_exchange.extensions import db
    from kitu_exchange.models import User
    make_user()
    with app.app_context():
        stored = db.session.query(User).one().password_hash
    assert PASSWORD not in stored and stored.startswith("pbkdf2:")


def test_default_hash_is_scrypt(app_config):
    from kitu_exchange import create_app
    from kitu_exchange.auth.services import hash_password
    config = dict(app_config)
    config.pop("PASSWORD_HASH_METHOD")
    with create_app(config).app_context():
        assert hash_password("x" * 12).startswith("scrypt:")


def test_change_password(client, auth, make_user):
    make_user()
    auth.login("mitglied@musterstadt.example")
    new = "ein-neues-langes-passwort"
    response = auth.post("/passwort", {"current": "falsch", "password": new, "confirm": new},
                         token_from="/passwort")
    assert "Das aktuelle Passwort ist nicht richtig." in response.get_data(as_text=True)
    response = auth.post("/passwort", {"current": PASSWORD, "password": "kurz",
                                       "confirm": "kurz"}, token_from="/passwort")
    assert "mindestens 12 Zeichen" in response.get_data(as_text=True)
    response = auth.post("/passwort", {"current": PASSWORD, "password": new, "confirm": new},
                         token_from="/passwort")
    assert response.status_code == 302
    auth.logout()
    assert auth.login("mitglied@musterstadt.example", PASSWORD).status_code == 401
    assert auth.login("mitglied@musterstadt.example", new).status_code == 302


def test_cli_creates_account_with_one_time_invitation(app, client, runner, make_authority):
    make_authority("musterstadt")
    result = runner.invoke(args=["users", "create", "neu@musterstadt.example", "--name",
                                 "Neue Kollegin", "--authority", "musterstadt", "--role",
                                 "moderator"])
    assert result.exit_code == 0, result.output
    link = re.search(r"https?://\S+/einladung/\S+", result.output).group(0)
    path = "/" + link.split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200 and "Neue Kollegin" in page.get_data(as_text=True)
    secret = "mein-eigenes-passwort"
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "password": secret, "confirm": secret})
    assert response.status_code == 302
    assert client.get(path).status_code == 404  # used once
    response = client.post("/anmelden", data={"csrf_token": csrf_token(client),
                                              "email": "neu@musterstadt.example",
                                              "password": secret})
    assert response.status_code == 302


def test_cli_password_stdin(runner, auth, make_authority):
    make_authority("musterstadt")
    result = runner.invoke(args=["users", "create", "auto@musterstadt.example", "--name", "Auto",
                                 "--authority", "musterstadt", "--password-stdin"],
                           input="ein-eingelesenes-kennwort\n")
    assert result.exit_code == 0, result.output
    assert "einladung" not in result.output
    assert auth.login("auto@musterstadt.example", "ein-eingelesenes-kennwort"
                      ).status_code == 302


@pytest.mark.parametrize(("args", "message"), [
    (["--authority", "gibtsnicht"], "Unbekannte Kommune"),
    (["--authority", "musterstadt", "--role", "chef"], "Invalid value for '--role'"),
])
def test_cli_rejects_bad_input(runner, make_authority, args, message):
    make_authority("musterstadt")
    result = runner.invoke(args=["users", "create", "x@musterstadt.example", "--name", "X",
                                 *args])
    assert result.exit_code != 0
    assert message in result.output


def test_cli_rejects_duplicate_email(runner, make_user):
    make_user()
    result = runner.invoke(args=["users", "create", "mitglied@musterstadt.example", "--name",
                                 "X", "--authority", "musterstadt"])
    assert result.exit_code == 1
    assert "bereits ein Konto" in result.output


def test_admin_creates_account_in_web_ui(client, auth, make_user):
    make_user("admin@kitu.example", role="admin")
    auth.login("admin@kitu.example")
    response = auth.post("/verwaltung", {"email": "neu@musterstadt.example", "name": "Neu",
                                         "authority": "musterstadt", "role": "member"},
                         token_from="/verwaltung")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "/einladung/" in html and "neu@musterstadt.example" in html


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_admins_manage_accounts(client, auth, make_user, role):
    make_user(role=role)
    auth.login("mitglied@musterstadt.example")
    assert client.get("/verwaltung").status_code == 403
    response = auth.post("/verwaltung", {"email": "x@y.example", "name": "X",
                                         "authority": "musterstadt", "role": "admin"})
    assert response.status_code == 403


def test_app_refuses_default_secret_in_production(app_config):
    from kitu_exchange import create_app
    config = dict(app_config, TESTING=False)
    config.pop("SECRET_KEY")
    with pytest.raises(RuntimeError, match="KITU_SECRET_KEY"):
        create_app(config)
