"""The index follows the database: concurrent writers, a killed process, a lost index,
changes whose transactions commit out of id order (PostgreSQL)."""
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kitu_exchange.extensions import db
from kitu_exchange.models import Question, SearchChange, utcnow
from kitu_exchange.search import index as search_index
from kitu_exchange.search.changes import record_change
from kitu_exchange.search.service import ids_for_cli, open_searcher
from tests.conftest import postgres_url

postgres_only = pytest.mark.skipif(
    postgres_url() is None, reason="ids are commit order on SQLite (one writer at a time)")

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


def start_worker(app_config, prefix: str, count: int, *flags: str,
                 env: dict | None = None) -> subprocess.Popen:
    # stderr goes to a file: a full pipe would block a worker that holds a lock.
    log = open(Path(app_config["INDEX_DIR"]).parent / f"worker-{prefix}.log", "w")
    try:
        return subprocess.Popen([sys.executable, str(WORKER), MEMBER, prefix, str(count),
                                 *flags], env={**worker_env(app_config), **(env or {})},
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                                text=True)
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


def search_ids(app, text: str) -> list[str]:
    with app.app_context():
        return [hit["id"] for hit in ids_for_cli(text, limit=20)]


@contextmanager
def uncommitted(app, write):
    """Run write() in a second session (another request) and flush it: its change ids
    are taken, its transaction stays open until the block ends, then it commits."""
    flushed, release, errors = threading.Event(), threading.Event(), []

    def run():
        try:
            with app.app_context():
                write()
                db.session.flush()
                flushed.set()
                release.wait(60)
                db.session.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
            flushed.set()

    thread = threading.Thread(target=run)
    thread.start()
    flushed.wait(60)
    try:
        yield
    finally:
        release.set()
        thread.join(60)
    assert not errors, errors


def retitle(slug: str, title: str, backdate: timedelta | None = None):
    """A write: new title, its change noted (created `backdate` ago by the clock)."""
    def write():
        question = db.session.scalar(select(Question).filter_by(slug=slug))
        question.title = title
        record_change(question)
        if backdate:
            for change in db.session.new:
                if isinstance(change, SearchChange):
                    change.created_at = utcnow() - backdate
    return write


@pytest.mark.slow
def test_concurrent_writers_lose_no_update(app, app_config, member):
    workers = [start_worker(app_config, prefix, 15) for prefix in ("alpha", "beta", "gamma")]
    finish(workers)
    logs = Path(app_config["INDEX_DIR"]).parent
    for worker, prefix in zip(workers, ("alpha", "beta", "gamma")):
        assert worker.returncode == 0, (logs / f"worker-{prefix}.log").read_text()
    # No sync here: whoever held the applier lock looked again before releasing it.
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == 45
    assert indexed_ids(app) == question_ids(app)
    with app.app_context():
        hits = ids_for_cli("Frage beta", limit=3)
    assert hits and all("beta" in hit["title"] for hit in hits)


@pytest.mark.slow
def test_killed_inside_index_commit_loses_nothing(app, app_config, member, tmp_path):
    # The worker commits 120 questions to the database without touching the index,
    # then applies them and stops inside Whoosh's commit (test hook), where it is killed.
    marker = tmp_path / "in-commit"
    worker = start_worker(app_config, "delta", 120, "--no-sync", "--then-sync",
                          env={"KITU_TEST_PAUSE_IN_COMMIT": str(marker)})
    assert worker.stdout.readline().strip() == "created"
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert worker.poll() is None and time.monotonic() < deadline, "never reached commit"
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    finish([worker], 30)
    assert worker.returncode == -signal.SIGKILL
    assert indexed_ids(app) != question_ids(app)  # it really died before committing
    with app.app_context():
        with search_index.file_lock(search_index.root() / search_index.SYNC_LOCK,
                                    wait=False) as locked:
            assert locked  # the applier lock was released
        search_index.sync(wait=False)
    assert indexed_ids(app) == question_ids(app)
    assert len(question_ids(app)) == 120


def wait_until(check, seconds: float) -> float | None:
    """Seconds until check() was true, or None if it stayed false for `seconds`."""
    started = time.monotonic()
    while True:
        if check():
            return time.monotonic() - started
        if time.monotonic() - started > seconds:
            return None
        time.sleep(0.05)


