"""Several writers at the same moment wait for each other instead of failing: content
imports in separate processes, and two people sending the same form at once."""
import os
import sqlite3
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from kitu_exchange.extensions import db
from kitu_exchange.models import Authority, Question, Reply, Tag, Topic
from tests.conftest import REPO, Auth, csrf_token

SHARED_TOPIC = "- slug: gemeinsam\n  name: Gemeinsames Themenfeld\n"
SHARED_AUTHORITY = "- slug: musterstadt\n  name: Stadt Musterstadt\n  kind: Stadt\n"


def content_folder(root: Path, name: str, questions: int) -> Path:
    """A folder sharing a topic, an authority and a tag with its siblings."""
    folder = root / name
    (folder / "questions").mkdir(parents=True)
    (folder / "authorities.yaml").write_text(
        SHARED_AUTHORITY + f"- slug: amt-{name}\n  name: Amt {name}\n  kind: Gemeinde\n",
        encoding="utf-8")
    (folder / "topics.yaml").write_text(
        SHARED_TOPIC + f"- slug: thema-{name}\n  name: Thema {name}\n", encoding="utf-8")
    for number in range(questions):
        (folder / "questions" / f"{name}-frage-{number}.md").write_text(
            f"---\ntitle: Frage {name} {number}\nauthority: amt-{name}\n"
            f"topics: [gemeinsam, thema-{name}]\ntags: [gemeinsam, {name}-{number}]\n"
            "created: 2024-01-01\nreplies:\n  - authority: musterstadt\n"
            f"    body: Antwort auf {name} {number}\n---\nText {name} {number}.\n",
            encoding="utf-8")
    return folder


def cli_env(app_config) -> dict:
    return {**os.environ, "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
            "KITU_INDEX_DIR": app_config["INDEX_DIR"], "KITU_SECRET_KEY": "test-secret",
            "KITU_TESTING": "true"}


def test_concurrent_content_imports_all_succeed(app, app_config, tmp_path):
    names = ("nord", "sued", "west")
    folders = [content_folder(tmp_path, name, 15) for name in names]
    processes = [subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "content", "import", str(folder)],
        cwd=REPO, env=cli_env(app_config), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True) for folder in folders]
    outputs = [process.communicate(timeout=240)[0] for process in processes]
    for process, output in zip(processes, outputs):
        assert process.returncode == 0, output
        assert "0 errors" in output, output
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa
        assert count(Question) == 45 and count(Reply) == 45
        assert count(Topic) == 4 and count(Authority) == 4
        assert count(Tag) == 46
        shared = db.session.scalar(select(Topic).filter_by(slug="gemeinsam"))
        assert db.session.scalar(select(func.count()).select_from(Question).where(
            Question.topics.contains(shared))) == 45


ASKER, OTHER = "a@musterstadt.example", "b@nachbarort.example"


@pytest.fixture
def two_members(app, make_user, make_topic):
    make_topic("e-rechnung", "E-Rechnung")
    make_user(ASKER, authority="musterstadt")
    make_user(OTHER, authority="nachbarort")
    clients = []
    for email in (ASKER, OTHER):
        auth = Auth(app.test_client())
        auth.login(email)
        clients.append(auth)
    return clients


@contextmanager
def lined_up_flushes(model):
    """Hold each thread's first flush of a new `model` row until both threads are there,
    so that both have made their checks before either writes. A thread that cannot get
    that far while the other waits (a writer queued behind the other's lock) breaks the
    barrier after a few seconds, and both go on."""
    barrier, waited = threading.Barrier(2), set()

    def before_flush(session, flush_context, instances):
        me = threading.get_ident()
        if me in waited or not any(isinstance(row, model) for row in session.new):
            return
        waited.add(me)
        try:
            barrier.wait(timeout=3)
        except threading.BrokenBarrierError:
            pass

    event.listen(Session, "before_flush", before_flush)
    try:
        yield
    finally:
        event.remove(Session, "before_flush", before_flush)


