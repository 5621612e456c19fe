"""The search change log, written in the same transaction as the change itself."""
from flask import current_app
from sqlalchemy import BigInteger, Text, func

from ..extensions import db
from ..models import Question, SearchChange, Solution

def doc_id_of(record: Question | Solution) -> str:
    """Document identifier outside the database: "question/<slug>" or "solution/<slug>"."""
    kind = "question" if isinstance(record, Question) else "solution"
    return f"{kind}/{record.slug}"


def record_change(*records: Question | Solution) -> None:
    """Note that these records' index entries must be refreshed after the commit.

    On PostgreSQL each change carries its writing transaction, see index.py.
    """
    txid = (func.pg_current_xact_id().cast(Text).cast(BigInteger)
            if db.session.get_bind().dialect.name == "postgresql" else None)
    for record in records:
        db.session.add(SearchChange(doc_id=doc_id_of(record), txid=txid))


def apply_after_commit() -> None:
    """After-commit hook (models/unit_of_work.py): bring the index up to date if no one
    else is. Index trouble never fails the request: the change log keeps the work, and
    the next commit, the poller of every process or `flask search sync` applies it."""
    if not current_app.config["SEARCH_SYNC_AFTER_COMMIT"]:
        return
    from .index import sync  # imports whoosh; keep this module light for the models

    try:
        sync(wait=False)
    finally:
        # End the transaction that reading the change log began: on SQLite it may hold
        # the write lock (BEGIN IMMEDIATE) until the request ends, and other writers wait.
        db.session.commit()
