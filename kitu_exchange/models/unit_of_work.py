"""One unit of work per service call: commit, then the after-commit hooks.

Services end each public call with `commit()`. Areas that react to changes (the search
index; later notifications and mail) write what they need into the same transaction (a
change-log or outbox row) and register a hook with `after_commit` that only nudges their
worker once the data is safe. A failing hook is logged and loses nothing: the row stays
and the worker's own polling picks it up.
"""
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

from flask import Flask, current_app, has_request_context, request

from ..extensions import db

log = logging.getLogger(__name__)
_HOOKS = "kitu_after_commit"


def reads_only(view: Callable) -> Callable:
    """Mark a POST view that only reads: a draft sent in the body to keep it out of the
    address (similar cases while typing, the Markdown preview). On SQLite its transaction
    begins deferred like a GET's (kitu_exchange/__init__.py, _sqlite_begin), so it never
    queues for the write lock behind posts being saved, nor makes them wait."""
    view.reads_only = True
    return view


def request_reads_only() -> bool:
    """Whether the current request only reads: GET, HEAD, OPTIONS or a reads_only view."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "reads_only", False))


_reading: ContextVar[bool] = ContextVar("kitu_reading", default=False)


@contextmanager
def reading() -> Iterator[None]:
    """A block that only reads, outside a reads-only request too (the index applier, the
    pollers): on SQLite its transaction begins deferred, so it never queues for the write
    lock nor makes a writer wait. The block ends the session's transaction (commit), so
    that a write after it begins a new one that takes the lock (a deferred transaction
    cannot wait for it): use it only where nothing is waiting to be written, e.g. after a
    unit of work's commit. A transaction already open when the block starts is used as
    it is."""
    token = _reading.set(True)
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    else:
        db.session.commit()  # nothing to write: ends the reading transaction
    finally:
        _reading.reset(token)


def reads_only_now() -> bool:
    """Whether a transaction beginning now only reads: inside `reading()`, or in a
    request that only reads."""
    return _reading.get() or (has_request_context() and request_reads_only())


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
