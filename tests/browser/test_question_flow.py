"""The forum's main path in a real browser: ask, reply from another authority, accept."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

TITLE = "Wie organisieren andere Kommunen den Rechnungseingang mit XRechnung?"


def test_ask_reply_and_accept(live_server, new_page, browser_errors, make_user,
                              make_topic):
    make_topic("e-rechnung", "E-Rechnung")
    asker = make_user("anna.asker@musterstadt.example", authority="musterstadt",
                      name="Anna Asker")
    helper = make_user("bernd.helfer@beispielhausen.example", authority="beispielhausen",
                       name="Bernd Helfer")

    # Member A asks through the form.
    a = new_page()
    sign_in(a, live_server, asker)
    a.goto("/fragen/neu")
    a.get_by_label("Titel").fill(TITLE)
    a.get_by_label("Beschreibung").fill(
        "Wir bekommen seit Januar XRechnungen per E-Mail. Wer hat einen Workflow dafür?")
    a.get_by_label("E-Rechnung").check()
    a.get_by_label("Schlagwörter").fill("xrechnung, rechnungseingang")
    a.get_by_role("button", name="Frage veröffentlichen").click()

    expect(a.get_by_text("Ihre Frage ist veröffentlicht.")).to_be_visible()
    expect(a.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(a).to_have_url(re.compile(r"/fragen/\d+-"))
    expect(a.locator("article.post").get_by_role("link", name="E-Rechnung")).to_be_visible()
    expect(a.locator("article.post").get_by_text("offen", exact=True)).to_be_visible()
    question_url = a.url

    # Member B of another authority replies, in a browser context of their own.
    b = new_page()
    sign_in(b, live_server, helper)
    b.goto("/fragen")
    b.get_by_role("link", name=TITLE).click()
    expect(b).to_have_url(question_url)
    b.get_by_label("Ihre Antwort").fill(
        "Wir nutzen den Rechnungseingang des Landes und leiten per Workflow weiter.")
    b.get_by_role("button", name="Antwort veröffentlichen").click()
    expect(b.get_by_text("Ihre Antwort ist veröffentlicht.")).to_be_visible()
    reply = b.get_by_role("article", name="Antwort von Stadt Beispielhausen")
    expect(reply).to_contain_text("Rechnungseingang des Landes")
    # Only the asker may accept.
    expect(b.get_by_role("button", name="Als Lösung akzeptieren")).to_have_count(0)

    # A accepts the reply.
    a.reload()
    a.get_by_role("article", name="Antwort von Stadt Beispielhausen").get_by_role(
        "button", name="Als Lösung akzeptieren").click()
    expect(a.get_by_text("Die Antwort ist als Lösung markiert.")).to_be_visible()
    expect(a.locator("article.post").get_by_text("gelöst", exact=True)).to_be_visible()
    accepted = a.get_by_role("article", name="Antwort von Stadt Beispielhausen")
    expect(accepted.get_by_text("Akzeptierte Antwort")).to_be_visible()
    expect(a.get_by_role("button", name="Als Lösung akzeptieren")).to_have_count(0)

    # The question list shows it as solved, also under the "Gelöst" filter.
    for url in ("/fragen", "/fragen?anzeigen=solved"):
        a.goto(url)
        item = a.locator(".list-item").filter(has=a.get_by_role("link", name=TITLE))
        expect(item).to_have_count(1)
        expect(item.get_by_text("gelöst", exact=True)).to_be_visible()
    a.goto("/fragen?anzeigen=unanswered")
    expect(a.get_by_role("link", name=TITLE)).to_have_count(0)
    assert not browser_errors
