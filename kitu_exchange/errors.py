"""Domain errors raised by services, and the pages that answer them."""
from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .forms import typed_text


class DomainError(Exception):
    status = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    """Input that the forms could not catch, e.g. an unknown topic; `field` names it."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _titles() -> dict[int, str]:
    return {
        400: _("Ungültige Anfrage"),
        403: _("Keine Berechtigung"),
        404: _("Seite nicht gefunden"),
        405: _("Aktion nicht möglich"),
        409: _("Konflikt"),
        413: _("Eingabe zu groß"),
        416: _("Bereich nicht verfügbar"),
        429: _("Zu viele Anfragen"),
        500: _("Interner Fehler"),
    }


def _explanations() -> dict[int, str]:
    return {
        400: _("Die Anfrage konnte nicht verarbeitet werden. Bitte prüfen Sie Ihre Eingabe."),
        403: _("Sie haben keine Berechtigung für diese Aktion."),
        404: _("Die gesuchte Seite oder der Eintrag existiert nicht (mehr)."),
        405: _("Diese Aktion ist auf dieser Seite nicht möglich."),
        409: _("Die Aktion passt nicht zum aktuellen Stand des Eintrags."),
        413: _("Die gesendeten Daten sind zu groß. Bitte kürzen Sie Ihre Eingabe "
               "oder die Datei."),
        416: _("Der angefragte Teil der Datei existiert nicht."),
        429: _("Bitte warten Sie einen Moment und versuchen Sie es dann erneut."),
        500: _("Es ist ein unerwarteter Fehler aufgetreten. Bitte versuchen Sie es später "
               "noch einmal."),
    }


def render_error(status: int, message: str = ""):
    # A failed flush or commit leaves the session unusable; the page reads current_user.
    db.session.rollback()
    if status not in _titles():
        status = 500 if status >= 500 else 400
    return render_template(
        "errors/error.html",
        status=status,
        title=_titles()[status],
        message=message or _explanations()[status],
    ), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        return render_error(error.status, error.message)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        # An expired form must not lose what was typed: show it again to copy.
        return render_template("errors/csrf.html", kept=typed_text(request.form)), 400

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if error.code and error.code < 400:
            return error
        body, status = render_error(error.code or 500)
        # Keep the exception's own status and headers (Content-Range on 416, Allow on 405).
        return body, error.code or status, error.get_headers()

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        app.logger.exception("Unhandled error")
        return render_error(500)