def test_missing_index_is_rebuilt_and_pages_keep_working(app, client, auth, member,
                                                         make_question, caplog):
    make_question(MEMBER, title="Druckerflotte im Bauamt erneuern")
    auth.login(MEMBER)  # before the damage: its commit would start the rebuild itself
    with app.app_context():
        generation = search_index.current_generation()
    shutil.rmtree(generation)
    search_index._open_indexes.clear()
    # Search first: it finds the index missing and says so in the same answer (a page
    # requested first would start the rebuild, which may finish before the search).
    response = client.get("/suche?q=Druckerflotte")
    assert response.status_code == 200
    assert "neu aufgebaut" in response.get_data(as_text=True)
    assert client.get("/fragen/1").status_code in (200, 301)
    # Nobody runs a command: the page's request started the rebuild.
    found = wait_until(lambda: not search_index._rebuilding.is_set() and (
        "question/druckerflotte-im-bauamt-erneuern" in search_ids(app, "Druckerflotte")), 30)
    assert found is not None
    assert "missing or unusable" in caplog.text


def test_one_rebuild_per_host(app, app_config, member, make_question):
    make_question(MEMBER, title="Druckerflotte im Bauamt erneuern")
    shutil.rmtree(app_config["INDEX_DIR"])
    workers = [start_worker(app_config, f"rebuild{n}", 0, "--ensure-index") for n in range(4)]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    finish(workers, 120)
    logs = [(Path(app_config["INDEX_DIR"]).parent / f"worker-rebuild{n}.log").read_text()
            for n in range(4)]
    assert all(worker.returncode == 0 for worker in workers), logs
    assert sum(log.count("Search index rebuilt") for log in logs) == 1, logs
    assert "question/druckerflotte-im-bauamt-erneuern" in search_ids(app, "Druckerflotte")


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


def test_rolled_back_change_never_reaches_the_index(app, member, make_question):
    make_question(MEMBER, title="Druckerflotte im Bauamt erneuern")
    with app.app_context():
        question = db.session.scalar(select(Question))
        question.title = "Telefonanlage im Bauamt erneuern"
        record_change(question)
        db.session.flush()
        db.session.rollback()
        search_index.sync(wait=True)
    assert search_ids(app, "Telefonanlage") == []
    assert search_ids(app, "Druckerflotte") == ["question/druckerflotte-im-bauamt-erneuern"]


@postgres_only
def test_reindex_replays_a_change_committed_during_the_scan(app, member, make_question):
    make_question(MEMBER, title="Druckerflotte im Bauamt erneuern")
    # A transaction takes a change id, a later one commits, the rebuild scans, and only
    # then the first one commits.
    with uncommitted(app, retitle("druckerflotte-im-bauamt-erneuern",
                                  "Telefonanlage im Bauamt erneuern")):
        make_question(MEMBER, title="Kopierer im Standesamt tauschen")
        with app.app_context():
            search_index.reindex()
    with app.app_context():
        search_index.sync(wait=True)
    assert search_ids(app, "Telefonanlage") == ["question/druckerflotte-im-bauamt-erneuern"]


@postgres_only
def test_many_applied_changes_behind_a_gap_do_not_stall_syncing(app, member, make_question):
    make_question(MEMBER, title="Druckerflotte im Bauamt erneuern")
    make_question(MEMBER, title="Kopierer im Standesamt tauschen")
    with uncommitted(app, retitle("druckerflotte-im-bauamt-erneuern",
                                  "Telefonanlage im Bauamt erneuern")):
        with app.app_context():
            other = db.session.scalar(select(Question).filter_by(
                slug="kopierer-im-standesamt-tauschen"))
            record_change(*[other] * 1200)
            db.session.commit()
            search_index.sync(wait=True)
            assert search_index.sync(wait=True) == 0  # applied ones are remembered
    with app.app_context():
        other = db.session.scalar(select(Question).filter_by(
            slug="kopierer-im-standesamt-tauschen"))
        other.title = "Scanner im Standesamt tauschen"
        record_change(other)
        db.session.commit()
        search_index.sync(wait=True)
    assert search_ids(app, "Telefonanlage") == ["question/druckerflotte-im-bauamt-erneuern"]
    assert search_ids(app, "Scanner") == ["question/kopierer-im-standesamt-tauschen"]


@postgres_only
def test_an_old_gap_is_not_skipped_while_its_transaction_is_open(app, member, make_question):
    make_question(MEMBER, title="Druckerflotte im Bauamt erneuern")
    make_question(MEMBER, title="Kopierer im Standesamt tauschen")
    old = timedelta(minutes=10)  # older than any grace period by the clock
    with uncommitted(app, retitle("druckerflotte-im-bauamt-erneuern",
                                  "Telefonanlage im Bauamt erneuern", old)):
        with app.app_context():
            retitle("kopierer-im-standesamt-tauschen", "Scanner im Standesamt tauschen",
                    old)()
            db.session.commit()
            search_index.sync(wait=True)
        assert search_ids(app, "Scanner") == ["question/kopierer-im-standesamt-tauschen"]
    with app.app_context():
        search_index.sync(wait=True)
    assert search_ids(app, "Telefonanlage") == ["question/druckerflotte-im-bauamt-erneuern"]
