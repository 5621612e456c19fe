"""Request-wide behaviour: sign-in requirement, template helpers, security headers."""
from flask import Flask, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from .auth import sessions
from .extensions import login_manager
from .forms import typed_text
from .models import POPULATION_BANDS, User
from .permissions import can
from .visibility import visible

# Endpoints that work without signing in.
PUBLIC_ENDPOINTS = {"auth.login", "auth.second_step", "auth.invitation", "main.imprint",
                    "main.privacy", "main.accessibility", "static", "health.health",
                    "auth.forgot_password", "auth.reset_password", "mail.unsubscribe"}
# Blueprints whose requests carry their own credential instead of a session: feed
# readers send a feed token in the address (feeds/views.py).
PUBLIC_BLUEPRINTS = {"feeds"}
# What a moderator or admin without a second factor can reach: nothing else.
SECOND_FACTOR_SETUP_ENDPOINTS = {"account.second_factor", "auth.logout"}

AUTHORITY_KINDS = {
    "Stadt": _l("Stadt"), "Gemeinde": _l("Gemeinde"),
    "Verbandsgemeinde": _l("Verbandsgemeinde"), "Landkreis": _l("Landkreis"),
    "Zweckverband": _l("Zweckverband"), "Sonstige": _l("Sonstige"),
}
SOFTWARE_FIELD_NAMES = {
    "finance": _l("Finanzwesen / Haushalt"), "dms": _l("Dokumentenmanagement / E-Akte"),
    "council": _l("Ratsinformationssystem"), "epayment": _l("E-Payment"),
    "hr": _l("Personalwesen"), "registry": _l("Einwohnermeldewesen"),
    "permits": _l("Bauen und Genehmigungen"), "portal": _l("Bürgerportal / Onlinedienste"),
    "it_service": _l("IT-Dienstleister / Rechenzentrum"), "other": _l("Sonstiges"),
}
ROLE_NAMES = {"member": _l("Mitglied"), "moderator": _l("Moderation"),
              "admin": _l("Administration")}
SOLUTION_STATUS_NAMES = {
    "draft": _l("Entwurf"), "submitted": _l("eingereicht"), "published": _l("veröffentlicht"),
    "best_practice": _l("Best Practice"), "archived": _l("archiviert"),
}
REUSE_STATUS_NAMES = {"planned": _l("geplant"), "in_progress": _l("in Umsetzung"),
                      "in_use": _l("im Einsatz")}

FLAG_REASONS = {"spam": _l("Spam oder Werbung"), "off_topic": _l("Gehört nicht hierher"),
                "personal_data": _l("Enthält personenbezogene Daten"),
                "outdated": _l("Veraltet"), "other": _l("Anderer Grund")}
FIELD_NAMES = {"title": _l("Titel"), "body": _l("Text"), "situation": _l("Ausgangslage"),
               "approach": _l("Lösung"), "result": _l("Ergebnis"), "costs": _l("Kosten"),
               "effort": _l("Aufwand"), "contact": _l("Ansprechperson"),
               "topics": _l("Themenfelder"), "tags": _l("Schlagwörter")}
AUDIT_AREAS = {"solution": _l("Lösungen prüfen"),
               "post": _l("Beiträge aus- und einblenden, fremde Beiträge bearbeiten"),
               "flag": _l("Meldungen"), "question": _l("Fragen: Löschen, Duplikate, Sperren, Verschieben"),
               "revision": _l("Versionen wiederherstellen und schwärzen"),
               "user": _l("Konten"), "authority": _l("Kommunen"),
               "topic": _l("Themenfelder"), "synonym": _l("Synonyme"),
               "reuse": _l("Nachnutzung"), "legal_page": _l("Rechtstexte"),
               "mail": _l("E-Mail-Ausgang")}
