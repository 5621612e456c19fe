"""Account administration: roles, deactivation, moving a person to another authority."""
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..auth.sessions import end_sessions
from ..errors import Conflict, Invalid
from ..extensions import db
from ..models import Authority, Role, User
from ..models.unit_of_work import commit
from ..moderation.services import audit
from ..records import require


def update_account(admin: User, user: User, role: str, authority_slug: str, active: bool,
                   reason: str = "") -> list[str]:
    """Apply role, authority and active state; each change is audited.

    Returns the audit actions taken. Raises NotAllowed, Invalid for an unknown role or
    authority, Conflict when it would leave no active administrator.
    """
    require(admin, "user.manage", user)
    if user.deleted:
        raise Conflict(_("Dieses Konto ist gelöscht und kann nicht mehr geändert werden."))
    if role not in set(Role):
        raise Invalid(_("Unbekannte Rolle."), "role")
    authority = db.session.scalar(select(Authority).filter_by(slug=authority_slug))
    if authority is None:
        raise Invalid(_("Unbekannte Kommune."), "authority")
    losing_admin = user.role == Role.ADMIN and (role != Role.ADMIN or not active)
    if losing_admin and db.session.scalar(select(func.count(User.id)).filter_by(
            role=Role.ADMIN, active=True)) <= 1:
        raise Conflict(_("Es muss mindestens eine aktive Administration geben."))
    actions = []
    if user.role != role:
        audit(admin, "user.role", user, f"{user.role} → {role}. {reason}".strip())
        user.role = role
        actions.append("user.role")
    if user.authority_id != authority.id:
        audit(admin, "user.move", user,
              f"{user.authority.name} → {authority.name}. {reason}".strip())
        user.authority = authority
        actions.append("user.move")
    if user.active != active:
        action = "user.activate" if active else "user.deactivate"
        audit(admin, action, user, reason)
        user.active = active
        actions.append(action)
        if not active:
            end_sessions(user)
    commit()
    return actions


def end_all_sessions(admin: User, user: User) -> None:
    """Sign the person out everywhere (e.g. a lost laptop); audited. Raises NotAllowed."""
    require(admin, "user.manage", user)
    audit(admin, "user.end_sessions", user)
    end_sessions(user)
    commit()
