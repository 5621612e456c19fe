"""Every main page at 1280 x 800 and 390 x 844 (issue 11): no sideways scrolling, no axe
violation, a screenshot of each in tests/browser/screenshots/; then the writing and
finding flows by keyboard alone.

One site and one server for the module (tests/browser/site.py); the page checks only
read and run first, the flows use data of their own or run last where they write.
To check another page at both widths, add a LayoutPage to LAYOUT_PAGES.
"""
import json
import re
from dataclasses import dataclass
from typing import Callable

import pytest
from playwright.sync_api import expect

from tests.browser.layout import (WIDTHS, assert_no_horizontal_scrolling, check_layout,
                                  cramped_headings)
from tests.browser.site import ASKER, MODERATOR, serve_site, signed_in_state

pytestmark = pytest.mark.browser


@dataclass
class LayoutPage:
    name: str
    path: str                     # may name Site fields: "/fragen/{question}"
    who: str | None = ASKER       # signed in as (None: signed out)
    action: Callable | None = None  # what to do on the page before the checks


def type_draft(page):
    """The ask page with the similar cases showing, as a person sees it while typing."""
    page.get_by_label("Titel").press_sequentially(
        "Managed Print: 40 Druckermodelle durch Multifunktionsgeräte ersetzen", delay=2)
    # (On this small site the draft's terms are too rare or too common for matches;
    # what counts here is where the panel sits and that it fits.)
    expect(page.locator("#aehnliche-liste .similar-status")).to_contain_text("gefunden")


def members_only(page):
    """The directory lists member authorities, not the association's office (item 11)."""
    listing = page.locator("main")  # not the header, whose account link names the town
    expect(listing.get_by_role("link", name="Stadt Musterstadt", exact=True)).to_be_visible()
    expect(listing.get_by_role("link", name="KITU Geschäftsstelle")).to_have_count(0)


LAYOUT_PAGES = [
    LayoutPage("home", "/"),
    LayoutPage("search-filters", "/suche?q=Drucker&thema=drucker-kopierer"),
    LayoutPage("search-zero-hits", "/suche?q=Drucker&thema=e-rechnung&art=solution"),
    LayoutPage("ask-similar", "/fragen/neu", action=type_draft),
    LayoutPage("question", "/fragen/{question}"),
    LayoutPage("solution", "/loesungen/{solution}"),
    LayoutPage("authority-profile", "/kommunen/musterstadt"),
    LayoutPage("directory", "/kommunen", action=members_only),
    LayoutPage("moderation-queue", "/moderation", who=MODERATOR),
    LayoutPage("settings", "/konto/"),
]


@pytest.fixture(scope="module")
def site(migrated_database, tmp_path_factory, _browser_requirements):
    with serve_site(migrated_database, tmp_path_factory, "layout") as site:
        yield site


@pytest.fixture
def live_server(site):
    return site.url


@pytest.fixture(scope="module")
def states(site, browser):
    """Signed-in cookies per person, each signed in once (a second-factor code works
    only once per time step)."""
    found = {}

    def state(email):
        if email not in found:
            found[email] = signed_in_state(browser, site, email)
        return found[email]
    return state


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("entry", [pytest.param(p, id=p.name) for p in LAYOUT_PAGES])
def test_page_at_both_widths(site, states, new_page, browser_errors, entry, width):
    page = new_page(states(entry.who) if entry.who else None, viewport=WIDTHS[width])
    response = page.goto(entry.path.format(**vars(site)))
    assert response is not None and response.ok, f"{entry.path}: HTTP {response.status}"
    if entry.action:
        entry.action(page)
    check_layout(page, entry.name, width)
    assert not cramped_headings(page), cramped_headings(page)
    assert not browser_errors


# Keyboard alone: focus moves only by Tab / Shift+Tab, actions by Enter, Space, arrows.

def focused(page, locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, backwards=False, limit=80):
    """Press Tab (or Shift+Tab) until `locator` has the focus, as a keyboard user would."""
    locator.wait_for()
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if focused(page, locator):
            return
    raise AssertionError(f"{locator} not reached by Tab within {limit} presses")


def start(page, path):
    page.goto(path)
    page.locator("body").focus()


