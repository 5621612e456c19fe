"""Page speed with a large forum: question list and question pages on SQLite.

Loads 5,000 questions and 20,000 replies into a fresh SQLite database (built by the
migrations), indexes them, then renders pages through the in-process test client as a
signed-in member and reports the median and p95 time and the SQL queries per page.

    .venv/bin/python benchmarks/pages.py [--questions 5000] [--replies 20000] [--json]
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
from sqlalchemy import event, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kitu_exchange import create_app  # noqa: E402
from kitu_exchange.auth.services import create_user  # noqa: E402
from kitu_exchange.extensions import db  # noqa: E402
from kitu_exchange.models import Question, Reply  # noqa: E402
from kitu_exchange.models.forum import question_topic  # noqa: E402
from kitu_exchange.models.statistics import refresh_planner_statistics  # noqa: E402
from kitu_exchange.search.index import reindex  # noqa: E402
from synthetic import START, authorities_and_topic, question_rows, sentence  # noqa: E402

def load(questions: int, replies: int) -> None:
    rng = random.Random(7)
    authorities, topic = authorities_and_topic(rng)
    start = START
    rows = question_rows(rng, questions, authorities, body_words=60)
    per_question = {}
    reply_rows = []
    for number in range(1, replies + 1):
        question_id = rng.randint(1, questions)
        per_question[question_id] = per_question.get(question_id, 0) + 1
        body = sentence(rng, 40)
        reply_rows.append({"question_id": question_id, "body": body, "body_html": f"<p>{body}</p>",
                           "authority_id": authorities[number % 20].id,
                           "created_at": start + timedelta(hours=question_id, minutes=number % 60)})
    for row in rows:
        row["reply_count"] = per_question.get(row["id"], 0)
    db.session.execute(insert(Question), rows)
    db.session.execute(insert(Reply), reply_rows)
    db.session.execute(insert(question_topic), [{"question_id": r["id"], "topic_id": topic.id}
                                                for r in rows])
    db.session.commit()
    create_user("bench@kommune-0.example", "Messung", "kommune-0", "member",
                "Lastprofil-Rathaus-2026")


def measure(client, url: str, runs: int, counter: list[int]) -> dict:
    client.get(url)  # warm caches and templates
    times, queries = [], set()
    for _ in range(runs):
        counter[0] = 0
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.add(counter[0])
    times.sort()
    return {"median_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
            "sql_queries": sorted(queries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--replies", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # No pollers: their queries (and the vector worker's encoding) would be counted
        # and timed with the pages'; what they do at start is done once below.
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                          "INDEX_DIR": f"{tmp}/index", "SERVER_NAME": "bench.local",
                          "SEARCH_POLL_SECONDS": 0})
        with app.app_context():
            upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
            load(args.questions, args.replies)
            refresh_planner_statistics()  # as every web process's poller does at start
            started = time.perf_counter()
            reindex()
            index_s = time.perf_counter() - started
            counter = [0]
            event.listen(db.engine, "before_cursor_execute",
                         lambda *a, **k: counter.__setitem__(0, counter[0] + 1))
        client = app.test_client()
        client.post("/anmelden", data={"email": "bench@kommune-0.example",
                                       "password": "Lastprofil-Rathaus-2026"})
        with app.app_context():
            busiest = db.session.scalar(select(Question.id).order_by(
                Question.reply_count.desc()).limit(1))
            quietest = db.session.scalar(select(Question.id).order_by(
                Question.reply_count).limit(1))
        report = {
            "questions": args.questions, "replies": args.replies,
            "index_s": round(index_s, 1),
            "question_list": measure(client, "/fragen", args.runs, counter),
            "question_list_page_100": measure(client, "/fragen?page=100", args.runs, counter),
            "question_page": measure(client, f"/fragen/{busiest}-frage-{busiest}", args.runs,
                                     counter),
            "question_page_fewest_replies": measure(
                client, f"/fragen/{quietest}-frage-{quietest}", args.runs, counter),
        }
        with app.app_context():
            db.engine.dispose()
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:24} {value}")


if __name__ == "__main__":
    main()
