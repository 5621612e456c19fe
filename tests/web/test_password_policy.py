"""Password policy (ASVS 2.1.7) wherever a password is set: invitation page, change of
password, `flask users create --password-stdin` and the account services."""
import re
import time

import pytest

from kitu_exchange.auth import services as accounts
from kitu_exchange.auth.passwords import common_passwords, password_problem
from tests.conftest import PASSWORD, csrf_token

EMAIL = "erika.mustermann@musterstadt.example"
NAME = "Erika Mustermann"
COMMON = "zu verbreitet"
PERSONAL = "Namen und Ihre E-Mail-Adresse nicht enthalten"
CASES = [
    ("passwortpasswort", COMMON),
    ("123456789012", COMMON),
    ("PasswortPasswort", COMMON),
    ("ichliebedich", COMMON),
    ("Mustermann-Rathaus-2024", PERSONAL),
    ("frau.ERIKA.aus.dem.amt", PERSONAL),
    ("erika.mustermann!!", PERSONAL),
    ("gute-Reise-nach-Quedlinburg", None),
]


@pytest.mark.parametrize(("password", "problem"), CASES)
def test_invitation_page_applies_the_policy(app, client, make_authority, password, problem):
    make_authority("musterstadt")
    with app.app_context():
        user = accounts.create_user(EMAIL, NAME, "musterstadt")
        path = f"/einladung/{accounts.invitation_token(user)}"
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "password": password, "confirm": password})
    if problem is None:
        assert response.status_code == 302
        return
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(r'<p class="kern-error" id="password-error">(.*?)</p>', page, re.S)
    assert error and problem in error.group(1)
    assert password not in page  # password fields are never echoed


@pytest.mark.parametrize(("password", "problem"), CASES)
def test_change_password_applies_the_policy(client, auth, make_user, password, problem):
    make_user(EMAIL, name=NAME)
    auth.login(EMAIL)
    response = auth.post("/passwort", {"current": PASSWORD, "password": password,
                                       "confirm": password}, token_from="/passwort")
    if problem is None:
        assert response.status_code == 302
        return
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert problem in re.search(r'id="password-error">(.*?)</p>', page, re.S).group(1)
    assert password not in page


@pytest.mark.parametrize(("password", "problem"), CASES)
def test_cli_applies_the_policy(runner, make_authority, password, problem):
    make_authority("musterstadt")
    result = runner.invoke(args=["users", "create", EMAIL, "--name", NAME, "--authority",
                                 "musterstadt", "--password-stdin"], input=password + "\n")
    if problem is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1 and problem in result.output


def test_services_apply_the_policy(ctx, make_authority):
    make_authority("musterstadt")
    with pytest.raises(accounts.Invalid, match=COMMON):
        accounts.create_user(EMAIL, NAME, "musterstadt", password="123456789012")
    user = accounts.create_user(EMAIL, NAME, "musterstadt")
    with pytest.raises(accounts.Invalid, match=PERSONAL):
        accounts.set_password(user, "erika-im-rathaus")
    assert user.password_hash is None


def test_list_is_large_and_the_check_is_fast(ctx):
    words = common_passwords()
    assert words.source_entries >= 100_000
    assert "123456789012" in words and "ichliebedich" in words
    started = time.perf_counter()
    for number in range(1000):
        password_problem(f"gute-Reise-nach-Quedlinburg-{number}", EMAIL, NAME)
    per_check = (time.perf_counter() - started) / 1000
    print(f"list: {words.source_entries} entries, {len(words)} of >= 12 characters kept, "
          f"loaded in {words.load_seconds * 1000:.0f} ms; one check {per_check * 1e6:.1f} µs")
    assert per_check < 0.001
    assert words.load_seconds < 5
