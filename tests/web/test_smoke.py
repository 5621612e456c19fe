def test_login_page_is_public(client):
    response = client.get("/anmelden")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "E-Mail" in html and "Passwort" in html and "Anmelden" in html


def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/anmelden" in response.headers["Location"]


def test_sign_in_and_home(client, auth, make_user):
    make_user()
    response = auth.login("mitglied@musterstadt.example")
    assert response.status_code == 302
    response = client.get("/")
    assert response.status_code == 200
    assert "Erika Mustermann" in response.get_data(as_text=True)


def test_account_settings_list_the_sections(client, auth, make_user):
    auth.login(make_user())
    page = client.get("/konto/").get_data(as_text=True)
    assert "Kontoeinstellungen" in page and "/passwort" in page
