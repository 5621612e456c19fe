"""The search page, similar cases and the index's integrity through HTTP and the CLI."""
import json
import re

import pytest
from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.models import Solution
from kitu_exchange.moderation import services as moderation
from tests.conftest import REPO, factory_moderator

MEMBER = "m@quedlinburg.example"


@pytest.fixture
def library(app, runner, make_user):
    result = runner.invoke(args=["content", "import", str(REPO / "content")])
    assert result.exit_code == 0, result.output
    make_user(MEMBER, authority="quedlinburg")


def hit_count(html: str) -> int:
    return int(re.search(r"(\d+) Treffer", html).group(1))


def test_search_page_finds_and_highlights(client, auth, library):
    auth.login(MEMBER)
    html = client.get("/suche?q=Drucker").get_data(as_text=True)
    assert hit_count(html) >= 3
    assert "<mark>" in html
    assert "Druckerlandschaft" in html or "Druckermodelle" in html


@pytest.mark.parametrize("query", ["(((", '"unbalanced', "feld:wert*", "x" * 10_000,
                                   "-", '"', "*", "AND OR NOT", "\x00Drucker"])
def test_odd_queries_never_fail(client, auth, library, query):
    auth.login(MEMBER)
    response = client.get("/suche", query_string={"q": query})
    assert response.status_code == 200


def test_empty_query_gets_a_friendly_page(client, auth, library):
    auth.login(MEMBER)
    html = client.get("/suche?q=").get_data(as_text=True)
    assert "Bitte geben Sie einen Suchbegriff ein" in html
    html = client.get("/suche?q=qqqxxyyzz").get_data(as_text=True)
    assert "Keine Treffer" in html


def test_filters_and_counts(client, auth, library):
    auth.login(MEMBER)
    html = client.get("/suche?q=Drucker").get_data(as_text=True)
    total = hit_count(html)
    assert re.search(r"Lösungen \(\d+\)", html) and re.search(r"Fragen \(\d+\)", html)
    only_solutions = hit_count(client.get("/suche?q=Drucker&art=solution").get_data(
        as_text=True))
    only_questions = hit_count(client.get("/suche?q=Drucker&art=question").get_data(
        as_text=True))
    assert only_solutions + only_questions == total
    best = client.get("/suche?q=Drucker&best=1").get_data(as_text=True)
    assert hit_count(best) <= only_solutions
    assert client.get("/suche?q=Drucker&von=kein-datum").status_code == 200


def test_phrase_and_exclusion(client, auth, library):
    auth.login(MEMBER)
    everything = hit_count(client.get("/suche?q=Drucker").get_data(as_text=True))
    fewer = hit_count(client.get("/suche", query_string={"q": "Drucker -Seitenpreis"}
                                 ).get_data(as_text=True))
    assert fewer < everything


def test_did_you_mean(client, auth, library):
    auth.login(MEMBER)
    html = client.get("/suche?q=Druckre").get_data(as_text=True)
    assert "Meinten Sie" in html


@pytest.mark.parametrize("status, offered", [("published", True), ("submitted", False),
                                            ("sent_back", False)])
def test_did_you_mean_offers_only_words_of_cases_one_may_open(
        app, client, auth, make_user, make_solution, status, offered):
    make_user(MEMBER, authority="quedlinburg")
    make_user("autorin@beispielhausen.example", authority="beispielhausen")
    slugs = [make_solution("autorin@beispielhausen.example", title=f"Zählertausch {number}",
                           status="published" if status == "sent_back" else status,
                           approach="Der Quellwasserzähler wird getauscht.")
             for number in range(3)]
    if status == "sent_back":  # published once, then sent back for rework
        with app.app_context():
            for slug in slugs:
                solution = db.session.scalar(select(Solution).filter_by(slug=slug))
                moderation.review_solution(factory_moderator(), solution, "send_back",
                                           "Bitte überarbeiten.")
    auth.login(MEMBER)
    html = client.get("/suche?q=Quellwasserzaehlr").get_data(as_text=True)
    assert ("Meinten Sie" in html) is offered


def test_new_question_is_found_at_once_and_deleted_one_is_gone(client, auth, library,
                                                                make_question):
    question = make_question(MEMBER, title="Faxgeräte im Standesamt abschaffen?",
                             body="Wir wollen die letzten Faxgeräte im Standesamt loswerden.")
    auth.login(MEMBER)
    assert "Faxgeräte im Standesamt" in client.get("/suche?q=Standesamt").get_data(
        as_text=True)
    auth.post(f"/fragen/{question}/loeschen")
    assert "Faxgeräte im Standesamt" not in client.get("/suche?q=Standesamt").get_data(
        as_text=True)


