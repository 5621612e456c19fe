"""Absolute links for mails and the command line.

Never from the request's Host header: a client controls that header, and a password
reset link pointing at the attacker's host would hand over the token. The public
address comes from KITU_BASE_URL (or SERVER_NAME); only debug and test runs without
either fall back to the request's address.
"""
from contextlib import contextmanager

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _

from ..errors import DomainError


class NoBaseUrl(DomainError):
    """The site's public address is not configured: no mail with a link can be made."""

    status = 500


@contextmanager
def site_context():
    """A context in which `url_for(..., _external=True)` gives the public address: a
    request context for BASE_URL, or the current one (SERVER_NAME, debug and tests).
    Raises NoBaseUrl when no public address is known."""
    config = current_app.config
    if base_url := config.get("BASE_URL"):
        # POST: a transaction that begins in here (a lazy load) on SQLite begins
        # IMMEDIATE, as a writer's must (kitu_exchange/__init__.py, _sqlite_begin).
        with current_app.test_request_context(base_url=base_url, method="POST"):
            yield
    elif config.get("SERVER_NAME") or (has_request_context()
                                       and (current_app.debug or current_app.testing)):
        yield
    else:
        raise NoBaseUrl(_("E-Mails mit Links sind nicht eingerichtet: Die Administration "
                          "muss die öffentliche Adresse der Seite (KITU_BASE_URL) "
                          "festlegen."))


def external_url(endpoint: str, **values) -> str | None:
    """The absolute link, or None when neither BASE_URL nor SERVER_NAME is set."""
    try:
        return mail_url(endpoint, **values)
    except NoBaseUrl:
        return None


def mail_url(endpoint: str, **values) -> str:
    """An absolute link for a mail; raises NoBaseUrl when the site's address is unknown."""
    with site_context():
        return url_for(endpoint, _external=True, **values)
