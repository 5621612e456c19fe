"""Oversized forms are refused before they cost a worker, and the page for an expired
form shows only the form's own text fields, never a password (issue 7, item 6)."""
import time

from werkzeug.test import encode_multipart

from tests.conftest import PASSWORD, csrf_token

MEMBER = "mitglied@musterstadt.example"


def assert_refused_quickly(response, started):
    assert time.perf_counter() - started < 2
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Eingabe zu groß" in page and "zu groß" in page


def test_thousands_of_fields_are_refused_quickly(client):
    fields = {f"feld{i}": "x" for i in range(5000)}
    started = time.perf_counter()
    response = client.post("/anmelden", data=fields)
    assert_refused_quickly(response, started)


def test_thousands_of_multipart_fields_are_refused_quickly(client):
    boundary, body = encode_multipart({f"feld{i}": "x" for i in range(5000)})
    started = time.perf_counter()
    response = client.post("/anmelden", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert_refused_quickly(response, started)


def test_a_field_of_several_megabytes_signed_out_is_refused(client):
    started = time.perf_counter()
    response = client.post("/anmelden", data={"email": "a@b.example",
                                              "password": "x" * (3 * 1024 * 1024)})
    assert_refused_quickly(response, started)


def test_a_long_solution_is_still_accepted(client, auth, make_user, make_topic):
    """Three Markdown fields at their limit in the worst encoding still fit."""
    make_user(MEMBER)
    make_topic()
    auth.login(MEMBER)
    text = "ä€" * 10_000  # 20,000 characters, 50,000 bytes, 150,000 url-encoded
    response = auth.post("/loesungen/neu", {
        "title": "Eine lange Lösung", "situation": text, "approach": text, "result": text,
        "topics": ["drucker-kopierer"], "status": "draft"}, token_from="/loesungen/neu")
    assert response.status_code == 302


def test_expired_password_form_does_not_show_the_passwords(client, auth, make_user):
    make_user(MEMBER)
    auth.login(MEMBER)
    response = client.post("/passwort", data={
        "csrf_token": "abgelaufen", "current": PASSWORD, "password": "Neues-Geheimnis-123",
        "confirm": "Neues-Geheimnis-123", "evil": "MARKER-EVIL"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Formular abgelaufen" in page
    assert PASSWORD not in page and "Neues-Geheimnis-123" not in page
    assert "MARKER-EVIL" not in page


def test_expired_question_form_shows_only_its_text_fields(client, auth, make_user):
    make_user(MEMBER)
    auth.login(MEMBER)
    csrf_token(client, "/fragen/neu")
    response = client.post("/fragen/neu", data={
        "csrf_token": "abgelaufen", "title": "MARKER-TITEL", "body": "MARKER-TEXT",
        "tags": "MARKER-TAG", "topics": "MARKER-THEMA", "evil": "MARKER-EVIL",
        "password": "MARKER-PASSWORT"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "MARKER-TITEL" in page and "MARKER-TEXT" in page and "MARKER-TAG" in page
    assert "MARKER-EVIL" not in page and "MARKER-PASSWORT" not in page
    assert "MARKER-THEMA" not in page