def test_drafts_are_never_found(client, auth, library, make_solution):
    make_solution(MEMBER, title="Geheimer Entwurf zum Wasserzähler", status="draft",
                  approach="Funkwasserzähler ablesen")
    auth.login(MEMBER)
    assert "Geheimer Entwurf" not in client.get("/suche?q=Wasserzähler").get_data(
        as_text=True)


def test_cli_query_and_similar_json(runner, library):
    result = runner.invoke(args=["search", "query", "Drucker", "--limit", "3", "--json"])
    hits = json.loads(result.output)
    assert 1 <= len(hits) <= 3
    assert set(hits[0]) == {"id", "title", "score"}
    assert hits[0]["id"].split("/")[0] in {"question", "solution"}
    result = runner.invoke(args=["search", "similar", "--text",
                                 "Wir wollen weniger Druckermodelle und einen Vertrag mit "
                                 "Seitenpreis", "--json"])
    assert any("druck" in hit["id"] for hit in json.loads(result.output))


def test_cli_sync_and_reindex(runner, library):
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed" in result.output
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0 and "0 pending" in result.output


def test_case_pages_show_similar_cases_from_other_towns_first(client, auth, library):
    auth.login(MEMBER)
    html = client.get("/loesungen/managed-print-druckerflotte-quedlinburg").get_data(
        as_text=True)
    section = html.split('id="aehnliche-faelle"')[1].split("</section>")[0]
    links = re.findall(r'href="(/(?:fragen|loesungen)/[^"]+)"', section)
    assert 1 <= len(links) <= 5
    assert "managed-print-druckerflotte-quedlinburg" not in section
    towns = re.findall(r"<span>([^<]+)</span> ·", section)
    assert towns and towns[0] != "Welterbestadt Quedlinburg"
    assert "gelöst" in section or "Best Practice" in section or "offen" in section


def test_similar_panel_while_typing_and_without_javascript(client, auth, library):
    auth.login(MEMBER)
    draft = {"titel": "Zu viele verschiedene Drucker im Rathaus",
             "text": "Wir wollen die Druckerlandschaft vereinheitlichen."}
    # The draft travels in a POST body, never in the address (access logs).
    assert client.get("/fragen/aehnliche", query_string=draft).status_code == 405
    assert client.post("/fragen/aehnliche", data=draft).status_code == 400  # no CSRF token
    response = auth.post("/fragen/aehnliche", draft, token_from="/fragen/neu")
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "ähnliche Fälle gefunden" in fragment and "/loesungen/" in fragment
    response = auth.post("/fragen/neu", {
        "title": "Zu viele verschiedene Drucker im Rathaus",
        "body": "Wir wollen die Druckerlandschaft vereinheitlichen.", "pruefen": "1"},
        token_from="/fragen/neu")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Zu viele verschiedene Drucker im Rathaus" in html  # kept
    assert "ähnliche Fälle gefunden" in html


def test_index_read_error_in_similar_panel_is_logged_not_an_empty_panel(
        app, client, auth, library, monkeypatch, caplog):
    """An unreadable index used to make every term count as unknown: the panel came back
    empty and nothing was logged. Now the error is logged (and the index rebuilt), and
    the page still answers."""
    from whoosh.reading import SegmentReader

    from kitu_exchange.search import index as search_index
    from tests.services.test_index_integrity import wait_until

    auth.login(MEMBER)
    draft = {"titel": "Zu viele verschiedene Drucker im Rathaus",
             "text": "Wir wollen die Druckerlandschaft vereinheitlichen."}

    def unreadable(self, fieldname, text):
        raise OSError(5, "Input/output error")  # e.g. a failing disk under the index

    monkeypatch.setattr(SegmentReader, "doc_frequency", unreadable)
    caplog.set_level("WARNING", logger="kitu_exchange.search")
    response = auth.post("/fragen/aehnliche", draft, token_from="/fragen/neu")
    assert response.status_code == 200
    assert "Keine ähnlichen Fälle" in response.get_data(as_text=True)
    assert any(record.levelname == "ERROR" and record.name.startswith("kitu_exchange.search")
               for record in caplog.records), caplog.text
    monkeypatch.undo()
    assert wait_until(lambda: not search_index._rebuilding.is_set(), 30) is not None
