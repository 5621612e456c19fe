"""Search: Whoosh schema, German analysis, index and change log, queries.

This package is the only importer of whoosh.
"""
from flask import Flask

from .views import bp


def init_app(app: Flask) -> None:
    """Nothing to open at start-up: the index is opened lazily per request."""


__all__ = ["bp", "init_app"]
