"""Authority names are unique and only admins change them; every change of an authority,
topic or synonym set, every deletion, promotion and moderator edit lands in the audit log."""
import re

import pytest
from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.models import AuditEntry, Authority, SynonymSet, Topic
from tests.conftest import A, ADMIN, B, MOD

AUTHORITY = {"slug": "musterstadt", "name": "Stadt Musterstadt", "kind": "Stadt",
             "state": "Sachsen-Anhalt", "population": "20000"}


def entries(app, action: str) -> list[tuple[str, str, str]]:
    """(actor e-mail, target label, reason) of each entry with this action."""
    with app.app_context():
        return [(entry.actor.email if entry.actor else "", entry.target_label, entry.reason)
                for entry in db.session.scalars(
                    select(AuditEntry).filter_by(action=action).order_by(AuditEntry.id))]


def authority_name(app, slug: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Authority.name).filter_by(slug=slug))


def test_member_cannot_rename_the_authority_but_edits_the_rest(app, client, auth, people):
    auth.login(A)
    url = "/kommunen/musterstadt/bearbeiten"
    name_input = re.search(r'<input[^>]*id="name"[^>]*>', client.get(url).get_data(as_text=True))
    assert "readonly" in name_input.group(0)
    response = auth.post(url, {**AUTHORITY, "name": "Stadt Nachbarort"}, token_from=url)
    assert response.status_code == 403
    assert authority_name(app, "musterstadt") == "Stadt Musterstadt"
    assert auth.post(url, {**AUTHORITY, "population": "21000"},
                     token_from=url).status_code == 302
    assert entries(app, "authority.edit") == [(A, "Stadt Musterstadt",
                                               "Einwohnerzahl: 20000 → 21000")]


@pytest.mark.parametrize("name", ["Stadt Nachbarort", "stadt NACHBARORT "])
def test_authority_names_are_unique(app, client, auth, people, name):
    auth.login(ADMIN)
    url = "/kommunen/musterstadt/bearbeiten"
    response = auth.post(url, {**AUTHORITY, "name": name}, token_from=url)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Eine Kommune mit diesem Namen gibt es schon." in html
    assert 'id="name-error"' in html and name.strip() in html  # at the field, input kept
    response = auth.post("/kommunen/neu", {**AUTHORITY, "slug": "neuort", "name": name},
                         token_from="/kommunen/neu")
    assert response.status_code == 400
    assert "Eine Kommune mit diesem Namen gibt es schon." in response.get_data(as_text=True)
    assert authority_name(app, "musterstadt") == "Stadt Musterstadt"
    assert entries(app, "authority.edit") == []


def test_authority_name_is_unique_in_the_database(app, people):
    import sqlalchemy.exc
    with app.app_context():
        db.session.add(Authority(slug="doppelt", name="Stadt Musterstadt", kind="Stadt"))
        with pytest.raises(sqlalchemy.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_admin_renames_and_creates_authorities_audited(app, client, auth, people):
    auth.login(ADMIN)
    url = "/kommunen/musterstadt/bearbeiten"
    assert auth.post(url, {**AUTHORITY, "name": "Hansestadt Musterstadt"},
                     token_from=url).status_code == 302
    assert auth.post("/kommunen/neu", {**AUTHORITY, "slug": "neuort", "name": "Gemeinde Neuort",
                                       "kind": "Gemeinde"},
                     token_from="/kommunen/neu").status_code == 302
    assert entries(app, "authority.edit") == [
        (ADMIN, "Hansestadt Musterstadt", "Name: Stadt Musterstadt → Hansestadt Musterstadt")]
    assert entries(app, "authority.create") == [(ADMIN, "Gemeinde Neuort", "")]


def test_topic_changes_are_audited(app, client, auth, people, make_question):
    question = make_question(A)
    auth.login(MOD)
    auth.post("/themen/neu", {"slug": "e-rechnung", "name": "E-Rechnung"}, token_from="/themen")
    auth.post("/themen/e-rechnung/bearbeiten", {"slug": "e-rechnung", "name": "E-Rechnungen",
                                                "description": "Eingang"}, token_from="/themen")
    url = "/themen/drucker-kopierer/loeschen"
    assert auth.post(url, token_from="/themen").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Topic).filter_by(slug="drucker-kopierer")) is None
    assert client.get(f"/fragen/{question}", follow_redirects=True).status_code == 200
    assert [e[:2] for e in entries(app, "topic.create")] == [(MOD, "E-Rechnung")]
    assert [e[:2] for e in entries(app, "topic.edit")] == [(MOD, "E-Rechnungen")]
    assert [e[:2] for e in entries(app, "topic.delete")] == [(MOD, "Drucker und Kopierer")]
    auth.logout()
    auth.login(A)
    assert auth.post("/themen/e-rechnung/loeschen", token_from="/themen").status_code == 403


