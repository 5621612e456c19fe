"""Issue 11, items 13-15 by keyboard alone: delete a question on its confirmation page
and restore it as a moderator, decide a flag, close a question as duplicate through the
search. No mouse: focus moves with Tab, choices with Space, actions with Enter. Also
item 19: the header stays on one line at 1280 px."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.models import Flag, Question, Reply
from kitu_exchange.moderation import services as moderation
from tests.browser.conftest import sign_in
from tests.conftest import _user

pytestmark = pytest.mark.browser

ASKER = "anna.asker@musterstadt.example"
HELPER = "bernd.helfer@beispielhausen.example"
MODERATOR = "moni.moderation@kitu.example"
MAX_TABS = 80


def focused_text(page) -> str:
    return page.evaluate("""() => {
        const el = document.activeElement;
        if (!el) return '';
        const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
        return (label || el.innerText || el.value || '').trim();
    }""")


def tab_to(page, pattern: str, shift: bool = False) -> None:
    """Press Tab until the focused element's text (or label) matches `pattern`."""
    wanted = re.compile(pattern)
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        if wanted.search(focused_text(page)):
            return
    raise AssertionError(f"no focusable element matching {pattern!r} on {page.url}")


def follow(page) -> None:
    """Press Enter on the focused link or button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.fixture
def people(make_user, make_topic):
    make_topic("drucker-kopierer", "Drucker und Kopierer")
    make_user(ASKER, authority="musterstadt", name="Anna Asker")
    make_user(HELPER, authority="beispielhausen", name="Bernd Helfer")
    make_user(MODERATOR, role="moderator", authority="kitu", name="Moni Moderation")


def test_delete_and_restore_by_keyboard(live_server, new_page, browser_errors, people,
                                        make_question, app):
    question = make_question(ASKER, title="Faxgeräte im Standesamt abschaffen?",
                             body="Wir wollen die letzten Faxgeräte loswerden.")
    asker = new_page()
    sign_in(asker, live_server, ASKER)
    asker.goto(f"/fragen/{question}")
    tab_to(asker, r"^Frage löschen")
    follow(asker)
    expect(asker.get_by_role("heading", level=1)).to_have_text("Frage löschen?")
    expect(asker.get_by_text("Faxgeräte im Standesamt abschaffen?")).to_be_visible()
    tab_to(asker, r"^Frage löschen$")
    follow(asker)
    expect(asker.get_by_text("Die Frage wurde gelöscht.")).to_be_visible()
    expect(asker.get_by_role("link", name="Faxgeräte im Standesamt abschaffen?")).to_have_count(0)

    moderator = new_page()
    sign_in(moderator, live_server, MODERATOR)
    moderator.goto("/moderation")
    tab_to(moderator, r"^Gelöschte Fragen$")
    follow(moderator)
    tab_to(moderator, r"^Faxgeräte im Standesamt")
    follow(moderator)
    expect(moderator.get_by_role("heading", level=1)).to_have_text(
        "Gelöschte Frage wiederherstellen?")
    tab_to(moderator, r"^Begründung")
    moderator.keyboard.type("versehentlich gelöscht")
    tab_to(moderator, r"^Frage wiederherstellen$")
    follow(moderator)
    expect(moderator.get_by_text("Die Frage ist wiederhergestellt")).to_be_visible()
    expect(moderator.get_by_role("heading", level=1)).to_have_text(
        "Faxgeräte im Standesamt abschaffen?")
    with app.app_context():
        assert db.session.get(Question, question).deleted_at is None
    assert not browser_errors


def test_flag_decision_by_keyboard(live_server, new_page, browser_errors, people,
                                   make_question, make_reply, app):
    question = make_question(ASKER, title="Welches Ticketsystem nutzen Sie?")
    reply = make_reply(HELPER, question, "Ruft mich an: 0171 1234567")
    with app.app_context():
        moderation.flag_post(_user(ASKER), db.session.get(Reply, reply), "personal_data",
                             "Handynummer")
    page = new_page()
    sign_in(page, live_server, MODERATOR)
    page.goto("/moderation")
    tab_to(page, r"^Meldung ansehen und entscheiden")
    follow(page)
    expect(page.get_by_text("0171 1234567")).to_be_visible()  # the flagged text, beside
    for radio in page.get_by_role("radio").all():
        expect(radio).not_to_be_checked()
    # Sending without a choice: the error is at the field and focus can go there.
    tab_to(page, r"^Entscheidung speichern$")
    follow(page)
    expect(page.locator("#action-error")).to_contain_text("Bitte wählen Sie eine Entscheidung.")
    tab_to(page, r"^Beitrag ausblenden$")
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name="Beitrag ausblenden")).to_be_checked()
    tab_to(page, r"^Begründung")
    page.keyboard.type("Private Telefonnummer")
    tab_to(page, r"^Entscheidung speichern$")
    follow(page)
    expect(page.get_by_text("Die Meldung ist erledigt.")).to_be_visible()
    with app.app_context():
        assert db.session.scalar(select(Flag.status)) == "hidden"
        assert db.session.get(Reply, reply).hidden
    assert not browser_errors


def test_close_as_duplicate_by_keyboard(live_server, new_page, browser_errors, people,
                                        make_question, app):
    original = make_question(ASKER, title="Winterdienst digital planen",
                             body="Welche Software plant den Winterdienst?")
    duplicate = make_question(HELPER, title="Drucker vereinheitlichen im Rathaus",
                              body="Wie vereinheitlichen wir die Druckerflotte?")
    page = new_page()
    sign_in(page, live_server, MODERATOR)
    page.goto(f"/fragen/{duplicate}")
    tab_to(page, r"^Andere Originalfrage suchen")
    follow(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Als Duplikat schließen")
    tab_to(page, r"^Originalfrage suchen$")
    page.keyboard.type("Winterdienst")
    follow(page)  # Enter in the search box sends the search
    choice = page.get_by_role("radio", name=re.compile("Winterdienst digital planen"))
    expect(choice).to_be_visible()
    tab_to(page, r"^Winterdienst digital planen")
    page.keyboard.press("Space")
    expect(choice).to_be_checked()
    tab_to(page, r"^Als Duplikat schließen$")
    follow(page)
    expect(page.get_by_text("Die Frage ist als Duplikat geschlossen.")).to_be_visible()
    with app.app_context():
        assert db.session.get(Question, duplicate).duplicate_of_id == original
    assert not browser_errors


def test_header_stays_on_one_line_at_1280(live_server, new_page, browser_errors, make_user,
                                          make_authority):
    # An administrator has the most header entries; long names are the hard case.
    make_authority("geschaeftsstelle", "Kommunale IT-UNION (Geschäftsstelle)", kind="Sonstige")
    admin = make_user("admin@kitu.example", role="admin", authority="geschaeftsstelle",
                      name="Maximiliane Mustermann-Schmidt")
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server, admin)
    # Measured unstyled, every link sits on a line of its own: say so plainly if it happens.
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.site-header__bar')).display") == "flex"
    tops = page.evaluate("""() => {
        const bar = document.querySelector('.site-header__bar');
        return [...bar.querySelectorAll('.site-brand, .site-nav a, .site-account > *')]
            .filter(el => el.offsetParent !== null)
            .map(el => { const r = el.getBoundingClientRect(); return r.top + r.height / 2; });
    }""")
    assert len(tops) >= 8
    assert max(tops) - min(tops) < 16, tops  # one row: all centres on one line
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # The name gives way last: shortened, never gone (it was 0 px wide for an admin).
    name = page.locator(".site-account__name")
    assert name.bounding_box()["width"] >= 60, name.bounding_box()
    assert "Maximiliane Mustermann-Schmidt" in name.get_attribute("title")
    name.click()
    expect(page).to_have_url(re.compile(r"/konto"))
    assert not browser_errors
