"""Item 13 of issue 11: destructive actions ask on a page of their own; deleting a
question is soft, restorable by moderators for 30 days, then purged."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from kitu_exchange.extensions import db
from kitu_exchange.models import AuditEntry, Question, Reply, SynonymSet
from tests.conftest import MOD, A, B, csrf_token

TITLE = "Faxgeräte im Standesamt abschaffen?"
BODY = "Wir wollen die letzten Faxgeräte im Standesamt loswerden."


@pytest.fixture
def question(people, make_question, make_reply):
    question_id = make_question(A, title=TITLE, body=BODY)
    make_reply(B, question_id, "Bei uns ging das mit einem Fax-Gateway.")
    return question_id


def found(client, query="Standesamt") -> bool:
    return TITLE in client.get("/suche", query_string={"q": query}).get_data(as_text=True)


def confirm(client, url: str):
    """Open the confirmation page and press its button, as a person would."""
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, data={"csrf_token": csrf_token(client, url)})


def test_delete_asks_first_and_then_the_question_is_gone_everywhere(client, auth, question):
    auth.login(A)
    page = client.get(f"/fragen/{question}", follow_redirects=True).get_data(as_text=True)
    assert f'href="/fragen/{question}/loeschen"' in page  # a link to a page, not a button
    confirmation = client.get(f"/fragen/{question}/loeschen").get_data(as_text=True)
    assert "Frage löschen?" in confirmation and TITLE in confirmation
    assert "1 Antwort" in confirmation and "30 Tage" in confirmation
    assert "Abbrechen" in confirmation
    assert client.get(f"/fragen/{question}", follow_redirects=True).status_code == 200  # GET changed nothing
    assert found(client)

    response = client.post(f"/fragen/{question}/loeschen",
                           data={"csrf_token": csrf_token(client, f"/fragen/{question}/loeschen")})
    assert response.status_code == 302
    assert client.get(f"/fragen/{question}", follow_redirects=True).status_code == 404
    assert not found(client)
    assert TITLE not in client.get("/fragen").get_data(as_text=True)
    assert TITLE not in client.get("/kommunen/musterstadt").get_data(as_text=True)
    assert TITLE not in client.get("/themen/drucker-kopierer").get_data(as_text=True)
    with client.application.app_context():
        stored = db.session.get(Question, question)
        assert stored.deleted_at is not None and stored.deleted_by.email == A
        assert len(stored.replies) == 1  # kept for a restore


def test_post_without_token_deletes_nothing(client, auth, question):
    auth.login(A)
    assert client.post(f"/fragen/{question}/loeschen", data={}).status_code == 400
    assert client.get(f"/fragen/{question}", follow_redirects=True).status_code == 200


def test_others_cannot_open_the_confirmation(client, auth, question):
    auth.login(B)
    assert client.get(f"/fragen/{question}/loeschen").status_code == 403


def test_moderator_restores_within_the_period_with_audit(client, auth, question):
    auth.login(A)
    confirm(client, f"/fragen/{question}/loeschen")
    auth.logout()
    auth.login(B)
    assert client.get("/moderation/geloescht").status_code == 403
    assert client.get(f"/moderation/geloescht/{question}").status_code == 403
    auth.logout()

    auth.login(MOD)
    listing = client.get("/moderation/geloescht").get_data(as_text=True)
    assert TITLE in listing and "Anna Autorin" in listing
    page = client.get(f"/moderation/geloescht/{question}").get_data(as_text=True)
    assert BODY in page and "Frage wiederherstellen" in page
    response = client.post(f"/moderation/geloescht/{question}", data={
        "csrf_token": csrf_token(client, f"/moderation/geloescht/{question}"),
        "note": "versehentlich gelöscht"})
    assert response.status_code == 302
    auth.logout()

    auth.login(B)
    assert client.get(f"/fragen/{question}", follow_redirects=True).status_code == 200
    assert found(client)  # the search index follows the change log
    assert "Fax-Gateway" in client.get(f"/fragen/{question}", follow_redirects=True).get_data(as_text=True)
    with client.application.app_context():
        actions = [(e.action, e.actor.email if e.actor else None, e.reason)
                   for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert ("question.delete", A, "") in actions
    assert ("question.undelete", MOD, "versehentlich gelöscht") in actions


def test_purge_removes_only_what_is_past_the_period(app, client, auth, runner, question,
                                                    make_question):
    recent = make_question(A, title="Eine frisch gelöschte Frage zum Drucker")
    auth.login(A)
    confirm(client, f"/fragen/{question}/loeschen")
    confirm(client, f"/fragen/{recent}/loeschen")
    with app.app_context():
        old = db.session.get(Question, question)
        old.deleted_at -= timedelta(days=31)
        db.session.commit()
    result = runner.invoke(args=["moderation", "purge"])
    assert result.exit_code == 0, result.output
    assert "Purged 1 questions" in result.output
    with app.app_context():
        assert db.session.get(Question, question) is None
        assert db.session.scalars(select(Reply).filter_by(question_id=question)).all() == []
        assert db.session.get(Question, recent).deleted  # still restorable
        purged = db.session.scalar(select(AuditEntry).filter_by(action="question.purge"))
        assert purged.target_label == TITLE
    auth.logout()
    auth.login(MOD)
    assert client.get(f"/moderation/geloescht/{question}").status_code == 404
    assert "frisch gelöschte" in client.get("/moderation/geloescht").get_data(as_text=True)
    assert not found(client)
    assert runner.invoke(args=["moderation", "purge"]).output.startswith("Purged 0")


def test_purge_lets_go_of_duplicates_pointing_at_the_question(app, auth, client, runner,
                                                             question, make_question):
    duplicate = make_question(B, title="Fax im Standesamt, schon wieder?")
    auth.login(MOD)
    auth.post(f"/fragen/{duplicate}/duplikat", {"original": question})
    confirm(client, f"/fragen/{question}/loeschen")
    with app.app_context():
        db.session.get(Question, question).deleted_at -= timedelta(days=40)
        db.session.commit()
    assert runner.invoke(args=["moderation", "purge"]).exit_code == 0
    with app.app_context():
        assert db.session.get(Question, duplicate).duplicate_of_id is None


def test_other_destructive_actions_ask_first(app, client, auth, people, make_topic):
    make_topic("e-rechnung", "E-Rechnung")
    with app.app_context():
        db.session.add(SynonymSet(terms="Fax, Telefax"))
        db.session.commit()
        set_id = db.session.scalar(select(SynonymSet.id))
    auth.login(MOD)
    assert f'href="/moderation/synonyme/{set_id}/loeschen"' in client.get(
        "/moderation/synonyme").get_data(as_text=True)
    page = client.get(f"/moderation/synonyme/{set_id}/loeschen").get_data(as_text=True)
    assert "Synonymgruppe löschen?" in page and "Fax, Telefax" in page
    confirm(client, f"/moderation/synonyme/{set_id}/loeschen")
    page = client.get("/themen/e-rechnung/loeschen").get_data(as_text=True)
    assert "Themenfeld löschen?" in page and "E-Rechnung" in page
    confirm(client, "/themen/e-rechnung/loeschen")
    with app.app_context():
        assert db.session.scalar(select(SynonymSet.id)) is None
    assert client.get("/themen/e-rechnung").status_code == 404


def test_merge_and_reuse_removal_ask_first(app, client, auth, question, make_question,
                                           make_solution):
    duplicate = make_question(B, title="Fax im Standesamt, schon wieder?")
    auth.login(MOD)
    auth.post(f"/fragen/{duplicate}/duplikat", {"original": question})
    page = client.get(f"/fragen/{duplicate}/zusammenfuehren").get_data(as_text=True)
    assert "Antworten in die Originalfrage übertragen?" in page and TITLE in page
    assert confirm(client, f"/fragen/{duplicate}/zusammenfuehren").status_code == 302
    auth.logout()

    slug = make_solution(A)
    auth.login(B)
    auth.post(f"/loesungen/{slug}/nachnutzung", {"status": "planned", "note": "Testen"},
              token_from=f"/loesungen/{slug}")
    with app.app_context():
        from kitu_exchange.models import Reuse
        reuse_id = db.session.scalar(select(Reuse.id))
    page = client.get(f"/loesungen/nachnutzung/{reuse_id}/entfernen").get_data(as_text=True)
    assert "Nachnutzung entfernen?" in page and "geplant" in page
    assert confirm(client, f"/loesungen/nachnutzung/{reuse_id}/entfernen").status_code == 302
    with app.app_context():
        from kitu_exchange.models import Reuse
        assert db.session.scalar(select(Reuse.id)) is None