def test_keyboard_preview_and_growing_text_area(site, states, new_page, browser_errors):
    page = new_page(states(ASKER))
    start(page, "/fragen/neu")
    body = page.get_by_label("Beschreibung")
    line = float(body.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    start_height = body.evaluate("e => e.clientHeight")
    assert start_height >= 12 * line, (start_height, line)  # the 12 rows asked for
    tab_to(page, body)
    page.keyboard.type("Mit `xrechnung-viewer` und **fett**")
    tab_to(page, page.get_by_role("button", name="Vorschau", exact=True))
    page.keyboard.press("Enter")
    preview = page.locator("#body-vorschau")
    expect(preview).to_be_visible()
    expect(preview.locator("code")).to_have_text("xrechnung-viewer")
    expect(preview.locator("strong")).to_have_text("fett")
    assert preview.locator("code").evaluate(
        "e => getComputedStyle(e).fontFamily").find("mono") >= 0
    expect(page.get_by_role("button", name="Vorschau", exact=True)).to_have_attribute(
        "aria-expanded", "true")
    assert "/fragen/neu" in page.url  # no reload needed
    # Live while typing.
    tab_to(page, body, backwards=True)
    page.keyboard.press("End")
    page.keyboard.type(" und _mehr_")
    expect(preview.locator("em")).to_have_text("mehr")
    # The field grows with the text.
    for _ in range(20):
        page.keyboard.press("Enter")
        page.keyboard.type("Noch eine Zeile")
    assert body.evaluate("e => e.clientHeight") > start_height + 5 * line
    assert body.evaluate("e => e.scrollHeight <= e.clientHeight + 2")
    assert not browser_errors


def test_keyboard_empty_form_reports_everything(site, states, new_page, browser_errors):
    page = new_page(states(ASKER))
    start(page, "/fragen/neu")
    tab_to(page, page.get_by_role("button", name="Frage veröffentlichen"))
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert").filter(has_text="Bitte prüfen Sie Ihre Eingaben.")
    expect(summary).to_be_visible()
    for text in ("Titel:", "Beschreibung:", "Themenfelder: Bitte wählen Sie mindestens ein"):
        expect(summary.get_by_role("link", name=text)).to_be_visible()
    expect(page.locator("legend", has_text="Themenfelder")).to_contain_text("Pflichtangabe")
    # The summary's link leads to the group.
    page.locator("body").focus()
    tab_to(page, summary.get_by_role("link", name="Themenfelder: Bitte wählen"))
    page.keyboard.press("Enter")
    expect(page.locator("fieldset#topics")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator("#topics-0")).to_be_checked()
    assert not browser_errors


def test_keyboard_tag_suggestions(site, states, new_page, browser_errors):
    page = new_page(states(ASKER))
    start(page, "/fragen/neu")
    tags = page.get_by_role("combobox", name="Schlagwörter")
    tab_to(page, tags)
    page.keyboard.type("Drucker, xre")
    listbox = page.get_by_role("listbox", name="Vorschläge")
    expect(listbox).to_be_visible()
    expect(tags).to_have_attribute("aria-expanded", "true")
    option = listbox.get_by_role("option", name="XRechnung", exact=True)
    expect(option).to_be_visible()  # the case as written
    page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(tags).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    page.keyboard.press("Enter")
    expect(tags).to_have_value("Drucker, XRechnung, ")
    expect(listbox).to_be_hidden()
    expect(tags).to_be_focused()
    assert "/fragen/neu" in page.url  # Enter chose, it did not send the form
    page.keyboard.type("arch")
    expect(listbox.get_by_role("option", name="Archiv")).to_be_visible()
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(tags).to_have_value("Drucker, XRechnung, arch")
    assert not browser_errors


DRAFT_TITLE = "Wie schulen wir neue Kolleginnen im DMS?"


def test_keyboard_draft_is_kept_restored_discarded_and_cleared(site, states, new_page,
                                                               browser_errors):
    page = new_page(states(ASKER))
    start(page, "/fragen/neu")
    tab_to(page, page.get_by_label("Titel"))
    page.keyboard.type(DRAFT_TITLE)
    page.keyboard.press("Tab")
    page.keyboard.type("Wir führen ein DMS ein und suchen Schulungsunterlagen.")
    page.wait_for_timeout(400)  # saved after a short pause in typing
    page.goto("/fragen")  # left by accident
    start(page, "/fragen/neu")
    notice = page.get_by_role("status").filter(has_text="Ihr Entwurf wurde wiederhergestellt.")
    expect(notice).to_be_visible()
    expect(page.get_by_label("Titel")).to_have_value(DRAFT_TITLE)
    expect(page.get_by_label("Beschreibung")).to_have_value(re.compile("Schulungsunterlagen"))
    tab_to(page, notice.get_by_role("button", name="Verwerfen"))
    page.keyboard.press("Enter")
    expect(notice).to_be_hidden()
    expect(page.get_by_label("Titel")).to_have_value("")
    expect(page.get_by_label("Titel")).to_be_focused()
    start(page, "/fragen/neu")
    expect(page.get_by_text("Ihr Entwurf wurde wiederhergestellt.")).to_be_hidden()

    # Typed again and posted: the draft is gone afterwards.
    tab_to(page, page.get_by_label("Titel"))
    page.keyboard.type(DRAFT_TITLE)
    page.keyboard.press("Tab")
    page.keyboard.type("Wir führen ein DMS ein und suchen Schulungsunterlagen.")
    tab_to(page, page.get_by_label("E-Rechnung"))
    page.keyboard.press("Space")
    page.wait_for_timeout(400)
    tab_to(page, page.get_by_role("button", name="Frage veröffentlichen"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Ihre Frage ist veröffentlicht.")).to_be_visible()
    # The question page's deferred script clears the draft; the notice is on the page
    # before that script has run (CI once looked in between).
    page.wait_for_load_state("load")
    stored = page.evaluate("() => JSON.stringify(Object.keys(localStorage))")
    assert not [key for key in json.loads(stored) if key.startswith("kitu-frage-entwurf")]
    start(page, "/fragen/neu")
    expect(page.get_by_label("Titel")).to_have_value("")
    assert not browser_errors


def test_keyboard_change_and_withdraw_acceptance(site, states, new_page, browser_errors):
    page = new_page(states(ASKER))
    start(page, f"/fragen/{site.two_replies}")
    first = page.get_by_role("article", name="Antwort von Landkreis Beispielhausen")
    second = page.get_by_role("article", name="Antwort von KITU Geschäftsstelle")
    tab_to(page, first.get_by_role("button", name="Als Lösung akzeptieren"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Die Antwort ist als Lösung markiert.")).to_be_visible()
    expect(first.get_by_text("Akzeptierte Antwort")).to_be_visible()
    page.locator("body").focus()
    tab_to(page, second.get_by_role("button", name="Stattdessen als Lösung akzeptieren"))
    page.keyboard.press("Enter")
    expect(second.get_by_text("Akzeptierte Antwort")).to_be_visible()
    expect(first.get_by_text("Akzeptierte Antwort")).to_have_count(0)
    page.locator("body").focus()
    tab_to(page, second.get_by_role("button", name="Akzeptanz zurücknehmen"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Die Frage ist wieder offen.")).to_be_visible()
    # No reply of this question is accepted (the similar-cases panel may show a solved
    # case's accepted answer: that is another question's).
    for reply in (first, second):
        expect(reply.get_by_text("Akzeptierte Antwort")).to_have_count(0)
    expect(page.locator("article.post").get_by_text("offen", exact=True)).to_be_visible()
    assert not browser_errors


def test_keyboard_filters_lead_out_of_zero_hits(site, states, new_page, browser_errors):
    page = new_page(states(ASKER))
    start(page, "/suche?q=Drucker&thema=e-rechnung&art=solution")
    expect(page.get_by_text("Wahrscheinlich liegt es an den Filtern")).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Filter entfernen: Themenfeld: E-Rechnung"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Treffer")).not_to_contain_text("0 Treffer")
    expect(page.get_by_role("link", name="Filter entfernen: Art: Lösungen")).to_be_visible()
    page.locator("body").focus()
    tab_to(page, page.get_by_role("link", name="Filter zurücksetzen"))
    page.keyboard.press("Enter")
    expect(page.locator("a.filter-chip")).to_have_count(0)
    assert page.url.endswith("/suche?q=Drucker")
    assert not browser_errors


def test_keyboard_phone_filters_and_ask_form(site, states, new_page, browser_errors):
    page = new_page(states(ASKER), viewport=WIDTHS["phone"])
    start(page, "/suche?q=Drucker&art=question")
    summary = page.locator("summary", has_text="Filter (1 aktiv)")
    expect(summary).to_be_visible()
    topic = page.get_by_label("Themenfeld", exact=True)
    expect(topic).to_be_hidden()
    tab_to(page, summary)
    page.keyboard.press("Enter")
    expect(topic).to_be_visible()
    tab_to(page, topic)
    page.keyboard.press("ArrowDown")
    expect(topic).not_to_have_value("")
    tab_to(page, page.get_by_role("button", name="Anwenden"))
    page.keyboard.press("Enter")
    expect(page.locator("summary", has_text="Filter (2 aktiv)")).to_be_visible()
    assert "thema=" in page.url
    # At 1280 px the filters are simply open.
    page.set_viewport_size(WIDTHS["desktop"])
    expect(topic).to_be_visible()
    expect(page.locator("summary", has_text="Filter (2 aktiv)")).to_be_hidden()
    # On the ask form the similar cases come between the description and the button.
    page.set_viewport_size(WIDTHS["phone"])
    start(page, "/fragen/neu")
    boxes = [page.locator(selector).bounding_box() for selector in
             ("#body", "#aehnliche-faelle", "button:has-text('Frage veröffentlichen')")]
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    tab_to(page, page.get_by_label("Beschreibung"))
    tab_to(page, page.get_by_role("button", name="Ähnliche Fälle prüfen"))
    tab_to(page, page.get_by_role("button", name="Frage veröffentlichen"))
    assert not browser_errors


def test_phone_header_sign_out_lines_up(site, states, new_page, browser_errors):
    """On a phone "Abmelden" wraps onto a row of its own: its label starts where the
    name above it starts, not indented by the padding of a button without a frame."""
    page = new_page(states(ASKER), viewport=WIDTHS["phone"])
    page.goto("/")
    name = page.locator(".site-account__name").bounding_box()
    label = page.locator(".site-account button .kern-label").bounding_box()
    assert label["y"] > name["y"] + name["height"] / 2  # on a row of its own
    assert abs(label["x"] - name["x"]) <= 6, (label, name)
    button = page.get_by_role("button", name="Abmelden").bounding_box()
    assert button["height"] >= 24  # still a comfortable target (WCAG 2.2 2.5.8)
    assert not browser_errors


def test_preview_button_lines_up_with_its_field(site, states, new_page, browser_errors):
    """The frameless "Vorschau" button under a text area starts where the field starts."""
    page = new_page(states(ASKER), viewport=WIDTHS["phone"])
    page.goto("/fragen/neu")
    field = page.get_by_label("Beschreibung").bounding_box()
    label = page.locator(".markdown-field__toggle .kern-label").first.bounding_box()
    assert abs(label["x"] - field["x"]) <= 6, (label, field)
    assert not browser_errors


def test_phone_helpful_button_lines_up(site, states, new_page, browser_errors):
    """On a phone "Hilfreich" wraps below the count: its label starts where the count does."""
    page = new_page(states(ASKER), viewport=WIDTHS["phone"])
    page.goto(f"/fragen/{site.question}")
    reply = page.locator("article.reply").first
    count = reply.get_by_text("fanden das hilfreich").bounding_box()
    label = reply.get_by_role("button", name="Hilfreich", exact=True).locator(
        ".kern-label").bounding_box()
    assert label["y"] > count["y"] + count["height"] / 2  # on a row of its own
    assert abs(label["x"] - count["x"]) <= 6, (label, count)
    assert not browser_errors


def test_layout_check_reports_sideways_scrolling(browser):
    """The check itself works: a page wider than the phone fails and names the culprit."""
    context = browser.new_context(viewport=WIDTHS["phone"])
    try:
        page = context.new_page()
        page.set_content('<html lang="de"><title>Test</title><main><p>Schmal</p>'
                         '<table class="breit"><tr><td>' + "Spalte " * 5 + '</td>'
                         '<td style="min-width:600px">zu breit</td></tr></table></main></html>')
        with pytest.raises(AssertionError) as failure:
            assert_no_horizontal_scrolling(page)
    finally:
        context.close()
    assert "scrolls sideways" in str(failure.value) and "table.breit" in str(failure.value)
