"""Following and the bell in a real browser (issue 9): A follows a topic, B asks in it,
A sees the count rise, opens the notification and lands on the question; @mention
suggestions while typing."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

TITLE = "Wer hat Erfahrung mit Follow-me-Printing im Rathaus?"


def test_follow_a_topic_and_get_told_of_a_new_question(live_server, new_page, browser_errors,
                                                       make_user, make_topic):
    make_topic("drucker-kopierer", "Drucker und Kopierer")
    anna = make_user("anna@musterstadt.example", authority="musterstadt", name="Anna Asker")
    bernd = make_user("bernd@beispielhausen.example", authority="beispielhausen",
                      name="Bernd Helfer")

    a = new_page()
    sign_in(a, live_server, anna)
    bell = a.get_by_role("link", name=re.compile(r"^Benachrichtigungen"))
    expect(bell).to_have_accessible_name("Benachrichtigungen")
    a.goto("/themen/drucker-kopierer")
    a.get_by_role("button", name="Folgen", exact=True).click()
    expect(a.get_by_text("Sie folgen diesem Themenfeld.")).to_be_visible()
    expect(a.get_by_role("button", name="Nicht mehr folgen")).to_be_visible()

    b = new_page()
    sign_in(b, live_server, bernd)
    b.goto("/fragen/neu")
    b.get_by_label("Titel").fill(TITLE)
    b.get_by_label("Beschreibung").fill("Wir überlegen, Druckaufträge erst am Gerät freizugeben.")
    b.get_by_label("Drucker und Kopierer").check()
    b.get_by_role("button", name="Frage veröffentlichen").click()
    expect(b.get_by_text("Ihre Frage ist veröffentlicht.")).to_be_visible()
    question_url = b.url

    a.reload()
    expect(bell).to_have_accessible_name("Benachrichtigungen, 1 ungelesen")
    bell.click()
    expect(a.get_by_role("heading", level=1)).to_have_text("Benachrichtigungen")
    entry = a.get_by_role("listitem").filter(has_text=TITLE)
    expect(entry).to_contain_text("Ungelesen")
    entry.get_by_role("link").click()
    expect(a).to_have_url(question_url)
    expect(a.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(bell).to_have_accessible_name("Benachrichtigungen")
    assert not browser_errors


def test_mention_suggestions_while_typing(live_server, new_page, browser_errors, make_user,
                                          make_question):
    anna = make_user("anna@musterstadt.example", authority="musterstadt", name="Anna Asker")
    make_user("bernd@beispielhausen.example", authority="beispielhausen", name="Bernd Helfer")
    make_user("berta@beispielhausen.example", authority="beispielhausen", name="Berta Brandt")
    question = make_question(anna)
    a = new_page()
    sign_in(a, live_server, anna)
    a.goto(f"/fragen/{question}")
    field = a.get_by_label("Ihre Antwort")
    field.press_sequentially("Was meint @ber")
    suggestions = a.get_by_role("listbox", name="Personen erwähnen")
    expect(suggestions.get_by_role("option")).to_have_count(2)
    expect(field).to_have_attribute("aria-activedescendant",
                                    re.compile(r"erwaehnung-\d+-0"))
    field.press("ArrowDown")
    expect(suggestions.get_by_role("option", selected=True)).to_contain_text("@berta-brandt")
    field.press("ArrowUp")
    expect(suggestions.get_by_role("option", selected=True)).to_contain_text(
        "Bernd Helfer (Stadt Beispielhausen) @bernd-helfer")
    field.press("Enter")
    expect(suggestions).to_be_hidden()
    expect(field).to_have_value("Was meint @bernd-helfer ")
    field.press_sequentially("dazu?")
    a.get_by_role("button", name="Antwort veröffentlichen").click()
    expect(a.get_by_role("link", name="@bernd-helfer")).to_have_attribute(
        "href", "/personen/bernd-helfer")
    assert not browser_errors
