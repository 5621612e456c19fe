"""Sign-in throttling: per account-and-address delays that grow, looser limits per account
and per address that never lock the owner out of the usual address, client addresses
only through trusted proxies, and the same work for unknown and known e-mail addresses."""
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from kitu_exchange import create_app
from kitu_exchange.extensions import db
from kitu_exchange.models import LoginAttempt
from tests.conftest import PASSWORD, csrf_token

OWNER = "mitglied@musterstadt.example"
HOME = "198.51.100.7"
WRONG = "falsch-falsch-falsch"
PROXY = "10.0.0.2"


def attempt(client, email, password=PASSWORD, ip=HOME, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/anmelden", data={"csrf_token": csrf_token(client), "email": email,
                                          "password": password},
                       environ_base={"REMOTE_ADDR": ip}, headers=headers)


def signed_in_ok(client, email, **where) -> bool:
    """Signs in with the right password in a fresh browser of the same app."""
    return attempt(client.application.test_client(), email, **where).status_code == 302


def move_attempts_back(app, seconds: int) -> None:
    with app.app_context():
        for attempt_ in db.session.scalars(select(LoginAttempt)):
            attempt_.at -= timedelta(seconds=seconds)
        db.session.commit()


def test_attacker_from_other_addresses_cannot_lock_out_the_owner(app, client, make_user):
    make_user()
    assert signed_in_ok(client, OWNER)  # the owner's usual address is now known
    refused = 0
    for number in range(1, 41):
        status = attempt(client, OWNER, WRONG, ip=f"203.0.113.{number}").status_code
        refused += status == 429
    assert refused > 0  # the attacker is slowed down across addresses ...
    assert signed_in_ok(client, OWNER, ip=HOME)  # ... but the owner still gets in
    # A new address for this account waits, like the attacker's, until the window ends.
    assert attempt(client, OWNER, ip="192.0.2.99").status_code == 429


def test_pair_counter_blocks_after_five_failures_with_growing_delays(app, client, make_user):
    make_user()
    for _ in range(5):
        assert attempt(client, OWNER, WRONG).status_code == 401
    response = attempt(client, OWNER)  # even the right password waits
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in html and "1 Minute" in html
    assert f'value="{OWNER}"' in html
    # Another device of the owner is not held up by this address.
    assert signed_in_ok(client, OWNER, ip="198.51.100.8")
    move_attempts_back(app, 61)
    assert attempt(client, OWNER, WRONG).status_code == 401
    assert "2 Minuten" in attempt(client, OWNER).get_data(as_text=True)
    move_attempts_back(app, 121)
    assert attempt(client, OWNER, WRONG).status_code == 401
    assert "4 Minuten" in attempt(client, OWNER).get_data(as_text=True)
    move_attempts_back(app, 241)
    assert signed_in_ok(client, OWNER)
    assert attempt(client, OWNER, WRONG).status_code == 401  # a success starts over


def test_delay_is_capped(app, client, make_user):
    app.config["LOGIN_MAX_DELAY_SECONDS"] = 180
    make_user()
    for _ in range(5):
        attempt(client, OWNER, WRONG)
    for _ in range(4):
        move_attempts_back(app, 181)
        assert attempt(client, OWNER, WRONG).status_code == 401
    assert "3 Minuten" in attempt(client, OWNER).get_data(as_text=True)


def test_credential_stuffing_from_one_address_is_throttled(client, make_user):
    make_user()
    statuses = [attempt(client, f"person{number}@musterstadt.example", WRONG,
                        ip="203.0.113.50").status_code for number in range(12)]
    assert 429 in statuses and statuses[0] == 401
    assert attempt(client, OWNER, ip="203.0.113.50").status_code == 429
    assert signed_in_ok(client, OWNER, ip="203.0.113.51")


@pytest.fixture
def proxied_app(app_config):
    app = create_app(dict(app_config, TRUSTED_PROXIES=1))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_many_users_behind_one_trusted_proxy(proxied_app, make_user):
    emails = [f"person{number}@musterstadt.example" for number in range(5)]
    for email in emails:
        make_user(email)
    client = proxied_app.test_client()
    attacker = "203.0.113.66"
    statuses = [attempt(client, f"x{number}@musterstadt.example", WRONG, ip=PROXY,
                        forwarded=attacker).status_code for number in range(31)]
    assert statuses[-1] == 429  # the attacker's own address is throttled ...
    for number, email in enumerate(emails):  # ... everyone else behind the proxy is not
        assert signed_in_ok(client, email, ip=PROXY, forwarded=f"198.51.100.{number + 10}")
    with proxied_app.app_context():
        addresses = set(db.session.scalars(select(LoginAttempt.ip)))
    assert PROXY not in addresses and attacker in addresses


def test_forwarded_for_is_ignored_without_trusted_proxies(app, client, make_user):
    make_user()
    statuses = [attempt(client, f"x{number}@musterstadt.example", WRONG, ip="203.0.113.9",
                        forwarded=f"192.0.2.{number}").status_code for number in range(12)]
    assert statuses[-1] == 429  # rotating the header does not evade the address limit
    with app.app_context():
        assert set(db.session.scalars(select(LoginAttempt.ip))) == {"203.0.113.9"}


def _median_seconds(client, email, password, ip) -> float:
    # CPU time of this process (the test client runs the app in it): other processes
    # on a busy machine do not blur the comparison as they would wall-clock time.
    times = []
    for _ in range(3):
        started = time.process_time()
        assert attempt(client, email, password, ip=ip).status_code == 401
        times.append(time.process_time() - started)
    return sorted(times)[1]


def test_unknown_email_costs_a_password_check_too(app, client, make_user):
    # A slow hash makes the password check dominate the request time.
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:400000"
    make_user()
    make_user("inaktiv@musterstadt.example")
    with app.app_context():
        from kitu_exchange.models import User
        db.session.execute(update(User).filter_by(email="inaktiv@musterstadt.example")
                           .values(active=False))
        db.session.commit()
    known = _median_seconds(client, OWNER, WRONG, "192.0.2.1")
    unknown = _median_seconds(client, "niemand@musterstadt.example", WRONG, "192.0.2.2")
    inactive = _median_seconds(client, "inaktiv@musterstadt.example", PASSWORD, "192.0.2.3")
    assert known > 0.05, "the slow hash should dominate"
    assert unknown > 0.6 * known and inactive > 0.6 * known, (known, unknown, inactive)
