"""Second factor: TOTP (RFC 6238) and one-time recovery codes.

The only importer of pyotp and segno. Codes are accepted one time step either side of
now (clock drift), and a time step works once only (no replay of an observed code).
"""
import hmac
import logging
import secrets
import time

import pyotp
import segno
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash

from ..errors import Conflict, Invalid, NotAllowed
from ..extensions import db
from ..models import RecoveryCode, User, utcnow
from ..models.unit_of_work import commit
from ..moderation.services import audit
from ..records import require
from .services import BadCredentials, check_throttle, hash_password, record_attempt
from .sessions import end_sessions

log = logging.getLogger(__name__)

ISSUER = "KITU Exchange"
RECOVERY_CODE_COUNT = 10


def setup_secret(user: User) -> str:
    """The secret to set up: a new one unless an unconfirmed one is waiting (a reload
    shows the same QR code). Raises Conflict when the second factor is already on."""
    if user.has_second_factor:
        raise Conflict(_("Die Zwei-Faktor-Anmeldung ist bereits eingeschaltet."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        commit()
    return user.totp_secret


def qr_code(user: User) -> str:
    """The set-up QR code as an SVG data: URI, made here, not by an outside service."""
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")


def _use_totp(user: User, code: str) -> bool:
    code = "".join(code.split())
    if not user.totp_secret or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = int(time.time()) // totp.interval
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if step <= (user.totp_last_step or -1):
                # ASVS 2.8.5: a code used twice is a sign that it was seen by someone else.
                log.warning("Second factor: a used code was entered again for account %d",
                            user.id)
                return False
            user.totp_last_step = step
            return True
    return False


def _normalise_recovery_code(code: str) -> str:
    plain = "".join(ch for ch in code.lower() if ch.isalnum())
    return f"{plain[:5]}-{plain[5:]}"


def _use_recovery_code(user: User, code: str) -> bool:
    code = _normalise_recovery_code(code)
    if len(code) != 11:
        return False
    for record in db.session.scalars(select(RecoveryCode).filter_by(user_id=user.id,
                                                                    used_at=None)):
        if check_password_hash(record.code_hash, code):
            record.used_at = utcnow()
            return True
    return False


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).filter_by(user_id=user.id))
    codes = [_normalise_recovery_code(secrets.token_hex(5)) for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_password(code))
                       for code in codes)
    return codes


def confirm_setup(user: User, code: str) -> list[str]:
    """Switch the second factor on with a first code from the app. Returns the recovery
    codes, shown this once. Raises Conflict, Invalid for a wrong code."""
    setup_secret(user)
    if not _use_totp(user, code):
        raise Invalid(_("Der Code ist nicht richtig. Bitte geben Sie den aktuellen "
                        "6-stelligen Code aus Ihrer App ein."), "code")
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    commit()
    return codes


def verify(user: User, code: str, ip: str) -> None:
    """The second sign-in step: a current TOTP code or an unused recovery code.
    Throttled and recorded like passwords. Raises TooManyAttempts, BadCredentials."""
    check_throttle(user.email, ip)
    valid = _use_totp(user, code) or _use_recovery_code(user, code)
    record_attempt(user.email, ip, valid)  # commits the used step or code too
    if not valid:
        raise BadCredentials(_("Der Bestätigungscode ist nicht richtig."))


def renew_recovery_codes(user: User) -> list[str]:
    """Replace all recovery codes with ten new ones. Raises Conflict without a factor."""
    if not user.has_second_factor:
        raise Conflict(_("Die Zwei-Faktor-Anmeldung ist nicht eingeschaltet."))
    codes = _new_recovery_codes(user)
    commit()
    return codes


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(select(func.count(RecoveryCode.id)).filter_by(
        user_id=user.id, used_at=None))


def _clear(user: User) -> None:
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).filter_by(user_id=user.id))


def switch_off(user: User, password: str) -> None:
    """A member switches the second factor off. Raises NotAllowed for moderators and
    admins (it is mandatory for them), Invalid for a wrong password."""
    if user.needs_second_factor:
        raise NotAllowed(_("Für Ihre Rolle ist die Zwei-Faktor-Anmeldung vorgeschrieben."))
    if not user.password_hash or not check_password_hash(user.password_hash, password):
        raise Invalid(_("Das Passwort ist nicht richtig."), "password")
    _clear(user)
    commit()


def reset(admin: User, user: User) -> None:
    """An admin removes a person's second factor (e.g. a lost phone); the person's
    sessions end, and the next sign-in sets it up anew. Audited. Raises NotAllowed."""
    require(admin, "user.manage", user)
    audit(admin, "user.reset_second_factor", user)
    _clear(user)
    end_sessions(user)
    commit()
