"""`flask users create` prints a working invitation link outside a request, as in
production, where SERVER_NAME is not set (issue 7, item 6)."""
import re

import pytest

from kitu_exchange.extensions import db
from kitu_exchange.models import User
from tests.conftest import csrf_token


@pytest.fixture
def production_like(app, make_authority):
    make_authority("musterstadt")
    app.config["SERVER_NAME"] = None  # the tests' base_config sets it; production does not
    return app


def create(runner, email="neu@musterstadt.example"):
    return runner.invoke(args=["users", "create", email, "--name", "Neue Kollegin",
                               "--authority", "musterstadt"])


def test_invitation_link_is_built_from_the_base_url(production_like, runner, client):
    production_like.config["BASE_URL"] = "https://exchange.kitu.example"
    result = create(runner)
    assert result.exit_code == 0, result.output
    link = re.search(r"https://exchange\.kitu\.example/einladung/\S+", result.output).group(0)
    production_like.config["SERVER_NAME"] = "kitu.test"  # for the test client below
    path = link.removeprefix("https://exchange.kitu.example")
    page = client.get(path)
    assert page.status_code == 200 and "Neue Kollegin" in page.get_data(as_text=True)
    secret = "mein-eigenes-passwort"
    assert client.post(path, data={"csrf_token": csrf_token(client, path), "password": secret,
                                   "confirm": secret}).status_code == 302


def test_without_base_url_the_account_is_kept_and_the_path_printed(production_like, runner):
    result = create(runner)
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert re.search(r"\s/einladung/\S+", result.output)
    assert "KITU_BASE_URL" in result.output
    with production_like.app_context():
        assert db.session.query(User).filter_by(email="neu@musterstadt.example").one()
