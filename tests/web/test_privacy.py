"""Privacy (DSGVO): the data export and account deletion, through HTTP."""
import json
import re

import pytest
from sqlalchemy import select

from kitu_exchange.admin import services as admin
from kitu_exchange.auth.services import authenticate
from kitu_exchange.extensions import db
from kitu_exchange.forum import services as forum
from kitu_exchange.library import services as library
from kitu_exchange.models import (AuditEntry, LoginAttempt, Question, Reply, Solution, User,
                                  UserSession)
from kitu_exchange.moderation import services as moderation
from tests.conftest import PASSWORD

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
    # Both are promoted to moderator below: they have a second factor, as moderators must.
    make_user(A, authority="musterstadt", name="Anna Autorin", second_factor=True)
    make_user(B, authority="nachbarort", name="Bernd Beispiel", second_factor=True)
    make_user(ADMIN, role="admin", authority="kitu", name="Adam Admin")
    make_solution(B, title="Veröffentlichte Lösung MARKERB")
    leave_traces(app, B, "MARKERB", A)
    make_solution(A, title="Veröffentlichte Lösung MARKERA")
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
    sections = ("account", "sessions", "login_attempts", "questions", "replies", "solutions",
                "revisions", "votes", "flags", "reuses", "audit_entries")
    for section in sections:
        assert data[section], f"{section} is empty"
        assert "MARKERA" in json.dumps(data[section]) or section in (
            "account", "sessions", "login_attempts", "votes"), section
    assert data["account"]["email"] == A
    assert "Anna Autorin" in data["account"]["name"]
    assert "password_hash" not in data["account"] and "Hash" in data["account"]["password"]
    assert data["login_attempts"][0]["succeeded"] is True
    assert data["sessions"][0]["ended_at"] is None and "token" not in data["sessions"][0]
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


def pages_that_named(app, client, anna: int) -> dict[str, str]:
    """Every page that listed Anna by name before: her question, the moderation queue
    (her flag), the audit log, the history of her question, the admin's account list."""
    with app.app_context():
        question = db.session.scalar(select(Question).filter_by(author_id=anna))
        urls = [f"/fragen/{question.id}", "/moderation", "/moderation/protokoll",
                f"/verlauf/question/{question.id}", "/verwaltung"]
    return {url: client.get(url, follow_redirects=True).get_data(as_text=True) for url in urls}


def user_id(app, email: str) -> int:
    with app.app_context():
        return user(email).id


def delete_own_account(auth, password: str = PASSWORD):
    return auth.post("/konto/loeschen", {"password": password}, token_from="/konto/loeschen")


def test_member_deletes_own_account_and_posts_stay_as_former_member(
        app, client, auth, two_people):
    anna = user_id(app, A)
    auth.login(ADMIN)
    before = pages_that_named(app, client, anna)
    assert all(response for response in before.values())
    assert "Anna Autorin" in before["/verwaltung"]
    auth.logout()

    auth.login(A)
    page = client.get("/konto/loeschen").get_data(as_text=True)
    assert "Was beim Löschen geschieht" in page and 'type="password"' in page
    wrong = delete_own_account(auth, "falsches-passwort-123")
    assert wrong.status_code == 400
    assert "Das Passwort ist nicht richtig." in wrong.get_data(as_text=True)
    response = delete_own_account(auth)
    assert response.status_code == 302 and response.location.endswith("/anmelden")

    with app.app_context():
        row = db.session.get(User, anna)
        assert (row.name, row.password_hash, row.active) == ("", None, False)
        assert row.email == f"geloescht-{anna}@konto.invalid"
        assert row.authority.slug == "musterstadt"
        counts = [len(db.session.scalars(select(model).filter_by(author_id=anna)).all())
                  for model in (Question, Reply, Solution)]
        assert counts == [1, 1, 2]
        assert db.session.scalars(select(UserSession).filter_by(user_id=anna)).all() == []
        with pytest.raises(Exception):
            authenticate(A, PASSWORD, "127.0.0.1")
    assert auth.login(A).status_code == 401

    auth.login(ADMIN)
    after = pages_that_named(app, client, anna)
    for url, text in after.items():
        assert "Anna" not in text and "anna.autorin" not in text, url
    assert re.search(r"ehemaliges Mitglied,\s*<a[^>]*>Stadt Musterstadt</a>",
                     after[next(iter(after))])
    assert "MARKERA" in after[next(iter(after))]  # the question itself is still there
    audit = after["/moderation/protokoll"]
    assert "Konto gelöscht" in audit


def test_admin_deletes_an_account_with_audit(app, client, auth, two_people):
    bernd = user_id(app, B)
    auth.login(B)
    auth.logout()
    with app.app_context():
        assert db.session.scalar(select(LoginAttempt).filter_by(email=B)) is not None
    auth.login(ADMIN)
    page = client.get(f"/verwaltung/konten/{bernd}/loeschen").get_data(as_text=True)
    assert "Was beim Löschen geschieht" in page
    response = auth.post(f"/verwaltung/konten/{bernd}/loeschen", {"reason": "Ausgeschieden"},
                         token_from=f"/verwaltung/konten/{bernd}/loeschen")
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).filter_by(action="user.delete"))
        assert (entry.target_id, entry.actor.email, entry.reason) == (bernd, ADMIN,
                                                                       "Ausgeschieden")
        labels = " ".join(db.session.scalars(
            select(AuditEntry.target_label + AuditEntry.reason).filter_by(target_id=bernd,
                                                                          target_type="user")))
        assert "Bernd" not in labels and B not in labels
        assert "ehemaliges Mitglied" in labels
        assert db.session.scalar(select(LoginAttempt).filter_by(email=B)) is None
    auth.logout()
    assert auth.login(B).status_code == 401


def test_member_cannot_delete_someone_else(client, auth, two_people, app):
    auth.login(A)
    response = auth.post(f"/verwaltung/konten/{user_id(app, B)}/loeschen", {})
    assert response.status_code == 403


def test_last_active_admin_cannot_delete_themself(app, client, auth, two_people):
    auth.login(ADMIN)
    response = delete_own_account(auth)
    assert response.status_code == 400
    assert "mindestens eine aktive Administration" in response.get_data(as_text=True)
    with app.app_context():
        assert user(ADMIN).active
