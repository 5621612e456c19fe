import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..errors import Invalid
from . import second_factor, services, sessions
from .forms import (ChangePasswordForm, CodeForm, ForgotPasswordForm, LoginForm, LogoutForm,
                    SetPasswordForm)

bp = Blueprint("auth", __name__)
# Between the password and the code step the cookie session holds only this; the server
# session starts after the second factor.
PENDING = "pending_sign_in"


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would help phishing."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("main.index")


@bp.route("/anmelden", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data,
                                         request.remote_addr or "unknown")
        except (services.TooManyAttempts, services.BadCredentials) as error:
            form.form_errors.append(error.message)
            status = error.status
        else:
            if user.has_second_factor:
                session.clear()
                session[PENDING] = {"user_id": user.id, "remember": form.remember.data,
                                    "next": request.args.get("next"), "at": time.time()}
                return redirect(url_for("auth.second_step"))
            sign_in(user, form.remember.data)
            flash(_("Sie sind angemeldet."), "success")
            return redirect(_safe_next(request.args.get("next")))
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form,
                           invitation_contact=current_app.config["INVITATION_CONTACT_EMAIL"]
                           ), status


@bp.route("/anmelden/bestaetigen", methods=["GET", "POST"])
def second_step():
    pending = session.get(PENDING) or {}
    user = services.pending_user(pending.get("user_id"), pending.get("at"))
    if user is None:
        session.pop(PENDING, None)
        flash(_("Bitte melden Sie sich erneut an."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            second_factor.verify(user, form.code.data, request.remote_addr or "")
        except (services.TooManyAttempts, services.BadCredentials) as error:
            form.code.errors.append(error.message)
            status = error.status
        else:
            sign_in(user, pending.get("remember", False))
            flash(_("Sie sind angemeldet."), "success")
            return redirect(_safe_next(pending.get("next")))
    elif form.is_submitted():
        status = 400
    return render_template("auth/second_step.html", form=form), status


def sign_in(user, remember: bool) -> None:
    """Start a new server-side session in a new cookie session: nothing issued before
    the sign-in (a planted session, the CSRF secret) carries over."""
    session.clear()
    sessions.start_session(user, request.user_agent.string, request.remote_addr or "",
                           remember)
    login_user(user, remember=remember, duration=timedelta(
        seconds=current_app.config["SESSION_ABSOLUTE_LIFETIME_SECONDS"]))


def sign_out() -> None:
    sessions.end_session(current_user.current_session)
    logout_user()


@bp.route("/abmelden", methods=["POST"])
def logout():
    if LogoutForm().validate_on_submit():
        sign_out()
        flash(_("Sie sind abgemeldet."), "success")
    response = redirect(url_for("auth.login"))
    # A shared town-hall computer keeps nothing of the session: cached pages and the
    # browser storage (e.g. a saved draft) go with the sign-out (ASVS 8.2.3).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/passwort", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data,
                                     keep=current_user.current_session)
        except Invalid as error:
            getattr(form, error.field or "current").errors.append(error.message)
        else:
            flash(_("Ihr Passwort wurde geändert."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form), \
        400 if form.errors else 200


@bp.route("/einladung/<token>", methods=["GET", "POST"])
def invitation(token: str):
    user = services.user_for_invitation(token)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data)
        except Invalid as error:
            form.password.errors.append(error.message)
        else:
            flash(_("Ihr Passwort ist gespeichert. Sie können sich jetzt anmelden."),
                  "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/invitation.html", form=form, user=user), \
        400 if form.errors else 200


@bp.route("/passwort-vergessen", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link. The answer is the same whether the address has an account
    or not."""
    form = ForgotPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.request_password_reset(form.email.data, request.remote_addr or "unknown")
        except services.TooManyAttempts as error:
            form.form_errors.append(error.message)
            status = error.status
        else:
            flash(_("Wenn es zu dieser Adresse ein Konto gibt, ist eine E-Mail mit einem Link "
                    "zum Zurücksetzen des Passworts unterwegs. Der Link gilt eine Stunde."),
                  "info")
            return redirect(url_for("auth.login"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/passwort-neu/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password from a reset link (one hour, once); other sessions end."""
    user = services.user_for_reset(token)
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data, request.remote_addr or "unknown")
        except Invalid as error:
            form.password.errors.append(error.message)
            status = 400
        except services.TooManyAttempts as error:
            form.form_errors.append(error.message)
            status = error.status
        else:
            flash(_("Ihr neues Passwort ist gespeichert. Sie können sich jetzt anmelden."),
                  "success")
            return redirect(url_for("auth.login"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/reset_password.html", form=form, user=user), status
