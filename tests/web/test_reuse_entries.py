"""Item 12 of issue 11: re-use entries show date, person and stage; the button reads
"Nachnutzung aktualisieren" once one exists."""
import re
from datetime import datetime, timezone

from kitu_exchange.extensions import db
from kitu_exchange.models import Reuse
from tests.conftest import A, B


def reuse_section(client, slug) -> str:
    page = client.get(f"/loesungen/{slug}").get_data(as_text=True)
    return page[page.index('id="nachnutzung"'):page.index('id="aehnliche-faelle"')]


def test_reuse_shows_date_person_stage_and_the_button_changes(app, client, auth, people,
                                                               make_solution):
    slug = make_solution(A)
    auth.login(B)
    section = reuse_section(client, slug)
    assert "Nachnutzung eintragen" in section and "aktualisieren" not in section
    auth.post(f"/loesungen/{slug}/nachnutzung", {"status": "planned", "note": "Start 2027"},
              token_from=f"/loesungen/{slug}")
    with app.app_context():
        reuse = db.session.scalar(db.select(Reuse))
        reuse.created_at = datetime(2026, 3, 3, 10, 0, tzinfo=timezone.utc)
        db.session.commit()
    section = reuse_section(client, slug)
    assert "Stand: geplant" in section
    assert re.search(r'eingetragen von Bernd Beispiel am <time datetime="2026-03-03[^"]*">'
                     r'03\.03\.2026</time>', section)
    assert re.search(r'<button[^>]*>\s*<span class="kern-label">Nachnutzung aktualisieren',
                     section)
    assert "Nachnutzung durch Stadt Nachbarort aktualisieren" in section
    auth.post(f"/loesungen/{slug}/nachnutzung", {"status": "in_use", "note": "Läuft"},
              token_from=f"/loesungen/{slug}")
    section = reuse_section(client, slug)
    assert "Stand: im Einsatz" in section and "aktualisiert von Bernd Beispiel am" in section
    profile = client.get("/kommunen/nachbarort").get_data(as_text=True)
    assert "Stand: im Einsatz" in profile and "aktualisiert von Bernd Beispiel" in profile
