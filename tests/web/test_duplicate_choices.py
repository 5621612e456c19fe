"""Item 15 of issue 11: closing as duplicate offers the similar cases as choices and a
search, not only a number to type."""
import re

import pytest

from kitu_exchange.extensions import db
from kitu_exchange.models import Question
from tests.conftest import MOD, REPO, A, B, csrf_token


@pytest.fixture
def questions(runner, people, make_question):
    # The starter library gives the similarity measure word statistics to work with.
    assert runner.invoke(args=["content", "import", str(REPO / "content")]).exit_code == 0
    original = make_question(A, title="Druckerflotte vereinheitlichen: wie anfangen?",
                             body="Wir wollen unsere Druckerflotte vereinheitlichen.")
    duplicate = make_question(B, title="Drucker vereinheitlichen im Rathaus",
                              body="Wie vereinheitlichen wir die Druckerflotte im Rathaus?")
    unrelated = make_question(A, title="Winterdienst-Einsatzplanung digital",
                              body="Welche Software plant den Winterdienst?")
    return original, duplicate, unrelated


def radio_values(html: str) -> list[int]:
    return [int(v) for v in re.findall(r'type="radio" name="original"[^>]*value="(\d+)"', html)]


def test_question_page_offers_similar_questions_as_choices(client, auth, questions):
    original, duplicate, _ = questions
    auth.login(MOD)
    page = client.get(f"/fragen/{duplicate}", follow_redirects=True).get_data(as_text=True)
    assert original in radio_values(page) and duplicate not in radio_values(page)
    assert not re.search(r'name="original"[^>]*checked', page)
    assert f'href="/fragen/{duplicate}/duplikat"' in page  # the search page
    assert 'type="number"' not in page


def test_search_page_finds_an_original_and_closes(app, client, auth, questions):
    original, duplicate, unrelated = questions
    auth.login(MOD)
    url = f"/fragen/{duplicate}/duplikat"
    page = client.get(url, query_string={"suche": "Winterdienst"}).get_data(as_text=True)
    assert unrelated in radio_values(page)
    assert 'role="search"' in page and 'value="Winterdienst"' in page
    response = client.post(url, data={"csrf_token": csrf_token(client, url),
                                      "original": str(unrelated), "note": ""})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Question, duplicate).duplicate_of_id == unrelated


def test_no_choice_is_reported_at_the_field(client, auth, questions):
    _, duplicate, _ = questions
    auth.login(MOD)
    url = f"/fragen/{duplicate}/duplikat"
    response = client.post(url, data={"csrf_token": csrf_token(client, url),
                                      "note": "Gleiche Frage"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="original-error"' in page and "Bitte wählen Sie die Originalfrage." in page
    assert 'value="Gleiche Frage"' in page


def test_members_get_no_duplicate_page(client, auth, questions):
    auth.login(A)
    assert client.get(f"/fragen/{questions[1]}/duplikat").status_code == 403
