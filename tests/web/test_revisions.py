"""Old versions: only the author and moderators read them; moderators redact them."""
import re

import pytest
from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.models import AuditEntry, Question, Revision
from tests.conftest import A, B, MOD

PHONE = "0391 5556677"


@pytest.fixture
def edited(client, auth, people, make_question):
    """A question whose first version held a phone number; B flagged it, A removed it."""
    question = make_question(A, title="Drucker im Rathaus",
                             body=f"Rufen Sie Herrn Muster an: {PHONE}.")
    auth.login(B)
    auth.post(f"/melden/question/{question}", {"reason": "personal_data", "text": ""})
    auth.logout()
    auth.login(A)
    auth.post(f"/fragen/{question}/bearbeiten", {
        "title": "Drucker im Rathaus", "body": "Bitte über die Zentrale melden.",
        "topics": ["drucker-kopierer"], "reason": "Telefonnummer entfernt"})
    assert PHONE in client.get(f"/verlauf/question/{question}?a=1&b=2").get_data(as_text=True)
    auth.logout()
    return question


def test_other_members_cannot_read_old_versions(client, auth, edited):
    auth.login(B)
    assert PHONE not in client.get(f"/fragen/{edited}", follow_redirects=True).get_data(
        as_text=True)
    for url in (f"/verlauf/question/{edited}", f"/verlauf/question/{edited}?a=1&b=2"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert PHONE not in response.get_data(as_text=True)
    page = client.get(f"/fragen/{edited}", follow_redirects=True).get_data(as_text=True)
    assert f"/verlauf/question/{edited}" not in page  # no link to a page that refuses
    auth.logout()
    auth.login(MOD)
    assert PHONE in client.get(f"/verlauf/question/{edited}?a=1&b=2").get_data(as_text=True)


def test_moderator_redacts_a_revision_everywhere(app, client, auth, edited):
    with app.app_context():
        revision = db.session.scalar(select(Revision.id))
    url = f"/verlauf/question/{edited}/schwaerzen/{revision}"
    auth.login(B)
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login(MOD)
    history = client.get(f"/verlauf/question/{edited}").get_data(as_text=True)
    assert url in history
    response = auth.post(url, {"reason": ""}, token_from=url)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Bitte geben Sie einen Grund an." in html and 'aria-invalid="true"' in html
    response = auth.post(url, {"reason": "Telefonnummer (Meldung)"}, token_from=url)
    assert response.status_code == 302
    for page in (f"/verlauf/question/{edited}", f"/verlauf/question/{edited}?a=1&b=2"):
        html = client.get(page).get_data(as_text=True)
        assert PHONE not in html and "[entfernt durch die Moderation]" in html, page
    response = auth.post(f"/verlauf/question/{edited}/wiederherstellen/{revision}")
    assert response.status_code == 409
    with app.app_context():
        assert PHONE not in db.session.get(Question, edited).body
        assert PHONE not in db.session.get(Revision, revision).content
        entry = db.session.scalar(select(AuditEntry).filter_by(action="revision.redact"))
        assert entry is not None and entry.reason == "Telefonnummer (Meldung)"
    assert "Telefonnummer (Meldung)" in client.get("/moderation/protokoll").get_data(
        as_text=True)
    auth.logout()
    auth.login(A)
    html = client.get(f"/verlauf/question/{edited}?a=1&b=2").get_data(as_text=True)
    assert PHONE not in html and not re.search(r"schwaerzen/\d+", html)
