"""An author's edit of a published solution goes back to review; a lock stops everyone
but moderators."""
import re

import pytest
from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.models import AuditEntry, Question, Solution
from kitu_exchange.moderation import services as moderation
from tests.conftest import A, B, factory_moderator

MOD = "pruefung@kitu.example"  # the factory moderator, who also publishes
OLD = "Wir haben alle Arbeitsplatzdrucker durch Multifunktionsgeräte ersetzt."
NEW = "Wir haben nur die Drucker im Bürgeramt ersetzt."


def edit_form(approach: str, status: str = "published") -> dict:
    return {"title": "Managed Print für die ganze Verwaltung", "approach": approach,
            "topics": ["drucker-kopierer"], "status": status, "reason": "Präzisiert"}


def text_of(client, url: str) -> str:
    return client.get(url, follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("status", ["published", "best_practice"])
def test_authors_edit_of_a_published_solution_waits_for_review(app, client, auth, people,
                                                               make_solution, status):
    slug = make_solution(A, status=status)
    url, edit = f"/loesungen/{slug}", f"/loesungen/{slug}/bearbeiten"
    auth.login(A)
    response = auth.post(edit, edit_form(NEW, status), token_from=edit)
    assert response.status_code == 302
    page = text_of(client, url)
    assert OLD in page and NEW not in page and "Ihre Änderung wartet auf Prüfung" in page
    assert NEW in text_of(client, edit)  # the author goes on from the proposed text
    auth.logout()

    auth.login(B)
    page = text_of(client, url)
    assert OLD in page and NEW not in page and "wartet auf Prüfung" not in page
    assert client.get(f"{url}/aenderung").status_code in (403, 404)
    auth.logout()

    auth.login(MOD)
    queue = text_of(client, "/moderation")
    assert f"{url}/aenderung" in queue
    change = text_of(client, f"{url}/aenderung")
    assert "<del" in change and "<ins" in change
    words = re.sub(r"<[^>]+>", "", change)  # changed words are marked within the lines
    assert NEW in words and OLD in words
    response = auth.post(f"{url}/aenderung", {"decision": "send_back", "comment": ""},
                         token_from=f"{url}/aenderung")
    assert response.status_code == 400 and "Bitte begründen Sie" in response.get_data(
        as_text=True)
    assert auth.post(f"{url}/aenderung", {"decision": "send_back",
                                          "comment": "Bitte Kosten nennen."},
                     token_from=f"{url}/aenderung").status_code == 302
    auth.logout()

    auth.login(A)
    page = text_of(client, url)
    assert "Bitte Kosten nennen." in page and OLD in page and NEW not in page
    auth.post(edit, {**edit_form(NEW, status), "costs": "5.000 Euro"}, token_from=edit)
    assert "Ihre Änderung wartet auf Prüfung" in text_of(client, url)
    auth.logout()

    auth.login(MOD)
    assert auth.post(f"{url}/aenderung", {"decision": "approve", "comment": ""},
                     token_from=f"{url}/aenderung").status_code == 302
    page = text_of(client, url)
    assert NEW in page and OLD not in page and "5.000 Euro" in page
    with app.app_context():
        solution = db.session.scalar(select(Solution).filter_by(slug=slug))
        assert solution.status == status and solution.pending_content is None
        actions = list(db.session.scalars(select(AuditEntry.action)))
    assert "solution.return_change" in actions and "solution.approve_change" in actions
    assert "2 Versionen" in text_of(client, f"/verlauf/solution/{solution.id}")
    assert f"{url}/aenderung" not in text_of(client, "/moderation")


def test_moderators_own_edits_are_not_held(app, client, auth, people, make_user,
                                           make_solution):
    slug = make_solution(A)
    with app.app_context():
        factory_moderator()
    edit = f"/loesungen/{slug}/bearbeiten"
    auth.login(MOD)
    assert auth.post(edit, edit_form(NEW), token_from=edit).status_code == 302
    auth.logout()
    auth.login(B)
    assert NEW in text_of(client, f"/loesungen/{slug}")


@pytest.fixture
def locked(app, people, make_question, make_reply):
    """A question of A with B's reply, locked by a moderator: (question, reply)."""
    question = make_question(A, title="Gesperrte Frage")
    reply = make_reply(B, question, "Antwort vor der Sperre")
    with app.app_context():
        moderation.set_locked(factory_moderator(), db.session.get(Question, question), True)
    return question, reply


def test_a_lock_stops_the_owners(app, client, auth, locked):
    question, reply = locked
    auth.login(A)
    page = text_of(client, f"/fragen/{question}")
    assert f"/fragen/{question}/bearbeiten" not in page and "akzeptieren" not in page
    assert client.get(f"/fragen/{question}/bearbeiten").status_code == 403
    assert auth.post(f"/fragen/{question}/bearbeiten", {
        "title": "Gesperrte Frage", "body": "Geändert", "topics": ["drucker-kopierer"]
    }).status_code == 403
    assert auth.post(f"/fragen/antworten/{reply}/akzeptieren").status_code == 403
    response = auth.post(f"/fragen/{question}/antworten", {"body": "Noch eine Antwort"})
    assert response.status_code == 403
    assert "Noch eine Antwort" in response.get_data(as_text=True)  # the text is kept
    auth.logout()
    auth.login(B)
    assert auth.post(f"/fragen/antworten/{reply}/bearbeiten",
                     {"body": "Geändert"}).status_code == 403
    with app.app_context():
        question_row = db.session.get(Question, question)
        assert question_row.accepted_reply_id is None and question_row.body != "Geändert"
        assert len(question_row.replies) == 1 and question_row.replies[0].body != "Geändert"


def test_moderators_act_on_locked_questions(app, client, auth, locked):
    question, reply = locked
    auth.login(MOD)
    assert auth.post(f"/fragen/{question}/bearbeiten", {
        "title": "Gesperrte Frage", "body": "Von der Moderation ergänzt",
        "topics": ["drucker-kopierer"]}).status_code == 302
    assert auth.post(f"/fragen/antworten/{reply}/bearbeiten",
                     {"body": "Gekürzt"}).status_code == 302
    assert auth.post(f"/fragen/{question}/antworten",
                     {"body": "Hinweis der Moderation"}).status_code == 302
    assert auth.post(f"/fragen/antworten/{reply}/akzeptieren").status_code == 302
