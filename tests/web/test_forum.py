"""Questions and replies through HTTP: ask, reply, edit, accept, lists, bad input."""
import pytest

from tests.conftest import csrf_token

A = "a@musterstadt.example"
B = "b@nachbarort.example"
A2 = "a2@musterstadt.example"


@pytest.fixture
def members(make_user, make_topic):
    make_user(A, authority="musterstadt", name="Anna Asker")
    make_user(B, authority="nachbarort", name="Bernd Beantworter")
    make_user(A2, authority="musterstadt", name="Anja Kollegin")
    make_topic("drucker-kopierer", "Drucker und Kopierer")
    make_topic("e-rechnung", "E-Rechnung")


def ask(auth, **overrides):
    data = {"title": "Wie habt ihr den XRechnung-Empfang eingerichtet?",
            "body": "Wir suchen Erfahrungen mit **XRechnung**.", "topics": ["e-rechnung"],
            "tags": "xrechnung, Rechnungseingang"}
    data.update(overrides)
    return auth.post("/fragen/neu", data, token_from="/fragen/neu")


def test_ask_reply_accept(client, auth, members):
    auth.login(A)
    response = ask(auth)
    assert response.status_code == 302
    url = response.headers["Location"]
    assert url.startswith("/fragen/1-wie-habt-ihr-den-xrechnung-empfang-eingerichtet")
    html = client.get(url).get_data(as_text=True)
    assert "<strong>XRechnung</strong>" in html and "#xrechnung" in html
    assert "#Rechnungseingang" in html and "offen" in html  # tags keep their case
    auth.logout()

    auth.login(B)
    response = auth.post("/fragen/1/antworten", {"body": "Wir nutzen die Plattform des Landes."},
                         token_from=url)
    assert response.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "Wir nutzen die Plattform des Landes." in html
    assert "Als Lösung akzeptieren" not in html  # B did not ask
    assert auth.post("/fragen/antworten/1/akzeptieren", token_from=url).status_code == 403
    auth.logout()

    auth.login(A)
    html = client.get(url).get_data(as_text=True)
    assert "Als Lösung akzeptieren" in html
    assert auth.post("/fragen/antworten/1/akzeptieren", token_from=url).status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "Akzeptierte Antwort" in html and "gelöst" in html
    solved = client.get("/fragen?anzeigen=solved").get_data(as_text=True)
    assert "XRechnung-Empfang" in solved


def test_second_accept_is_a_conflict(client, auth, members, make_question, make_reply):
    question = make_question(A)
    first = make_reply(B, question)
    second = make_reply(B, question, "Noch eine Antwort")
    auth.login(A)
    assert auth.post(f"/fragen/antworten/{first}/akzeptieren").status_code == 302
    response = auth.post(f"/fragen/antworten/{second}/akzeptieren")
    assert response.status_code == 409
    assert "bereits eine Antwort akzeptiert" in response.get_data(as_text=True)


def test_moderator_may_accept_on_any_question(auth, members, make_user, make_question,
                                              make_reply):
    make_user("mod@kitu.example", role="moderator", authority="kitu")
    question = make_question(A)
    reply = make_reply(B, question)
    auth.login("mod@kitu.example")
    assert auth.post(f"/fragen/antworten/{reply}/akzeptieren").status_code == 302


def test_only_the_asker_accepts_even_within_the_authority(auth, members, make_question,
                                                          make_reply):
    question = make_question(A)
    reply = make_reply(B, question)
    auth.login(A2)  # same authority, other person
    assert auth.post(f"/fragen/antworten/{reply}/akzeptieren").status_code == 403


def test_edit_own_question_but_not_others(client, auth, members, make_question):
    question = make_question(A)
    auth.login(B)
    assert client.get(f"/fragen/{question}/bearbeiten").status_code == 403
    response = auth.post(f"/fragen/{question}/bearbeiten", {
        "title": "Gekapert von B", "body": "x", "topics": ["e-rechnung"]})
    assert response.status_code == 403
    auth.logout()
    auth.login(A)
    response = auth.post(f"/fragen/{question}/bearbeiten", {
        "title": "Drucker vereinheitlichen – neue Fassung", "body": "Neuer Text",
        "topics": ["drucker-kopierer"], "tags": "drucker"}, token_from="/fragen")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "neue Fassung" in html and "bearbeitet" in html


def test_edit_reply_own_only(client, auth, members, make_question, make_reply):
    reply = make_reply(B, make_question(A))
    auth.login(A)
    assert auth.post(f"/fragen/antworten/{reply}/bearbeiten", {"body": "A ändert"}
                     ).status_code == 403
    auth.logout()
    auth.login(B)
    assert auth.post(f"/fragen/antworten/{reply}/bearbeiten", {"body": "B ändert selbst"}
                     ).status_code == 302


