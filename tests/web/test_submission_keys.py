"""Forms that create carry a one-time submission key: sending the same form again (say,
after the answer to the first send was lost) returns the post already created."""
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update

from kitu_exchange.extensions import db
from kitu_exchange.models import Flag, Question, Reply, Solution, Submission, utcnow
from tests.conftest import Auth, csrf_token

KEY = re.compile(r'name="submission_key"[^>]*value="([^"]+)"')
SAVED = "Dieser Beitrag wurde bereits gespeichert."
MEMBER = "mitglied@musterstadt.example"
OTHER = "kollegin@musterstadt.example"


def submission_key(client, url: str) -> str:
    match = KEY.search(client.get(url, follow_redirects=True).get_data(as_text=True))
    assert match, f"no submission key on {url}"
    return match.group(1)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def ask_data(key: str, title: str = "Wie organisieren wir die Aktenablage?") -> dict:
    return {"title": title, "body": "Die Ablage ist über drei Gebäude verteilt.",
            "topics": ["drucker-kopierer"], "tags": "", "submission_key": key}


@pytest.fixture
def member(auth, make_user, ensure_default_topic):
    make_user(MEMBER)
    ensure_default_topic()
    auth.login(MEMBER)
    return auth


def test_create_forms_carry_a_key_that_survives_errors(app, member, make_question):
    key = submission_key(member.client, "/fragen/neu")
    assert len(key) >= 16 and key != submission_key(member.client, "/fragen/neu")
    response = member.post("/fragen/neu", {**ask_data(key), "title": ""})
    assert response.status_code == 400
    assert KEY.search(response.get_data(as_text=True)).group(1) == key
    question_id = make_question(MEMBER)
    for url in (f"/fragen/{question_id}", "/loesungen/neu", f"/melden/question/{question_id}"):
        assert submission_key(member.client, url)


def test_a_repeated_question_is_created_once(app, member):
    key = submission_key(member.client, "/fragen/neu")
    first = member.post("/fragen/neu", ask_data(key))
    again = member.post("/fragen/neu", ask_data(key))
    assert count(app, Question) == 1
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert SAVED in member.client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_repeated_reply_is_created_once(app, member, make_question):
    question_id = make_question(MEMBER)
    key = submission_key(member.client, f"/fragen/{question_id}")
    data = {"body": "Wir scannen alles ein.", "submission_key": key}
    first = member.post(f"/fragen/{question_id}/antworten", data)
    again = member.post(f"/fragen/{question_id}/antworten", data)
    assert count(app, Reply) == 1
    assert again.status_code == 302
    assert again.headers["Location"].split("#")[0] == first.headers["Location"].split("#")[0]
    with app.app_context():
        assert db.session.get(Question, question_id).reply_count == 1


def test_a_repeated_solution_is_created_once(app, member):
    key = submission_key(member.client, "/loesungen/neu")
    data = {"title": "Digitale Aktenablage", "approach": "Alles wird eingescannt.",
            "topics": ["drucker-kopierer"], "status": "draft", "submission_key": key}
    first = member.post("/loesungen/neu", data)
    again = member.post("/loesungen/neu", data)
    assert count(app, Solution) == 1
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]


def test_a_repeated_flag_is_created_once(app, member, make_user, make_question):
    make_user(OTHER)
    question_id = make_question(OTHER)
    key = submission_key(member.client, f"/melden/question/{question_id}")
    data = {"reason": "spam", "text": "", "submission_key": key}
    member.post(f"/melden/question/{question_id}", data)
    again = member.post(f"/melden/question/{question_id}", data)
    assert count(app, Flag) == 1
    assert again.status_code == 302


def test_forms_without_a_key_create_as_before(app, member):
    for title in ("Erste Frage zur Ablage", "Zweite Frage zur Ablage"):
        data = ask_data("", title)
        del data["submission_key"]
        assert member.post("/fragen/neu", data).status_code == 302
    member.post("/fragen/neu", ask_data("", "Dritte Frage zur Ablage"))
    assert count(app, Question) == 3


def test_another_persons_key_is_a_new_key(app, client, member, make_user):
    key = submission_key(member.client, "/fragen/neu")
    mine = member.post("/fragen/neu", ask_data(key, "Wie organisieren wir die Ablage?"))
    make_user(OTHER)
    other = Auth(app.test_client())
    other.login(OTHER)
    theirs = other.post("/fragen/neu", ask_data(key, "Wie digitalisieren wir Bauakten?"))
    assert count(app, Question) == 2
    assert theirs.status_code == 302 and theirs.headers["Location"] != mine.headers["Location"]


def test_two_requests_with_one_key_at_the_same_moment_create_one_post(app, make_user,
                                                                      ensure_default_topic):
    make_user(MEMBER)
    ensure_default_topic()
    members = [Auth(app.test_client()) for _ in range(2)]
    for each in members:
        each.login(MEMBER)
    key = submission_key(members[0].client, "/fragen/neu")
    tokens = [csrf_token(each.client, "/fragen/neu") for each in members]
    start = threading.Barrier(2, timeout=30)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        # Both must have looked for the key before either records it: the unique
        # constraint, not the look-up, is what stops the second one. (On SQLite every
        # writing request holds the write lock from its start, so they queue up.)
        checked = threading.Barrier(2, timeout=30)
        waiting = threading.local()

        @event.listens_for(engine, "after_cursor_execute")
        def both_checked(conn, cursor, statement, parameters, context, executemany):
            if "FROM submission" in statement and not getattr(waiting, "done", False):
                waiting.done = True
                checked.wait()

    responses = [None, None]

    def send(number: int) -> None:
        start.wait()
        responses[number] = members[number].client.post(
            "/fragen/neu", data={"csrf_token": tokens[number], **ask_data(key)})

    threads = [threading.Thread(target=send, args=(number,)) for number in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    if engine.dialect.name == "postgresql":
        event.remove(engine, "after_cursor_execute", both_checked)
    assert [response.status_code for response in responses] == [302, 302]
    assert responses[0].headers["Location"] == responses[1].headers["Location"]
    assert count(app, Question) == 1


def test_keys_older_than_a_week_are_pruned(app, member):
    old = submission_key(member.client, "/fragen/neu")
    member.post("/fragen/neu", ask_data(old, "Wie organisieren wir die Ablage?"))
    with app.app_context():
        db.session.execute(update(Submission).values(created_at=utcnow() - timedelta(days=8)))
        db.session.commit()
    new = submission_key(member.client, "/fragen/neu")
    member.post("/fragen/neu", ask_data(new, "Wie digitalisieren wir Bauakten?"))
    with app.app_context():
        assert list(db.session.scalars(select(Submission.key))) == [new]
