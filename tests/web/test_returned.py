"""Item 16 of issue 11: authors see "zurückgegeben" with the moderator's comment in their
own lists when a moderator sends a solution (or a change of it) back."""
from kitu_exchange.extensions import db
from kitu_exchange.models import Solution
from tests.conftest import MOD, A, B

COMMENT = "Bitte Kosten pro Arbeitsplatz ergänzen."


def send_back(auth, slug):
    auth.login(MOD)
    response = auth.post(f"/loesungen/{slug}/pruefen",
                         {"decision": "send_back", "comment": COMMENT},
                         token_from=f"/loesungen/{slug}")
    assert response.status_code == 302
    auth.logout()


def test_sent_back_draft_shows_in_the_authors_lists(client, auth, people, make_solution):
    slug = make_solution(A, title="Druckkosten senken mit Managed Print", status="submitted")
    auth.login(A)
    assert "zurückgegeben" not in client.get("/loesungen").get_data(as_text=True)
    auth.logout()
    send_back(auth, slug)
    auth.login(A)
    for url in ("/loesungen", "/kommunen/musterstadt"):
        page = client.get(url).get_data(as_text=True)
        assert "zurückgegeben" in page and COMMENT in page, url
    assert "Zurückgegeben: bitte überarbeiten" in client.get(f"/loesungen/{slug}").get_data(
        as_text=True)
    auth.post(f"/loesungen/{slug}/einreichen", token_from=f"/loesungen/{slug}")
    assert "zurückgegeben" not in client.get("/loesungen").get_data(as_text=True)


def test_sent_back_change_of_a_published_solution(app, client, auth, people, make_solution):
    slug = make_solution(A, title="Druckkosten senken mit Managed Print")
    auth.login(A)
    with app.app_context():
        solution = db.session.scalar(db.select(Solution).filter_by(slug=slug))
        form = {"title": solution.title, "situation": "Neu", "approach": solution.approach,
                "result": "", "costs": "", "effort": "", "contact": "",
                "topics": ["drucker-kopierer"], "tags": "", "status": "published",
                "reason": "ergänzt"}
    assert auth.post(f"/loesungen/{slug}/bearbeiten", form,
                     token_from=f"/loesungen/{slug}/bearbeiten").status_code == 302
    auth.logout()
    auth.login(MOD)
    assert auth.post(f"/loesungen/{slug}/aenderung", {"decision": "send_back",
                                                      "comment": COMMENT},
                     token_from=f"/loesungen/{slug}/aenderung").status_code == 302
    auth.logout()
    auth.login(A)
    page = client.get("/loesungen").get_data(as_text=True)
    assert "Ihre unveröffentlichten Lösungen" in page and "zurückgegeben" in page and COMMENT in page
    auth.logout()
    auth.login(B)  # others see the published solution, not the moderator's note
    page = client.get("/kommunen/musterstadt").get_data(as_text=True)
    assert "Druckkosten senken" in page and COMMENT not in page and "zurückgegeben" not in page
