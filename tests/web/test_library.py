"""Solution records and re-use through HTTP."""
import pytest

A = "a@musterstadt.example"
B = "b@nachbarort.example"
MOD = "mod@kitu.example"


@pytest.fixture
def members(make_user, make_topic):
    make_user(A, authority="musterstadt")
    make_user(B, authority="nachbarort")
    make_user(MOD, role="moderator", authority="kitu")
    make_topic("drucker-kopierer", "Drucker und Kopierer")


SOLUTION = {
    "title": "Einheitliche Druckerlandschaft mit Managed Print",
    "situation": "40 Druckermodelle in 12 Gebäuden.",
    "approach": "Ausschreibung mit **Seitenpreis**, Follow-Me-Druck.",
    "result": "30 % weniger Druckkosten.",
    "costs": "ca. 18.000 EUR/Jahr", "effort": "40 Personentage",
    "contact": "IT-Sachgebiet Musterstadt", "topics": ["drucker-kopierer"],
    "tags": "managed-print, mfp", "status": "submitted",
}


def test_write_view_edit_solution(client, auth, members, make_solution):
    auth.login(A)
    response = auth.post("/loesungen/neu", SOLUTION, token_from="/loesungen/neu")
    assert response.status_code == 302
    url = response.headers["Location"]
    assert url == "/loesungen/einheitliche-druckerlandschaft-mit-managed-print"
    html = client.get(url).get_data(as_text=True)
    for text in ("Ausgangslage", "40 Druckermodelle", "<strong>Seitenpreis</strong>",
                 "Ergebnis", "ca. 18.000 EUR/Jahr", "40 Personentage",
                 "IT-Sachgebiet Musterstadt", "#managed-print"):
        assert text in html
    response = auth.post(f"{url}/bearbeiten", {**SOLUTION, "result": "35 % weniger."},
                         token_from=f"{url}/bearbeiten")
    assert response.status_code == 302
    assert "35 % weniger." in client.get(url).get_data(as_text=True)
    auth.logout()
    auth.login(B)
    assert client.get(url).status_code == 404  # submitted, not yet published
    published = f"/loesungen/{make_solution(A)}"
    assert client.get(f"{published}/bearbeiten").status_code == 403
    assert auth.post(f"{published}/bearbeiten", SOLUTION).status_code == 403


def test_required_fields_and_unknown_status(auth, members):
    auth.login(A)
    response = auth.post("/loesungen/neu", {**SOLUTION, "approach": ""},
                         token_from="/loesungen/neu")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Bitte geben Sie einen Text ein." in html
    assert "40 Druckermodelle in 12 Gebäuden." in html
    response = auth.post("/loesungen/neu", {**SOLUTION, "status": "best_practice"},
                         token_from="/loesungen/neu")
    assert response.status_code == 403
    assert "Diesen Status können Sie nicht vergeben." in response.get_data(as_text=True)


def test_moderator_marks_best_practice(client, auth, members, make_solution):
    slug = make_solution(A)
    auth.login(MOD)
    response = auth.post(f"/loesungen/{slug}/bearbeiten", {**SOLUTION, "status": "best_practice"},
                         token_from=f"/loesungen/{slug}/bearbeiten")
    assert response.status_code == 302
    assert "Best Practice" in client.get("/loesungen?status=best_practice").get_data(
        as_text=True)
    assert "Managed Print" in client.get("/").get_data(as_text=True)


def test_drafts_are_private(client, auth, members, make_solution):
    slug = make_solution(A, title="Entwurf zur Druckerflotte", status="draft")
    auth.login(B)
    assert client.get(f"/loesungen/{slug}").status_code == 404
    assert "Entwurf zur Druckerflotte" not in client.get("/loesungen").get_data(as_text=True)
    auth.logout()
    auth.login(A)
    assert client.get(f"/loesungen/{slug}").status_code == 200
    assert "Ihre unveröffentlichten Lösungen" in client.get("/loesungen").get_data(as_text=True)


def test_reuse_by_other_authority(client, auth, members, make_solution):
    slug = make_solution(A)
    auth.login(B)
    response = auth.post(f"/loesungen/{slug}/nachnutzung",
                         {"status": "in_progress", "note": "Übernehmen wir 2027."})
    assert response.status_code == 302
    html = client.get(f"/loesungen/{slug}").get_data(as_text=True)
    assert "Stadt Nachbarort" in html and "in Umsetzung" in html and "Übernehmen wir 2027." in html
    profile = client.get("/kommunen/nachbarort").get_data(as_text=True)
    assert "Managed Print" in profile
    assert "1 Nachnutzung" in client.get("/loesungen?sortierung=reuse").get_data(as_text=True)
    auth.logout()
    auth.login(A)
    response = auth.post(f"/loesungen/{slug}/nachnutzung", {"status": "in_use", "note": ""})
    assert response.status_code == 400
    assert "eigene Kommune" in response.get_data(as_text=True)
    assert auth.post("/loesungen/nachnutzung/1/entfernen").status_code == 403
    auth.logout()
    auth.login(B)
    assert auth.post("/loesungen/nachnutzung/1/entfernen").status_code == 302
    assert "Noch keine andere Kommune" in client.get(f"/loesungen/{slug}").get_data(as_text=True)


def test_library_filters(client, auth, members, make_solution, make_authority, make_user):
    make_authority("kreis", name="Landkreis Beispiel", kind="Landkreis", population=120_000)
    make_user("k@kreis.example", authority="kreis")
    make_solution(A, title="Lösung der Stadt zu Druckern")
    make_solution("k@kreis.example", title="Lösung des Kreises zu Druckern")
    auth.login(B)
    html = client.get("/loesungen?art=Landkreis").get_data(as_text=True)
    assert "Lösung des Kreises" in html and "Lösung der Stadt" not in html
    html = client.get("/loesungen?thema=drucker-kopierer").get_data(as_text=True)
    assert "2 Lösungen" in html
    assert "Keine Treffer mit dem gewählten Filter." in client.get("/loesungen?status=archived").get_data(
        as_text=True)
