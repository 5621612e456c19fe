"""The commit belongs to the data layer: services commit through models/unit_of_work.py,
and areas that react (search) subscribe with after-commit hooks."""
import logging
import re

from sqlalchemy import create_engine, func, select, text

from kitu_exchange.extensions import db
from kitu_exchange.models import Question
from kitu_exchange.models.unit_of_work import after_commit
from kitu_exchange.search.changes import apply_after_commit
from tests.conftest import REPO, csrf_token


def test_search_subscribes_to_the_unit_of_work(app):
    assert apply_after_commit in app.extensions["kitu_after_commit"]


def test_hooks_run_after_the_data_is_committed(app, make_user, make_question):
    email = make_user()
    seen = []

    def count_from_another_connection():
        # A separate connection sees only committed rows.
        engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with engine.connect() as connection:
            seen.append(connection.scalar(text("SELECT count(*) FROM question")))
        engine.dispose()

    after_commit(app, count_from_another_connection)
    make_question(email)
    assert seen and seen[-1] == 1


def test_a_failing_hook_loses_nothing_and_fails_no_request(app, client, auth, make_user,
                                                          make_topic, caplog):
    make_topic()
    auth.login(make_user())

    def broken():
        raise RuntimeError("notifier down")

    after_commit(app, broken)
    with caplog.at_level(logging.ERROR):
        response = client.post("/fragen/neu", data={
            "csrf_token": csrf_token(client, "/fragen/neu"), "topics": "drucker-kopierer",
            "title": "Wie richten wir XRechnung ein?", "body": "Wir brauchen den Empfang."})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == 1
    assert any("After-commit hook" in record.getMessage() for record in caplog.records)


def test_no_service_or_view_reaches_into_the_search_change_log_for_commits():
    package = REPO / "kitu_exchange"
    for path in package.rglob("*.py"):
        if path.parent.name == "search":
            continue
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"from \.\.search\.changes import [^\n]*\bcommit\b", source), path
        if path.name == "views.py":
            assert "doc_id" not in source, path
