"""The forum's main path in a real browser: ask, reply from another authority, accept."""
import re, time
T=[time.time()]
def lap(n):
    print(n, round(time.time()-T[0],2)); T[0]=time.time()
    lap('print(n, round(time.time()-T[0],2)); T[0')

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

TITLE = "Wie organisieren andere Kommunen den Rechnungseingang mit XRechnung?"


def test_ask_reply_and_accept(live_server, new_page, make_user, make_topic):
    make_topic("e-rechnung", "E-Rechnung")
    lap('make_topic("e-rechnung", "E-Rechnung")')
    asker = make_user("anna.asker@musterstadt.example", authority="musterstadt",
                      name="Anna Asker")
    helper = make_user("bernd.helfer@beispielhausen.example", authority="beispielhausen",
                       name="Bernd Helfer")

    # Member A asks through the form.
    a = new_page()
    lap('a = new_page()')
    sign_in(a, live_server, asker)
    lap('sign_in(a, live_server, asker)')
    a.goto("/fragen/neu")
    lap('a.goto("/fragen/neu")')
    a.get_by_label("Titel").fill(TITLE)
    lap('a.get_by_label("Titel").fill(TITLE)')
    a.get_by_label("Beschreibung").fill(
        "Wir bekommen seit Januar XRechnungen per E-Mail. Wer hat einen Workflow dafür?")
    a.get_by_label("E-Rechnung").check()
    lap('a.get_by_label("E-Rechnung").check()')
    a.get_by_label("Schlagwörter").fill("xrechnung, rechnungseingang")
    lap('a.get_by_label("Schlagwörter").fill("xre')
    a.get_by_role("button", name="Frage veröffentlichen").click()
    lap('a.get_by_role("button", name="Frage verö')

    expect(a.get_by_text("Ihre Frage ist veröffentlicht.")).to_be_visible()
    lap('expect(a.get_by_text("Ihre Frage ist ver')
    expect(a.get_by_role("heading", level=1)).to_have_text(TITLE)
    lap('expect(a.get_by_role("heading", level=1)')
    expect(a).to_have_url(re.compile(r"/fragen/\d+-"))
    lap('expect(a).to_have_url(re.compile(r"/frag')
    expect(a.locator("article.post").get_by_role("link", name="E-Rechnung")).to_be_visible()
    lap('expect(a.locator("article.post").get_by_')
    expect(a.locator("article.post").get_by_text("offen", exact=True)).to_be_visible()
    lap('expect(a.locator("article.post").get_by_')
    question_url = a.url

    # Member B of another authority replies, in a browser context of their own.
    b = new_page()
    lap('b = new_page()')
    sign_in(b, live_server, helper)
    lap('sign_in(b, live_server, helper)')
    b.goto("/fragen")
    lap('b.goto("/fragen")')
    b.get_by_role("link", name=TITLE).click()
    lap('b.get_by_role("link", name=TITLE).click(')
    expect(b).to_have_url(question_url)
    lap('expect(b).to_have_url(question_url)')
    b.get_by_label("Ihre Antwort").fill(
        "Wir nutzen den Rechnungseingang des Landes und leiten per Workflow weiter.")
    b.get_by_role("button", name="Antwort veröffentlichen").click()
    lap('b.get_by_role("button", name="Antwort ve')
    expect(b.get_by_text("Ihre Antwort ist veröffentlicht.")).to_be_visible()
    lap('expect(b.get_by_text("Ihre Antwort ist v')
    reply = b.get_by_role("article", name="Antwort von Stadt Beispielhausen")
    lap('reply = b.get_by_role("article", name="A')
    expect(reply).to_contain_text("Rechnungseingang des Landes")
    lap('expect(reply).to_contain_text("Rechnungs')
    # Only the asker may accept.
    expect(b.get_by_role("button", name="Als Lösung akzeptieren")).to_have_count(0)
    lap('expect(b.get_by_role("button", name="Als')

    # A accepts the reply.
    a.reload()
    lap('a.reload()')
    a.get_by_role("article", name="Antwort von Stadt Beispielhausen").get_by_role(
        "button", name="Als Lösung akzeptieren").click()
    expect(a.get_by_text("Die Antwort ist als Lösung markiert.")).to_be_visible()
    lap('expect(a.get_by_text("Die Antwort ist al')
    expect(a.locator("article.post").get_by_text("gelöst", exact=True)).to_be_visible()
    lap('expect(a.locator("article.post").get_by_')
    accepted = a.get_by_role("article", name="Antwort von Stadt Beispielhausen")
    lap('accepted = a.get_by_role("article", name')
    expect(accepted.get_by_text("Akzeptierte Antwort")).to_be_visible()
    lap('expect(accepted.get_by_text("Akzeptierte')
    expect(a.get_by_role("button", name="Als Lösung akzeptieren")).to_have_count(0)
    lap('expect(a.get_by_role("button", name="Als')

    # The question list shows it as solved, also under the "Gelöst" filter.
    for url in ("/fragen", "/fragen?anzeigen=solved"):
        a.goto(url)
        item = a.locator(".list-item").filter(has=a.get_by_role("link", name=TITLE))
        expect(item).to_have_count(1)
        expect(item.get_by_text("gelöst", exact=True)).to_be_visible()
    a.goto("/fragen?anzeigen=unanswered")
    lap('a.goto("/fragen?anzeigen=unanswered")')
    expect(a.get_by_role("link", name=TITLE)).to_have_count(0)
    lap('expect(a.get_by_role("link", name=TITLE)')
