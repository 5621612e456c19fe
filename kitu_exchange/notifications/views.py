"""Following, the notification list with its bell, people's pages and mention
suggestions."""
from flask import (Blueprint, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from ..errors import NotFound
from ..extensions import db
from ..forms import ConfirmForm
from ..models import FollowKind, Tag, User
from . import mentions, services
from .forms import AutoFollowForm, FollowForm
from .kinds import describe, target_url

bp = Blueprint("notifications", __name__)

FOLLOW_KIND_NAMES = {"question": _l("Fragen"), "solution": _l("Lösungen"),
                     "topic": _l("Themenfelder"), "tag": _l("Schlagwörter"),
                     "authority": _l("Kommunen")}


def _local(path: str | None) -> str | None:
    """Only a path of this site: never a redirect elsewhere."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return None


@bp.app_template_global()
def follow_form(kind: str, target_id: int) -> dict:
    """What the follow button of a page needs: the form and whether one follows."""
    return {"form": FollowForm(formdata=None, kind=kind, target_id=target_id,
                               next=request.full_path.rstrip("?")),
            "following": services.is_following(current_user, kind, target_id)}


@bp.app_template_global()
def unread_notifications() -> int:
    return services.unread_count(current_user) if current_user.is_authenticated else 0


def _follow_target(form: FollowForm) -> tuple[str, int]:
    kind = form.kind.data or ""
    try:
        target_id = int(form.target_id.data or "")
    except ValueError:
        raise NotFound(_("Dem, was Sie folgen möchten, gibt es nicht (mehr).")) from None
    if kind not in set(FollowKind):
        raise NotFound(_("Dem, was Sie folgen möchten, gibt es nicht (mehr)."))
    return kind, target_id


@bp.route("/folgen", methods=["POST"])
def follow():
    form = FollowForm()
    form.validate_on_submit()  # CSRFProtect has already refused a bad token
    kind, target_id = _follow_target(form)
    services.follow(current_user, kind, target_id)
    flash(_("Sie folgen jetzt. Neuigkeiten erscheinen unter „Benachrichtigungen“."),
          "success")
    return redirect(_local(form.next.data) or url_for("notifications.following"))


@bp.route("/folgen/beenden", methods=["POST"])
def unfollow():
    form = FollowForm()
    form.validate_on_submit()
    kind, target_id = _follow_target(form)
    services.unfollow(current_user, kind, target_id)
    flash(_("Sie folgen nicht mehr."), "success")
    return redirect(_local(form.next.data) or url_for("notifications.following"))


@bp.route("/gefolgt")
def following():
    """Everything the person follows, each with a button to stop."""
    return render_template("notifications/following.html",
                           followed=services.followed(current_user),
                           kind_names=FOLLOW_KIND_NAMES)


@bp.route("/benachrichtigungen")
def index():
    page = db.paginate(services.notifications_query(current_user), per_page=30,
                       error_out=False)
    return render_template("notifications/index.html", page=page, describe=describe,
                           target_url=target_url, confirm_form=ConfirmForm())


@bp.route("/benachrichtigungen/<int:notification_id>")
def open_notification(notification_id: int):
    """Mark the notification read and go where it leads."""
    notification = services.get_notification(current_user, notification_id)
    url = target_url(notification)
    try:
        services.mark_read(notification)
    except OperationalError:
        # A GET reads in a deferred SQLite transaction: when another writer committed
        # meanwhile the write fails. Marking read is bookkeeping; the way on must work.
        db.session.rollback()
    return redirect(url)


@bp.route("/benachrichtigungen/alle-gelesen", methods=["POST"])
def mark_all_read():
    ConfirmForm().validate_on_submit()
    services.mark_all_read(current_user)
    flash(_("Alle Benachrichtigungen sind als gelesen markiert."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/konto/benachrichtigungen", methods=["POST"])
def save_settings():
    form = AutoFollowForm()
    if form.validate_on_submit():
        services.save_auto_follow(current_user, form.follow_on_ask.data,
                                  form.follow_on_reply.data, form.follow_on_reuse.data)
        flash(_("Ihre Einstellungen zum automatischen Folgen sind gespeichert."), "success")
    return redirect(url_for("account.settings", _anchor="folgen"))


@bp.app_template_global()
def auto_follow_form() -> AutoFollowForm:
    return AutoFollowForm(formdata=None, obj=current_user)


@bp.route("/personen/vorschlaege")
def suggestions():
    """JSON for the suggestions while typing an @name: at most eight active people."""
    return jsonify(mentions.suggestions(request.args.get("q", "")))


@bp.route("/personen/<handle>")
def person(handle: str):
    """A person's page: name, authority and the handle to mention them by."""
    user = db.session.scalar(select(User).where(User.handle == handle.lower(),
                                                User.deleted_at.is_(None)))
    if user is None:
        raise NotFound(_("Diese Person gibt es nicht (mehr)."))
    return render_template("notifications/person.html", person=user,
                           follow_kind_names=FOLLOW_KIND_NAMES)


@bp.app_template_global()
def tag_named(name: str):
    """The tag of a tag-filtered list, for its follow button."""
    return db.session.scalar(select(Tag).filter_by(name=name))
