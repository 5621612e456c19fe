"""A separate worker process for the index integrity tests: it creates questions the way
a gunicorn worker would (service call, commit, change log, index sync after commit).

    python tests/services/worker.py EMAIL PREFIX COUNT [--no-sync] [--then-sync]
    python tests/services/worker.py EMAIL PREFIX 0 --ensure-index

With --ensure-index it prints "ready", waits for a line on stdin, then opens the index
as a web process would, rebuilding it if it is missing (logged at INFO to stderr).

Configuration comes from the environment (DATABASE_URL, KITU_INDEX_DIR, KITU_*).
"""
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import select  # noqa: E402

from kitu_exchange import create_app  # noqa: E402
from kitu_exchange.extensions import db  # noqa: E402
from kitu_exchange.forum.services import ask_question  # noqa: E402
from kitu_exchange.models import User  # noqa: E402
from kitu_exchange.search.index import ensure_index, sync  # noqa: E402


def main() -> None:
    email, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    overrides = {"SEARCH_SYNC_AFTER_COMMIT": "--no-sync" not in sys.argv}
    app = create_app(overrides)
    with app.app_context():
        if "--ensure-index" in sys.argv:
            logging.basicConfig(level=logging.INFO)
            print("ready", flush=True)
            sys.stdin.readline()
            ensure_index()
            db.engine.dispose()
            return
        user = db.session.scalar(select(User).filter_by(email=email))
        for number in range(count):
            ask_question(user, f"Frage {prefix} Nummer {number}",
                         f"Beschreibung der Frage {prefix} {number} zur Druckerflotte.",
                         ["drucker-kopierer"], "")
        print("created", flush=True)
        if "--then-sync" in sys.argv:
            sync(wait=True)
        db.engine.dispose()


if __name__ == "__main__":
    main()
