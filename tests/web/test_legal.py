"""Imprint, privacy statement and accessibility statement: shipped defaults, admin edits."""
import pytest
from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.models import AuditEntry

ADMIN = "admin@kitu.example"
PAGES = [("impressum", "/impressum"), ("datenschutz", "/datenschutz"),
         ("barrierefreiheit", "/barrierefreiheit")]


@pytest.mark.parametrize(("slug", "url"), PAGES)
def test_admin_edits_a_legal_page(app, client, auth, make_user, slug, url):
    make_user(ADMIN, role="admin", authority="kitu", name="Adam Admin")
    auth.login(ADMIN)
    form = client.get(f"/verwaltung/rechtstexte/{slug}").get_data(as_text=True)
    assert "<textarea" in form
    response = auth.post(f"/verwaltung/rechtstexte/{slug}",
                         {"body": "## Neu\n\nText von **heute** <script>x</script>"},
                         token_from=f"/verwaltung/rechtstexte/{slug}")
    assert response.status_code == 302
    auth.logout()
    page = client.get(url).get_data(as_text=True)  # public, signed out
    assert "<h2>Neu</h2>" in page and "<strong>heute</strong>" in page
    assert "<script>x" not in page
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).filter_by(action="legal_page.edit"))
        assert (entry.actor.email, entry.target_label) == (ADMIN, slug)


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_admins_edit_legal_pages(app, client, auth, make_user, role):
    make_user("person@musterstadt.example", role=role)
    auth.login("person@musterstadt.example")
    assert client.get("/verwaltung/rechtstexte/impressum").status_code == 403
    response = auth.post("/verwaltung/rechtstexte/impressum", {"body": "Gekapert"})
    assert response.status_code == 403
    assert "Gekapert" not in client.get("/impressum").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditEntry)) is None


def test_unknown_legal_page_is_404(client, auth, make_user):
    make_user(ADMIN, role="admin", authority="kitu")
    auth.login(ADMIN)
    assert client.get("/verwaltung/rechtstexte/agb").status_code == 404


def test_default_accessibility_statement_has_the_parts_bitv_requires(client):
    page = " ".join(client.get("/barrierefreiheit").get_data(as_text=True).split())
    required = [
        # status of compliance with its reason
        "<h2>Stand der Vereinbarkeit mit den Anforderungen</h2>", "teilweise vereinbar",
        "BITV 2.0",
        # the parts that are not accessible, and why
        "<h2>Nicht barrierefreie Inhalte</h2>", "Grund:",
        # date and method of preparation
        "<h2>Erstellung dieser Erklärung zur Barrierefreiheit</h2>", "erstellt",
        "Selbstbewertung", "axe-core", "manuelle Prüfungen",
        # feedback mechanism with a contact
        "<h2>Feedback und Kontaktangaben</h2>", 'href="mailto:barrierefreiheit@kitu.example"',
        # enforcement procedure with the body's contact and a link
        "Durchsetzungsverfahren", "Schlichtungsstelle nach § 16 BGG",
        'href="https://www.schlichtungsstelle-bgg.de"', "info@schlichtungsstelle-bgg.de",
    ]
    missing = [phrase for phrase in required if phrase not in page]
    assert missing == []