def test_delete_question_then_reply_keeps_text(client, auth, members, make_question):
    question = make_question(A)
    auth.login(B)
    page = f"/fragen/{question}"
    token = csrf_token(client, client.get(page).headers.get("Location", page))
    assert auth.post(f"/fragen/{question}/loeschen").status_code == 403
    auth.logout()
    auth.login(A)
    assert auth.post(f"/fragen/{question}/loeschen").status_code == 302
    assert client.get(page).status_code == 404
    auth.logout()
    auth.login(B)
    response = client.post(f"/fragen/{question}/antworten", data={
        "csrf_token": csrf_token(client, "/fragen"), "body": "Meine lange Antwort"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Meine lange Antwort" in html and "nicht gespeichert" in html
    assert token


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "", "Bitte geben Sie einen Titel ein."),
    ("title", "x" * 201, "zwischen 5 und 200 Zeichen"),
    ("body", "", "Bitte geben Sie einen Text ein."),
    ("body", "Drucker " * 30_000, "Der Text ist zu lang"),
    ("topics", ["gibt-es-nicht"], "Unbekanntes Themenfeld: gibt-es-nicht"),
    ("topics", [], "Bitte wählen Sie mindestens ein Themenfeld."),
])
def test_bad_question_input_is_explained_and_kept(auth, members, field, value, message):
    auth.login(A)
    response = ask(auth, **{field: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    if field != "title":
        assert "Wie habt ihr den XRechnung-Empfang eingerichtet?" in html


def test_nul_bytes_and_malformed_utf8_do_not_break(client, auth, members):
    auth.login(A)
    response = ask(auth, title="Titel mit\x00Nullbyte", body="Text\x00mit Null")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Titel mitNullbyte" in html and "\x00" not in html
    token = csrf_token(client, "/fragen/neu")
    raw = (b"csrf_token=" + token.encode() + b"&title=Kaputt+%FF%FE+kodiert&body=%C3%28"
           b"&topics=e-rechnung")
    response = client.post("/fragen/neu", data=raw,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400)


def test_oversized_request_gets_german_413(auth, members):
    auth.login(A)
    response = ask(auth, body="x" * (17 * 1024 * 1024))
    assert response.status_code == 413
    assert "zu groß" in response.get_data(as_text=True)


def test_markdown_is_sanitized(client, auth, members):
    auth.login(A)
    body = ('<script>alert(1)</script> [klick](javascript:alert(2)) '
            '<img src=x onerror=alert(3)> [ok](https://example.org) '
            '![bild](data:image/png;base64,AAAA) {: onclick="x"}')
    response = ask(auth, title="<b>Fett</b> im Titel & mehr", body=body)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in html and "javascript:" not in html
    assert "onerror=" not in html.replace("onerror=alert(3)&gt;", "")
    assert 'href="https://example.org" rel="nofollow noopener"' in html
    assert "data:image" not in html
    assert "&lt;b&gt;Fett&lt;/b&gt; im Titel &amp; mehr" in html


def test_lists_filter_and_paginate(client, auth, members, make_question, make_reply):
    for number in range(25):
        make_question(A, title=f"Frage Nummer {number:02d} zu Druckern")
    make_question(B, title="Frage zur E-Rechnung aus Nachbarort", topics=["e-rechnung"],
                  tags="xrechnung")
    answered = make_question(B, title="Beantwortete Frage zu Kopierern")
    make_reply(A, answered)
    auth.login(A)
    first = client.get("/fragen").get_data(as_text=True)
    assert "27 Fragen" in first and "Nächste Seite" in first
    assert "Beantwortete Frage zu Kopierern" in first  # newest first
    second = client.get("/fragen?page=2").get_data(as_text=True)
    assert "Frage Nummer 00 zu Druckern" in second
    unanswered = client.get("/fragen?anzeigen=unanswered").get_data(as_text=True)
    assert "Beantwortete Frage" not in unanswered and "26 Fragen" in unanswered
    by_topic = client.get("/fragen?thema=e-rechnung").get_data(as_text=True)
    assert "1 Frage" in by_topic and "E-Rechnung aus Nachbarort" in by_topic
    by_tag = client.get("/fragen?schlagwort=xrechnung").get_data(as_text=True)
    assert "E-Rechnung aus Nachbarort" in by_tag and "Nummer 01" not in by_tag
    by_authority = client.get("/fragen?kommune=nachbarort").get_data(as_text=True)
    assert "2 Fragen" in by_authority


def test_missing_question_is_404_and_slug_is_canonical(client, auth, members, make_question):
    question = make_question(A)
    auth.login(A)
    assert client.get("/fragen/999").status_code == 404
    response = client.get(f"/fragen/{question}-falscher-slug")
    assert response.status_code == 301
    assert response.headers["Location"].startswith(f"/fragen/{question}-wie-vereinheitlichen")
