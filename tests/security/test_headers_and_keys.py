"""Signing keys, caching of personal pages, HSTS and the CSRF secret at sign-in."""
import pytest

from kitu_exchange import create_app
from tests.conftest import PASSWORD, Auth, csrf_token

MEMBER = "mitglied@musterstadt.example"


@pytest.fixture
def production_config(app_config, monkeypatch):
    """The test configuration without TESTING and without a key from anywhere."""
    for name in ("KITU_SECRET_KEY", "FLASK_DEBUG", "KITU_TESTING", "KITU_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    config = dict(app_config, TESTING=False)
    config.pop("SECRET_KEY")
    return config


def test_debug_without_key_signs_with_a_new_random_key(production_config, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    first, second = create_app(production_config), create_app(production_config)
    assert first.debug
    keys = {first.secret_key, second.secret_key}
    assert len(keys) == 2 and all(len(key) >= 32 for key in keys)
    assert "dev-only-not-secret" not in keys


@pytest.mark.parametrize("key", ["x", "kurz-aber-nicht-kurz-genug-1234"])
def test_short_keys_are_refused_outside_tests(production_config, key):
    with pytest.raises(RuntimeError, match="at least 32 bytes"):
        create_app(dict(production_config, SECRET_KEY=key))


def test_short_key_from_the_environment_is_refused_even_in_debug(production_config,
                                                                  monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("KITU_SECRET_KEY", "a")
    with pytest.raises(RuntimeError, match="KITU_SECRET_KEY"):
        create_app(production_config)


def test_a_long_key_is_accepted(production_config):
    key = "k" * 32
    assert create_app(dict(production_config, SECRET_KEY=key)).secret_key == key


def test_personal_pages_are_not_stored_but_static_files_are_cached(client, auth, make_user):
    make_user()
    assert "no-store" in client.get("/anmelden").headers["Cache-Control"]
    auth.login(MEMBER)
    for url in ("/", "/fragen", "/konto/", "/konto/geraete"):
        assert "no-store" in client.get(url).headers.get("Cache-Control", ""), url
    with client.get("/static/vendor/kern/kern.min.css") as static:
        assert static.status_code == 200
        assert "no-store" not in static.headers.get("Cache-Control", "")


def test_hsts_only_when_cookies_are_secure(app_config):
    for secure, expected in ((True, "max-age=31536000; includeSubDomains"), (False, None)):
        app = create_app(dict(app_config, SESSION_COOKIE_SECURE=secure))
        response = app.test_client().get("/anmelden")
        assert response.headers.get("Strict-Transport-Security") == expected


def test_csrf_token_from_before_sign_in_is_invalid_afterwards(client, make_user):
    make_user()
    before = csrf_token(client)
    response = client.post("/anmelden", data={"csrf_token": before, "email": MEMBER,
                                              "password": PASSWORD})
    assert response.status_code == 302
    new = "ein-ganz-neues-passwort"
    form = {"current": PASSWORD, "password": new, "confirm": new}
    assert client.post("/passwort", data={"csrf_token": before, **form}).status_code == 400
    assert Auth(client).post("/passwort", form, token_from="/passwort").status_code == 302