def finishes_while_write_locked(database: str, work) -> bool:
    """Whether `work`, run in a thread, finishes within 3 s while another connection
    holds SQLite's write lock (a post being saved by another worker)."""
    writer = sqlite3.connect(database.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    thread = threading.Thread(target=work)
    try:
        thread.start()
        thread.join(timeout=3)
        return not thread.is_alive()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        thread.join()


def in_parallel(*requests) -> list:
    """Run the requests in threads at once; their responses (or the exception raised)."""
    results = [None] * len(requests)

    def run(index, request):
        try:
            results[index] = request()
        except Exception as error:  # noqa: BLE001 - a 500 propagates in testing mode
            results[index] = error

    threads = [threading.Thread(target=run, args=item) for item in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_same_title_asked_at_the_same_moment_gives_two_questions(app, two_members):
    data = {"title": "Wie empfangt ihr XRechnungen?", "body": "Wir suchen Erfahrungen.",
            "topics": ["e-rechnung"], "tags": "xrechnung"}
    tokens = [csrf_token(auth.client, "/fragen/neu") for auth in two_members]
    with lined_up_flushes(Question):
        results = in_parallel(*(
            lambda auth=auth, token=token: auth.client.post(
                "/fragen/neu", data={"csrf_token": token, **data})
            for auth, token in zip(two_members, tokens)))
    assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    with app.app_context():
        slugs = sorted(db.session.scalars(select(Question.slug)))
    assert slugs == ["wie-empfangt-ihr-xrechnungen", "wie-empfangt-ihr-xrechnungen-2"]


def test_replies_at_the_same_moment_are_all_counted(app, two_members, make_question):
    question_id = make_question(ASKER, topics=["e-rechnung"])
    url = f"/fragen/{question_id}"
    tokens = [csrf_token(auth.client, "/fragen/neu") for auth in two_members]
    with lined_up_flushes(Reply):
        results = in_parallel(*(
            lambda auth=auth, token=token: auth.client.post(
                f"{url}/antworten", data={"csrf_token": token, "body": f"Antwort {token[:6]}"})
            for auth, token in zip(two_members, tokens)))
    assert [getattr(r, "status_code", r) for r in results] == [302, 302]
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert (len(question.replies), question.reply_count) == (2, 2)


@pytest.mark.parametrize(("url", "fields"), [
    ("/fragen/aehnliche", {"titel": "Druckerlandschaft vereinheitlichen", "text": ""}),
    ("/vorschau", {"text": "**Entwurf** mit Liste:\n\n- eins"}),
])
def test_posts_that_only_read_do_not_wait_for_writers(app, client, auth, people, url,
                                                       fields):
    """The similar panel and the preview are POSTs (the draft stays out of the address)
    but only read: on SQLite they must not queue behind writers for the write lock (they
    are the most frequent requests while someone types)."""
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    if not database.startswith("sqlite"):
        pytest.skip("the write lock of one database file is SQLite's")
    from tests.conftest import A
    auth.login(A)
    token = csrf_token(client, "/fragen/neu")
    answers = []
    answered = finishes_while_write_locked(database, lambda: answers.append(
        client.post(url, data={"csrf_token": token, **fields})))
    assert answered, f"{url} waited for the write lock"
    assert answers[0].status_code == 200


def test_index_write_after_a_post_does_not_hold_the_write_lock(app, two_members,
                                                               monkeypatch):
    """The request that saved a question applies the change to the index after its
    commit. On SQLite reading the change log began a write transaction (POST), which
    stayed open during Whoosh's write: every other writer queued behind the index."""
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    if not database.startswith("sqlite"):
        pytest.skip("the write lock of one database file is SQLite's")
    from whoosh.writing import NO_MERGE

    from kitu_exchange.search import index as search_index
    lock_free = []

    def probing_policy(writer, segments):  # runs inside Whoosh's commit
        other = sqlite3.connect(database.removeprefix("sqlite:///"), timeout=0,
                                isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            lock_free.append(True)
        except sqlite3.OperationalError:
            lock_free.append(False)
        finally:
            other.close()
        return NO_MERGE(writer, segments)

    monkeypatch.setattr(search_index, "_merge_policy", probing_policy)
    auth = two_members[0]
    response = auth.post("/fragen/neu", {
        "title": "Wie archiviert ihr E-Rechnungen?", "body": "Wir suchen Erfahrungen.",
        "topics": ["e-rechnung"], "tags": ""}, token_from="/fragen/neu")
    assert response.status_code == 302
    assert lock_free == [True]


def test_pollers_read_without_waiting_for_writers(app):
    """Every web process asks each second whether index changes are pending, and one
    looks for sentence vectors to compute. On SQLite those reads began write transactions
    (no request: BEGIN IMMEDIATE), so four pollers queued for the write lock with every
    post being saved (SQLite's busy handler sleeps up to 100 ms between tries): posts
    took 1.2 s at p95 under the load benchmark, and every page waited behind them."""
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    if not database.startswith("sqlite"):
        pytest.skip("the write lock of one database file is SQLite's")
    from kitu_exchange.search import index as search_index
    from kitu_exchange.search import vectors

    answers = []

    def poll():
        with app.app_context():
            answers.append(search_index.has_pending())
            answers.append(vectors.work())

    assert finishes_while_write_locked(database, poll), "a poller waited for the write lock"
    assert answers == [False, 0]
