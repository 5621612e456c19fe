"""Feed speed: each Atom feed of 50 entries, read with a feed token as a reader reads it.

Loads 5,000 questions with 5,000 replies and 1,000 solutions (of them 100 best practices,
50 drafts and 50 hidden), and a reader following an authority and 200 questions, into a
fresh database built by the migrations, then fetches each feed through the in-process
test client without cookies and reports the median and p95 time, the SQL queries per
request, the CPU time and the document size; `conditional` is the solutions feed asked
again with its ETag (answered 304).

    .venv/bin/python benchmarks/feeds.py [--runs 30] [--json]
    .venv/bin/python benchmarks/feeds.py --database-url postgresql+psycopg://…/bench
      (PostgreSQL: the database's public schema is dropped and rebuilt)
"""
import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event, insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kitu_exchange import create_app  # noqa: E402
from kitu_exchange.auth.services import create_user  # noqa: E402
from kitu_exchange.extensions import db  # noqa: E402
from kitu_exchange.feeds.tokens import create_feed_token, token_of  # noqa: E402
from kitu_exchange.models import Follow, Question, Reply, Solution  # noqa: E402
from kitu_exchange.models.forum import question_topic  # noqa: E402
from kitu_exchange.models.library import solution_topic  # noqa: E402
from database import empty_postgres  # noqa: E402
from synthetic import START, authorities_and_topic, question_rows, sentence  # noqa: E402

def load(questions: int, solutions: int) -> str:
    rng = random.Random(7)
    authorities, topic = authorities_and_topic(rng)
    start = START
    rows = question_rows(rng, questions, authorities, body_words=80)
    solution_rows = []
    for number in range(1, solutions + 1):
        status = ("draft" if number % 20 == 1 else "best_practice" if number % 10 == 2
                  else "published")
        texts = {name: sentence(rng, 60) for name in ("situation", "approach", "result")}
        solution_rows.append({
            "id": number, "slug": f"loesung-{number}", "title": sentence(rng, 6)[:-1],
            **texts, **{f"{name}_html": f"<p>{value}</p>" for name, value in texts.items()},
            "status": status, "authority_id": authorities[number % 20].id,
            "created_at": start + timedelta(hours=5 * number),
            "last_reviewed_at": start + timedelta(hours=5 * number + 2),
            "hidden_at": start if number % 20 == 3 else None})
    db.session.execute(insert(Question), rows)
    db.session.execute(insert(Solution), solution_rows)
    db.session.execute(insert(question_topic), [{"question_id": r["id"], "topic_id": topic.id}
                                                for r in rows])
    db.session.execute(insert(solution_topic), [{"solution_id": r["id"], "topic_id": topic.id}
                                                for r in solution_rows])
    db.session.commit()
    user = create_user("leserin@kommune-0.example", "Lea Leserin", "kommune-0", "member",
                       None)  # a feed token needs no password
    # The personal feed: the reader follows an authority and 200 questions with replies.
    reply_rows = [{"question_id": 1 + (number % questions), "body": "Antwort.",
                   "body_html": "<p>Antwort.</p>", "authority_id": authorities[5].id,
                   "created_at": start + timedelta(hours=number)}
                  for number in range(1, 5 * questions + 1, 5)]
    db.session.execute(insert(Reply), reply_rows)
    db.session.add_all([Follow(user_id=user.id, target_kind="authority",
                               target_id=authorities[3].id),
                        *(Follow(user_id=user.id, target_kind="question", target_id=number)
                          for number in range(1, questions + 1, questions // 200))])
    db.session.commit()
    return token_of(create_feed_token(user, "Benchmark"))


def measure(client, url: str, runs: int, counter: list[int], **headers) -> dict:
    first = client.get(url, headers=headers)  # warm caches
    times, cpu, queries = [], [], set()
    for _ in range(runs):
        counter[0] = 0
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code in (200, 304), (url, response.status_code)
        queries.add(counter[0])
    times.sort()
    return {"median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2),
            # CPU time of this process: steadier than wall time on a busy machine
            # (on SQLite it includes the database's work, on PostgreSQL not).
            "cpu_median_ms": round(statistics.median(cpu), 2),
            "sql_queries": sorted(queries), "kb": round(len(first.data) / 1024, 1),
            "entries": first.data.count(b"<entry>")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--solutions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        if url.startswith("postgresql"):
            empty_postgres(url)
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                          "INDEX_DIR": f"{tmp}/index", "SERVER_NAME": "bench.local",
                          "SEARCH_SYNC_AFTER_COMMIT": False, "SEARCH_POLL_SECONDS": 0,
                          "FEED_REQUESTS_PER_MINUTE": 1_000_000})
        with app.app_context():
            upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
            token = load(args.questions, args.solutions)
            counter = [0]
            event.listen(db.engine, "before_cursor_execute",
                         lambda *a, **k: counter.__setitem__(0, counter[0] + 1))
        reader = app.test_client(use_cookies=False)
        feeds = {name: f"/feeds/{token}/{path}" for name, path in (
            ("solutions", "loesungen.atom"), ("best_practice", "best-practice.atom"),
            ("questions", "fragen.atom"), ("topic", "themen/allgemein.atom"),
            ("authority", "kommunen/kommune-3.atom"), ("following", "gefolgt.atom"))}
        report = {"database": url.split(":")[0], "questions": args.questions,
                  "solutions": args.solutions}
        for name, path in feeds.items():
            report[name] = measure(reader, path, args.runs, counter)
        etag = reader.get(feeds["solutions"]).headers["ETag"]
        report["conditional"] = measure(reader, feeds["solutions"], args.runs, counter,
                                        **{"If-None-Match": etag})
        with app.app_context():
            db.engine.dispose()
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:14} {value}")


if __name__ == "__main__":
    main()