AUDIT_ACTIONS = {
    "solution.publish": _l("Lösung veröffentlicht"),
    "solution.best_practice": _l("Als Best Practice veröffentlicht"),
    "solution.send_back": _l("Zur Überarbeitung zurückgegeben"),
    "solution.archive": _l("Lösung archiviert"),
    "post.hide": _l("Beitrag ausgeblendet"), "post.restore": _l("Beitrag wieder eingeblendet"),
    "post.edit": _l("Fremden Beitrag bearbeitet"),
    "flag.hide": _l("Meldung: ausgeblendet"), "flag.edited": _l("Meldung: bearbeitet"),
    "flag.dismiss": _l("Meldung verworfen"),
    "question.close_duplicate": _l("Als Duplikat geschlossen"),
    "question.merge": _l("Antworten zusammengeführt"), "question.lock": _l("Frage gesperrt"),
    "question.unlock": _l("Sperre aufgehoben"), "question.move": _l("Frage verschoben"),
    "question.delete": _l("Frage gelöscht"),
    "question.undelete": _l("Gelöschte Frage wiederhergestellt"),
    "question.purge": _l("Gelöschte Frage endgültig entfernt"),
    "question.to_solution": _l("Frage in Lösung überführt"),
    "authority.create": _l("Kommune angelegt"), "authority.edit": _l("Kommune geändert"),
    "topic.create": _l("Themenfeld angelegt"), "topic.edit": _l("Themenfeld geändert"),
    "topic.delete": _l("Themenfeld gelöscht"),
    "synonym.create": _l("Synonyme angelegt"), "synonym.edit": _l("Synonyme geändert"),
    "synonym.delete": _l("Synonyme gelöscht"),
    "reuse.remove": _l("Nachnutzung entfernt"),
    "revision.restore": _l("Version wiederhergestellt"),
    "revision.redact": _l("Version geschwärzt"),
    "user.role": _l("Rolle geändert"), "user.deactivate": _l("Konto deaktiviert"),
    "user.activate": _l("Konto aktiviert"), "user.move": _l("Kommune gewechselt"),
    "user.delete": _l("Konto gelöscht"),
    "legal_page.edit": _l("Rechtstext geändert"),
    "user.end_sessions": _l("Alle Sitzungen beendet"),
    "user.reset_second_factor": _l("Zweiten Faktor zurückgesetzt"),
    "mail.retry": _l("E-Mail erneut eingereiht"), "mail.discard": _l("E-Mail verworfen"),
}


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """Flask-Login's session and remember cookie carry a session token, not a user id."""
    return sessions.user_for_token(token)


def register_web_helpers(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Bitte melden Sie sich an, um diese Seite zu sehen.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @app.before_request
    def require_sign_in():
        if (request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None
                or request.blueprint in PUBLIC_BLUEPRINTS):
            return None
        if not current_user.is_authenticated or not current_user.is_active:
            logout_user()  # a deactivated account loses its running sessions too
            if request.method == "POST":
                # The session ended while the person was writing (idle timeout, signed
                # out elsewhere): a redirect would lose the text, so show it to copy.
                return render_template("errors/csrf.html", kept=typed_text(request.form),
                                       session_expired=True), 401
            if request.endpoint == "main.index":
                # Where newcomers start: the sign-in page explains the exchange; no
                # "please sign in to see this page" for the front door.
                return redirect(url_for(login_manager.login_view))
            return login_manager.unauthorized()
        if (current_user.needs_second_factor and not current_user.has_second_factor
                and request.endpoint not in SECOND_FACTOR_SETUP_ENDPOINTS):
            return redirect(url_for("account.second_factor"))
        return None

    # Globals, not a context processor: imported macros see globals only.
    app.jinja_env.globals.update(
        can=lambda action, target=None: can(current_user, action, target),
        visible=lambda post: visible(current_user, post),
        AUTHORITY_KINDS=AUTHORITY_KINDS,
        ROLE_NAMES=ROLE_NAMES,
        SOLUTION_STATUS_NAMES=SOLUTION_STATUS_NAMES,
        REUSE_STATUS_NAMES=REUSE_STATUS_NAMES,
        SOFTWARE_FIELD_NAMES=SOFTWARE_FIELD_NAMES,
        POPULATION_BANDS=POPULATION_BANDS,
        FLAG_REASONS=FLAG_REASONS,
        FIELD_NAMES=FIELD_NAMES,
        AUDIT_AREAS=AUDIT_AREAS,
        AUDIT_ACTIONS=AUDIT_ACTIONS,
    )

    app.jinja_env.filters["date"] = lambda value: format_date(value, "medium") if value else ""
    # Dates and times without seconds: "03.03.2026, 10:15".
    app.jinja_env.filters["datetime"] = (
        lambda value: format_datetime(value, "dd.MM.yyyy, HH:mm") if value else "")
    app.jinja_env.filters["number"] = (
        lambda value: format_decimal(value) if value is not None else "")
    app.jinja_env.filters["isodate"] = lambda value: value.isoformat() if value else ""

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; font-src 'self' data:; "
            "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":
            # Pages show personal data and CSRF tokens: no copies in shared caches or
            # the browser's history cache. Static files keep their caching.
            response.headers.setdefault("Cache-Control", "no-store")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response
