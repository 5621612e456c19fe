"""Absolute links for mails and the command line.

Never from the request's Host header: a client controls that header, and a password
reset link pointing at the attacker's host would hand over the token. The public
address comes from KITU_BASE_URL (or SERVER_NAME); only debug and test runs without
either fall back to the request's address.
"""
from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _

from ..errors import DomainError


class NoBaseUrl(DomainError):
    """The site's public address is not configured: no mail with a link can be made."""

    status = 500


def external_url(endpoint: str, **values) -> str | None:
    """The absolute link, or None when neither BASE_URL nor SERVER_NAME is set."""
    if base_url := current_app.config.get("BASE_URL"):
        with current_app.test_request_context(base_url=base_url):
            return url_for(endpoint, _external=True, **values)
    if current_app.config.get("SERVER_NAME"):
        if has_request_context():
            return url_for(endpoint, _external=True, **values)
        with current_app.app_context():
            return url_for(endpoint, _external=True, **values)
    return None


def mail_url(endpoint: str, **values) -> str:
    """An absolute link for a mail; raises NoBaseUrl when the site's address is unknown."""
    if link := external_url(endpoint, **values):
        return link
    if has_request_context() and (current_app.debug or current_app.testing):
        return url_for(endpoint, _external=True, **values)
    raise NoBaseUrl(_("E-Mails mit Links sind nicht eingerichtet: Die Administration muss "
                      "die öffentliche Adresse der Seite (KITU_BASE_URL) festlegen."))
