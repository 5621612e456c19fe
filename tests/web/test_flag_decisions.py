"""Item 14 of issue 11: a flag decision starts with no option chosen, shows the flagged
text beside it, and reports errors at the field."""
import re

import pytest

from tests.conftest import MOD, A, B, csrf_token

SECRET = "Ruft mich an: 0171 1234567"


@pytest.fixture
def flag_id(client, auth, people, make_question, make_reply):
    question = make_question(B, title="Wer kennt ein gutes Ticketsystem?")
    reply = make_reply(B, question, SECRET)
    auth.login(A)
    auth.post(f"/melden/reply/{reply}", {"reason": "personal_data", "text": "Handynummer"},
              token_from=f"/melden/reply/{reply}")
    auth.logout()
    auth.login(MOD)
    queue = client.get("/moderation").get_data(as_text=True)
    return int(re.search(r"/moderation/meldungen/(\d+)", queue).group(1))


def test_decision_page_shows_the_text_and_chooses_nothing(client, flag_id):
    page = client.get(f"/moderation/meldungen/{flag_id}").get_data(as_text=True)
    assert "Gemeldeter Beitrag" in page and "0171 1234567" in page
    assert "Enthält personenbezogene Daten" in page and "Handynummer" in page
    radios = re.findall(r'<input[^>]*type="radio"[^>]*>', page)
    assert len(radios) == 3
    assert not any("checked" in radio for radio in radios)
    assert "<select" not in page


def test_missing_decision_is_reported_at_the_field(client, flag_id):
    url = f"/moderation/meldungen/{flag_id}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "note": "x"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="action-error"' in page and "Bitte wählen Sie eine Entscheidung." in page
    assert 'value="x"' in page  # what was typed stays


def test_hiding_without_reason_is_reported_at_the_reason(client, flag_id):
    url = f"/moderation/meldungen/{flag_id}"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "action": "hide"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="note-error"' in page and "Bitte geben Sie einen Grund an" in page
    assert re.search(r'<input[^>]*checked[^>]*value="hide"|<input[^>]*value="hide"[^>]*checked',
                     page)  # the choice made stays chosen
    ok = client.post(url, data={"csrf_token": csrf_token(client, url), "action": "hide",
                                "note": "Private Telefonnummer"})
    assert ok.status_code == 302
    assert "Keine offenen Meldungen." in client.get("/moderation").get_data(as_text=True)
    assert "bereits erledigt" in client.get(url).get_data(as_text=True)
