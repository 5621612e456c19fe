"""One unit of work per service call: commit, then the after-commit hooks.

Services end each public call with `commit()`. Areas that react to changes (the search
index; later notifications and mail) write what they need into the same transaction (a
change-log or outbox row) and register a hook with `after_commit` that only nudges their
worker once the data is safe. A failing hook is logged and loses nothing: the row stays
and the worker's own polling picks it up.
"""
import logging
from typing import Callable

from flask import Flask, current_app

from ..extensions import db

log = logging.getLogger(__name__)
_HOOKS = "kitu_after_commit"


def after_commit(app: Flask, hook: Callable[[], None]) -> None:
    """Run `hook` after every commit made through `commit()` in this app."""
    app.extensions.setdefault(_HOOKS, []).append(hook)


def commit() -> None:
    """Commit the session, then run the app's after-commit hooks."""
    db.session.commit()
    for hook in current_app.extensions.get(_HOOKS, ()):
        try:
            hook()
        except Exception:  # noqa: BLE001 - the committed data is safe; the hook's work waits
            log.exception("After-commit hook %s failed", getattr(hook, "__qualname__", hook))
