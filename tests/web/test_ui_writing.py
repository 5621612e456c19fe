"""Writing (issue 11, items 1-5) through the test client: the "Vorschau" button without
JavaScript, all errors at once, tag suggestions, the draft's end, changing the accepted
reply."""
import re

import pytest

from tests.conftest import A, B, csrf_token

MARKDOWN = "Wir nutzen `xrechnung-viewer`:\n\n```\nimport foo\n```\n\n<script>alert(1)</script>"


def form_values(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input[^>]*name="(title|tags)"[^>]*value="([^"]*)"', html))


def test_preview_without_javascript_renders_and_keeps_input(client, auth, people, make_topic):
    make_topic("e-rechnung", "E-Rechnung")
    auth.login(A)
    response = auth.post("/fragen/neu", {
        "title": "Ein Titel mit Vorschau", "body": MARKDOWN, "topics": ["e-rechnung"],
        "tags": "XRechnung", "vorschau": "body"}, token_from="/fragen/neu")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    preview = html.split('id="body-vorschau"', 1)[1].split("</section>", 1)[0]
    assert "<code>xrechnung-viewer</code>" in preview
    assert "<pre><code>import foo" in preview
    assert "<script>" not in preview and "&lt;script&gt;" in preview  # same sanitizer
    assert "hidden" not in html.split('id="body-vorschau"', 1)[1].split(">", 1)[0]
    # Everything typed is still there, nothing was saved, no error shown.
    assert form_values(html) == {"title": "Ein Titel mit Vorschau", "tags": "XRechnung"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in html
    assert re.search(r'<input[^>]*checked[^>]*value="e-rechnung"', html)
    assert "Bitte prüfen Sie Ihre Eingaben." not in html
    assert client.get("/fragen").get_data(as_text=True).count("Ein Titel mit Vorschau") == 0


def test_preview_button_on_every_markdown_field(client, auth, people, make_question,
                                                make_reply, make_solution):
    auth.login(A)
    question = make_question(A)
    reply = make_reply(A, question)
    solution = make_solution(A, status="draft")
    pages = {"/fragen/neu": ["body"], f"/fragen/{question}/bearbeiten": ["body"],
             f"/fragen/antworten/{reply}/bearbeiten": ["body"],
             "/loesungen/neu": ["situation", "approach", "result"],
             f"/loesungen/{solution}/bearbeiten": ["situation", "approach", "result"]}
    for url, fields in pages.items():
        html = client.get(url, follow_redirects=True).get_data(as_text=True)
        for name in fields:
            assert f'name="vorschau" value="{name}"' in html, (url, name)
            assert f'id="{name}-vorschau"' in html
    response = auth.post(f"/fragen/{question}/antworten",
                         {"body": "Mit *Betonung*", "vorschau": "body"},
                         token_from="/fragen/neu")
    assert response.status_code == 200
    assert "<em>Betonung</em>" in response.get_data(as_text=True)
    response = auth.post("/loesungen/neu", {"approach": "**fett**", "vorschau": "approach"},
                         token_from="/loesungen/neu")
    assert response.status_code == 200 and "<strong>fett</strong>" in response.get_data(
        as_text=True)


def test_live_preview_endpoint(client, auth, people):
    auth.login(A)
    response = auth.post("/vorschau", {"text": MARKDOWN})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<code>xrechnung-viewer</code>" in html and "<script>" not in html
    assert "Noch kein Text." in auth.post("/vorschau", {"text": " "}).get_data(as_text=True)
    assert client.post("/vorschau", data={"text": "x"}).status_code == 400  # no CSRF token
    auth.logout()
    assert client.post("/vorschau", data={"text": "x"}).status_code in (400, 401)


def test_text_areas_ask_for_rows_and_grow(client, auth, people):
    auth.login(A)
    html = client.get("/fragen/neu").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*rows="12"', html)
    with client.get("/static/css/app.css") as response:
        css = response.get_data(as_text=True)
    assert "field-sizing: content" in css
    assert 'textarea.kern-form-input__input[rows="12"] { min-height: calc(12lh' in css
    assert ".post-body code" in css and "monospace" in css


def test_empty_ask_form_reports_all_errors_at_once(client, auth, people, make_topic):
    make_topic("e-rechnung", "E-Rechnung")
    auth.login(A)
    response = auth.post("/fragen/neu", {"title": "", "body": ""}, token_from="/fragen/neu")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    summary = html.split("Bitte prüfen Sie Ihre Eingaben.", 1)[1].split("</ul>", 1)[0]
    assert "Titel:" in summary and "Beschreibung:" in summary
    assert "Bitte wählen Sie mindestens ein Themenfeld." in summary
    assert 'href="#topics"' in summary


def test_required_groups_are_marked(client, auth, people):
    auth.login(A)
    for url in ("/fragen/neu", "/loesungen/neu"):
        html = client.get(url).get_data(as_text=True)
        legend = re.search(r"<legend[^>]*>Themenfelder(.*?)</legend>", html).group(1)
        assert "Pflichtangabe" in legend, url
        # the optional fields say so, the required text fields do not
        assert re.search(r'for="title">Titel</label>', html)
        assert re.search(r'for="tags">Schlagwörter <span class="kern-label__optional">', html)


def test_empty_solution_form_reports_all_errors_at_once(client, auth, people):
    auth.login(A)
    response = auth.post("/loesungen/neu", {"status": "draft"}, token_from="/loesungen/neu")
    summary = response.get_data(as_text=True).split("Bitte prüfen Sie Ihre Eingaben.")[1]
    for label in ("Titel:", "Lösung:", "Themenfelder:"):
        assert label in summary.split("</ul>")[0]


def test_tags_keep_their_case_and_are_suggested(client, auth, people, make_topic):
    make_topic("e-rechnung", "E-Rechnung")
    auth.login(A)
    response = auth.post("/fragen/neu", {
        "title": "XRechnung im Rechnungseingang", "body": "Wer hat Erfahrung?",
        "topics": ["e-rechnung"], "tags": "XRechnung, Rechnungs Eingang, xrechnung"},
        token_from="/fragen/neu")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "#XRechnung" in html and "#Rechnungs-Eingang" in html
    assert "schlagwort=xrechnung" in html  # the key in addresses stays lower case
    # A later lower-case spelling does not change the tag.
    auth.post("/fragen/neu", {"title": "Noch eine Frage zu xrechnung", "body": "Text",
                              "topics": ["e-rechnung"], "tags": "xrechnung, ozg"},
              token_from="/fragen/neu")
    response = client.get("/themen/schlagwoerter.json?q=RECH")
    assert response.status_code == 200 and response.is_json
    assert response.get_json() == [
        {"name": "rechnungs-eingang", "label": "Rechnungs-Eingang", "uses": 1},
        {"name": "xrechnung", "label": "XRechnung", "uses": 2}]
    assert client.get("/themen/schlagwoerter.json?q=x").get_json()[0]["label"] == "XRechnung"
    assert client.get("/themen/schlagwoerter.json?q=%25").get_json() == []
    assert client.get("/themen/schlagwoerter.json?q=").get_json() == []
    # The field is a plain text field in the page; the script makes it a combobox.
    html = client.get("/fragen/neu").get_data(as_text=True)
    assert 'class="tag-field" data-suggest-url="/themen/schlagwoerter.json"' in html
    auth.logout()
    response = client.get("/themen/schlagwoerter.json?q=x")
    assert response.status_code == 302 and not response.is_json


def test_tags_of_hidden_posts_and_drafts_are_not_suggested(client, auth, people,
                                                           make_solution):
    make_solution(A, status="draft", tags="Geheimprojekt")
    auth.login(B)
    assert client.get("/themen/schlagwoerter.json?q=geheim").get_json() == []


def test_draft_key_and_clearing_after_posting(client, auth, people, make_topic):
    make_topic("e-rechnung", "E-Rechnung")
    auth.login(A)
    html = client.get("/fragen/neu").get_data(as_text=True)
    key = re.search(r'id="frage-formular" data-draft-key="(kitu-frage-entwurf-\d+)"', html)
    assert key and 'id="entwurf-hinweis" role="status" hidden' in html
    assert ">Verwerfen<" in html and "js/question-draft.js" in html
    response = auth.post("/fragen/neu", {"title": "Eine Frage mit Entwurf", "body": "Text",
                                         "topics": ["e-rechnung"]}, token_from="/fragen/neu")
    url = response.headers["Location"]
    html = client.get(url).get_data(as_text=True)
    assert f'data-clear-draft="{key.group(1)}"' in html
    assert "data-clear-draft" not in client.get(url).get_data(as_text=True)  # once
    auth.logout()
    auth.login(B)  # another person: another key
    html = client.get("/fragen/neu").get_data(as_text=True)
    assert key.group(1) not in html


def accepted_state(client, url):
    html = client.get(url).get_data(as_text=True)
    return (re.findall(r'id="antwort-(\d+)"[^>]*>\s*<p><span class="kern-badge kern-badge--'
                       r'success"><span class="kern-label">Akzeptierte Antwort', html),
            html)


def test_asker_changes_and_withdraws_the_accepted_reply(client, auth, people, make_question,
                                                        make_reply):
    question = make_question(A)
    first = make_reply(B, question, "Erste Antwort")
    second = make_reply(B, question, "Zweite Antwort")
    auth.login(A)
    url = client.get(f"/fragen/{question}").headers["Location"]
    assert auth.post(f"/fragen/antworten/{first}/akzeptieren").status_code == 302
    accepted, html = accepted_state(client, url)
    assert accepted == [str(first)]
    assert "Akzeptanz zurücknehmen" in html and "Stattdessen als Lösung akzeptieren" in html
    assert f'name="statt" value="{first}"' in html
    # Change: the form names the reply accepted now.
    response = auth.post(f"/fragen/antworten/{second}/akzeptieren", {"statt": str(first)})
    assert response.status_code == 302
    assert accepted_state(client, url)[0] == [str(second)]
    # A page showing the old state (the first one accepted) cannot change it silently.
    response = auth.post(f"/fragen/antworten/{first}/akzeptieren", {"statt": str(first)})
    assert response.status_code == 409
    assert accepted_state(client, url)[0] == [str(second)]
    # Withdraw: open again, in the list too.
    response = auth.post(f"/fragen/antworten/{second}/akzeptanz-zuruecknehmen")
    assert response.status_code == 302
    accepted, html = accepted_state(client, url)
    assert accepted == [] and "Die Frage ist wieder offen." in html
    assert "Stattdessen" not in html and html.count(">Als Lösung akzeptieren<") == 2
    assert "Wie vereinheitlichen" not in client.get("/fragen?anzeigen=solved").get_data(
        as_text=True)
    assert auth.post(f"/fragen/antworten/{second}/akzeptanz-zuruecknehmen").status_code == 409


def test_only_the_asker_changes_the_acceptance(client, auth, people, make_question,
                                              make_reply):
    question = make_question(A)
    reply = make_reply(B, question)
    other = make_reply(B, question, "Andere Antwort")
    auth.login(A)
    auth.post(f"/fragen/antworten/{reply}/akzeptieren")
    auth.logout()
    auth.login(B)
    html = client.get(f"/fragen/{question}", follow_redirects=True).get_data(as_text=True)
    assert "Akzeptanz zurücknehmen" not in html and "Stattdessen" not in html
    assert auth.post(f"/fragen/antworten/{reply}/akzeptanz-zuruecknehmen").status_code == 403
    assert auth.post(f"/fragen/antworten/{other}/akzeptieren",
                     {"statt": str(reply)}).status_code == 403