def test_synonym_changes_are_audited(app, client, auth, people):
    auth.login(MOD)
    auth.post("/moderation/synonyme", {"terms": "Teamviewer, Fernwartung"})
    with app.app_context():
        set_id = db.session.scalar(select(SynonymSet.id))
    auth.post(f"/moderation/synonyme/{set_id}", {"terms": "Teamviewer, Fernwartung, AnyDesk"})
    auth.post(f"/moderation/synonyme/{set_id}/loeschen")
    assert [e[:2] for e in entries(app, "synonym.create")] == [(MOD, "Teamviewer, Fernwartung")]
    assert [e[:2] for e in entries(app, "synonym.edit")] == [
        (MOD, "Teamviewer, Fernwartung, AnyDesk")]
    assert [e[:2] for e in entries(app, "synonym.delete")] == [
        (MOD, "Teamviewer, Fernwartung, AnyDesk")]


def test_deletions_are_audited(app, client, auth, people, make_question, make_solution):
    question = make_question(A, title="Eine Frage zum Löschen")
    slug = make_solution(B, title="Nachgenutzte Lösung")
    auth.login(A)
    assert auth.post(f"/fragen/{question}/loeschen").status_code == 302
    url = f"/loesungen/{slug}"
    auth.post(f"{url}/nachnutzung", {"status": "planned", "note": ""}, token_from=url)
    with app.app_context():
        from kitu_exchange.models import Reuse
        reuse = db.session.scalar(select(Reuse.id))
    assert auth.post(f"/loesungen/nachnutzung/{reuse}/entfernen").status_code == 302
    assert entries(app, "question.delete") == [(A, "Eine Frage zum Löschen", "")]
    assert [e[:2] for e in entries(app, "reuse.remove")] == [(A, "Nachgenutzte Lösung")]


def test_promotion_to_a_solution_is_audited(app, client, auth, people, make_question,
                                            make_reply):
    question = make_question(A, title="Gelöste Frage")
    reply = make_reply(B, question, "So geht es.")
    auth.login(A)
    auth.post(f"/fragen/antworten/{reply}/akzeptieren")
    assert auth.post(f"/fragen/{question}/in-loesung").status_code == 302
    assert entries(app, "question.to_solution") == [(A, "Gelöste Frage", "")]


def test_moderator_edits_of_others_posts_are_audited(app, client, auth, people,
                                                     make_question, make_reply,
                                                     make_solution):
    question = make_question(A, title="Frage von Anna")
    reply = make_reply(B, question, "Antwort von Bernd")
    slug = make_solution(A, title="Lösung von Anna")
    auth.login(A)  # an author's own edit is not a moderation action
    auth.post(f"/fragen/{question}/bearbeiten", {"title": "Frage von Anna", "body": "Neu",
                                                 "topics": ["drucker-kopierer"]})
    auth.logout()
    auth.login(MOD)
    auth.post(f"/fragen/{question}/bearbeiten", {"title": "Frage von Anna", "body": "Ohne Namen",
                                                 "topics": ["drucker-kopierer"],
                                                 "reason": "Name entfernt"})
    auth.post(f"/fragen/antworten/{reply}/bearbeiten", {"body": "Gekürzt", "reason": ""})
    edit = f"/loesungen/{slug}/bearbeiten"
    auth.post(edit, {"title": "Lösung von Anna", "approach": "Korrigiert",
                     "topics": ["drucker-kopierer"], "status": "published"}, token_from=edit)
    assert entries(app, "post.edit") == [
        (MOD, "Frage von Anna", "Name entfernt"),
        (MOD, "Antwort auf „Frage von Anna“", ""),
        (MOD, "Lösung von Anna", "")]
