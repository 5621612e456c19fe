"""The index follows the database: concurrent writers, a killed process, a lost index."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kitu_exchange.extensions import db
from kitu_exchange.models import Question
from kitu_exchange.search import index as search_index
from kitu_exchange.search.service import ids_for_cli, open_searcher

WORKER = Path(__file__).with_name("worker.py")
MEMBER = "m@musterstadt.example"


@pytest.fixture
def member(make_user, make_topic):
    make_topic()
    make_user(MEMBER)


def worker_env(app_config) -> dict:
    return {**os.environ, "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
            "KITU_INDEX_DIR": app_config["INDEX_DIR"], "KITU_SECRET_KEY": "test-secret",
            "KITU_TESTING": "true"}


def start_worker(app_config, prefix: str, count: int, *flags: str) -> subprocess.Popen:
    # stderr goes to a file: a full pipe would block a worker that holds a lock.
    log = open(Path(app_config["INDEX_DIR"]).parent / f"worker-{prefix}.log", "w")
    try:
        return subprocess.Popen([sys.executable, str(WORKER), MEMBER, prefix, str(count),
                                 *flags], env=worker_env(app_config), stdout=subprocess.PIPE,
                                stderr=log, text=True)
    finally:
        log.close()


def finish(workers: list[subprocess.Popen], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    try:
        for worker in workers:
            worker.communicate(timeout=max(1, deadline - time.monotonic()))
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.communicate()


def indexed_ids(app) -> set[str]:
    with app.app_context(), open_searcher() as searcher:
        return {fields["doc_id"] for fields in searcher.all_stored_fields()}


def question_ids(app) -> set[str]:
    with app.app_context():
        return {f"question/{slug}" for slug in db.session.scalars(select(Question.slug))}


@pytest.mark.slow
def test_concurrent_writers_lose_no_update(app, app_config, member):
    workers = [start_worker(app_config, prefix, 15) for prefix in ("alpha", "beta", "gamma")]
    finish(workers)
    logs = Path(app_config["INDEX_DIR"]).parent
    for worker, prefix in zip(workers, ("alpha", "beta", "gamma")):
        assert worker.returncode == 0, (logs / f"worker-{prefix}.log").read_text()
    with app.app_context():
        search_index.sync(wait=True)
        assert db.session.scalar(select(func.count(Question.id))) == 45
    assert indexed_ids(app) == question_ids(app)
    with app.app_context():
        hits = ids_for_cli("Frage beta", limit=3)
    assert hits and all("beta" in hit["title"] for hit in hits)


@pytest.mark.slow
def test_killed_during_index_commit_loses_nothing(app, app_config, member):
    # The worker commits 120 questions to the database without touching the index,
    # then starts applying them; it is killed while it applies.
    worker = start_worker(app_config, "delta", 120, "--no-sync", "--then-sync")
    assert worker.stdout.readline().strip() == "created"
    time.sleep(0.2)
    worker.send_signal(signal.SIGKILL)
    finish([worker], 30)
    assert worker.returncode == -signal.SIGKILL
    with app.app_context():
        assert search_index.sync(wait=False) is not None  # the lock was released
        search_index.sync(wait=True)
    assert indexed_ids(app) == question_ids(app)
    assert len(question_ids(app)) == 120


def test_missing_index_is_rebuilt_and_pages_keep_working(app, client, auth, member,
                                                         make_question, caplog):
    make_question(MEMBER, title="Druckerflotte im Bauamt erneuern")
    with app.app_context():
        generation = search_index.current_generation()
    shutil.rmtree(generation)
    search_index._open_indexes.clear()
    auth.login(MEMBER)
    assert client.get("/fragen/1").status_code in (200, 301)
    assert client.get("/suche?q=Druckerflotte").status_code == 200
    with app.app_context():
        search_index.ensure_index()
    assert "question/druckerflotte-im-bauamt-erneuern" in indexed_ids(app)
    assert "missing or unusable" in caplog.text


# Whoosh leaves the corrupt table-of-contents file open when it fails to read it.
@pytest.mark.filterwarnings("ignore::ResourceWarning",
                            "ignore::pytest.PytestUnraisableExceptionWarning")
def test_corrupt_index_is_rebuilt_by_sync(app, runner, member, make_question):
    make_question(MEMBER, title="Kopierer im Standesamt tauschen")
    with app.app_context():
        generation = search_index.current_generation()
    for toc in generation.glob("*.toc"):
        toc.write_bytes(b"garbage")
    search_index._open_indexes.clear()
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0 and "rebuilding" in result.output
    assert "question/kopierer-im-standesamt-tauschen" in indexed_ids(app)


def test_rolled_back_change_never_reaches_the_index(app, member):
    from kitu_exchange.models import SearchChange
    with app.app_context():
        db.session.add(SearchChange(doc_id="question/nie-gespeichert"))
        db.session.rollback()
        search_index.sync(wait=True)
    assert "question/nie-gespeichert" not in indexed_ids(app)
