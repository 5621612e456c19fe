"""Notification fan-out with many followers (issue 9).

Builds a fresh database by the migrations, creates 1,000 members in 20 authorities and
50 topics, lets every member follow 20 random topics (so a topic has about 400
followers), then posts 500 new questions through the real service
(`forum.services.ask_question`, one unit of work each, by random members, each in one
or two topics) and times the notification fan-out of each post (the
`notify_new_question` call inside the service, i.e. the INSERT ... SELECT and the
`notification_created` signal) and the whole service call. Prints one JSON line.
`--load-objects` adds a signal receiver that loads every Notification object of every
batch (what a receiver costs that does not look at `kind` first).

Then every member chooses a daily digest and the digest run is timed as `flask mail
digest --period daily` does it: building one digest per member from their unread
notifications of followed kinds (`digest_build_seconds`), then delivering them all over
SMTP to a local aiosmtpd server that discards them (`digest_send_seconds`).

    .venv/bin/python benchmarks/notify.py [--database sqlite|postgresql] [--database-url URL]
                                          [--members 1000] [--follows 20] [--posts 500]

PostgreSQL: --database-url, else DATABASE_URL, else the local test_notify database. Its
public schema is dropped and recreated. The search index is not updated after each
commit (KITU_SEARCH_SYNC_AFTER_COMMIT off), so the figures are the database's. On
PostgreSQL the loaded tables are ANALYZEd once before the posts, as autovacuum would.
"""
import argparse
import json
import os
import random
import socket
import subprocess
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, insert, select, text

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from database import empty_postgres, psycopg_url  # noqa: E402  (benchmarks/database.py)
from kitu_exchange import create_app  # noqa: E402
from kitu_exchange.extensions import db  # noqa: E402
from kitu_exchange.forum import services as forum  # noqa: E402
from kitu_exchange.mail.digest import build_digests  # noqa: E402
from kitu_exchange.mail.sender import send_due  # noqa: E402
from kitu_exchange.models import (Authority, Follow, MailPreference, Notification,  # noqa: E402
                                  Topic, User, utcnow)
from kitu_exchange.notifications import services as notifications  # noqa: E402

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test_notify"


def database_url(args, folder: str) -> str:
    if args.database == "sqlite":
        return f"sqlite:///{folder}/notify.sqlite3"
    url = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES
    url = psycopg_url(url)
    empty_postgres(url)
    return url


