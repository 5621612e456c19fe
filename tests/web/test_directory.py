"""Authorities and topics through HTTP."""
import pytest

A = "a@musterstadt.example"


@pytest.fixture
def member(make_user):
    make_user(A, authority="musterstadt")
    make_user("b@nachbarort.example", authority="nachbarort")
    make_user("admin@kitu.example", role="admin", authority="kitu")
    make_user("mod@kitu.example", role="moderator", authority="kitu")


AUTHORITY = {"slug": "neustadt", "name": "Stadt Neustadt an der Probe", "kind": "Stadt",
             "state": "Sachsen-Anhalt", "population": "24555", "staff": "317",
             "area_km2": "120", "member_since": "2017-01-01"}


def test_directory_and_profile(client, auth, member, make_question, make_solution):
    make_question(A)
    make_solution(A)
    auth.login(A)
    html = client.get("/kommunen").get_data(as_text=True)
    assert "Stadt Musterstadt" in html and "Stadt Nachbarort" in html
    profile = client.get("/kommunen/musterstadt").get_data(as_text=True)
    assert "Wie vereinheitlichen wir unsere Drucker?" in profile
    assert "Managed Print für die ganze Verwaltung" in profile
    assert client.get("/kommunen/gibtsnicht").status_code == 404


def test_admin_creates_and_edits_authority(client, auth, member):
    auth.login("admin@kitu.example")
    response = auth.post("/kommunen/neu", AUTHORITY, token_from="/kommunen/neu")
    assert response.status_code == 302
    html = client.get("/kommunen/neustadt").get_data(as_text=True)
    assert "24.555" in html and "317" in html and "Stadt" in html
    response = auth.post("/kommunen/neustadt/bearbeiten", {**AUTHORITY, "population": "25000"},
                         token_from="/kommunen/neustadt/bearbeiten")
    assert response.status_code == 302
    assert "25.000" in client.get("/kommunen/neustadt").get_data(as_text=True)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("slug", "Neu Stadt", "Nur Kleinbuchstaben"),
    ("name", "", "Bitte geben Sie einen Namen ein."),
    ("kind", "Königreich", "Unbekannte Art der Kommune."),
    ("slug", "musterstadt", "gibt es schon"),
])
def test_authority_form_errors(auth, member, field, value, message):
    auth.login("admin@kitu.example")
    response = auth.post("/kommunen/neu", {**AUTHORITY, field: value}, token_from="/kommunen/neu")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert "Stadt Neustadt an der Probe" in html or field == "name"


def test_members_edit_only_their_own_authority(client, auth, member):
    auth.login(A)
    assert client.get("/kommunen/neu").status_code == 403
    assert auth.post("/kommunen/neu", AUTHORITY).status_code == 403
    assert client.get("/kommunen/nachbarort/bearbeiten").status_code == 403
    other = {**AUTHORITY, "slug": "nachbarort", "name": "Gekapert"}
    assert auth.post("/kommunen/nachbarort/bearbeiten", other).status_code == 403
    own = {**AUTHORITY, "slug": "musterstadt", "name": "Stadt Musterstadt", "staff": "99"}
    response = auth.post("/kommunen/musterstadt/bearbeiten", own,
                         token_from="/kommunen/musterstadt/bearbeiten")
    assert response.status_code == 302


def test_topics_list_page_and_curation(client, auth, member, make_topic, make_question):
    make_topic("e-rechnung", "E-Rechnung")
    make_question(A)
    auth.login(A)
    html = client.get("/themen").get_data(as_text=True)
    assert "Drucker und Kopierer" in html and "1 Frage" in html
    assert "Wie vereinheitlichen" in client.get("/themen/drucker-kopierer").get_data(
        as_text=True)
    assert client.get("/themen/neu").status_code == 403
    auth.logout()
    auth.login("mod@kitu.example")
    response = auth.post("/themen/neu", {"slug": "gis", "name": "Geodaten und GIS",
                                         "description": "Kataster"}, token_from="/themen/neu")
    assert response.status_code == 302
    assert "Geodaten und GIS" in client.get("/themen").get_data(as_text=True)
    response = auth.post("/themen/neu", {"slug": "gis", "name": "Doppelt"},
                         token_from="/themen/neu")
    assert response.status_code == 400 and "gibt es schon" in response.get_data(as_text=True)
