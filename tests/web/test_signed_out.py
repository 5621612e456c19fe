"""Item 20 of issue 11: signed-out visitors learn what the exchange is, who may join and
whom to ask for an invitation, and move between the legal pages and the sign-in."""
import re

import pytest

LEGAL = ["/impressum", "/datenschutz", "/barrierefreiheit"]


def links(page: str) -> set[str]:
    return set(re.findall(r'href="([^"#]+)"', page))


def test_sign_in_page_explains_the_exchange(client):
    page = client.get("/anmelden").get_data(as_text=True)
    for heading in ("Was ist KITU Exchange?", "Wer kann mitmachen?", "Wie bekomme ich ein Konto?"):
        assert heading in page
    assert "Mitglied der Kommunalen IT-UNION" in page and "Einladung" in page
    assert "/impressum" in links(page)  # the office's address, without a configured mailbox


def test_configured_invitation_contact_is_shown(app, client):
    app.config["INVITATION_CONTACT_EMAIL"] = "geschaeftsstelle@kitu.example"
    page = client.get("/anmelden").get_data(as_text=True)
    assert 'href="mailto:geschaeftsstelle@kitu.example"' in page


@pytest.mark.parametrize("url", LEGAL)
def test_legal_pages_and_sign_in_reach_each_other(client, url):
    sign_in = client.get("/anmelden").get_data(as_text=True)
    assert url in links(sign_in)
    response = client.get(url)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "/anmelden" in links(page)
    assert set(LEGAL) <= links(page)


def test_signed_out_home_leads_to_the_explaining_sign_in(client):
    response = client.get("/", follow_redirects=True)
    assert "Wer kann mitmachen?" in response.get_data(as_text=True)


def test_signed_out_home_is_no_access_error(client):
    """The address of the exchange is where newcomers start: its sign-in page explains
    the exchange and does not greet them with "please sign in to see this page"."""
    response = client.get("/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Wer kann mitmachen?" in page
    assert "um diese Seite zu sehen" not in page
    # Any other page still says why the sign-in came.
    other = client.get("/fragen", follow_redirects=True).get_data(as_text=True)
    assert "um diese Seite zu sehen" in other
