"""Privacy (DSGVO): the data export and account deletion, through HTTP."""
import json

import pytest
from sqlalchemy import select

from kitu_exchange.admin import services as admin
from kitu_exchange.auth.services import authenticate
from kitu_exchange.extensions import db
from kitu_exchange.forum import services as forum
from kitu_exchange.library import services as library
from kitu_exchange.models import Question, Reply, Solution, User
from kitu_exchange.moderation import services as moderation

A = "anna.autorin@musterstadt.example"
B = "bernd.beispiel@nachbarort.example"
ADMIN = "admin@kitu.example"


def user(email: str) -> User:
    return db.session.scalar(select(User).filter_by(email=email))


def leave_traces(app, email: str, marker: str, other_email: str) -> None:
    """Everything a member can leave behind, each piece carrying `marker`: a question, an
    edit of it, a reply and a solution, a vote, a flag, a re-use and an admin's change."""
    with app.app_context():
        person, other = user(email), user(other_email)
        question = forum.ask_question(person, f"Frage {marker} zum Drucken",
                                      f"Text {marker}", ["drucker-kopierer"], "")
        forum.edit_question(person, question, f"Frage {marker} zum Drucken",
                            f"Neuer Text {marker}", ["drucker-kopierer"], "", f"Grund {marker}")
        reply = forum.add_reply(person, question.id, f"Antwort {marker}")
        library.create_solution(person, library.SolutionFields(
            title=f"Lösung {marker} für alle", approach=f"Ansatz {marker}", status="draft",
            topics=["drucker-kopierer"], tags=""))
        others_solution = db.session.scalar(select(Solution).filter_by(author_id=other.id))
        others_reply = db.session.scalar(select(Reply).filter_by(author_id=other.id))
        if others_solution is not None:
            moderation.toggle_vote(person, others_reply)
            moderation.flag_post(person, others_reply, "other", f"Meldung {marker}")
            library.record_reuse(person, others_solution, "in_use", f"Nachnutzung {marker}")
        admin_user = user(ADMIN)
        admin.update_account(admin_user, person, "moderator", person.authority.slug, True,
                             f"Befördert {marker}")
        assert reply.id


@pytest.fixture
def two_people(app, make_user, make_topic, make_solution):
    make_topic()
    make_user(A, authority="musterstadt", name="Anna Autorin")
    make_user(B, authority="nachbarort", name="Bernd Beispiel")
    make_user(ADMIN, role="admin", authority="kitu", name="Adam Admin")
    make_solution(B, title="Bernds veröffentlichte Lösung MARKERB")
    leave_traces(app, B, "MARKERB", A)
    make_solution(A, title="Annas veröffentlichte Lösung MARKERA")
    leave_traces(app, A, "MARKERA", B)


def test_export_holds_every_section_of_the_person_and_nothing_of_others(
        client, auth, two_people):
    auth.login(A)
    response = client.get("/konto/daten.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="kitu-daten-')
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.get_data(as_text=True))
    sections = ("account", "login_attempts", "questions", "replies", "solutions",
                "revisions", "votes", "flags", "reuses", "audit_entries")
    for section in sections:
        assert data[section], f"{section} is empty"
        assert "MARKERA" in json.dumps(data[section]) or section in (
            "account", "login_attempts", "votes"), section
    assert data["account"]["email"] == A
    assert "Anna Autorin" in data["account"]["name"]
    assert "password_hash" not in data["account"] and "Hash" in data["account"]["password"]
    assert data["login_attempts"][0]["succeeded"] is True
    assert any("Befördert MARKERA" in entry["reason"] for entry in data["audit_entries"])
    assert data["revisions"][0]["content"]["body"] == "Text MARKERA"
    text = response.get_data(as_text=True)
    for foreign in ("MARKERB", "Bernd", B, "pbkdf2", "scrypt:"):
        assert foreign not in text


def test_export_needs_sign_in(client):
    assert client.get("/konto/daten.json").status_code == 302


def test_settings_link_to_the_export(client, auth, make_user):
    make_user(A)
    auth.login(A)
    assert "/konto/daten.json" in client.get("/konto/").get_data(as_text=True)
