"""Hidden and unpublished posts stay out of every page of those who may not see them."""
import re

import pytest
from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.models import Question, Reply, Solution
from kitu_exchange.moderation import services as moderation
from tests.conftest import A, B, factory_moderator

C = "c@drittort.example"
SECRET = "Geheimthema Zugangsdaten"


@pytest.fixture
def people(people, make_user):
    make_user(C, authority="drittort", name="Carla Dritte")


def moderate(app, action, model, key, **where):
    """Run a moderation service on one record as the factory moderator."""
    with app.app_context():
        record = db.session.get(model, key) if not where else db.session.scalar(
            select(model).filter_by(**where))
        action(factory_moderator(), record)


def hide(app, model, key=None, **where):
    moderate(app, lambda mod, post: moderation.hide_post(mod, post, "Test"), model, key,
             **where)


def promote(auth, question: int, reply: int) -> str:
    """As the asker: accept the reply, make the question a solution draft; its edit URL."""
    auth.post(f"/fragen/antworten/{reply}/akzeptieren")
    return auth.post(f"/fragen/{question}/in-loesung").headers["Location"]


def page(client, url: str) -> str:
    return client.get(url, follow_redirects=True).get_data(as_text=True)


def test_profile_lists_no_hidden_question(client, auth, people, app, make_question):
    question = make_question(A, title=SECRET)
    hide(app, Question, question)
    auth.login(B)
    assert SECRET not in page(client, "/kommunen/musterstadt")


@pytest.mark.parametrize("change", ["hide", "send_back", "archive"])
def test_profile_lists_no_reuse_of_a_solution_gone_from_view(client, auth, people, app,
                                                             make_solution, change):
    from kitu_exchange.library.services import record_reuse
    slug = make_solution(A, title=SECRET)
    with app.app_context():
        from kitu_exchange.models import User
        user = db.session.scalar(select(User).filter_by(email=C))
        record_reuse(user, db.session.scalar(select(Solution).filter_by(slug=slug)),
                     "in_use", "")
    if change == "hide":
        hide(app, Solution, slug=slug)
    else:
        moderate(app, lambda mod, solution: moderation.review_solution(
            mod, solution, change, "Bitte überarbeiten"), Solution, None, slug=slug)
    auth.login(B)
    assert SECRET not in page(client, "/kommunen/drittort")
    assert client.get(f"/loesungen/{slug}").status_code == 404


def test_archived_solution_is_not_public(client, auth, people, make_solution):
    slug = make_solution(A, title=SECRET, status="archived")
    auth.login(B)
    assert client.get(f"/loesungen/{slug}").status_code == 404
    for url in ("/loesungen", "/loesungen?status=archived", "/themen/drucker-kopierer",
                "/kommunen/musterstadt"):
        assert SECRET not in page(client, url), url
    auth.logout()
    auth.login(A)  # the author still sees it
    assert SECRET in page(client, f"/loesungen/{slug}")


def test_topic_and_home_counts_leave_out_hidden_posts(client, auth, people, app,
                                                      make_question, make_reply,
                                                      make_solution):
    visible = make_question(A, title="Sichtbare Frage")
    make_reply(B, visible, "Sichtbare Antwort")
    hidden_reply = make_reply(C, visible, "Ausgeblendete Antwort")
    hide(app, Question, make_question(A, title=SECRET))
    hide(app, Reply, hidden_reply)
    make_solution(A, title="Sichtbare Lösung")
    hide(app, Solution, slug=make_solution(A, title="Ausgeblendete Lösung"))
    make_solution(A, title="Entwurf", status="draft")
    auth.login(B)
    topics = page(client, "/themen")
    assert re.findall(r"\d+ (?:Fragen?|Lösung\w*)", topics) == ["1 Frage", "1 Lösung"]
    home = page(client, "/")
    assert "1 Frage · 1 Lösung" in home
    assert "1 Antwort" in home and "2 Antworten" not in home


def test_draft_title_does_not_show_on_its_source_question(client, auth, people, app,
                                                          make_question, make_reply):
    question = make_question(A, title="Gelöste Frage zu Druckern")
    reply = make_reply(B, question, "So geht es.")
    auth.login(A)
    edit = promote(auth, question, reply)
    auth.post(edit, {"title": SECRET, "approach": "So geht es.",
                     "topics": ["drucker-kopierer"], "status": "draft"}, token_from=edit)
    assert SECRET in page(client, f"/fragen/{question}")  # the author sees the link
    auth.logout()
    auth.login(C)
    html = page(client, f"/fragen/{question}")
    assert SECRET not in html and "Lösung in der Bibliothek" not in html


def test_duplicate_banner_hides_a_hidden_original(client, auth, people, app, make_question):
    original = make_question(A, title=SECRET)
    duplicate = make_question(B, title="Doppelte Frage zu Druckern")
    moderate(app, lambda mod, q: moderation.close_as_duplicate(mod, q, original, "doppelt"),
             Question, duplicate)
    hide(app, Question, original)
    auth.login(C)
    html = page(client, f"/fragen/{duplicate}")
    assert "Diese Frage ist ein Duplikat." in html and SECRET not in html


def test_solution_page_hides_a_hidden_source_question(client, auth, people, app,
                                                      make_question, make_reply):
    question = make_question(A, title=SECRET)
    reply = make_reply(B, question, "So geht es.")
    auth.login(A)
    slug = promote(auth, question, reply).split("/")[2]
    with app.app_context():
        solution = db.session.scalar(select(Solution).filter_by(slug=slug))
        solution.title, solution.status = "Veröffentlichte Lösung", "published"
        db.session.commit()
    hide(app, Question, question)
    auth.logout()
    auth.login(C)
    html = page(client, f"/loesungen/{slug}")
    assert "Veröffentlichte Lösung" in html and SECRET not in html


def test_reply_author_does_not_see_a_hidden_question(client, auth, people, app,
                                                     make_question, make_reply):
    question = make_question(A, title=SECRET)
    reply = make_reply(B, question, "Meine Antwort")
    hide(app, Question, question)
    auth.login(B)
    response = client.get(f"/fragen/antworten/{reply}/bearbeiten")
    assert response.status_code == 404 and SECRET not in response.get_data(as_text=True)
    assert auth.post(f"/fragen/antworten/{reply}/bearbeiten",
                     {"body": "Geändert"}).status_code == 404


def test_hidden_reply_cannot_be_accepted_nor_promoted(client, auth, people, app,
                                                      make_question, make_reply):
    question = make_question(A, title="Frage mit ausgeblendeter Antwort")
    reply = make_reply(B, question, "Ausgeblendeter Vorschlag")
    hide(app, Reply, reply)
    auth.login(A)
    assert auth.post(f"/fragen/antworten/{reply}/akzeptieren").status_code == 404
    assert auth.post(f"/fragen/{question}/in-loesung").status_code == 409
    with app.app_context():
        assert db.session.get(Question, question).accepted_reply_id is None
        # Accepted before it was hidden: promotion still must not copy it.
        db.session.get(Question, question).accepted_reply_id = reply
        db.session.commit()
    assert auth.post(f"/fragen/{question}/in-loesung").status_code == 409
    with app.app_context():
        assert db.session.scalar(select(Solution)) is None
    auth.logout()
    auth.login("pruefung@kitu.example")  # moderators see the reply, still may not accept
    with app.app_context():
        db.session.get(Question, question).accepted_reply_id = None
        db.session.commit()
    assert auth.post(f"/fragen/antworten/{reply}/akzeptieren").status_code == 409