def load(rng: random.Random, members: int, follows: int, topics: int) -> list[User]:
    authorities = [Authority(slug=f"kommune-{i}", name=f"Kommune {i}", kind="Gemeinde")
                   for i in range(20)]
    topic_rows = [Topic(slug=f"thema-{i}", name=f"Thema {i}", description="")
                  for i in range(topics)]
    db.session.add_all([*authorities, *topic_rows])
    db.session.flush()
    now = utcnow()
    db.session.execute(insert(User), [
        {"email": f"m{i}@kommune-{i % 20}.example", "name": f"Mitglied {i}",
         "handle": f"mitglied-{i}", "role": "member", "authority_id": authorities[i % 20].id,
         # Digests go to people who can sign in; nobody signs in here.
         "password_hash": "benchmark-without-a-password",
         "active": True, "created_at": now, "follow_on_ask": True, "follow_on_reply": True,
         "follow_on_reuse": True} for i in range(members)])
    users = list(db.session.scalars(select(User).order_by(User.id)))
    topic_ids = [topic.id for topic in topic_rows]
    db.session.execute(insert(Follow), [
        {"user_id": user.id, "target_kind": "topic", "target_id": topic_id, "created_at": now}
        for user in users for topic_id in rng.sample(topic_ids, follows)])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # A running database has statistics (autovacuum); freshly bulk-loaded tables have
        # none yet, and PostgreSQL then plans for empty tables.
        with db.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
    return users


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run(args) -> dict:
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(args, folder)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-" * 4,
                          "TESTING": True, "INDEX_DIR": f"{folder}/index",
                          "SERVER_NAME": "kitu.test", "SEARCH_SYNC_AFTER_COMMIT": False,
                          "SEARCH_POLL_SECONDS": 0})
        with app.app_context():
            upgrade(directory=str(REPO / "migrations"))
            users = load(rng, args.members, args.follows, args.topics)
            user_ids = [user.id for user in users]
            topic_slugs = [f"thema-{i}" for i in range(args.topics)]
            fan_out_ms, fan_out_cpu_ms, service_ms, told = [], [], [], []
            original = forum.notifications.notify_new_question

            def timed(question, mentions=None):
                db.session.flush()  # the question's own rows are not the fan-out's
                start, cpu = time.perf_counter(), time.thread_time()
                created = original(question, mentions)
                fan_out_ms.append((time.perf_counter() - start) * 1000)
                fan_out_cpu_ms.append((time.thread_time() - cpu) * 1000)
                told.append(sum(len(batch) for batch in created))
                return created

            def load_all(sender, notifications, kind):
                list(notifications)  # a receiver that reads every notification object

            if args.load_objects:
                notifications.notification_created.connect(load_all)

            forum.notifications.notify_new_question = timed
            try:
                for number in range(args.posts):
                    author = db.session.get(User, rng.choice(user_ids))
                    chosen = rng.sample(topic_slugs, rng.choice((1, 2)))
                    start = time.perf_counter()
                    forum.ask_question(author, f"Frage Nummer {number} zur Verwaltung",
                                       f"Wie macht ihr das mit Vorgang {number}?", chosen, "")
                    service_ms.append((time.perf_counter() - start) * 1000)
                    db.session.remove()  # a new request each time: nothing cached
            finally:
                forum.notifications.notify_new_question = original
                notifications.notification_created.disconnect(load_all)
            stored = db.session.scalar(select(func.count(Notification.id)))
            digest = time_digest(app, user_ids)
            db.engine.dispose()
    return {
        "database": args.database, "receiver_loads_objects": args.load_objects, "members": args.members, "follows_per_member": args.follows,
        "topics": args.topics, "posts": args.posts,
        "notifications_stored": stored,
        "recipients_per_post_median": statistics.median(told),
        "fan_out_ms_median": round(statistics.median(fan_out_ms), 2),
        "fan_out_ms_p95": round(percentile(fan_out_ms, 0.95), 2),
        # CPU time of this process (with SQLite: the database's work too) shows how much
        # of the wall time was waiting for a core on a shared machine.
        "fan_out_cpu_ms_median": round(statistics.median(fan_out_cpu_ms), 2),
        "ask_question_ms_median": round(statistics.median(service_ms), 2),
        "ask_question_ms_p95": round(percentile(service_ms, 0.95), 2),
        **digest,
    }


def wait_for_port(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def time_digest(app, user_ids: list[int]) -> dict:
    """`flask mail digest --period daily` for every member: build, then send over SMTP
    to an aiosmtpd server in its own process that discards what it gets."""
    db.session.execute(insert(MailPreference), [
        {"user_id": user_id, "immediate": True, "digest": "daily", "updated_at": utcnow()}
        for user_id in user_ids])
    db.session.commit()
    start = time.perf_counter()
    queued = build_digests("daily")
    build_seconds = time.perf_counter() - start
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # aiosmtpd is in the test extra, which `make install` installs.
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l",
                               f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"])
    try:
        wait_for_port(port)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        start = time.perf_counter()
        report = send_due()
        send_seconds = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {"digests_queued": queued, "digests_sent": report.sent,
            "digest_build_seconds": round(build_seconds, 1),
            "digest_send_seconds": round(send_seconds, 1),
            "digest_seconds": round(build_seconds + send_seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: DATABASE_URL or "
                                               "the local test_notify database)")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--follows", type=int, default=20)
    parser.add_argument("--topics", type=int, default=50)
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--load-objects", action="store_true",
                        help="connect a signal receiver that loads every notification")
    print(json.dumps(run(parser.parse_args())))


if __name__ == "__main__":
    main()
