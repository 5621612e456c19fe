"""`GET /health` for load balancers and monitoring: database, index, index lag.

Public (a load balancer does not sign in) and free of personal data: states and counts
only. 200 when the database answers and the index is usable and not far behind, else 503.
"""
import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def _database() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        log.warning("Health check: the database does not answer", exc_info=True)
        db.session.rollback()
        return False


@bp.route("/health")
def health():
    from .search.index import open_index, pending_count  # the search package owns Whoosh

    database = _database()
    index = open_index() is not None
    pending = pending_count() if database else None
    healthy = database and index and pending <= current_app.config["HEALTH_MAX_PENDING"]
    body = {"status": "ok" if healthy else "unavailable",
            "database": "ok" if database else "error",
            "index": "ok" if index else "rebuilding",
            "pending_changes": pending}
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
