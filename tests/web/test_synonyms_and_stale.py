"""Item 18 of issue 11: the synonym page has a filter box and pages; the stale list
treats publishing as a review."""
import re
from datetime import timedelta

from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.models import Solution, SynonymSet, utcnow
from tests.conftest import MOD, REPO


def test_synonym_filter_and_pages(app, client, auth, people):
    with app.app_context():
        for number in range(30):
            db.session.add(SynonymSet(terms=f"Begriff{number:02d}, Wort{number:02d}"))
        db.session.add(SynonymSet(terms="Kfz-Zulassung, Fahrzeugzulassung"))
        db.session.commit()
    auth.login(MOD)
    first = client.get("/moderation/synonyme").get_data(as_text=True)
    assert "31 Gruppen" in first and "Begriff00" in first and "Kfz-Zulassung" not in first
    assert 'role="search"' in first and 'name="filter"' in first
    links = re.findall(r'href="(/moderation/synonyme\?page=2[^"]*)"', first)
    assert links
    second = client.get(links[0].replace("&amp;", "&")).get_data(as_text=True)
    assert "Kfz-Zulassung" in second and "Begriff00" not in second
    filtered = client.get("/moderation/synonyme?filter=zulassung").get_data(as_text=True)
    assert "1 Gruppe mit „zulassung“" in filtered and "Kfz-Zulassung" in filtered
    assert "Begriff00" not in filtered and "Filter zurücksetzen" in filtered
    none = client.get("/moderation/synonyme?filter=100%25_x").get_data(as_text=True)
    assert "Keine Gruppe enthält" in none


def test_stale_list_counts_publishing_as_review(app, client, auth, people, runner):
    assert runner.invoke(args=["content", "import", str(REPO / "content")]).exit_code == 0
    with app.app_context():
        best = db.session.scalar(select(Solution).filter_by(status="best_practice"))
        assert best.last_reviewed_at is not None  # published on import: reviewed then
        best.last_reviewed_at = best.created_at = utcnow() - timedelta(days=800)
        db.session.commit()
        title = best.title
    auth.login(MOD)
    page = client.get("/moderation").get_data(as_text=True)
    stale = page[page.index('id="veraltet"'):]
    assert title in stale and "Best Practice" in stale
    assert "nie" not in re.sub(r"<[^>]+>", "", stale).split()
