"""Search and curation in a real browser: the similar-cases panel while typing, the
search page with filters, and the review flow up to the best-practice badge."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import REPO

pytestmark = pytest.mark.browser

MEMBER = "maria@quedlinburg.example"
MODERATOR = "moritz@kitu.example"


@pytest.fixture
def library(runner, make_user):
    result = runner.invoke(args=["content", "import", str(REPO / "content")])
    assert result.exit_code == 0, result.output
    make_user(MEMBER, authority="quedlinburg", name="Maria Muster")
    make_user(MODERATOR, role="moderator", authority="kitu", name="Moritz Moderation")


def test_similar_cases_appear_while_typing(live_server, page, browser_errors, library, axe):
    sign_in(page, live_server, MEMBER)
    page.goto("/fragen/neu")
    panel = page.locator("#aehnliche-liste")
    expect(panel).to_have_attribute("aria-live", "polite")
    page.get_by_label("Titel").press_sequentially("Druckerwildwuchs: 40 verschiedene Modelle",
                                                  delay=10)
    expect(panel.get_by_text("ähnliche Fälle gefunden")).to_be_visible()
    expect(panel.locator("a[href^='/loesungen/'], a[href^='/fragen/']").first).to_be_visible()
    expect(panel).to_contain_text("Druck")
    assert page.get_by_label("Titel").input_value().startswith("Druckerwildwuchs")  # nothing posted
    assert "/fragen/neu" in page.url
    axe(page)
    assert not browser_errors


def test_search_page_with_results_and_filters(live_server, page, browser_errors, library,
                                              axe):
    sign_in(page, live_server, MEMBER)
    page.goto("/suche")
    page.get_by_label("Suchbegriff").fill("Drucker")
    page.get_by_role("button", name="Suchen", exact=True).click()
    expect(page.get_by_text("Treffer für „Drucker“")).to_be_visible()
    expect(page.locator("mark").first).to_be_visible()
    axe(page)
    page.get_by_label("Art", exact=True).select_option("solution")
    page.get_by_role("button", name="Anwenden").click()
    expect(page.locator(".item-list .kern-badge", has_text="Frage")).to_have_count(0)
    axe(page)
    assert not browser_errors


def test_review_flow_to_best_practice_badge(live_server, new_page, browser_errors, library,
                                            axe):
    author = new_page()
    sign_in(author, live_server, MEMBER)
    author.goto("/loesungen/neu")
    author.get_by_label("Titel").fill("Telefonanlage in die Cloud verlegt")
    author.get_by_label("Lösung", exact=True).fill("Ausschreibung, Umstellung am Wochenende.")
    author.locator("fieldset").get_by_label("Netzwerk und Telefonie").check()
    author.get_by_label("Status").select_option("submitted")
    author.get_by_role("button", name="Lösung speichern").click()
    expect(author.get_by_text("wartet auf die Prüfung")).to_be_visible()

    moderator = new_page()
    sign_in(moderator, live_server, MODERATOR)
    moderator.goto("/moderation")
    moderator.get_by_role("link", name="Telefonanlage in die Cloud verlegt").click()
    axe(moderator)
    moderator.get_by_label("Als Best Practice veröffentlichen").check()
    moderator.get_by_role("button", name="Prüfung speichern").click()
    expect(moderator.get_by_text("Die Prüfung ist gespeichert.")).to_be_visible()

    author.goto("/loesungen")
    item = author.locator(".list-item", has_text="Telefonanlage in die Cloud verlegt")
    expect(item.get_by_text("Best Practice")).to_be_visible()
    axe(author)
    moderator.goto("/moderation")
    axe(moderator)
    assert not browser_errors
